"""The Friends and Family Test question: six faces, each with its words, in NHS England's order."""
from __future__ import annotations

from typing import Any

from screens.question import QuestionScreen, QuestionView
from screens.widgets import FaceButton, app_state, load_kv

COLUMNS = 3


class FftScreen(QuestionScreen):
    def populate(self, view: QuestionView) -> None:
        grid = self.ids.faces
        grid.clear_widgets()
        app = app_state()
        rtl = app.style.rtl
        columns = 2 if app.big_text else COLUMNS
        grid.cols = columns
        options = list(view.options)
        rows = [options[i:i + columns] for i in range(0, len(options), columns)]
        for row in rows:
            for value, words in (reversed(row) if rtl else row):
                btn = FaceButton(text=words, code=value, selected=value == view.previous,
                                 spoken=words)
                btn.bind(on_release=self._tapped)
                grid.add_widget(btn)

    def _tapped(self, btn: FaceButton) -> None:
        self.dispatch("on_answer", int(btn.code))

    def faces(self) -> list[FaceButton]:
        return sorted(self.ids.faces.children, key=lambda b: b.code)

    def clear_answers(self) -> None:
        self.ids.faces.clear_widgets()

    def on_answer(self, value: Any) -> None:
        pass


load_kv(__file__)
