"""Yes / No: two large buttons side by side ("Yes" first in reading order)."""
from __future__ import annotations

from screens.question import QuestionScreen, QuestionView
from screens.widgets import load_kv


class YesNoScreen(QuestionScreen):
    def populate(self, view: QuestionView) -> None:
        self.ids.yes.selected = view.previous is True
        self.ids.no.selected = view.previous is False

    def speak_extra(self) -> list[str]:
        return [self.ids.yes.text, self.ids.no.text]

    def clear_answers(self) -> None:
        self.ids.yes.selected = self.ids.no.selected = False


load_kv(__file__)
