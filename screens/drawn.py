"""What a person sees: the ink of every text as drawn, and the boxes it must stay inside.

The tour's older checks compared widget rectangles, and passed while "Thank you" was drawn
above the top of the screen and "Neither good nor poor" ran through its button's border: a
label's widget box says nothing about where its glyphs land. Here each text is measured by
its drawn pixels: every textured rectangle a text widget's canvas draws is read back
(``Texture.pixels``), its ink (alpha) bounding box found, and placed where the canvas puts it
in the window. ``capture()`` turns the live window into a ``Frame`` (plain data, saved as JSON
for the regression fixtures under tests/screens/data/frames/); the ``*_problems`` functions
judge a Frame and know nothing of Kivy, so they run on old frames too.

The tour (tests/screens/test_tour.py) judges every screen with them, and so does
``kiosk selftest --screenshots DIR`` on the kiosk itself: the frames it saves beside its
pictures, judged on the display and configuration the kiosk really has.
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

Rect = tuple[float, float, float, float]  # x0, y0, x1, y1 in window pixels, y up
TOLERANCE = 1.0  # px
CENTRE_TOLERANCE_MM = 2.0  # a centred label's ink may sit this far from its box's centre
#: Glyphs keep this far inside a button's or field's border: words touching the border line
#: ("Neither good nor poor" at Bigger text, its descenders on the line) do not read as inside.
CLEARANCE_MM = 0.6


@dataclass(frozen=True)
class Ink:
    """One text as drawn: its glyphs' bounding box and the box it must stay inside."""

    text: str
    owner: str  # widget class, for messages
    ink: Rect
    container: Rect
    container_kind: str  # 'button', 'field', 'bar', 'panel', 'content'
    layer: str  # 'bar', 'screen', 'overlay'
    box: Rect = (0.0, 0.0, 0.0, 0.0)  # the text's own area (its widget inside the padding)
    centred: bool = False  # the text is meant to sit in the middle of its container
    shortened: bool = False  # Kivy cut the words short with an ellipsis


@dataclass(frozen=True)
class Control:
    """A tappable control as drawn: what it says and its box."""

    text: str
    rect: Rect
    layer: str


@dataclass
class Frame:
    name: str
    size: tuple[float, float]
    bar: Rect | None
    px_per_mm: float
    inks: list[Ink] = field(default_factory=list)
    controls: list[Control] = field(default_factory=list)
    #: texts partly or wholly outside a scrolling window, and whether its "more" buttons show
    scrolled: list[str] = field(default_factory=list)
    scroll_cue: bool = False
    #: texts with words whose texture has no ink at all: a button that shows nothing
    blank: list[str] = field(default_factory=list)

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(asdict(self), ensure_ascii=False, indent=1), encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> Frame:
        data = json.loads(path.read_text(encoding="utf-8"))
        inks = [Ink(**{**i, "ink": tuple(i["ink"]), "container": tuple(i["container"]),
                       "box": tuple(i["box"])}) for i in data.pop("inks")]
        controls = [Control(c["text"], tuple(c["rect"]), c["layer"])
                    for c in data.pop("controls")]
        bar = tuple(data.pop("bar")) if data.get("bar") else data.pop("bar")
        data.setdefault("scrolled", [])
        data.setdefault("blank", [])
        return cls(bar=bar, inks=inks, controls=controls, size=tuple(data.pop("size")), **data)


# --- judging a frame (no Kivy) ------------------------------------------------------------------

def _inside(inner: Rect, outer: Rect, tol: float = TOLERANCE) -> bool:
    return (inner[0] >= outer[0] - tol and inner[1] >= outer[1] - tol
            and inner[2] <= outer[2] + tol and inner[3] <= outer[3] + tol)


def _intersect(a: Rect, b: Rect, tol: float = TOLERANCE) -> bool:
    return min(a[2], b[2]) - max(a[0], b[0]) > tol and min(a[3], b[3]) - max(a[1], b[1]) > tol


def _say(ink: Ink) -> str:
    return repr(ink.text[:28] + ("…" if len(ink.text) > 28 else ""))


def containment_problems(frame: Frame) -> list[str]:
    """Every text's ink inside its own box: a button's border (with some clearance), the
    field, the top bar, the overlay's panel, or the screen below the top bar."""
    out = []
    for i in frame.inks:
        gap = CLEARANCE_MM * frame.px_per_mm if i.container_kind in ("button", "field") else 0
        x0, y0, x1, y1 = i.container
        if not _inside(i.ink, (x0 + gap, y0 + gap, x1 - gap, y1 - gap)):
            out.append(f"{frame.name}: {_say(i)} ({i.owner}) is drawn outside its "
                       f"{i.container_kind} by {_overrun(i.ink, i.container) + gap:.0f} px")
    return out


def required_problems(frame: Frame, texts: list[str]) -> list[str]:
    """Texts a screen must show in full (the question, its privacy line) are drawn, whole,
    or scroll into view with a visible "more" button."""
    drawn = {i.text for i in frame.inks if not i.shortened}
    if frame.scroll_cue:
        drawn |= set(frame.scrolled)
    return [f"{frame.name}: {t[:40]!r} is not shown" for t in texts if t and t not in drawn]


def scroll_problems(frame: Frame) -> list[str]:
    """Words outside a scrolling window only with a way to bring them in."""
    if frame.scrolled and not frame.scroll_cue:
        return [f"{frame.name}: {frame.scrolled[0][:30]!r} is cut off with no 'more' button"]
    return []


def _overrun(ink: Rect, box: Rect) -> float:
    return max(box[0] - ink[0], box[1] - ink[1], ink[2] - box[2], ink[3] - box[3])


def window_problems(frame: Frame) -> list[str]:
    """Nothing drawn off the glass."""
    w, h = frame.size
    return [f"{frame.name}: {_say(i)} runs off the screen" for i in frame.inks
            if not _inside(i.ink, (0.0, 0.0, float(w), float(h)))]


def bar_problems(frame: Frame) -> list[str]:
    """No screen text drawn over the top bar (the bar's own words are its business)."""
    if frame.bar is None:
        return []
    return [f"{frame.name}: {_say(i)} is drawn over the top bar" for i in frame.inks
            if i.layer == "screen" and _intersect(i.ink, frame.bar)]


def overlap_problems(frame: Frame) -> list[str]:
    """No two texts' glyphs on top of each other, and no text under a control it is not part
    of (a question's descenders under the first answer's box)."""
    problems = []
    layered = [i for i in frame.inks if i.layer != "bar"]
    for n, a in enumerate(layered):
        for b in layered[n + 1:]:
            if a.layer == b.layer and _intersect(a.ink, b.ink):
                problems.append(f"{frame.name}: {_say(a)} and {_say(b)} are drawn over each other")
    for i in layered:
        if i.container_kind in ("button", "field"):
            continue
        for c in frame.controls:
            if c.layer == i.layer and _intersect(i.ink, c.rect):
                problems.append(f"{frame.name}: {_say(i)} runs under the control {c.text[:20]!r}")
    return problems


def centre_problems(frame: Frame) -> list[str]:
    """A centred label's glyphs in the middle of its box, measured by ink (a right-to-left
    label's texture can be far wider than its words, which then sat to one side)."""
    tol = CENTRE_TOLERANCE_MM * frame.px_per_mm
    problems = []
    for i in frame.inks:
        if not i.centred:
            continue
        off = (i.ink[0] + i.ink[2]) / 2 - (i.box[0] + i.box[2]) / 2
        if abs(off) > tol:
            problems.append(f"{frame.name}: {_say(i)} sits {abs(off) / frame.px_per_mm:.1f} mm "
                            f"{'right' if off > 0 else 'left'} of its {i.container_kind}'s centre")
    return problems


def shortened_problems(frame: Frame) -> list[str]:
    return [f"{frame.name}: {_say(i)} is cut short" for i in frame.inks if i.shortened]


def blank_problems(frame: Frame) -> list[str]:
    """Words that should be on the glass and are not: the widget has text, its texture no ink
    (an Urdu button rendered empty once and was never drawn again)."""
    return [f"{frame.name}: {b} has words but none are drawn" for b in frame.blank]


CHECKS = (blank_problems, containment_problems, window_problems, bar_problems, overlap_problems,
          centre_problems, shortened_problems, scroll_problems)


def problems(frame: Frame) -> list[str]:
    return [p for check in CHECKS for p in check(frame)]


# --- reading the live window (Kivy) ---------------------------------------------------------------

def _textured(widget: Any) -> list[Any]:
    """The textured rectangles drawn by this widget's own canvases (not its children's)."""
    from kivy.graphics import Rectangle
    from kivy.graphics.instructions import CanvasBase, InstructionGroup

    def walk(group: Any):
        for item in group.children:
            if isinstance(item, CanvasBase):
                continue
            if isinstance(item, InstructionGroup):
                yield from walk(item)
            elif type(item) is Rectangle and item.texture is not None:  # noqa: E721
                yield item  # (a RoundedRectangle background is a Rectangle too: not text)

    canvas = widget.canvas
    groups = ([canvas.before] if canvas.has_before else []) + [canvas]
    groups += [canvas.after] if canvas.has_after else []
    return [r for g in groups for r in walk(g)]


def _texture_ink(texture: Any) -> tuple[int, int, int, int] | None:
    from screens.ink import ink_box

    return ink_box(texture)


def _to_window(widget: Any, x: float, y: float) -> tuple[float, float]:
    return widget.to_window(x, y)


def _rect_of(widget: Any) -> Rect:
    x0, y0 = widget.to_window(widget.x, widget.y)
    return (x0, y0, x0 + widget.width, y0 + widget.height)


def _shown(widget: Any) -> bool:
    node = widget
    while node is not None and node.parent is not node:
        if getattr(node, "opacity", 1) == 0 or getattr(node, "shown", True) is False:
            return False
        node = node.parent
    return widget.width > 1 and widget.height > 1 and widget.get_root_window() is not None


def _container(widget: Any, app: Any, layer: str, content: Rect) -> tuple[Rect, str]:
    """The box a text must stay inside: its button (within the border), its field, the top
    bar, the overlay panel, or the screen area below the bar."""
    from screens import theme
    from screens.touch_text import TouchTextField
    from screens.widgets import PVButton

    node = widget
    while node is not None and node.parent is not node:
        if isinstance(node, PVButton):
            inset = node.border_width(node.state, node.selected)
            x0, y0, x1, y1 = _rect_of(node)
            return (x0 + inset, y0 + inset, x1 - inset, y1 - inset), "button"
        if isinstance(node, TouchTextField):
            inset = theme.mm(0.5)
            x0, y0, x1, y1 = _rect_of(node)
            return (x0 + inset, y0 + inset, x1 - inset, y1 - inset), "field"
        node = node.parent
    if layer == "bar":
        return _rect_of(app.root.ids.bar), "bar"
    if layer == "overlay":
        return _rect_of(app.timeout), "panel"
    return content, "content"


def _layer(widget: Any, app: Any) -> str:
    from kivy.uix.modalview import ModalView

    node = widget
    bar = app.root.ids.bar
    while node is not None and node.parent is not node:
        if node == bar:
            return "bar"
        if isinstance(node, ModalView):
            return "overlay"
        node = node.parent
    return "screen"


def _is_centred(widget: Any) -> bool:
    from screens.bidi_label import BidiLabel

    if isinstance(widget, BidiLabel):
        return widget.halign == "center" and len(widget.placed_lines) == 1
    lines = getattr(getattr(widget, "_label", None), "_cached_lines", None) or []
    return getattr(widget, "halign", "") == "center" and len(lines) == 1


def capture(name: str, app: Any) -> Frame:
    """The frame on the glass now: every shown text's ink, every shown control."""
    from kivy.core.window import Window
    from kivy.uix.label import Label

    from screens import theme
    from screens.bidi_label import BidiLabel
    from screens.touch_text import TouchTextField
    from screens.widgets import PVButton

    overlay = app.timeout if app._overlay_open() else None
    tops = [overlay] if overlay is not None else list(Window.children)
    widgets = [w for top in tops for w in top.walk(restrict=False)]
    bar = None if overlay is not None else _rect_of(app.root.ids.bar)
    content = (0.0, 0.0, float(Window.width), bar[1] if bar else float(Window.height))
    frame = Frame(name=name, size=(float(Window.width), float(Window.height)), bar=bar,
                  px_per_mm=theme.mm(1))
    frame.scroll_cue = any(type(w).__name__ == "ArrowButton" and _shown(w) and not w.disabled
                           for w in widgets)
    for w in widgets:
        if not _shown(w):
            continue
        layer = _layer(w, app)
        if isinstance(w, (PVButton, TouchTextField)) and not w.disabled:
            frame.controls.append(Control(w.text, _rect_of(w), layer))
        if not isinstance(w, (Label, BidiLabel)) or not w.text.strip():
            continue
        box, kind = _container(w, app, layer, content)
        rects = _textured(w)
        if isinstance(w, Label):  # its words' texture, not a drawn icon in the same canvas
            rects = [r for r in rects if r.texture == w.texture]
        inks = [_placed_ink(w, rect) for rect in rects]
        inks = [i for i in inks if i is not None]
        if not inks:
            frame.blank.append(f"{w.text[:28]!r} ({type(w).__name__})")
        window = _scroll_window(w)
        if window is not None and inks:
            whole = len(inks)
            inks = [c for c in (_clip(i, window) for i in inks) if c is not None]
            if len(inks) < whole or any(not _inside(i, window) for i in inks) or \
                    _clipped(w, window):
                frame.scrolled.append(w.text)
        if not inks:
            continue
        left, top, right, bottom = w.padding  # Label and BidiLabel: left, top, right, bottom
        x0, y0, x1, y1 = _rect_of(w)
        frame.inks.append(Ink(
            text=w.text, owner=type(w).__name__,
            ink=(min(i[0] for i in inks), min(i[1] for i in inks),
                 max(i[2] for i in inks), max(i[3] for i in inks)),
            container=box, container_kind=kind, layer=layer,
            box=(x0 + left, y0 + bottom, x1 - right, y1 - top), centred=_is_centred(w),
            shortened=bool(getattr(w, "shorten", False))))
    return frame


def _scroll_window(widget: Any) -> Rect | None:
    """The visible window of a scrolling box the widget is in, while it overflows."""
    from screens.frame import ScrollBox

    node = widget.parent
    while node is not None and node.parent is not node:
        if isinstance(node, ScrollBox) and node.overflow:
            return node.visible_rect()
        node = node.parent
    return None


def _clip(ink: Rect, window: Rect) -> Rect | None:
    x0, y0 = max(ink[0], window[0]), max(ink[1], window[1])
    x1, y1 = min(ink[2], window[2]), min(ink[3], window[3])
    return (x0, y0, x1, y1) if x1 - x0 > TOLERANCE and y1 - y0 > TOLERANCE else None


def _clipped(widget: Any, window: Rect) -> bool:
    return not _inside(_rect_of(widget), window)


def _placed_ink(widget: Any, rect: Any) -> Rect | None:
    """Where one textured rectangle's ink lands in the window."""
    ink = _texture_ink(rect.texture)
    if ink is None:
        return None
    sx = rect.size[0] / max(1, rect.texture.size[0])
    sy = rect.size[1] / max(1, rect.texture.size[1])
    x0, y0 = _to_window(widget, rect.pos[0] + ink[0] * sx, rect.pos[1] + ink[1] * sy)
    x1, y1 = _to_window(widget, rect.pos[0] + ink[2] * sx, rect.pos[1] + ink[3] * sy)
    return x0, y0, x1, y1


# --- the picture itself ---------------------------------------------------------------------------

def foreign_pixels_in_bar(png: Path, frame: Frame, colour: str, distance: int = 40) -> int:
    """How many pixels of the top bar in a saved screenshot are of ``colour`` (the screen's
    own text colour, which the bar never uses): text drawn over the bar, seen in the picture
    itself rather than in any widget's bookkeeping."""
    from kivy.core.image import ImageLoader

    if frame.bar is None:
        return 0
    data = ImageLoader.load(str(png), keep_data=True)._data[0]
    width, height, pixels = data.width, data.height, data.data
    r0, g0, b0 = (int(colour.lstrip("#")[i:i + 2], 16) for i in (0, 2, 4))
    x0, y0, x1, y1 = (int(v) for v in frame.bar)
    count = 0
    for y in range(max(0, y0), min(height, y1)):
        row = height - 1 - y if data.flip_vertical else y  # stored top row first
        start = row * width * 4
        line = pixels[start + x0 * 4:start + x1 * 4]
        for i in range(0, len(line), 16):  # every 4th pixel is plenty for words
            if abs(line[i] - r0) + abs(line[i + 1] - g0) + abs(line[i + 2] - b0) < distance:
                count += 1
    return count
