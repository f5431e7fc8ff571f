"""BidiLabel: text in any language and direction, drawn as shaped directional runs.

A Kivy Label shapes its whole text with one font in one direction, so "جناح 4B في NHS" comes out
with the digits and "NHS" reversed (HarfBuzz does no bidi). BidiLabel lays the text out with
kiosk.text (Unicode bidi levels, line breaking in logical order, runs reordered per line), then
draws each run as its own texture:
HarfBuzz shapes it (joined Arabic, Nastaliq, Bengali vowel signs) with the run's font (Latin runs
in Noto Sans), script and direction, and the runs are placed left to right on a shared baseline.

Use it like a Label for question text::

    BidiLabel:
        text: root.question_text
        lang: root.lang            # '' follows kiosk.i18n.tr.language
        font_size: 40
        color: 0.13, 0.17, 0.2, 1
        # base_direction: '' (the language's), 'ltr', 'rtl' or 'auto' (first strong character)
        # halign: 'auto' (reading start: left in English, right in Arabic), 'left', 'center',
        #         'right'

Its height follows the text (``auto_height``; the text's size is ``content_height`` and, as for
a Label, ``texture_size``). Inside a fixed-size button set ``auto_height: False`` and use
``padding`` (left, top, right, bottom) and ``valign: 'middle'``.
"""

from __future__ import annotations

import functools
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kivy.clock import Clock
from kivy.core.text import Label as CoreLabel
from kivy.core.text import LabelBase
from kivy.graphics import Color, Rectangle
from kivy.lang import Builder
from kivy.properties import (
    BooleanProperty,
    ColorProperty,
    ListProperty,
    NumericProperty,
    OptionProperty,
    ReferenceListProperty,
    StringProperty,
    VariableListProperty,
)
from kivy.uix.widget import Widget

from kiosk.i18n import tr
from kiosk.languages import font_chooser, get_language, languages
from kiosk.text import COMMON, Line, Run, layout, paragraph_base

_TEXTURE_CACHE_SIZE = 512
_registered: set[str] = set()


def _font_name(path: str) -> str:
    """Register a font by its absolute path (resource_find would prefer a system font)."""
    if path not in _registered:
        LabelBase.register(name=path, fn_regular=path)
        _registered.add(path)
    return path


@dataclass(frozen=True)
class Shaped:
    """A run rendered: its texture (None for spaces only), drawn ``offset`` px from the run's
    left end, and the run's full width including the spaces at its ends."""

    texture: Any
    offset: float
    width: float


@dataclass(frozen=True)
class Placed:
    """A run as drawn on its line: ``x`` from the line's left end."""

    run: Run
    script: str  # what HarfBuzz was told
    x: float
    shaped: Shaped

    @property
    def width(self) -> float:
        return self.shaped.width


class _Shaper:
    """Renders runs with Kivy's SDL2 text provider (HarfBuzz shaping) and measures them.

    SDL2_ttf can size complex text without shaping (isolated Nastaliq forms are twice as wide as
    joined ones) while it renders it shaped from the left edge, so a texture can be far wider
    than its text. Complex scripts are therefore measured by their ink's right edge plus a small
    side bearing; simple ones (Latin, Han, digits) by SDL2_ttf's extents, without rendering.
    Spaces at a run's ends (no ink) are measured on their own. The word in "word " and "word"
    is rendered once."""

    def __init__(self) -> None:
        self._labels: dict[tuple, CoreLabel] = {}
        self._cores: OrderedDict[tuple, tuple[Any, float]] = OrderedDict()

    def _label(self, font: str, size: float, script: str, direction: str) -> CoreLabel:
        """A label to measure with, its font primed for its direction and script."""
        key = (font, size, script, direction)
        if key not in self._labels:
            self._labels[key] = CoreLabel(
                font_name=_font_name(font),
                font_size=size,
                font_script_name=script,
                font_direction=direction,
            )
        label = self._labels[key]
        prime_font(label)
        return label

    def metrics(self, font: str, size: float, script: str) -> tuple[float, float]:
        """(ascent, descent) in px, both positive (asked in the font's home state, so asking
        never leaves a shared font set for the wrong direction)."""
        label = self._label(font, size, *(_home_state(font) or (script, "ltr")))
        return label.get_ascent(), -label.get_descent()

    def _core(
        self, text: str, font: str, size: float, script: str, direction: str
    ) -> tuple[Any, float]:
        """(texture, width) of text without spaces at its ends, rendered once, LRU-cached."""
        key = (text, font, size, script, direction)
        if key in self._cores:
            self._cores.move_to_end(key)
            return self._cores[key]
        label = CoreLabel(
            text=text,
            font_name=_font_name(font),
            font_size=size,
            font_script_name=script,
            font_direction=direction,
        )
        prime_font(label)
        label.refresh()
        texture = label.texture
        result = texture, min(texture.width, _ink_right(texture) + max(1.0, size * 0.04))
        home = _home_state(font)
        if home is not None and home != (script, direction):
            # leave the shared font as plain Labels of its language expect it (see prime_font)
            self._label(font, size, *home)
        self._cores[key] = result
        if len(self._cores) > _TEXTURE_CACHE_SIZE:
            self._cores.popitem(last=False)
        return result

    def _spaces(self, run: Run, size: float, script: str) -> tuple[float, float]:
        """(left, right) widths of the spaces at the run's visual ends."""
        lead = len(run.text) - len(run.text.lstrip())
        trail = len(run.text) - len(run.text.rstrip())
        if not lead and not trail:
            return 0.0, 0.0
        # Nastaliq's space is 0.13 em: too tight beside a Latin run; 0.2 em at run edges
        space = max(
            self._label(run.font, size, script, run.direction).get_extents(" ")[0], size * 0.2
        )
        if not run.text.strip():
            return 0.0, space * len(run.text)
        # visually, a right-to-left run's trailing (logical) spaces are on its left
        return ((trail, lead) if run.level % 2 else (lead, trail))[0] * space, (
            (trail, lead) if run.level % 2 else (lead, trail)
        )[1] * space

    def width(self, run: Run, size: float, script: str) -> float:
        """The run's width for line breaking: no texture for simple scripts."""
        left, right = self._spaces(run, size, script)
        core = run.text.strip()
        if not core:
            return left + right
        if script in _SIMPLE_SCRIPTS:
            label = self._label(run.font, size, script, run.direction)
            return left + label.get_extents(core)[0] + right
        return left + self._core(core, run.font, size, script, run.direction)[1] + right

    def shape(self, run: Run, size: float, script: str) -> Shaped:
        left, right = self._spaces(run, size, script)
        core = run.text.strip()
        if not core:
            return Shaped(None, 0.0, left + right)
        texture, width = self._core(core, run.font, size, script, run.direction)
        return Shaped(texture, left, left + width + right)


# Scripts whose SDL2_ttf extents match what is drawn (no joining, no reordering of marks)
_SIMPLE_SCRIPTS = frozenset({"Latn", "Hani", "Cyrl", "Grek", COMMON})


@functools.cache
def _home_state(font: str) -> tuple[str, str] | None:
    """(script, direction) that plain Labels use with this font: those of its language."""
    for lang in languages():
        if font in (str(lang.font), str(lang.bold)):
            return lang.script, lang.direction
    return None


def prime_font(label: CoreLabel) -> None:
    """Kivy sets HarfBuzz's direction and script on SDL2_ttf's font only when it renders, and
    that font object is shared by every label of the same face and size; measuring (which sizes
    the texture) then shapes with whatever the last render set: an Arabic word measured after an
    LTR run came out 41 px for 49 px of ink, and the texture clipped it. Rendering one space
    first sets them for this label."""
    saved = getattr(label, "_size", None)
    try:
        label.resolve_font_name()
        label._size = (1, 1)
        label._render_begin()
        label._render_text(" ", 0, 0)
        label._render_end()
    except (AttributeError, TypeError):  # another text provider: nothing shared to fix
        pass
    finally:
        # the texture is filled later, at draw, from this size: left at 1x1 it came out
        # blank (Bengali and Urdu buttons with no words on them)
        if saved is not None:
            label._size = saved


def _ink_right(texture: Any) -> int:
    """One past the rightmost column with any ink (alpha) in the texture."""
    width, height = texture.size
    alpha = bytes(texture.pixels)[3::4]
    return max(
        (len(alpha[y * width : (y + 1) * width].rstrip(b"\0")) for y in range(height)), default=0
    )


SHAPER = _Shaper()


class BidiLabel(Widget):
    text = StringProperty("")
    font_size = NumericProperty(32)
    base_direction = OptionProperty("", options=["", "ltr", "rtl", "auto"])
    halign = OptionProperty("auto", options=["auto", "left", "center", "right"])
    color = ColorProperty([0, 0, 0, 1])
    #: language of the text ('' = the translator's current language): picks fonts and direction
    lang = StringProperty("")
    bold = BooleanProperty(False)
    line_spacing = NumericProperty(1.0)  # multiple of the tallest run's natural line height
    valign = OptionProperty("top", options=["top", "middle", "bottom"])
    padding = VariableListProperty([0, 0, 0, 0], length=4)  # left, top, right, bottom, as Label
    #: height follows the text (size_hint_y None); False for a fixed height (inside a button)
    auto_height = BooleanProperty(True)
    content_width = NumericProperty(0)  # read-only: widest line, with padding
    content_height = NumericProperty(0)  # read-only: all lines, with padding
    texture_size = ReferenceListProperty(content_width, content_height)  # as a Label's
    #: read-only: per line, the runs as placed (for tests and read-aloud highlighting)
    placed_lines = ListProperty([])

    def __init__(self, **kwargs: Any) -> None:
        self._trigger = Clock.create_trigger(self.refresh, -1)
        self._trigger_draw = Clock.create_trigger(self.redraw, -1)
        self._lines: list[Line] = []
        self._size = 0.0
        if kwargs.get("auto_height", True):
            kwargs.setdefault("size_hint_y", None)
        super().__init__(**kwargs)
        for name in ("text", "font_size", "base_direction", "lang", "bold", "width", "padding"):
            self.fbind(name, self._trigger)
        for name in ("pos", "height", "halign", "valign", "color", "line_spacing"):  # no layout
            self.fbind(name, self._trigger_draw)
        self._trigger()

    @property
    def language(self) -> str:
        return self.lang or tr.language

    @property
    def resolved_direction(self) -> str | None:
        """'ltr'/'rtl', or None for the UBA's first-strong-character rule."""
        if self.base_direction == "auto":
            return None
        return self.base_direction or get_language(self.language).direction

    def refresh(self, *_: Any) -> None:
        """Lay out and draw now (normally triggered once per frame by any property change)."""
        lang = get_language(self.language)
        size = float(self.font_size)
        inner = self.width - self.padding[0] - self.padding[2]
        width = inner if self.width > 1 else float("inf")
        if width < size:
            # Narrower than one em: a layout not yet sized by its parent (the first pass gives
            # widths like 9 px). Laying out word by word there cost ~10 ms a label at start-up
            # for nothing; the real width triggers the layout again.
            self._lines, self._size, self.placed_lines = [], size, []
            self.redraw()
            return
        lines = layout(
            self.text.replace("\t", " "),
            width,
            lambda run: SHAPER.width(run, size, self._script_for(run)),
            self.resolved_direction,
            font_chooser(lang.tag, self.bold),
        )
        self._lines, self._size = lines, size
        self.placed_lines = [self._place(line, size) for line in lines]
        self.redraw()

    def _script_for(self, run: Run) -> str:
        """HarfBuzz script for a run: its own, or for digits/punctuation the script of the font
        drawing them."""
        if run.script != COMMON:
            return run.script
        lang = get_language(self.language)
        return lang.script if Path(run.font) in (lang.font, lang.bold) else "Latn"

    def _place(self, line: Line, size: float) -> list[Placed]:
        x, result = 0.0, []
        for run in line.runs:
            script = self._script_for(run)
            shaped = SHAPER.shape(run, size, script)
            result.append(Placed(run, script, x, shaped))
            x += shaped.width
        return result

    def _line_metrics(
        self, placed: Sequence[Placed], size: float, default_font: str
    ) -> tuple[float, float]:
        fonts = {(p.run.font, p.script) for p in placed} or {(default_font, "Latn")}
        metrics = [SHAPER.metrics(font, size, script) for font, script in fonts]
        return max(a for a, _ in metrics), max(d for _, d in metrics)

    def redraw(self, *_: Any) -> None:
        """Place the laid-out lines at the widget's position (no new layout)."""
        size, placed_lines = self._size, self.placed_lines
        default_font = str(get_language(self.language).font)
        base = self.resolved_direction
        rtl = base == "rtl" if base else paragraph_base(self.text, None) == 1
        align = self.halign if self.halign != "auto" else ("right" if rtl else "left")
        left_pad, top_pad, right_pad, bottom_pad = self.padding
        metrics = [self._line_metrics(placed, size, default_font) for placed in placed_lines]
        # Lines sit (ascent + descent) x line_spacing apart, but the last one needs its whole
        # descent: Nastaliq (line_spacing 0.7) otherwise hung 0.3 of a line below the box.
        text_height = sum((a + d) * self.line_spacing for a, d in metrics)
        if metrics and self.line_spacing < 1:
            text_height += sum(metrics[-1]) * (1 - self.line_spacing)
        top = {
            "top": self.top - top_pad,
            "bottom": self.y + bottom_pad + text_height,
            "middle": self.center_y + (text_height + bottom_pad - top_pad) / 2,
        }[self.valign]
        widest = 0.0
        self.canvas.clear()
        with self.canvas:
            Color(*self.color)
            for placed, (ascent, descent) in zip(placed_lines, metrics, strict=True):
                line_width = sum(p.width for p in placed)
                widest = max(widest, line_width)
                left = {
                    "left": self.x + left_pad,
                    "right": self.right - right_pad - line_width,
                    "center": (self.x + left_pad + self.right - right_pad - line_width) / 2,
                }[align]
                self._draw_line(placed, left, top - ascent, size)
                top -= (ascent + descent) * self.line_spacing
        self.content_width = widest + left_pad + right_pad
        self.content_height = text_height + top_pad + bottom_pad
        if self.auto_height and self.height != self.content_height:
            self.height = self.content_height  # redrawn next frame at the new size

    def _draw_line(self, placed: list[Placed], left: float, baseline: float, size: float) -> None:
        for p in placed:
            texture = p.shaped.texture
            if texture is None:
                continue
            run_ascent, _ = SHAPER.metrics(p.run.font, size, p.script)
            y = baseline + run_ascent - texture.height
            Rectangle(texture=texture, pos=(left + p.x + p.shaped.offset, y), size=texture.size)


_KV = str(Path(__file__).with_suffix(".kv"))
if _KV not in Builder.files:
    Builder.load_file(_KV)
