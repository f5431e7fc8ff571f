"""The inactivity warning: a large "Do you need more time?" with a countdown and one-tap "Yes".

A ModalView over whatever screen is showing, so the person's place is kept if they answer.
Its words keep their size; its buttons grow to hold them (docs/ui.md, the layout rule).
"""
from __future__ import annotations

from kivy.properties import NumericProperty
from kivy.uix.modalview import ModalView

from screens.widgets import load_kv


class TimeoutOverlay(ModalView):
    seconds = NumericProperty(30)
    __events__ = ("on_more_time", "on_finish_now")

    def on_more_time(self) -> None:
        pass

    def on_finish_now(self) -> None:
        pass

    def speak_text(self) -> list[str]:
        return [self.ids.ask.text, self.ids.countdown.text, self.ids.yes.text]


load_kv(__file__)
