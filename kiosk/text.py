"""Bidirectional text for display: a logical string -> lines of directional runs in visual order.

Kivy's labels shape one string with one font in one direction (HarfBuzz), and HarfBuzz does no
bidi: "جناح 4B" shaped right-to-left comes out as "B4 حانج"-style nonsense for the Latin and digit
parts. So the Unicode Bidirectional Algorithm runs here (python-bidi's per-character embedding
levels), text is broken into lines in logical order, and each line's runs are reordered (rule L2)
into visual order. Each run keeps its characters in logical order with a direction: the label
layer shapes it with HarfBuzz in that direction (which joins Arabic letters and mirrors brackets)
and places the runs left to right.

Runs also carry a script (Latn, Arab, Beng, Hani, or Zyyy for digits/punctuation only) and, after
``assign_fonts``, a font: Latin runs inside Arabic text are drawn with the Latin font, and a
character the first font lacks falls back to the next. No Kivy here; the widget is
screens/bidi_label.py.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Container, Sequence
from dataclasses import dataclass, replace

from bidi import algorithm as _uba

COMMON = "Zyyy"
# fmt: off
_SCRIPT_RANGES = (  # (first, last, script); everything else is a letter (Latn) or common
    (0x0600, 0x06FF, "Arab"), (0x0750, 0x077F, "Arab"), (0x08A0, 0x08FF, "Arab"),
    (0xFB50, 0xFDFF, "Arab"), (0xFE70, 0xFEFF, "Arab"), (0x0980, 0x09FF, "Beng"),
    (0x2E80, 0x2FDF, "Hani"), (0x3000, 0x303F, "Hani"), (0x3100, 0x312F, "Hani"),
    (0x31A0, 0x31EF, "Hani"), (0x3200, 0x32FF, "Hani"), (0x3400, 0x4DBF, "Hani"),
    (0x4E00, 0x9FFF, "Hani"), (0xF900, 0xFAFF, "Hani"), (0xFE30, 0xFE4F, "Hani"),
    (0xFF00, 0xFFEF, "Hani"), (0x20000, 0x3FFFF, "Hani"),
)
# fmt: on
# Kinsoku: CJK punctuation that may not start a line / may not end one
_NO_LINE_START = set("，。、；：？！）」』】〕〉》”’・…—")
_NO_LINE_END = set("（「『【〔〈《“‘")

#: script -> candidate fonts, each (font id, the code points it covers), best first
FontChooser = Callable[[str], Sequence[tuple[str, Container[int]]]]
#: width of a run (with its font) in pixels
Measure = Callable[["Run"], float]


@dataclass(frozen=True)
class Run:
    text: str  # logical order: shape it with HarfBuzz in ``direction``
    level: int  # bidi embedding level: odd = right-to-left
    script: str
    font: str | None = None

    @property
    def direction(self) -> str:
        return "rtl" if self.level % 2 else "ltr"


# Unicode character-name prefix -> ISO 15924 script, so a language in a new script needs only
# data (a registry entry and a font), not code
# fmt: off
_NAME_SCRIPTS = {
    "LATIN": "Latn", "ARABIC": "Arab", "BENGALI": "Beng", "CJK": "Hani", "ETHIOPIC": "Ethi",
    "DEVANAGARI": "Deva", "GURMUKHI": "Guru", "GUJARATI": "Gujr", "TAMIL": "Taml",
    "TELUGU": "Telu", "KANNADA": "Knda", "MALAYALAM": "Mlym", "SINHALA": "Sinh",
    "CYRILLIC": "Cyrl", "GREEK": "Grek", "HEBREW": "Hebr", "THAI": "Thai", "HANGUL": "Hang",
    "HIRAGANA": "Hira", "KATAKANA": "Kana", "ARMENIAN": "Armn", "GEORGIAN": "Geor",
    "TIBETAN": "Tibt", "MYANMAR": "Mymr", "KHMER": "Khmr", "LAO": "Laoo", "SYRIAC": "Syrc",
    "THAANA": "Thaa", "NKO": "Nkoo", "ORIYA": "Orya",
}
# fmt: on


def script_of(ch: str) -> str:
    """ISO 15924 script of a character; COMMON for digits, spaces, punctuation, symbols."""
    cp = ord(ch)
    for first, last, script in _SCRIPT_RANGES:
        if first <= cp <= last:
            return script
    category = unicodedata.category(ch)
    if category[0] in "LM":
        prefix = unicodedata.name(ch, "").split(" ", 1)[0]
        if prefix in _NAME_SCRIPTS:
            return _NAME_SCRIPTS[prefix]
        if category[0] == "L":
            return "Latn"
    return COMMON


def paragraph_levels(text: str, base_direction: str | None = None) -> tuple[int, list[int]]:
    """(paragraph level, a level per character) by the UBA (python-bidi, rules P2-I2).

    python-bidi drops explicit formatting and boundary-neutral characters (rule X9), among them
    ZWNJ, which Persian needs between letters; they are kept here at their neighbour's level."""
    if base_direction is None:
        base = _uba.get_base_level(text)
    else:
        base = 1 if base_direction == "rtl" else 0
    storage = _uba.get_empty_storage()
    storage["base_level"], storage["base_dir"] = base, ("L", "R")[base]
    _uba.get_embedding_levels(text, storage, False, False)
    for index, char in enumerate(storage["chars"]):
        char["index"] = index
    _uba.explicit_embed_and_overrides(storage, False)
    _uba.resolve_weak_types(storage, False)
    _pair_brackets(storage["chars"], base)
    _uba.resolve_neutral_types(storage, False)
    _uba.resolve_implicit_levels(storage, False)
    levels: list[int | None] = [None] * len(text)
    for char in storage["chars"]:
        levels[char["index"]] = char["level"]
    previous = base
    for i, level in enumerate(levels):  # removed characters take the level before them
        previous = level if level is not None else previous
        levels[i] = previous
    return base, levels  # type: ignore[return-value]


# Bidi_Paired_Bracket pairs (UnicodeData BidiBrackets.txt) that patient text may contain
_BRACKETS = dict(
    zip("([{⁅⁽₍〈《「『【〔〖〘〚（［｛｟｢", ")]}⁆⁾₎〉》」』】〕〗〙〛）］｝｠｣", strict=True)
)
_CLOSERS = {close: open_ for open_, close in _BRACKETS.items()}


def _pair_brackets(chars: list[dict], base: int) -> None:
    """Rule N0 (UBA 6.3+), which python-bidi's pure-Python algorithm predates: both brackets of a
    pair take one direction, so "(NHS)" inside Arabic never shows as ")NHS)". A pair goes with
    the paragraph direction if it encloses text of that direction, else with the enclosed
    (opposite) direction when the text before it has that direction too. Runs between the weak
    rules and the neutral rules, on python-bidi's per-character records."""
    embedding = "R" if base % 2 else "L"
    for open_at, close_at in _bracket_pairs([c["ch"] for c in chars]):
        inside = {_strong(c["type"]) for c in chars[open_at + 1 : close_at]} - {None}
        if embedding in inside:
            direction = embedding
        elif inside:
            before = next(
                (d for c in reversed(chars[:open_at]) if (d := _strong(c["type"]))), embedding
            )
            direction = before
        else:
            continue
        chars[open_at]["type"] = chars[close_at]["type"] = direction


def _bracket_pairs(text: Sequence[str]) -> list[tuple[int, int]]:
    """Rule BD16: match brackets with a stack (63 deep); unmatched ones stay neutral."""
    stack: list[tuple[str, int]] = []
    pairs = []
    for i, ch in enumerate(text):
        if ch in _BRACKETS and len(stack) < 63:
            stack.append((_BRACKETS[ch], i))
        elif ch in _CLOSERS:
            for depth in range(len(stack) - 1, -1, -1):
                if stack[depth][0] == ch:
                    pairs.append((stack[depth][1], i))
                    del stack[depth:]
                    break
    return sorted(pairs)


def _strong(kind: str) -> str | None:
    """The direction rule N0 sees in a resolved bidi type: numbers count as R."""
    if kind == "L":
        return "L"
    return "R" if kind in ("R", "AL", "EN", "AN") else None


def _line_levels(text: str, levels: list[int], base: int) -> list[int]:
    """Rule L1: whitespace at the end of a line goes back to the paragraph level."""
    levels = list(levels)
    i = len(text)
    while i > 0 and text[i - 1].isspace():
        i -= 1
        levels[i] = base
    return levels


def _scripts(text: str, levels: list[int]) -> list[str]:
    """A script per character: common ones (digits, spaces, punctuation) join their level run's
    preceding strong script, or the following one at its start."""
    scripts = [script_of(ch) for ch in text]
    n = len(text)
    for i in range(1, n):
        if scripts[i] == COMMON and levels[i - 1] == levels[i] and scripts[i - 1] != COMMON:
            scripts[i] = scripts[i - 1]
    for i in range(n - 2, -1, -1):
        if scripts[i] == COMMON and levels[i + 1] == levels[i] and scripts[i + 1] != COMMON:
            scripts[i] = scripts[i + 1]
    return scripts


def logical_runs(text: str, levels: list[int]) -> list[Run]:
    """Maximal runs of one level and one script, in logical order."""
    scripts = _scripts(text, levels)
    runs: list[Run] = []
    start = 0
    for i in range(1, len(text) + 1):
        if i == len(text) or levels[i] != levels[start] or scripts[i] != scripts[start]:
            runs.append(Run(text[start:i], levels[start], scripts[start]))
            start = i
    return runs


def reorder(runs: list[Run]) -> list[Run]:
    """Rule L2 on whole runs: from the highest level down to the lowest odd level, reverse every
    sequence of runs at that level or higher. The characters inside a run stay in logical order:
    HarfBuzz reverses them itself when it shapes the run right-to-left."""
    if not runs:
        return []
    result = list(runs)
    highest = max(run.level for run in runs)
    lowest_odd = min((run.level for run in runs if run.level % 2), default=highest + 1)
    for level in range(highest, lowest_odd - 1, -1):
        i = 0
        while i < len(result):
            if result[i].level >= level:
                j = i
                while j < len(result) and result[j].level >= level:
                    j += 1
                result[i:j] = reversed(result[i:j])
                i = j
            else:
                i += 1
    return result


def assign_fonts(runs: list[Run], fonts: FontChooser) -> list[Run]:
    """Give each run a font: the first candidate that covers all of it, else split it where the
    font changes (Noto Naskh Arabic has no "(" or "%": those go to the Latin font, still shaped
    right-to-left so HarfBuzz mirrors the bracket). Runs stay in visual order."""
    result: list[Run] = []
    for run in runs:
        candidates = fonts(run.script)
        whole = next(
            (
                font
                for font, covered in candidates
                if all(ord(ch) in covered or _invisible(ch) for ch in run.text)
            ),
            None,
        )
        if whole is not None:
            result.append(replace(run, font=whole))
            continue
        pieces: list[Run] = []
        for ch in run.text:
            font = _covering_font(ch, candidates, pieces[-1].font if pieces else None)
            if pieces and pieces[-1].font == font:
                pieces[-1] = replace(pieces[-1], text=pieces[-1].text + ch)
            else:
                pieces.append(replace(run, text=ch, font=font))
        result += reversed(pieces) if run.level % 2 else pieces
    return result


def _invisible(ch: str) -> bool:
    return unicodedata.category(ch) == "Cf"


def _covering_font(
    ch: str, candidates: Sequence[tuple[str, Container[int]]], current: str | None
) -> str:
    if current is not None and (ch.isspace() or unicodedata.category(ch) in ("Mn", "Cf")):
        for font, covered in candidates:  # keep marks and spaces with the text they belong to
            if font == current and (ord(ch) in covered or unicodedata.category(ch) == "Cf"):
                return font
    for font, covered in candidates:
        if ord(ch) in covered:
            return font
    return candidates[0][0]  # nothing covers it: the first font draws its "missing" box


def visual_runs(
    text: str, base_direction: str | None = None, fonts: FontChooser | None = None
) -> list[Run]:
    """One line of text as runs in visual (left-to-right screen) order."""
    if not text:
        return []
    base, levels = paragraph_levels(text, base_direction)
    runs = reorder(logical_runs(text, _line_levels(text, levels, base)))
    return assign_fonts(runs, fonts) if fonts else runs


def break_opportunities(text: str) -> list[int]:
    """Indices where a new line may start: after spaces, and between CJK characters (kinsoku:
    not before closing punctuation, not after opening)."""
    points = []
    for i in range(1, len(text)):
        before, after = text[i - 1], text[i]
        if before.isspace() and not after.isspace():
            points.append(i)
        elif (script_of(before) == "Hani" or script_of(after) == "Hani") and not (
            before.isspace() or after.isspace() or after in _NO_LINE_START or before in _NO_LINE_END
        ):
            points.append(i)
    return points


@dataclass(frozen=True)
class Line:
    runs: list[Run]  # visual order
    start: int  # logical slice of the paragraph text
    end: int


def layout(
    text: str,
    width: float,
    measure: Measure,
    base_direction: str | None = None,
    fonts: FontChooser | None = None,
) -> list[Line]:
    """Break ``text`` into lines no wider than ``width`` (logical order, UAX #9 section 3.4),
    then reorder each line's runs. ``\\n`` starts a new paragraph. Returns the lines of all
    paragraphs; ``Line.start``/``end`` index into ``text``."""
    lines: list[Line] = []
    offset = 0
    for paragraph in text.split("\n"):
        lines += _paragraph_lines(paragraph, offset, width, measure, base_direction, fonts)
        offset += len(paragraph) + 1
    return lines


def paragraph_base(text: str, base_direction: str | None) -> int:
    return paragraph_levels(text, base_direction)[0] if text else int(base_direction == "rtl")


def _paragraph_lines(
    text: str,
    offset: int,
    width: float,
    measure: Measure,
    base_direction: str | None,
    fonts: FontChooser | None,
) -> list[Line]:
    if not text:
        return [Line([], offset, offset)]
    base, levels = paragraph_levels(text, base_direction)

    def runs_of(start: int, end: int, strip: bool = True) -> list[Run]:
        while strip and end > start and text[end - 1].isspace():
            end -= 1  # trailing spaces hang in the margin: drawn they would shift RTL lines
        line_levels = _line_levels(text[start:end], levels[start:end], base)
        runs = reorder(logical_runs(text[start:end], line_levels))
        return assign_fonts(runs, fonts) if fonts else runs

    def measured(start: int, end: int, strip: bool) -> float:
        return sum(measure(run) for run in runs_of(start, end, strip))

    # Each segment (a word with its spaces, or one CJK character) is measured once; a line's
    # width is the sum of its segments (no script joins across a space), the last one without
    # its trailing spaces. Shaping every candidate line instead would cost O(words²) renders.
    points = break_opportunities(text)
    bounds = [0, *points, len(text)]
    index = {b: i for i, b in enumerate(bounds)}
    full = [measured(a, b, False) for a, b in zip(bounds, bounds[1:], strict=False)]
    trimmed = [measured(a, b, True) for a, b in zip(bounds, bounds[1:], strict=False)]

    def fits(start: int, end: int) -> bool:
        if start in index and end in index:
            i, j = index[start], index[end]
            total = sum(full[i : j - 1]) + trimmed[j - 1] if j > i else 0.0
        else:  # cutting a segment too wide for a line on its own
            total = measured(start, end, True)
        return total <= width

    lines, start = [], 0
    for end in _line_ends(text, points, fits):
        lines.append(Line(runs_of(start, end), offset + start, offset + end))
        start = end
    return lines


def _line_ends(text: str, start_points: list[int], fits: Callable[[int, int], bool]) -> list[int]:
    """Greedy line filling: as many segments as fit; a segment too wide alone is cut by
    characters (a long address or number must not run off the screen)."""
    ends: list[int] = []
    boundaries = start_points + [len(text)]
    start, last_fit = 0, None
    for point in boundaries:
        if fits(start, point):
            last_fit = point
            continue
        if last_fit is not None:
            ends.append(last_fit)
            start = last_fit
        while not fits(start, point):  # even this segment alone is too wide: cut it
            cut = start + 1
            while cut < point and fits(start, cut + 1):
                cut += 1
            ends.append(cut)
            start = cut
        last_fit = point
    if start < len(text):
        ends.append(len(text))
    return ends


def for_rtl_label(text: str) -> str:
    """Text for a plain one-font Kivy Label with ``font_direction='rtl'`` (no BidiLabel).

    HarfBuzz lays the whole string out right to left, so "السؤال 3 من 12" would read "21". Given
    the reverse of the visual order, its reversal gives the visual order back: numbers read
    correctly. Only for text the label's font can draw entirely and whose left-to-right runs do
    not wrap across lines; BidiLabel has neither limit."""
    lines = []
    for paragraph in text.split("\n"):
        runs = visual_runs(paragraph, "rtl")
        lines.append(
            "".join(run.text if run.level % 2 else run.text[::-1] for run in reversed(runs))
        )
    return "\n".join(lines)
