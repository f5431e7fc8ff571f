"""The Friends and Family Test question: six faces, each with its words, in NHS England's order."""
from __future__ import annotations

from typing import Any

from screens.question import QuestionScreen, QuestionView
from screens.widgets import FaceButton, app_state, load_kv

COLUMNS = 3


class FftScreen(QuestionScreen):
    def __init__(self, **kwargs: Any) -> None:
        self._faces: list[FaceButton] = []
        super().__init__(**kwargs)

    def populate(self, view: QuestionView) -> None:
        grid = self.ids.faces
        app = app_state()
        columns = 2 if app.big_text else COLUMNS
        grid.cols = columns
        options = list(view.options)
        rows = [options[i:i + columns] for i in range(0, len(options), columns)]
        ordered = [o for row in rows for o in (reversed(row) if app.style.rtl else row)]
        while len(self._faces) < len(ordered):  # built once, reused for every person
            btn = FaceButton()
            btn.bind(on_release=self._tapped)
            self._faces.append(btn)
        if list(reversed(grid.children)) != self._faces[:len(ordered)]:
            grid.clear_widgets()
            for btn in self._faces[:len(ordered)]:
                grid.add_widget(btn)
        for btn, (value, words) in zip(self._faces, ordered, strict=False):
            btn.text, btn.code, btn.spoken = words, value, words
            btn.selected = value == view.previous
            btn.state = "normal"

    def _tapped(self, btn: FaceButton) -> None:
        self.dispatch("on_answer", int(btn.code))

    def faces(self) -> list[FaceButton]:
        return sorted(self.ids.faces.children, key=lambda b: b.code)

    def clear_answers(self) -> None:
        for btn in self._faces:
            btn.selected = False

    def on_answer(self, value: Any) -> None:
        pass


load_kv(__file__)
