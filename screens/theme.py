"""Colours, sizes and the reference screen: everything a screen needs to look the same everywhere.

No Kivy import here on purpose: the contrast test and the touch-target test read these numbers
without opening a window.

Reference screen (docs/ui.md): a 10.1-inch 1280x800 panel, 1509.4 px on the diagonal, so
149.4 px per inch = 5.88 px per mm. Sizes are set in millimetres on that panel and turned into
pixels with ``mm()``; a window of another size scales them (``set_window_size``) so a 12 mm
target stays 12 mm on a 10.1-inch screen of any resolution.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, fields

REFERENCE_SIZE = (1280, 800)
REFERENCE_DIAGONAL_INCHES = 10.1
REFERENCE_DPI = math.hypot(*REFERENCE_SIZE) / REFERENCE_DIAGONAL_INCHES  # ≈ 149.4
PX_PER_MM = REFERENCE_DPI / 25.4  # ≈ 5.88

MIN_TARGET_MM = 12.0  # every tappable control, both directions (domain.md §2)
MIN_GAP_MM = 2.0  # between neighbouring controls
#: EN 301 549 5.1.4: capital H ≥ 0.7° of arc at 50 cm is ≈ 6.1 mm; "Bigger text" meets it.
BIG_TEXT_CAP_HEIGHT_MM = 6.1

_scale = 1.0


def set_window_size(width: int, height: int) -> None:
    """Scale every size for a window that is not the reference 1280x800 (same physical panel)."""
    global _scale
    _scale = min(width / REFERENCE_SIZE[0], height / REFERENCE_SIZE[1])


def mm(value: float) -> float:
    """Millimetres on the reference panel -> window pixels."""
    return value * PX_PER_MM * _scale


def px_to_mm(value: float) -> float:
    return value / (PX_PER_MM * _scale)


def hex_rgba(code: str, alpha: float = 1.0) -> tuple[float, float, float, float]:
    code = code.lstrip("#")
    r, g, b = (int(code[i:i + 2], 16) / 255 for i in (0, 2, 4))
    return (r, g, b, alpha)


def relative_luminance(code: str) -> float:
    """WCAG 2.x relative luminance of an sRGB colour."""
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b, _ = hex_rgba(code)
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast_ratio(a: str, b: str) -> float:
    la, lb = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


@dataclass(frozen=True)
class Palette:
    """Colour roles as hex strings. ``TEXT_PAIRS``/``CONTROL_PAIRS`` list what is drawn on what."""

    name: str
    page: str  # screen background
    text: str  # body and question text on page/surface
    surface: str  # answer buttons, text fields, keyboard keys
    border: str  # outline of every control (what makes it findable)
    primary: str  # main action button ("Next", "Tap here…")
    on_primary: str
    selected: str  # a chosen answer
    on_selected: str
    pressed: str  # finger down / focus (NHS yellow)
    on_pressed: str
    pressed_border: str
    bar: str  # top bar
    on_bar: str
    overlay: str  # "Do you need more time?" panel
    on_overlay: str
    error: str  # error sentences on page


#: NHS identity: NHS Blue #005EB8 for outlines (5.9:1, a control colour), NHS Dark Blue #003087
#: behind white text (NHS Blue behind text would be only 5.9:1, under the 7:1 we aim for),
#: dark grey #212B32 text, yellow #FFEB3B focus with a dark outline (yellow on white: 1.2:1).
NORMAL = Palette(
    name="normal", page="#F0F4F5", text="#212B32", surface="#FFFFFF", border="#005EB8",
    primary="#003087", on_primary="#FFFFFF", selected="#003087", on_selected="#FFFFFF",
    pressed="#FFEB3B", on_pressed="#212B32", pressed_border="#212B32",
    bar="#003087", on_bar="#FFFFFF", overlay="#FFFFFF", on_overlay="#212B32", error="#8A1538",
)

HIGH_CONTRAST = Palette(
    name="high_contrast", page="#000000", text="#FFFFFF", surface="#000000", border="#FFEB3B",
    primary="#FFEB3B", on_primary="#000000", selected="#FFFFFF", on_selected="#000000",
    pressed="#FFEB3B", on_pressed="#000000", pressed_border="#FFFFFF",
    bar="#000000", on_bar="#FFFFFF", overlay="#000000", on_overlay="#FFFFFF", error="#FFB3C1",
)

PALETTES = (NORMAL, HIGH_CONTRAST)

#: (foreground role, background role) for every piece of text the screens draw.
TEXT_PAIRS = (
    ("text", "page"), ("text", "surface"), ("on_primary", "primary"), ("on_selected", "selected"),
    ("on_pressed", "pressed"), ("on_bar", "bar"), ("on_overlay", "overlay"), ("error", "page"),
    ("error", "surface"),
)
#: (control colour, what it sits on): outlines and filled controls against their surroundings.
CONTROL_PAIRS = (
    ("border", "page"), ("border", "surface"), ("primary", "page"), ("selected", "page"),
    ("pressed_border", "page"), ("border", "overlay"),
    ("on_bar", "bar"),
)


def roles() -> tuple[str, ...]:
    return tuple(f.name for f in fields(Palette) if f.name != "name")


@dataclass(frozen=True)
class TextSizes:
    """Font sizes in px at the reference panel, before ``mm`` scaling (see ``font_px``)."""

    title: float
    question: float
    body: float
    button: float
    small: float


#: Normal: comfortable at arm's length. Big: every size ≥ 52 px, so capital H (0.714 em in
#: Noto Sans) is ≥ 37.1 px = 6.3 mm on the reference panel (EN 301 549 5.1.4: 6.1 mm).
NORMAL_TEXT = TextSizes(title=52, question=40, body=30, button=32, small=26)
BIG_TEXT = TextSizes(title=64, question=56, body=52, button=52, small=52)


#: Roles whose size does not follow "Bigger text": the top bar (so the toggle itself always fits
#: and stays where it was), the language picker (names in their own scripts, 14 of them) and
#: the staff screen's facts.
#: The staff screen too: staff can read normal text, and its facts must fit on one screen.
FIXED_ROLES = {"bar": NORMAL_TEXT.small, "lang": NORMAL_TEXT.button, "staff": NORMAL_TEXT.small,
               "staff_title": NORMAL_TEXT.question, "staff_button": NORMAL_TEXT.button}
#: Keyboard keys: letters grow with "Bigger text", but less than body text (a key is 18 mm wide).
KEY_SIZES = {False: {"key": 32, "keyword": 28}, True: {"key": 42, "keyword": 30}}


def size_for(sizes: TextSizes, role: str) -> float:
    """Font px for a label's size role under the current text size."""
    if role in FIXED_ROLES:
        return font_px(FIXED_ROLES[role])
    if role in ("key", "keyword"):
        return font_px(KEY_SIZES[sizes is BIG_TEXT][role])
    return font_px(getattr(sizes, role))


def font_px(size: float) -> float:
    return size * _scale


def text_sizes(big: bool) -> TextSizes:
    return BIG_TEXT if big else NORMAL_TEXT


def halign_for(align: str, rtl: bool) -> str:
    """'start'/'end' along the reading direction -> Kivy's left/right."""
    if align == "center":
        return "center"
    return "right" if (align == "start") == rtl else "left"


def live(value: object) -> object:
    """Identity, for kv: ``live(app.tr)._("Back")`` re-evaluates when ``app.tr`` changes.

    Kivy's kv compiler does not re-run ``app.tr._(...)`` or ``self.st.font_name`` when the
    middle object is replaced by a plain (non-Kivy) object; passing it as an argument makes the
    binding ``app.tr`` itself, which does fire.
    """
    return value
