"""The tour's checks on widgets: touch targets, see-through wide lines, tofu, the top bar, the
speaker button. What a person sees of the words (inside their boxes, on the glass, not over the
bar or each other, centred, whole) is judged by drawn ink in tests/screens/drawn.py."""
from __future__ import annotations

import itertools

from kivy.uix.textinput import TextInput

from screens import theme
from screens.touch_text import TouchTextField
from screens.widgets import PVButton
from tests.screens.conftest import walk_window

TOLERANCE = 0.5  # px: layout rounding


def _visible(w) -> bool:
    node = w
    while node is not None and node.parent is not node:
        if getattr(node, "opacity", 1) == 0 or getattr(node, "shown", True) is False:
            return False
        node = node.parent
    return w.width > 1 and w.height > 1 and not w.disabled and w.get_root_window() is not None


def top_layer() -> list:
    """What a person sees and touches: with an overlay open, only the overlay."""
    from kivy.core.window import Window
    from kivy.uix.modalview import ModalView

    top = Window.children[0]  # the last one added is drawn on top and touched first
    return list(top.walk(restrict=False)) if isinstance(top, ModalView) else walk_window()


def targets() -> list:
    """What a finger can reach."""
    return [w for w in top_layer() if isinstance(w, (PVButton, TextInput, TouchTextField))
            and _visible(w)]


def _rect(w) -> tuple[float, float, float, float]:
    x, y = w.to_window(w.x, w.y)
    return x, y, x + w.width, y + w.height


def _gap(a, b) -> float:
    ax0, ay0, ax1, ay1 = _rect(a)
    bx0, by0, bx1, by1 = _rect(b)
    dx = max(bx0 - ax1, ax0 - bx1, 0.0)
    dy = max(by0 - ay1, ay0 - by1, 0.0)
    if dx == 0 and dy == 0:
        return -1.0  # overlapping
    return max(dx, dy) if dx == 0 or dy == 0 else (dx * dx + dy * dy) ** 0.5


def target_problems(stop: str) -> list[str]:
    small, close = theme.mm(theme.MIN_TARGET_MM) - TOLERANCE, theme.mm(theme.MIN_GAP_MM) - TOLERANCE
    found = targets()
    problems = [f"{stop}: {w.__class__.__name__} {getattr(w, 'text', '')[:30]!r} is "
                f"{theme.px_to_mm(w.width):.1f} x {theme.px_to_mm(w.height):.1f} mm"
                for w in found if w.width < small or w.height < small]
    for a, b in itertools.combinations(found, 2):
        gap = _gap(a, b)
        if gap < close:
            problems.append(f"{stop}: {getattr(a, 'text', '')[:20]!r} and "
                            f"{getattr(b, 'text', '')[:20]!r} are "
                            f"{theme.px_to_mm(max(gap, 0)):.1f} mm apart")
    return problems


def _instructions(group):
    """The drawing instructions of one canvas group, not those of child widgets' canvases."""
    from kivy.graphics.instructions import CanvasBase, InstructionGroup

    for item in group.children:
        if isinstance(item, CanvasBase):
            continue  # a child widget's canvas, or canvas.before/after: each walked on its own
        if isinstance(item, InstructionGroup):
            yield from _instructions(item)
        else:
            yield item


def see_through_line_problems(widgets, stop: str) -> list[str]:
    """No wide Line drawn in a see-through colour. Kivy draws such a line through a stencil that
    clears the whole screen's stencil buffer, line by line: on the software renderer the
    screens had 30 of them and took 50 ms a frame instead of 16 (bench/ui.py). Opacity does not
    matter (the shader applies it); the Color's alpha does."""
    from kivy.graphics import Color, Line

    problems = []
    for w in widgets:
        groups = [w.canvas.before] if w.canvas.has_before else []
        groups += [w.canvas] + ([w.canvas.after] if w.canvas.has_after else [])
        for group in groups:
            alpha = 1.0
            for item in _instructions(group):
                if isinstance(item, Color):
                    alpha = item.rgba[3]
                elif isinstance(item, Line) and item.width > 1 and alpha < 1:
                    problems.append(f"{stop}: {type(w).__name__} "
                                    f"{str(getattr(w, 'text', ''))[:20]!r} draws a "
                                    f"{item.width:.1f} px line at alpha {alpha:.2f}")
    return problems


def _font_file(label) -> str:
    from kivy.core.text import LabelBase

    files = LabelBase._fonts.get(label.font_name)  # registered name -> (regular, it, bold, bi)
    if not files:
        return label.font_name
    return files[2] if label.bold else files[0]


def tofu_problems(widgets, stop: str) -> list[str]:
    """Every character a one-font label draws is in that font: no empty boxes. (BidiLabel
    picks a font per run by the same cmap, so only plain Kivy labels can show tofu.)"""
    from pathlib import Path

    from kivy.uix.label import Label

    from kiosk.languages import font_codepoints

    problems = []
    for w in widgets:
        if not isinstance(w, Label) or not w.text or w.opacity == 0 or w.width <= 1:
            continue
        cmap = font_codepoints(Path(_font_file(w)))
        missing = sorted({c for c in w.text if not c.isspace() and ord(c) not in cmap})
        if missing:
            problems.append(f"{stop}: {w.text[:24]!r} has {''.join(missing[:8])!r}, which "
                            f"{Path(_font_file(w)).name} cannot draw")
    return problems


def bar_problems(app, stop: str) -> list[str]:
    """The top bar fits: the organisation's name and "Patient feedback" (translated) and the
    three buttons, each whole and inside the screen, none over another."""
    bar = app.root.ids.bar
    parts = [c for c in bar.children if c.width > 1 and c.opacity > 0
             and type(c).__name__ != "Widget"]  # the stretchy spacer may shrink to nothing
    problems = [f"{stop}: top bar {type(c).__name__} {str(getattr(c, 'text', ''))[:24]!r} "
                f"runs off the screen" for c in parts
                if c.x < bar.x - TOLERANCE or c.right > bar.right + TOLERANCE]
    problems += [f"{stop}: top bar {str(getattr(a, 'text', ''))[:24]!r} overlaps "
                 f"{str(getattr(b, 'text', ''))[:24]!r}"
                 for a, b in itertools.combinations(parts, 2) if _gap(a, b) < 0]
    brand = app.root.ids.brand
    if brand.texture_size[0] > brand.width + TOLERANCE:
        problems.append(f"{stop}: the organisation's name is cut off")
    return problems


def speaker_problems(kiosk, stop: str) -> list[str]:
    """Where the language has a voice, the speaker button is on every screen, tappable (a
    target like any other: measured above) and reads that screen's own words; where it has
    none (Somali, Sorani), no button at all, never a broken one."""
    app = kiosk.app
    button = app.speaker_button()
    if not app.reader.available(app.language):
        return [f"{stop}: a speaker button without a voice"] if button in targets() else []
    if button not in targets():
        return [f"{stop}: no speaker button"]
    shown = app.shown_screen()
    if not (hasattr(shown, "speak_text") and shown.speak_text()):
        return [f"{stop}: the speaker button would read nothing"]
    return []


def question_window_problems(frame, widgets, stop: str) -> list[str]:
    """A question screen whose words scroll must open on the whole question when its window
    can hold it: half a question on show (Urdu, Bigger text) reads as nothing."""
    from screens.frame import QuestionFrame

    out = []
    for qf in widgets:
        if not isinstance(qf, QuestionFrame) or not _visible(qf) or not qf.question_text:
            continue
        window = qf.ids.header_area.ids.scroller
        question = qf.ids.question
        if question.text in frame.scrolled and question.height <= window.height + 0.5:
            out.append(f"{stop}: the question {question.text[:28]!r} is cut by its window "
                       f"({question.height:.0f} px of words, a {window.height:.0f} px window)")
    return out
