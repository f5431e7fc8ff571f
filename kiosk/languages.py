"""The languages the kiosk offers: names, direction, fonts, shaping script and voice.

The registry is data, not code: ``locales/languages.toml`` (documented in docs/languages.md), so
adding a language needs no code change. Names, numbers, dates and plural rules come from
babel/CLDR; only variants CLDR cannot name (Easy Read English) carry an English ``label``, which
is itself a catalogue message and so is shown translated.

No Kivy here: the screens read ``font``, ``script`` and ``direction`` and pass them to their labels.
"""

from __future__ import annotations

import datetime as _dt
import functools
import pickle
import re
import tomllib
from collections.abc import Container, Iterable
from dataclasses import dataclass
from pathlib import Path

import babel
import babel.dates
import babel.numbers

from kiosk.errors import ConfigError
from kiosk.text import COMMON, FontChooser

ROOT = Path(__file__).resolve().parent.parent
REGISTRY = ROOT / "locales" / "languages.toml"
FONTS = ROOT / "assets" / "fonts"
SCRIPT_CODE = re.compile(r"[A-Z][a-z]{3}")  # ISO 15924, as HarfBuzz and Kivy take it
VARIANTS = ("standard", "easy_read")
#: CLDR numbering system -> its digit zero (babel formats the symbols, not the digits)
# fmt: off
DIGIT_ZERO = {"latn": "0", "arab": "\u0660", "arabext": "\u06f0", "beng": "\u09e6",
              "deva": "\u0966", "guru": "\u0a66", "gujr": "\u0ae6", "tamldec": "\u0be6",
              "telu": "\u0c66", "knda": "\u0ce6", "mlym": "\u0d66", "thai": "\u0e50",
              "mymr": "\u1040", "khmr": "\u17e0", "laoo": "\u0ed0", "tibt": "\u0f20"}
# fmt: on
ENGLISH = "en"


@dataclass(frozen=True)
class Language:
    tag: str
    locale: babel.Locale
    direction: str  # "ltr" | "rtl"
    script: str  # Kivy font_script_name
    font: Path  # absolute path, register it as is (resource_find would prefer system fonts)
    bold: Path | None
    voice: str | None  # espeak-ng voice id; None: recorded audio or no read-aloud
    label: str | None  # English catalogue message naming a variant CLDR has no name for
    fallback: str | None  # catalogue consulted for missing messages
    variant: str
    numbering: str  # CLDR numbering system: "latn", "arabext" (Persian digits), "beng" ...

    @property
    def rtl(self) -> bool:
        return self.direction == "rtl"

    @property
    def native_name(self) -> str:
        """The name a speaker recognises, in their own language (for the language picker)."""
        if self.label:
            from kiosk.i18n import translate  # lazy: i18n imports this module

            return translate(self.label, self.tag)
        name = _own_display_name(str(self.locale), self.locale.language,
                                 self.locale.script) or self.tag
        # CLDR writes "polski", "português" mid-sentence; a menu item starts with a capital
        # (CLDR contextTransforms: uiListOrMenu), a no-op for scripts without case
        return name[:1].upper() + name[1:]

    @property
    def english_name(self) -> str:
        """The name staff read on the staff screen."""
        return self.label or self._name_locale.get_display_name("en") or self.tag

    @property
    def _name_locale(self) -> babel.Locale:
        # language (+ script) without the territory: "português", not "português (Portugal)"
        return babel.Locale(self.locale.language, script=self.locale.script)


@dataclass(frozen=True)
class Registry:
    languages: dict[str, Language]  # in picker order
    script_fonts: dict[str, tuple[Path, Path | None]]  # script -> (regular, bold)

    def get(self, tag: str) -> Language:
        try:
            return self.languages[tag]
        except KeyError:
            raise ConfigError(
                f"unknown language {tag!r}: use one of {', '.join(self.languages)} "
                f"or add it to {REGISTRY.relative_to(ROOT)}"
            ) from None

    def font_for(self, tag: str, script: str, bold: bool = False) -> Path:
        """Font for a run of ``script`` inside text of language ``tag``: the language's own
        font for its own script (Nastaliq for Urdu, TC for zh-Hant), else the script default."""
        lang = self.get(tag)
        if script == lang.script:
            return (lang.bold or lang.font) if bold else lang.font
        regular, bold_face = self.script_fonts.get(script, self.script_fonts["Latn"])
        return (bold_face or regular) if bold else regular


# --- CLDR lookups at start-up -------------------------------------------------------------------
# babel.Locale's properties merge a locale's whole inheritance chain into one dict the first
# time any is read (about 6 ms a locale here; 14 languages on the welcome screen made it the
# largest single cost of the kiosk's start). These read one value from the locale's own CLDR
# data and its parents', as CLDR inheritance defines, from babel's own data files, without
# filling babel's cache with unmerged data. tests/i18n/test_languages.py checks they agree with
# babel's merged answers for every language in the registry.


@functools.cache
def _own_cldr(name: str) -> dict:
    from babel.localedata import resolve_locale_filename

    with open(resolve_locale_filename(name), "rb") as handle:
        return pickle.load(handle)  # babel's packaged CLDR data, as babel itself loads it


def _cldr_parent(name: str) -> str | None:
    if name == "root":
        return None
    from babel import localedata
    from babel.core import get_global

    parent = get_global("parent_exceptions").get(name)
    if parent:
        return parent
    if getattr(localedata, "_is_non_likely_script", lambda _n: False)(name):
        return "root"
    parts = name.split("_")
    return "root" if len(parts) == 1 else "_".join(parts[:-1])


def cldr_value(locale: str, key: str, item: str | None = None) -> object:
    """``babel.Locale.parse(locale)._data[key][item]`` without merging the whole chain."""
    name: str | None = locale
    while name is not None:
        value = _own_cldr(name).get(key)
        if value is not None and item is not None:
            value = value.get(item)
        if value is not None:
            return value
        name = _cldr_parent(name)
    return None


def _own_display_name(display: str, language: str, script: str | None) -> str | None:
    """babel's ``Locale(language, script=script).get_display_name(display)``: the language's
    name (and script, without the territory) as its own speakers write it."""
    name = cldr_value(display, "languages", language)
    if not isinstance(name, str):
        return None
    detail = cldr_value(display, "scripts", script) if script else None
    return f"{name} ({detail})" if isinstance(detail, str) and detail else name


def _direction(locale: babel.Locale) -> str:
    order = cldr_value(str(locale), "character_order")
    return "".join(word[0] for word in str(order or "left-to-right").split("-"))


def _numbering(locale: babel.Locale) -> str:
    return str(cldr_value(str(locale), "default_numbering_system") or "latn")


def _problem_path(index: int, key: str) -> str:
    return f"{REGISTRY.name}: language[{index}].{key}"


def _font(entry: dict, key: str, where: str, problems: list[str], fonts: Path) -> Path | None:
    name = entry.get(key)
    if not name:
        return None
    path = (fonts / name).resolve()
    if not path.is_file():
        problems.append(
            f"{where}: font file {name!r} is not in {fonts}: add it (docs/languages.md)"
        )
    return path


def _locale(name: str, where: str, problems: list[str]) -> babel.Locale | None:
    try:
        return babel.Locale.parse(name)
    except (ValueError, babel.UnknownLocaleError) as exc:
        problems.append(
            f"{where}: babel does not know locale {name!r} ({exc}): use a CLDR locale id"
        )
        return None


def _language(index: int, entry: dict, fonts: Path, problems: list[str]) -> Language | None:
    tag = entry.get("tag")
    if not isinstance(tag, str) or not tag:
        problems.append(f"{_problem_path(index, 'tag')} is missing: give a BCP 47 tag such as 'pl'")
        return None
    where = f"{REGISTRY.name}: language {tag!r}"
    locale = _locale(entry.get("locale", tag.replace("-", "_")), where, problems)
    script = entry.get("script")
    if not isinstance(script, str) or not SCRIPT_CODE.fullmatch(script):
        problems.append(
            f"{where}: script {script!r} is not an ISO 15924 code such as 'Latn', "
            "'Arab', 'Beng', 'Hani'"
        )
    direction = entry.get("direction") or (_direction(locale) if locale else "ltr")
    if direction not in ("ltr", "rtl"):
        problems.append(f"{where}: direction {direction!r} must be 'ltr' or 'rtl'")
    variant = entry.get("variant", "standard")
    if variant not in VARIANTS:
        problems.append(f"{where}: variant {variant!r} must be one of {', '.join(VARIANTS)}")
    font = _font(entry, "font", where, problems, fonts)
    if "font" not in entry:
        problems.append(f"{where}: no font: name a file in assets/fonts")
    bold = _font(entry, "bold", where, problems, fonts)
    fallback = entry.get("fallback", ENGLISH)
    if locale is None or font is None:
        return None
    numbering = entry.get("numbering") or _numbering(locale)
    if numbering not in DIGIT_ZERO:
        problems.append(f"{where}: numbering {numbering!r} is not one of {', '.join(DIGIT_ZERO)}")
    return Language(
        tag=tag,
        locale=locale,
        direction=direction,
        script=script,
        font=font,
        bold=bold,
        voice=entry.get("voice") or None,
        label=entry.get("label") or None,
        fallback=(fallback or None) if tag != ENGLISH else None,
        variant=variant,
        numbering=numbering,
    )


def _script_fonts(data: dict, fonts: Path, problems: list[str]) -> dict:
    result = {}
    for script, entry in data.get("scripts", {}).items():
        where = f"{REGISTRY.name}: scripts.{script}"
        regular = _font(entry, "font", where, problems, fonts)
        if regular is not None:
            result[script] = (regular, _font(entry, "bold", where, problems, fonts))
    if "Latn" not in result:
        problems.append(f"{REGISTRY.name}: [scripts.Latn] is missing: Latin runs need a font")
    return result


def parse_registry(data: dict, fonts: Path = FONTS) -> Registry:
    """Validate a parsed languages.toml; every problem is named, then one ConfigError raised."""
    problems: list[str] = []
    script_fonts = _script_fonts(data, fonts, problems)
    languages: dict[str, Language] = {}
    for index, entry in enumerate(data.get("language", [])):
        lang = _language(index, entry, fonts, problems)
        if lang is None:
            continue
        if lang.tag in languages:
            problems.append(f"{REGISTRY.name}: language {lang.tag!r} is listed twice: keep one")
        languages[lang.tag] = lang
    if ENGLISH not in languages:
        problems.append(f"{REGISTRY.name}: English ('en') must be listed: it is every fallback")
    for lang in languages.values():
        if lang.fallback and lang.fallback not in languages:
            problems.append(
                f"{REGISTRY.name}: language {lang.tag!r} falls back to unknown "
                f"{lang.fallback!r}: use a listed tag"
            )
    if problems:
        raise ConfigError("the language registry cannot be used", problems)
    return Registry(languages=languages, script_fonts=script_fonts)


@functools.cache
def registry(path: Path = REGISTRY) -> Registry:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"cannot read the language registry {path}: {exc}") from exc
    return parse_registry(data)


def get_language(tag: str) -> Language:
    return registry().get(tag)


def language_tags() -> tuple[str, ...]:
    return tuple(registry().languages)


def languages() -> Iterable[Language]:
    return registry().languages.values()


def _digits(text: str, numbering: str) -> str:
    zero = ord(DIGIT_ZERO[numbering])
    return text if zero == 0x30 else text.translate({0x30 + i: zero + i for i in range(10)})


def format_number(value: float | int, tag: str) -> str:
    """A number the way CLDR writes it for this language: "1 234,5" in Polish, "۱٬۲۳۴٫۵" in
    Persian (CLDR's default numbering system, or the registry's ``numbering``)."""
    lang = get_language(tag)
    text = babel.numbers.format_decimal(value, locale=lang.locale, numbering_system=lang.numbering)
    return _digits(text, lang.numbering)


def format_date(value: _dt.date, tag: str, format: str = "long") -> str:
    lang = get_language(tag)
    return _digits(
        babel.dates.format_date(value, format=format, locale=lang.locale), lang.numbering
    )


def format_time(value: _dt.time | _dt.datetime, tag: str, format: str = "short") -> str:
    lang = get_language(tag)
    return _digits(
        babel.dates.format_time(value, format=format, locale=lang.locale), lang.numbering
    )


def font_chooser(tag: str, bold: bool = False) -> FontChooser:
    """Fonts for text in language ``tag``: for each script the registry's font (the language's
    own for its script: Nastaliq for Urdu), then the Latin font as the fallback for characters
    it lacks; digits and punctuation (Zyyy) try the language's own font first."""
    reg = registry()
    own_script = reg.get(tag).script

    def choose(script: str) -> list[tuple[str, Container[int]]]:
        paths = [
            reg.font_for(tag, own_script if script == COMMON else script, bold),
            reg.font_for(tag, "Latn", bold),
        ]
        unique = list(dict.fromkeys(paths))
        return [(str(path), font_codepoints(path)) for path in unique]

    return choose


@functools.cache
def font_codepoints(path: Path) -> frozenset[int]:
    """Every code point the font's cmap maps to a glyph (read once per font)."""
    from fontTools.ttLib import TTFont  # only the tests and the label's fallback need it

    with TTFont(str(path), lazy=True) as font:
        return frozenset(font.getBestCmap())


def preload_fonts() -> int:
    """Read every registered font's cmap now (about 0.3 s, mostly the CJK faces), so the first
    mixed-script label does not pay for it. Safe to call from a background thread at start."""
    reg = registry()
    paths = {p for lang in reg.languages.values() for p in (lang.font, lang.bold) if p}
    paths |= {p for pair in reg.script_fonts.values() for p in pair if p}
    for path in paths:
        font_codepoints(path)
    return len(paths)


def missing_glyphs(path: Path, text: str) -> set[str]:
    """Characters of ``text`` the font cannot draw (controls and bidi marks never need a glyph)."""
    covered = font_codepoints(path)
    return {ch for ch in text if ord(ch) not in covered and not _invisible(ch)}


def _invisible(ch: str) -> bool:
    import unicodedata

    return unicodedata.category(ch) in ("Cc", "Cf") or ch in "\n\r\t"
