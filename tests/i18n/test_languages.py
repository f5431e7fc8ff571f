"""The language registry: the languages the issue names, direction, fonts, voices, CLDR names."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import tomllib
from pathlib import Path

import babel
import pytest
from babel.dates import format_date as babel_format_date
from babel.numbers import format_decimal

from kiosk.errors import ConfigError
from kiosk.languages import (
    FONTS,
    REGISTRY,
    format_date,
    format_number,
    get_language,
    language_tags,
    languages,
    missing_glyphs,
    parse_registry,
    registry,
)

REQUIRED = [
    "en",
    "en-x-easy",
    "cy",
    "pl",
    "ar",
    "ur",
    "fa",
    "ckb",
    "ro",
    "pt",
    "zh-Hans",
    "zh-Hant",
    "bn",
    "so",
]


def registry_data() -> dict:
    return tomllib.loads(REGISTRY.read_text(encoding="utf-8"))


def test_every_required_language_is_offered() -> None:
    assert set(REQUIRED) <= set(language_tags())


def test_right_to_left_languages_are_exactly_the_arabic_script_ones() -> None:
    rtl = {lang.tag for lang in languages() if lang.rtl}
    assert rtl == {"ar", "ur", "fa", "ckb"}
    for tag in rtl:  # and CLDR agrees, so the registry is not the only source of truth
        assert get_language(tag).locale.text_direction == "rtl"
        assert get_language(tag).script == "Arab"


@pytest.mark.parametrize(
    "tag,script,font",
    [
        ("ur", "Arab", "NotoNastaliqUrdu-Regular.ttf"),
        ("ar", "Arab", "NotoNaskhArabic-Regular.ttf"),
        ("ckb", "Arab", "NotoNaskhArabic-Regular.ttf"),
        ("bn", "Beng", "NotoSansBengali-Regular.ttf"),
        ("zh-Hans", "Hani", "NotoSansSC-Regular.otf"),
        ("zh-Hant", "Hani", "NotoSansTC-Regular.otf"),
        ("so", "Latn", "NotoSans-Regular.ttf"),
        ("cy", "Latn", "NotoSans-Regular.ttf"),
    ],
)
def test_script_and_font(tag: str, script: str, font: str) -> None:
    lang = get_language(tag)
    assert lang.script == script
    assert lang.font == FONTS / font
    assert lang.font.is_absolute() and lang.font.is_file()


def test_fonts_are_shipped_with_their_licence() -> None:
    for lang in languages():
        for path in (lang.font, lang.bold):
            if path is not None:
                assert path.parent == FONTS and path.is_file()
    assert "SIL OPEN FONT LICENSE" in (FONTS / "OFL.txt").read_text(encoding="utf-8")


def test_chinese_fonts_are_single_faces_of_the_right_region() -> None:
    from fontTools.ttLib import TTFont

    for tag, face in (("zh-Hans", "Noto Sans CJK SC"), ("zh-Hant", "Noto Sans CJK TC")):
        with TTFont(str(get_language(tag).font), lazy=True) as font:
            assert font["name"].getDebugName(4) == face
        # dynamic content must still draw: the subset keeps all of URO (U+4E00-9FA5)
        unified = "".join(map(chr, range(0x4E00, 0x9FA6)))
        assert missing_glyphs(get_language(tag).font, unified) == set()


def test_voices_exist_in_espeak_ng() -> None:
    listing = subprocess.run(
        ["espeak-ng", "--voices"], capture_output=True, text=True, check=True
    ).stdout
    known = {line.split()[1].lower() for line in listing.splitlines()[1:] if line.split()}
    for lang in languages():
        if lang.voice:
            assert lang.voice.lower() in known, f"{lang.tag}: no espeak-ng voice {lang.voice!r}"
    assert get_language("so").voice is None and get_language("ckb").voice is None


def test_names_come_from_cldr() -> None:
    for lang in languages():
        if lang.label:
            continue
        bare = babel.Locale(lang.locale.language, script=lang.locale.script)
        native = bare.get_display_name(lang.locale)
        assert lang.native_name == native[:1].upper() + native[1:]
        assert lang.english_name == bare.get_display_name("en")
    assert get_language("ar").native_name == babel.Locale("ar").get_display_name("ar")


def test_start_up_cldr_lookups_agree_with_babel() -> None:
    """kiosk.languages reads direction, numbering and names from CLDR's own files without
    babel's merged cache (start-up time); babel's merged answers are the reference, and babel
    itself still works afterwards (its cache was not filled with unmerged data)."""
    from kiosk.languages import cldr_value

    for lang in languages():
        assert lang.direction == lang.locale.text_direction, lang.tag
        assert lang.numbering == lang.locale.default_numbering_system, lang.tag
    assert cldr_value("pt_PT", "character_order") == "left-to-right"  # inherited from root
    assert cldr_value("ar", "languages", "ar") == "العربية"
    # babel's own merged data is intact: pt_PT inherits its character order from root
    assert babel.Locale.parse("pt_PT").character_order == "left-to-right"


def test_easy_read_label_is_a_translated_catalogue_message() -> None:
    lang = get_language("en-x-easy")
    assert lang.variant == "easy_read" and lang.fallback == "en"
    assert lang.native_name == "Easy Read English"
    assert lang.english_name == "Easy Read English"


def test_numbers_and_dates_follow_cldr() -> None:
    day = dt.date(2026, 11, 26)
    for tag in ("pl", "cy", "ar", "ur", "ro"):  # CLDR's own digits are Western here
        locale = get_language(tag).locale
        assert get_language(tag).numbering == locale.default_numbering_system == "latn"
        assert format_number(1234.5, tag) == format_decimal(1234.5, locale=locale)
        assert format_date(day, tag) == babel_format_date(day, format="long", locale=locale)
    assert format_number(1234.5, "pl") == "1\xa0234,5"
    assert "Tachwedd" in format_date(day, "cy")


def test_digits_follow_cldrs_numbering_system() -> None:
    """babel formats the symbols of a numbering system but leaves the digits Western."""
    assert get_language("fa").numbering == babel.Locale("fa").default_numbering_system
    assert format_number(1234.5, "fa") == "۱٬۲۳۴٫۵"
    assert format_number(20, "ckb") == "٢٠"
    assert format_number(20, "bn") == "২০"
    assert format_date(dt.date(2026, 11, 26), "fa").endswith("۲۰۲۶")


def test_adding_a_language_needs_only_data() -> None:
    data = registry_data()
    data["language"].append(
        {"tag": "ti", "locale": "ti", "script": "Latn", "font": "NotoSans-Regular.ttf"}
    )
    added = parse_registry(data).get("ti")
    assert added.english_name == "Tigrinya" and added.direction == "ltr"
    assert added.fallback == "en" and added.voice is None


def test_a_language_in_a_new_script_needs_only_data_and_a_font(tmp_path: Path) -> None:
    """Tigrinya in Ethiopic script: a registry entry, a [scripts] font, the font file."""
    from kiosk.text import visual_runs

    system = Path("/usr/share/fonts/truetype/noto/NotoSansEthiopic-Regular.ttf")
    if not system.is_file():
        pytest.skip("fonts-noto-core's Ethiopic font is not installed")
    fonts = tmp_path / "fonts"
    shutil.copytree(FONTS, fonts, ignore=shutil.ignore_patterns("*.otf"))  # CJK not needed
    shutil.copy(system, fonts)
    data = registry_data()
    del data["scripts"]["Hani"]
    data["scripts"]["Ethi"] = {"font": system.name}
    data["language"] = [e for e in data["language"] if e["script"] != "Hani"]
    data["language"].append({"tag": "ti", "locale": "ti", "script": "Ethi", "font": system.name})
    reg = parse_registry(data, fonts)
    tigrinya = reg.get("ti")
    assert tigrinya.native_name == babel.Locale("ti").get_display_name("ti")
    assert not missing_glyphs(tigrinya.font, tigrinya.native_name)
    assert reg.font_for("ar", "Ethi") == fonts / system.name  # Tigrinya inside Arabic text
    runs = visual_runs("ሰላም NHS 4B", "ltr")
    assert [(r.text, r.script) for r in runs] == [("ሰላም ", "Ethi"), ("NHS 4B", "Latn")]


def test_bad_registry_names_every_problem() -> None:
    data = registry_data()
    data["language"] += [
        {"tag": "xx", "locale": "not_a_locale", "script": "Latn", "font": "NotoSans-Regular.ttf"},
        {"tag": "yy", "locale": "ti", "script": "Ethiopic", "font": "NoSuchFont.ttf"},
        {"tag": "pl", "locale": "pl", "script": "Latn", "font": "NotoSans-Regular.ttf"},
    ]
    with pytest.raises(ConfigError) as caught:
        parse_registry(data)
    text = str(caught.value)
    assert "'not_a_locale'" in text and "CLDR" in text
    assert "script 'Ethiopic' is not an ISO 15924 code" in text
    assert "'NoSuchFont.ttf'" in text
    assert "'pl' is listed twice" in text


def test_unknown_tag_is_a_clear_error() -> None:
    with pytest.raises(ConfigError, match="unknown language 'xx'.*languages.toml"):
        get_language("xx")


def test_preloading_reads_every_font_once() -> None:
    from kiosk.languages import font_codepoints, preload_fonts

    count = preload_fonts()
    assert count == len({p for p in FONTS.glob("*.[ot]tf")})  # every shipped font is in use
    assert font_codepoints.cache_info().currsize >= count


def test_latin_runs_inside_other_scripts_get_the_latin_font() -> None:
    reg = registry()
    assert reg.font_for("ar", "Latn") == FONTS / "NotoSans-Regular.ttf"
    assert reg.font_for("ur", "Arab") == FONTS / "NotoNastaliqUrdu-Regular.ttf"
    assert reg.font_for("en", "Arab") == FONTS / "NotoNaskhArabic-Regular.ttf"
    assert reg.font_for("ar", "Arab", bold=True) == FONTS / "NotoNaskhArabic-Bold.ttf"
