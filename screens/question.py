"""What every question screen shares: the view it is shown, its events, clearing and read-aloud.

A question screen is dumb (STYLE.md habit 1): ``show(view)`` fills it, a tap emits
``on_answer(value)`` / ``on_back`` / ``on_skip``; the journey talks to the session.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kivy.properties import BooleanProperty, ObjectProperty, StringProperty
from kivy.uix.screenmanager import Screen


@dataclass(frozen=True)
class QuestionView:
    """Everything a question screen shows, already in the respondent's language."""

    question: Any  # kiosk.survey.Question
    language: str
    text: str
    help: str
    progress: str
    options: tuple[tuple[Any, str], ...]  # (value, words) in survey order
    can_back: bool
    can_skip: bool
    previous: Any = None  # the answer given before, when the person came back
    #: the progress line for each screen of a question that takes several (contact details)
    progress_steps: tuple[str, ...] = ()
    extra: dict = field(default_factory=dict)  # kind-specific words (contact form labels)


class QuestionScreen(Screen):
    """Base of the question screens. Subclasses fill ``populate`` and ``clear_answers``."""

    view = ObjectProperty(None, allownone=True)
    progress_text = StringProperty("")
    question_text = StringProperty("")
    help_text = StringProperty("")
    can_back = BooleanProperty(False)
    can_skip = BooleanProperty(False)
    __events__ = ("on_answer", "on_back", "on_skip", "on_draft")

    def show(self, view: QuestionView) -> None:
        self.view = view
        self.progress_text = view.progress
        self.question_text = view.text
        self.help_text = view.help
        self.can_back = view.can_back
        self.can_skip = view.can_skip
        self.populate(view)

    def populate(self, view: QuestionView) -> None:
        raise NotImplementedError

    def clear(self) -> None:
        """Forget the person: every text, answer and draft this screen holds."""
        self.view = None
        self.progress_text = self.question_text = self.help_text = ""
        self.can_back = self.can_skip = False
        self.clear_answers()

    def clear_answers(self) -> None:
        raise NotImplementedError

    def speak_text(self) -> list[str]:
        """Lines for read-aloud: the question, its help, each option by its meaning
        (kiosk.speech.screen_script), never what a person typed."""
        if self.view is None:
            return []
        from kiosk.speech import screen_script

        script = screen_script(self.view.question, self.view.language, self.speak_extra())
        return [line for line in script if line and line.strip()]

    def speak_extra(self) -> list[str]:
        """The UI's own translated answer labels read after the options (yes_no: Yes, No)."""
        return []

    def on_answer(self, value: Any) -> None:
        pass

    def on_back(self) -> None:
        pass

    def on_skip(self) -> None:
        pass

    def on_draft(self, value: Any) -> None:
        pass
