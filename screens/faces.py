"""One FFT answer: a drawn face (or a question mark for "Don't know") with its words.

The face only repeats the words: colour and face are never the only cue (domain.md §2). At
normal size the face sits above the words; with "Bigger text" beside them, at the reading
start. The face has a fixed size and the words their chosen one: the button is as tall as
both need (``needed_height``), and the answer grid gives each row what its words take.
"""
from __future__ import annotations

from typing import Any

from kivy.properties import BooleanProperty, NumericProperty

from screens import theme
from screens.base import app_state, load_kv
from screens.buttons import PVButton

#: Mouth per FFT code: (arc start, arc end, vertical offset as a share of the radius) or None
#: for a straight mouth. Kivy's ellipse angles start at 12 o'clock and run clockwise.
_MOUTHS = {1: (105, 255, -0.05), 2: (130, 230, -0.15), 3: None, 4: (310, 410, -0.65),
           5: (290, 430, -0.75)}
FACE_ABOVE_MM = 8.0  # radius, above the words (normal text)
FACE_BESIDE_MM = 5.5  # radius, beside the words ("Bigger text")


class FaceButton(PVButton):
    code = NumericProperty(1)
    side = BooleanProperty(False)  # face beside the words instead of above them

    def on_kv_post(self, *args: Any) -> None:
        super().on_kv_post(*args)
        self.bind(pos=self.redraw, size=self.redraw, state=self.redraw, selected=self.redraw,
                  texture_size=self.redraw, side=self.redraw, code=self.redraw)
        app = app_state()
        if app is not None:
            app.bind(palette=self.redraw, style=self.redraw)
        self.redraw()

    def radius(self) -> float:
        return theme.mm(FACE_BESIDE_MM if self.side else FACE_ABOVE_MM)

    def face_padding(self, side: bool, rtl: bool) -> list[float]:
        """The words' padding: the face's room on the reading-start side, or above."""
        mm = theme.mm
        if side:
            face = 2 * mm(FACE_BESIDE_MM) + mm(6)
            return [mm(2.5), mm(1.2), face, mm(1.2)] if rtl else [face, mm(1.2), mm(2.5), mm(1.2)]
        return [mm(3), 2 * mm(FACE_ABOVE_MM) + mm(5), mm(3), mm(3)]

    def needed_height(self, width: float) -> float:
        return max(super().needed_height(width), 2 * self.radius() + theme.mm(2))

    def face_centre(self) -> tuple[float, float]:
        r = self.radius()
        if self.side:
            rtl = self.st is not None and self.st.rtl
            cx = self.right - theme.mm(3) - r if rtl else self.x + theme.mm(3) + r
            return cx, self.center_y
        # the words' texture (face room on top) is centred on the button: the face tops it
        top = self.center_y + self.texture_size[1] / 2
        return self.center_x, top - theme.mm(2.5) - r

    def redraw(self, *_: Any) -> None:
        from kivy.graphics import Color, Ellipse, Line

        app = app_state()
        if app is None or self.width < 10:
            return
        fg = self.colours(app.palette, self.state, self.selected, self.kind)[2]
        (cx, cy), r = self.face_centre(), self.radius()
        width = theme.mm(0.5)
        self.canvas.after.clear()
        with self.canvas.after:
            Color(*fg)
            Line(circle=(cx, cy, r), width=width)
            if self.code == 6:  # "Don't know": a question mark inside the circle
                q = r * 0.32
                Line(ellipse=(cx - q, cy, 2 * q, 2 * q, 270, 540), width=width)
                Line(points=[cx, cy, cx, cy - r * 0.25], width=width)
                Ellipse(pos=(cx - r * 0.08, cy - r * 0.55), size=(r * 0.16, r * 0.16))
                return
            for dx in (-0.35, 0.35):
                Ellipse(pos=(cx + dx * r - r * 0.1, cy + r * 0.2), size=(r * 0.2, r * 0.22))
            mouth = _MOUTHS.get(int(self.code))
            if mouth is None:
                Line(points=[cx - r * 0.45, cy - r * 0.4, cx + r * 0.45, cy - r * 0.4],
                     width=width)
            else:
                start, end, dy = mouth
                mr = r * 0.6
                Line(ellipse=(cx - mr, cy + dy * r - mr, 2 * mr, 2 * mr, start, end),
                     width=width)


load_kv(__file__)
