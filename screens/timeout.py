"""The inactivity warning: a large "Do you need more time?" with a countdown and one-tap "Yes".

A ModalView over whatever screen is showing, so the person's place is kept if they answer.
"""
from __future__ import annotations

from typing import Any

from kivy.app import App
from kivy.clock import Clock
from kivy.properties import NumericProperty
from kivy.uix.modalview import ModalView

from screens.widgets import fit_step, load_kv, stacked_height


class TimeoutOverlay(ModalView):
    seconds = NumericProperty(30)
    __events__ = ("on_more_time", "on_finish_now")

    def __init__(self, **kwargs: Any) -> None:
        self._fit = Clock.create_trigger(self.fit_texts, -1)  # before the kv rules run
        super().__init__(**kwargs)
        box = self.ids.box
        box.fbind("height", self._refit)  # a new panel size: start again from full size
        for part in box.children:
            part.fbind("height", self._fit)
        app = App.get_running_app()
        if app is not None:
            app.fbind("sizes", self._refit)
            app.fbind("tr", self._refit)

    def _refit(self, *_: Any) -> None:
        self.ids.ask.fit = self.ids.countdown.fit = 1.0
        self._fit()

    def fit_texts(self, *_: Any) -> None:
        """The question and its countdown step down (to 60 %) when, with "Bigger text" in a
        wordy language (Welsh, Somali), they and the two buttons outgrow the panel."""
        box = self.ids.box
        fit_step([self.ids.ask, self.ids.countdown], stacked_height(box), box.height)

    def on_more_time(self) -> None:
        pass

    def on_finish_now(self) -> None:
        pass

    def speak_text(self) -> list[str]:
        return [self.ids.ask.text, self.ids.countdown.text, self.ids.yes.text]


load_kv(__file__)
