"""Rebuild the shipped fonts from Debian's fonts-noto-core and fonts-noto-cjk.

Run from the repository root: ``.venv/bin/python assets/fonts/build_fonts.py`` (``--skip-cjk``
to leave the slow CJK step out). The results are
committed, so the kiosk never depends on system fonts (Kivy's ``resource_find`` would pick those
first). Noto fonts are under the SIL Open Font License 1.1 (OFL.txt next to this file).

Why the CJK faces are extracted and cut down: Debian ships Noto Sans CJK only as a .ttc holding
JP, KR, SC, TC and HK faces; given the .ttc, Kivy takes the first (Japanese) face, so Chinese
would be drawn with Japanese glyph forms. One face per file fixes that. Each face holds 65,535
glyphs (~16 MB); keeping the complete CJK ideograph blocks (URO, Extension A, compatibility, and
whatever Extension B+ characters the face has for Hong Kong use), Bopomofo, CJK punctuation and
full-width forms keeps any Chinese survey text or dynamic content drawable while dropping kana,
hangul and the JP/KR-only variants.

Why the Arabic-script and Bengali fonts get Latin glyphs: Noto Naskh Arabic has no "(", ")", "-"
or "%", Nastaliq no quotes, neither has Latin letters, and a Kivy Label draws with one font, so
an age band "16-24" or "(BSL)" on an Arabic button came out as boxes. The missing Basic Latin,
Latin-1, Latin Extended-A, Romanian comma-below letters, general punctuation and a few symbols
are copied from Noto Sans (same 1000-unit em; outlines only, no hinting or kerning); the font's
own glyphs, including its digits and Arabic punctuation, are never replaced.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from fontTools import subset
from fontTools.pens.recordingPen import DecomposingRecordingPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTCollection, TTFont

HERE = Path(__file__).resolve().parent
NOTO = Path("/usr/share/fonts/truetype/noto")
CJK_TTC = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")

COPIED = [
    "NotoSans-Regular.ttf",
    "NotoSans-Bold.ttf",
    "NotoNaskhArabic-Regular.ttf",
    "NotoNaskhArabic-Bold.ttf",
    "NotoNastaliqUrdu-Regular.ttf",
    "NotoNastaliqUrdu-Bold.ttf",
    "NotoSansBengali-Regular.ttf",
    "NotoSansBengali-Bold.ttf",
]
# face name inside the .ttc -> file written here
CJK_FACES = {
    "Noto Sans CJK SC": "NotoSansSC-Regular.otf",
    "Noto Sans CJK TC": "NotoSansTC-Regular.otf",
}
CJK_RANGES = [
    (0x0020, 0x007E),
    (0x00A0, 0x00FF),
    (0x2000, 0x206F),
    (0x20A0, 0x20CF),
    (0x2100, 0x214F),
    (0x2190, 0x21FF),
    (0x2460, 0x24FF),
    (0x2500, 0x25FF),
    (0x2600, 0x26FF),
    (0x2E80, 0x2FDF),
    (0x3000, 0x303F),
    (0x3100, 0x312F),
    (0x31A0, 0x31EF),
    (0x3200, 0x32FF),
    (0x3400, 0x4DBF),
    (0x4E00, 0x9FFF),
    (0xF900, 0xFAFF),
    (0xFE10, 0xFE1F),
    (0xFE30, 0xFE6F),
    (0xFF00, 0xFFEF),
    (0x20000, 0x3FFFF),
]


# target font -> the Noto Sans face its missing Latin glyphs come from
AUGMENTED = {
    "NotoNaskhArabic-Regular.ttf": "NotoSans-Regular.ttf",
    "NotoNaskhArabic-Bold.ttf": "NotoSans-Bold.ttf",
    "NotoNastaliqUrdu-Regular.ttf": "NotoSans-Regular.ttf",
    "NotoNastaliqUrdu-Bold.ttf": "NotoSans-Bold.ttf",
    "NotoSansBengali-Regular.ttf": "NotoSans-Regular.ttf",
    "NotoSansBengali-Bold.ttf": "NotoSans-Bold.ttf",
}
LATIN_ADDED = [
    *range(0x20, 0x7F),
    *range(0xA0, 0x180),
    *range(0x218, 0x21C),
    *range(0x2010, 0x203B),
    0x20AC,
    0x2116,
    0x2122,
]


def augment(target: Path, source: Path, codepoints: list[int]) -> int:
    """Copy the glyphs ``target`` lacks for ``codepoints`` from ``source`` (same em size)."""
    font, donor = TTFont(str(target)), TTFont(str(source))
    if font["head"].unitsPerEm != donor["head"].unitsPerEm:
        raise SystemExit(f"{target.name}: em sizes differ from {source.name}; scale first")
    have, offer = font.getBestCmap(), donor.getBestCmap()
    donor_glyphs, order = donor.getGlyphSet(), font.getGlyphOrder()
    added = 0
    for cp in codepoints:
        if cp in have or cp not in offer:
            continue
        name = f"pv_uni{cp:04X}"
        recording = DecomposingRecordingPen(donor_glyphs)
        donor_glyphs[offer[cp]].draw(recording)
        pen = TTGlyphPen(None)
        recording.replay(pen)
        glyph = pen.glyph()
        glyph.recalcBounds(font["glyf"])
        order.append(name)
        font["glyf"].glyphs[name] = glyph
        advance = donor["hmtx"][offer[cp]][0]
        font["hmtx"][name] = (advance, getattr(glyph, "xMin", 0))
        for table in font["cmap"].tables:
            if table.isUnicode():
                table.cmap[cp] = name
        added += 1
    font.setGlyphOrder(order)
    for stale in ("DSIG", "hdmx", "LTSH"):  # a signature or caches the new glyphs invalidate
        if stale in font:
            del font[stale]
    font.save(str(target))
    return added


def augment_all() -> None:
    for target, source in AUGMENTED.items():
        count = augment(HERE / target, NOTO / source, LATIN_ADDED)
        print(f"{target}: {count} Latin glyphs added from {source}", file=sys.stderr)


def copy_core() -> None:
    for name in COPIED:
        shutil.copy2(NOTO / name, HERE / name)


def extract_cjk() -> None:
    collection = TTCollection(str(CJK_TTC))
    faces = {font["name"].getDebugName(4): font for font in collection.fonts}
    for face, filename in CJK_FACES.items():
        font = faces[face]
        cmap = font.getBestCmap()
        keep = [cp for cp in cmap if any(lo <= cp <= hi for lo, hi in CJK_RANGES)]
        options = subset.Options()
        options.layout_features = ["*"]  # keep locl, vert, ccmp ... for correct forms
        options.name_IDs = ["*"]
        options.name_languages = ["*"]
        options.notdef_outline = True
        options.hinting = True
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=keep)
        subsetter.subset(font)
        font.save(str(HERE / filename))
        print(f"{filename}: {len(keep)} code points", file=sys.stderr)


if __name__ == "__main__":
    copy_core()
    augment_all()
    if "--skip-cjk" not in sys.argv:
        extract_cjk()
    total = sum(p.stat().st_size for p in HERE.glob("*.[ot]tf"))
    print(f"assets/fonts total: {total / 1e6:.1f} MB")
