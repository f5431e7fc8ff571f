"""Welcome / attract: one big "Tap here to give feedback", the languages in their own words,
how long the kiosk waits before clearing (WCAG 2.2.6), and a silent "You said, we heard" carousel.

At normal size the languages stand beside the invitation. With "Bigger text" nothing is
dropped or shrunk: the invitation takes the whole width and "Choose your language" opens the
languages on a page of their own, at the bigger size, paged if they do not all fit.
"""
from __future__ import annotations

from typing import Any

from kivy.clock import Clock
from kivy.properties import (
    BooleanProperty,
    ListProperty,
    NumericProperty,
    OptionProperty,
    StringProperty,
)
from kivy.uix.screenmanager import Screen

from screens.buttons import LanguageButton, PVButton
from screens.paged import PagedGrid
from screens.widgets import load_kv

CAROUSEL_SECONDS = 12  # slow enough to read a card; changes without motion or sound


class LanguageGrid(PagedGrid):
    """Languages ``(tag, native name)``, each drawn in its own script."""

    current = StringProperty("en")

    def make_item(self) -> LanguageButton:
        return LanguageButton()

    def dress(self, button: Any, value: Any, words: str) -> None:
        button.text, button.spoken, button.lang, button.tag = words, words, value, value
        button.selected = value == self.current

    def on_items(self, *_: Any) -> None:
        self._relayout()

    def on_current(self, *_: Any) -> None:
        for button in self.buttons():
            button.selected = button.tag == self.current

    def _key(self, words: str, *extra: Any) -> tuple:
        return (*super()._key(words, *extra), words)  # each name in its own font


class WelcomeScreen(Screen):
    title = StringProperty("")
    languages = ListProperty([])  # (tag, native name) in picker order
    language = StringProperty("en")
    idle_seconds = NumericProperty(90)
    warning_seconds = NumericProperty(30)
    items = ListProperty([])  # "You said, we heard" items: .title .said .did .when
    item_index = NumericProperty(0)
    #: the languages beside the invitation (normal text), or on a page of their own (bigger)
    side_by_side = BooleanProperty(True)
    mode = OptionProperty("home", options=["home", "languages"])
    __events__ = ("on_start_feedback", "on_choose_language")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._rotate = Clock.create_trigger(self.next_item, CAROUSEL_SECONDS, interval=True)

    def on_side_by_side(self, *_: Any) -> None:
        self.mode = "home"

    def on_enter(self, *_: Any) -> None:
        self._rotate()

    def on_leave(self, *_: Any) -> None:
        self._rotate.cancel()

    def on_languages(self, *_: Any) -> None:
        self.ids.language_grid.reset_page()
        self.ids.language_grid.items = list(self.languages)

    def on_choose_language(self, tag: str) -> None:
        pass

    def on_start_feedback(self) -> None:
        pass

    def mark_language(self, tag: str) -> None:
        self.language = tag
        self.mode = "home"

    def next_item(self, *_: Any) -> None:
        if self.items:
            self.item_index = (self.item_index + 1) % len(self.items)

    def item(self, index: int, field: str) -> str:
        if not self.items:
            return ""
        return str(getattr(self.items[index % len(self.items)], field, "") or "")

    def language_buttons(self) -> list[PVButton]:
        """The language buttons on the page shown now."""
        return list(self.ids.language_grid.buttons())

    def speak_text(self) -> list[str]:
        if self.mode == "languages":
            return [self.ids.choose.text, *(b.text for b in self.language_buttons())]
        return [self.title, self.ids.start.text, self.ids.anonymous.text, self.ids.wait.text]


load_kv(__file__)
