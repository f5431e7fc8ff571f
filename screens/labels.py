"""Themed text: PVLabel (one font, Kivy's Label) and PVText (any script and direction, BidiLabel).

The layout rule (docs/ui.md): text is drawn at the size the person chose and never shrinks to
fit; boxes grow, and a screen that cannot hold its words pages them (screens/paged.py). The
one exception is the top bar's organisation name (FitLabel), which keeps the bar's own size.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from kivy.clock import Clock
from kivy.properties import (
    BooleanProperty,
    NumericProperty,
    ObjectProperty,
    OptionProperty,
    StringProperty,
)
from kivy.uix.label import Label

from kiosk.text import for_rtl_label
from screens.base import app_state, load_kv
from screens.bidi_label import BidiLabel, prime_font
from screens.ink import ink_box

#: Scripts whose words SDL2_ttf measures and places as drawn: no ink centring needed.
SIMPLE_SCRIPTS = frozenset({"Latn", "Hani", "Zyyy"})


class PVLabel(Label):
    """A label in the active language's font, direction and alignment, wrapping to its width.

    ``text`` stays the logical string (what tests find, what read-aloud speaks). In a
    right-to-left language the string drawn is ``kiosk.text.for_rtl_label(text)``: HarfBuzz lays
    a whole label out right to left, which turned an answer "16-24" into "42-61" and "NHS" into
    "SHN"; given the reversed left-to-right runs, it draws them in the reader's order.

    Arabic-script and Bengali words are measured shaped (the shared font is primed for the
    label's script and direction first: measured unshaped, an Urdu button's texture was 847 px
    for 514 px of words, which sat at its left), and a one-line label is placed by its ink, so
    it sits in the middle of its box (Nastaliq's tall line box left its words low).
    """

    role = StringProperty("text")  # palette role for the colour
    size_role = StringProperty("body")  # TextSizes field
    #: Set when a label must keep its own language (a language's own name on the welcome screen).
    lang = StringProperty("")
    #: Where the text sits along the reading direction: 'start' is left in English, right in Arabic.
    align = OptionProperty("start", options=["start", "center", "end"])
    st = ObjectProperty(None, allownone=True)  # the LanguageStyle in force for this label
    #: Wrap the words to the widget's width; False: the widget takes the words' own width.
    wrap = BooleanProperty(True)
    #: Scale on the role's size; only FitLabel changes it.
    fit = NumericProperty(1.0)
    #: where the texture is drawn, from the centre: moves the ink to the middle (see above)
    ink_dx = NumericProperty(0)
    ink_dy = NumericProperty(0)

    def text_box(self, size: Sequence[float], wrap: bool, _style: Any) -> tuple:
        """The label's text_size: one kv rule calls this, so no two bindings fight over it."""
        return (size[0], None) if wrap else (None, None)

    @property
    def drawn_text(self) -> str:
        """The string handed to the text renderer (see the class docstring)."""
        st = self.st
        return for_rtl_label(self.text) if self.text and st is not None and st.rtl else self.text

    def _complex(self) -> bool:
        return self.st is not None and self.st.script not in SIMPLE_SCRIPTS

    def _create_label(self) -> None:
        super()._create_label()
        self._label.text = self.drawn_text

    def _trigger_texture_update(self, name: Any = None, source: Any = None,
                                value: Any = None) -> None:
        if source and name == "text":
            value = self.drawn_text
        super()._trigger_texture_update(name, source, value)

    def texture_update(self, *largs: Any) -> None:
        if self._complex():
            prime_font(self._label)
        super().texture_update(*largs)
        self._place_ink()

    def on_st(self, *_: Any) -> None:
        core = getattr(self, "_label", None)  # kv rules run before Label makes its renderer
        if core is not None and core.text != self.drawn_text:
            core.text = self.drawn_text
            self._trigger_texture()

    def _ink(self) -> tuple[int, int, int, int] | None:
        """The ink box of a one-line complex-script label's texture, else None."""
        texture = self.texture
        lines = getattr(self._label, "_cached_lines", None) or []
        if texture is None or not self._complex() or len(lines) != 1:
            return None
        key = (self.drawn_text, self.font_name, self.font_size, self.bold, texture.size,
               tuple(self.padding), self.halign)
        return ink_box(texture, key)

    def _place_ink(self) -> None:
        """Centre a one-line complex-script label by its ink (see the class docstring)."""
        box = self._ink()
        dx, dy = self._ink_shift(box, self.texture.size) if box is not None else (0.0, 0.0)
        self.ink_dx, self.ink_dy = dx, dy
        if box is None and self._complex() and self.text.strip():
            # a texture read back before its pixels arrived: look again next frame
            Clock.schedule_once(lambda _dt: self._place_ink_once(), 0)

    def _place_ink_once(self) -> None:
        box = self._ink()
        if box is not None:
            self.ink_dx, self.ink_dy = self._ink_shift(box, self.texture.size)

    def drawn_height(self) -> float:
        """The height the words take as drawn, padding included: the texture's, or for a
        label placed by its ink, the ink's (Nastaliq's line box is twice its letters)."""
        box = self._ink()
        if box is None:
            return float(self.texture_size[1])
        return box[3] - box[1] + self.padding[1] + self.padding[3]

    def _ink_shift(self, box: tuple[int, int, int, int], size: tuple[int, int]
                   ) -> tuple[float, float]:
        left, top, right, bottom = self.padding
        width, height = size
        x0, y0, x1, y1 = box
        dx = 0.0
        if self.halign == "center":
            dx = (left + width - right) / 2 - (x0 + x1) / 2
        elif self.halign == "right":
            dx = (width - right) - x1
        dy = (bottom + height - top) / 2 - (y0 + y1) / 2 if self.valign == "middle" else 0.0
        return round(dx), round(dy)


class FitMixin:
    """Words that must fit a fixed box: if they do not, their size steps down (to ``min_fit``
    of the role's size, never smaller). Only the top bar's organisation name uses it: the bar
    keeps one size so its buttons stay where they are."""

    min_fit = NumericProperty(0.6)

    def on_kv_post(self, *args: Any) -> None:
        super().on_kv_post(*args)  # type: ignore[misc]
        self._refit_later = Clock.create_trigger(self._refit, -1)
        self.fbind("texture_size", self._refit_later)  # type: ignore[attr-defined]
        for name in ("text", "size", "st"):
            self.fbind(name, self._restart)  # type: ignore[attr-defined]
        app = app_state()
        if app is not None:
            app.fbind("sizes", self._restart)

    def ratios(self) -> tuple[float, float]:
        """Room over need, across and down, for the words alone (padding excluded)."""
        left, top, right, bottom = self.padding  # type: ignore[attr-defined]
        width, height = self.texture_size  # type: ignore[attr-defined]
        across = (self.width - left - right) / max(1.0, width - left - right)  # type: ignore[attr-defined]
        down = (self.height - top - bottom) / max(1.0, height - top - bottom)  # type: ignore[attr-defined]
        return across, down

    def fits(self) -> bool:
        return min(self.ratios()) >= 0.999

    def shrink(self) -> float:
        across, down = self.ratios()
        return min(across, 0.92 if down < 1 else 1.0)

    def _restart(self, *_: Any) -> None:
        self.fit = 1.0
        self._refit_later()

    def _refit(self, *_: Any) -> None:
        if not self.fits() and self.fit > self.min_fit:
            self.fit = max(self.min_fit, round(self.fit * min(0.99, self.shrink()), 3))


class FitLabel(FitMixin, PVLabel):
    """The top bar's organisation name and "Patient feedback": wrapped to two lines at most
    and smaller if need be, in whatever room the three buttons leave."""


class PVText(BidiLabel):
    """Display text (questions, help, notices) in any language and direction.

    Drawn by BidiLabel: runs of digits or Latin inside Arabic or Urdu keep their order, and
    Nastaliq/Bengali are measured as shaped. Buttons are PVLabels: one font, with mixed runs
    put in order by ``PVLabel.drawn_text``.
    """

    role = StringProperty("text")
    size_role = StringProperty("body")
    align = OptionProperty("start", options=["start", "center", "end"])
    fit = NumericProperty(1.0)  # kept for kv rules that scale a text; the screens leave it at 1

    def on_kv_post(self, *_: Any) -> None:
        # BidiLabel's rule keeps its minimum height at one line even when empty; a folded
        # PVText (no text, or hidden) must fold to nothing. Runs after that rule.
        self._fold = Clock.create_trigger(self._fold_min, -1)
        self.fbind("content_height", self._fold)
        self.fbind("text", self._fold)
        self.fbind("opacity", self._fold)
        self._fold()

    def _fold_min(self, *_: Any) -> None:
        self.size_hint_min_y = self.content_height if self.text and self.opacity else 0

    def needed_height(self, width: float) -> float:
        """The height these words take at ``width`` (laid out now, for paging)."""
        if self.width != width:
            self.width = width
        self.refresh()
        return float(self.content_height) if self.text else 0.0


load_kv(__file__)
