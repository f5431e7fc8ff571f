"""The Friends and Family Test question: six faces, each with its words, in NHS England's order.

Three columns of faces above their words; with "Bigger text", two columns with each face beside
its words. Each row is as tall as its words need and the rows share what room is left. If the
six cannot all stand on one screen with the question they page, like any answers (docs/ui.md).
"""
from __future__ import annotations

from typing import Any

from kivy.properties import BooleanProperty, ObjectProperty

from screens.faces import FaceButton
from screens.paged import PagedGrid
from screens.question import QuestionScreen, QuestionView
from screens.widgets import load_kv

COLUMNS = 3


class FaceGrid(PagedGrid):
    big = BooleanProperty(False)
    chosen = ObjectProperty(None, allownone=True)  # the code given before, when coming back

    def make_item(self) -> FaceButton:
        return FaceButton()

    def dress(self, button: Any, value: Any, words: str) -> None:
        button.text, button.code, button.spoken = words, value, words
        button.selected = value == self.chosen

    def least_for(self, width: float, gap: float, pager: float) -> float:
        """All six on one page: the question scrolls before the scale is split."""
        cols = int(self.fixed_cols)
        self.cols = cols
        col = (width - (cols - 1) * gap) / cols
        heights = [self.item_height(v, t, col) for v, t in self.items]
        rows = [max(heights[i:i + cols]) for i in range(0, len(heights), cols)]
        return sum(rows) + gap * max(0, len(rows) - 1)

    def on_big(self, *_: Any) -> None:
        self.fixed_cols = 2 if self.big else COLUMNS
        self._relayout()

    def on_items(self, *_: Any) -> None:
        self._relayout()


class FftScreen(QuestionScreen):
    def populate(self, view: QuestionView) -> None:
        grid = self.ids.faces
        grid.reset_page()
        grid.chosen = view.previous
        grid.items = list(view.options)
        grid.relayout()

    def faces(self) -> list[FaceButton]:
        return sorted(self.ids.faces.buttons(), key=lambda b: b.code)

    def clear_answers(self) -> None:
        self.ids.faces.chosen = None
        for btn in self.ids.faces.buttons():
            btn.selected = False

    def on_answer(self, value: Any) -> None:
        pass


load_kv(__file__)
