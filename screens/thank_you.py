"""Thank you: what happens next, then back to the welcome screen on its own.

At "Bigger text" its words can take two pages; turning one ("More") gives the person the full
time again (``on_read_more``), so the screen does not go back to the start while they read.
"""
from __future__ import annotations

from kivy.properties import BooleanProperty, NumericProperty, StringProperty
from kivy.uix.screenmanager import Screen

from screens.widgets import load_kv

RETURN_SECONDS = 20


class ThankYouScreen(Screen):
    contact_requested = BooleanProperty(False)
    involvement_requested = BooleanProperty(False)
    seconds = NumericProperty(RETURN_SECONDS)
    problem = StringProperty("")  # a sentence for people if saving failed
    __events__ = ("on_done", "on_read_more")

    def on_done(self) -> None:
        pass

    def on_read_more(self) -> None:
        self.seconds = RETURN_SECONDS

    def clear(self) -> None:
        self.contact_requested = self.involvement_requested = False
        self.problem = ""
        self.ids.words.page = 0
        self.ids.words.relayout()

    def speak_text(self) -> list[str]:
        """Every line of every page, then the countdown: read-aloud does not need to page."""
        words = [b.text for b in self.ids.words.blocks() if b.text]
        return [*words, self.ids.countdown.text]


load_kv(__file__)
