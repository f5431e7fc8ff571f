"""Thank you: what happens next, then back to the welcome screen on its own."""
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
    __events__ = ("on_done",)

    def on_done(self) -> None:
        pass

    def clear(self) -> None:
        self.contact_requested = self.involvement_requested = False
        self.problem = ""

    def speak_text(self) -> list[str]:
        return [w.text for w in self.ids.values() if hasattr(w, "text") and w.text
                and w.opacity > 0 and w is not self.ids.get("finish")]


load_kv(__file__)
