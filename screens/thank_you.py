"""Thank you: what happens next, then back to the welcome screen on its own.

At "Bigger text" its words can take several pages; the countdown is the last line of the last
page, and the person has the full time for every page still to read (``on_read_more`` and a new
page count set it again), so the screen does not go back to the start while they read.
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
    #: just shown: its pages are still being laid out (a countdown line that rewraps as the
    #: seconds change must not give the time back, so only until the first tick)
    fresh = False
    __events__ = ("on_done", "on_read_more")

    def on_done(self) -> None:
        pass

    def start(self) -> None:
        """Shown: the full time for every page there is to read."""
        self.fresh = True
        self.on_read_more()

    def tick(self) -> bool:
        """A second has gone; True when the time is up."""
        self.fresh = False
        self.seconds -= 1
        return self.seconds <= 0

    def on_kv_post(self, *_: object) -> None:
        self.ids.words.fbind("page_count", self._new_pages)

    def _new_pages(self, *_: object) -> None:
        if self.fresh:
            self.on_read_more()

    def on_read_more(self) -> None:
        self.seconds = self.full_time()

    def full_time(self) -> int:
        """RETURN_SECONDS for each page still to read (the countdown shows on the last)."""
        words = self.ids.words
        return RETURN_SECONDS * max(1, words.page_count - words.page)

    def clear(self) -> None:
        self.contact_requested = self.involvement_requested = False
        self.problem = ""
        self.ids.words.page = 0
        self.ids.words.relayout()

    def speak_text(self) -> list[str]:
        """Every line of every page, then the countdown: read-aloud does not need to page."""
        return [b.text for b in self.ids.words.blocks() if b.text]  # the countdown is last


load_kv(__file__)
