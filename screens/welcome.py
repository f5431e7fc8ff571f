"""Welcome / attract: one big "Tap here to give feedback", the languages in their own words,
how long the kiosk waits before clearing (WCAG 2.2.6), and a silent "You said, we heard" carousel.
"""
from __future__ import annotations

from typing import Any

from kivy.app import App
from kivy.clock import Clock
from kivy.properties import ListProperty, NumericProperty, StringProperty
from kivy.uix.screenmanager import Screen

from screens import theme
from screens.widgets import LanguageButton, PVButton, fit_step, load_kv, stacked_height

CAROUSEL_SECONDS = 12  # slow enough to read a card; changes without motion or sound


class WelcomeScreen(Screen):
    title = StringProperty("")
    languages = ListProperty([])  # (tag, native name) in picker order
    language = StringProperty("en")
    idle_seconds = NumericProperty(90)
    warning_seconds = NumericProperty(30)
    items = ListProperty([])  # "You said, we heard" items: .title .said .did .when
    item_index = NumericProperty(0)
    __events__ = ("on_start_feedback", "on_choose_language")

    def __init__(self, **kwargs: Any) -> None:
        self._fit = Clock.create_trigger(self.fit_left, -1)  # before the kv rules run
        super().__init__(**kwargs)
        self._rotate = Clock.create_trigger(self.next_item, CAROUSEL_SECONDS, interval=True)

    def on_kv_post(self, *_: Any) -> None:
        left, wait = self.ids.left, self.ids.wait
        left.fbind("height", self._refit)  # a new column size: start again from full size
        for child in left.children:
            child.fbind("height", self._fit)
        for name in ("text", "size_role", "lang"):
            wait.fbind(name, self._refit)
        app = App.get_running_app()
        if app is not None:
            app.fbind("sizes", self._refit)

    def _refit(self, *_: Any) -> None:
        self.ids.wait.fit = 1.0
        self._fit()

    def fit_left(self, *_: Any) -> None:
        """The left column must not run under the top bar: with "Bigger text" in a wordy
        language (Welsh: six lines) the waiting-time sentence steps down in size, to no less
        than 60 %. It is the one text that may: it is read once, not answered."""
        left, wait = self.ids.left, self.ids.wait
        need = stacked_height(left, lambda _stretchy: 0.0)  # the carousel only takes what is left
        if wait.height > 0:
            fit_step([wait], wait.height, wait.height - (need - left.height))

    def on_enter(self, *_: Any) -> None:
        self._rotate()

    def on_leave(self, *_: Any) -> None:
        self._rotate.cancel()

    def on_languages(self, *_: Any) -> None:
        grid = self.ids.language_grid
        grid.clear_widgets()
        for tag, name in self.languages:
            btn = LanguageButton(text=name, lang=tag, selected=tag == self.language,
                                 spoken=name, size_role="lang", wrap=False,
                                 padding=(theme.mm(1.5), theme.mm(2)))
            btn.tag = tag
            btn.bind(on_release=lambda b: self.dispatch("on_choose_language", b.tag))
            grid.add_widget(btn)

    def on_choose_language(self, tag: str) -> None:
        pass

    def on_start_feedback(self) -> None:
        pass

    def mark_language(self, tag: str) -> None:
        self.language = tag
        for btn in self.ids.language_grid.children:
            btn.selected = btn.tag == tag

    def next_item(self, *_: Any) -> None:
        if self.items:
            self.item_index = (self.item_index + 1) % len(self.items)

    def item(self, index: int, field: str) -> str:
        if not self.items:
            return ""
        return str(getattr(self.items[index % len(self.items)], field, "") or "")

    def language_buttons(self) -> list[PVButton]:
        return list(reversed(self.ids.language_grid.children))

    def speak_text(self) -> list[str]:
        return [self.title, self.ids.start.text, self.ids.wait.text]


load_kv(__file__)
