"""Single- and multiple-choice questions: big full-width answers, paged rather than scrolled.

Single choice moves on as soon as an answer is tapped (Back corrects a slip); multiple choice
collects ticks and moves on with "Next".
"""
from __future__ import annotations

from typing import Any

from screens.question import QuestionScreen, QuestionView
from screens.widgets import load_kv


class ChoiceScreen(QuestionScreen):
    def populate(self, view: QuestionView) -> None:
        choices = self.ids.choices
        choices.multi = view.question.kind == "multi_choice"
        if choices.multi:
            choices.selected = list(view.previous or [])
        else:
            choices.selected = [view.previous] if view.previous is not None else []
        choices.reset_page()
        if choices.options == list(view.options):
            choices.relayout()  # same answers (a person came back): show the selection
        else:
            choices.options = list(view.options)  # on_options lays them out

    @property
    def multi(self) -> bool:
        return bool(self.ids.choices.multi)

    def chosen(self, value: Any) -> None:
        if not self.multi:
            self.dispatch("on_answer", value)

    def next(self) -> None:
        self.dispatch("on_answer", list(self.ids.choices.selected))

    def clear_answers(self) -> None:
        choices = self.ids.choices
        choices.selected = []
        for btn in choices.buttons():
            btn.selected = False


load_kv(__file__)
