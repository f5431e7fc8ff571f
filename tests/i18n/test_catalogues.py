"""Every catalogue carries every message, keeps each placeholder, and every string in every
language (UI catalogues and survey text) can be drawn with the fonts chosen for that language."""

from __future__ import annotations

import datetime as dt
import json
import re
import string
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog

from kiosk.i18n_build import main as build_main
from kiosk.i18n_build import missing_messages
from kiosk.languages import (
    format_date,
    format_number,
    get_language,
    languages,
    missing_glyphs,
)
from kiosk.text import COMMON, script_of

from .conftest import ROOT, TRANSLATED

SURVEYS = sorted((ROOT / "assets" / "surveys").glob("*.json"))


def placeholders(text: str) -> Counter:
    """``{name}`` / ``{name:spec}`` fields, counted (``{{`` is a literal brace, not a field)."""
    return Counter(
        f"{name}:{spec}!{conv}"
        for _, name, spec, conv in string.Formatter().parse(text)
        if name is not None
    )


def pairs(catalog: Catalog) -> Iterator[tuple[str, str]]:
    """(English, translation) for every form of every translated message."""
    for message in catalog:
        if not message.id or not message.string:
            continue
        if isinstance(message.id, str):
            yield message.id, message.string
        else:
            singular, plural = message.id
            for index, form in enumerate(message.string):
                yield (singular if index == 0 else plural), form


def rendered(text: str) -> str:
    """The text as shown: placeholders filled with digits (a number, a count, a code)."""
    return text.format(
        **{name: "1234567890" for name in {n for _, n, _, _ in string.Formatter().parse(text) if n}}
    )


@pytest.mark.parametrize("tag", TRANSLATED)
def test_catalogue_has_every_message(tag: str, template: Catalog, catalogues: dict) -> None:
    missing = missing_messages(catalogues[tag], template)
    assert not missing, (
        f"{tag}: {len(missing)} message(s) untranslated or fuzzy, e.g. "
        f"{missing[:3]}; translate them in locales/{tag}/LC_MESSAGES/messages.po "
        "(python -m kiosk.i18n_build adds new ones)"
    )


@pytest.mark.parametrize("tag", TRANSLATED)
def test_placeholders_are_kept_exactly(tag: str, catalogues: dict) -> None:
    for english, translated in pairs(catalogues[tag]):
        assert placeholders(translated) == placeholders(english), (
            f"{tag}: {translated!r} must keep exactly the placeholders of {english!r}"
        )
        rendered(translated)  # and it formats without KeyError/ValueError


def test_placeholder_check_catches_a_dropped_or_renamed_field() -> None:
    english = placeholders("Question {number} of {total}")
    assert placeholders("Pytanie {number} z {total}") == english
    assert placeholders("Pytanie {number}") != english
    assert placeholders("Pytanie {numer} z {total}") != english
    assert placeholders("Pytanie {number} z {total} {total}") != english


@pytest.mark.parametrize("tag", TRANSLATED)
def test_catalogue_is_in_the_languages_own_script(tag: str, catalogues: dict) -> None:
    """Sorani in Arabic script, Somali in Latin; nothing left in English letters by mistake in
    a right-to-left or Bengali catalogue (a plain Label would draw it reversed or as boxes)."""
    lang = get_language(tag)
    for _, translated in pairs(catalogues[tag]):
        text = string.Formatter().parse(translated)
        letters = {script_of(ch) for literal, *_ in text for ch in literal} - {COMMON}
        if lang.script == "Hani":
            letters -= {"Latn"}  # "PIN", "BSL" are normal inside Chinese text
        assert letters <= {lang.script}, f"{tag}: {translated!r} mixes scripts {letters}"


@pytest.mark.parametrize("tag", TRANSLATED)
def test_every_ui_string_is_drawable_in_the_language_font(tag: str, catalogues: dict) -> None:
    font = get_language(tag).font
    for _, translated in pairs(catalogues[tag]):
        missing = missing_glyphs(font, rendered(translated))
        assert not missing, f"{tag}: {font.name} cannot draw {sorted(missing)} in {translated!r}"


def test_glyph_check_catches_a_character_the_font_lacks() -> None:
    assert missing_glyphs(get_language("ar").font, "خدمة NHS Ω 中") == {"Ω", "中"}
    assert missing_glyphs(get_language("ur").font, '16-24 (BSL) "نہیں"') == set()


def test_english_source_is_drawable(template: Catalog) -> None:
    font = get_language("en").font
    for message in template:
        for text in [message.id] if isinstance(message.id, str) else message.id:
            assert not missing_glyphs(font, rendered(text)), text


@pytest.mark.parametrize("lang", list(languages()), ids=lambda lang: lang.tag)
def test_names_numbers_and_dates_are_drawable(lang) -> None:
    shown = [
        lang.native_name,
        format_number(1234567.5, lang.tag),
        format_date(dt.date(2026, 11, 26), lang.tag),
    ]
    for text in shown:
        assert not missing_glyphs(lang.font, text), f"{lang.tag}: {text!r}"


def survey_texts(path: Path) -> Iterator[tuple[str, str, str]]:
    """(language, JSON path, text) for every translatable text in a survey file."""
    data = json.loads(path.read_text(encoding="utf-8"))

    def walk(node, where: str) -> Iterator[tuple[str, str, str]]:
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("text", "title", "help") and isinstance(value, dict):
                    for tag, text in value.items():
                        yield tag, f"{where}.{key}", text
                else:
                    yield from walk(value, f"{where}.{key}")
        elif isinstance(node, list):
            for index, item in enumerate(node):
                yield from walk(item, f"{where}[{index}]")

    yield from walk(data, path.name)


@pytest.mark.parametrize("survey", SURVEYS, ids=lambda p: p.name)
def test_every_survey_text_is_drawable_in_the_language_font(survey: Path) -> None:
    """Option buttons are plain one-font Labels: the language's own font must draw every
    character ("16-24" and "(BSL)" on an Arabic button included)."""
    problems = []
    for tag, where, text in survey_texts(survey):
        font = get_language(tag).font
        for ch in sorted(missing_glyphs(font, text)):
            problems.append(f"{where}[{tag}]: {font.name} has no {ch!r} (U+{ord(ch):04X})")
    assert not problems, "\n".join(problems[:20])


def test_build_check_agrees(capsys) -> None:
    assert build_main(["--check"]) == 0, capsys.readouterr().out


def test_easy_read_sentences_are_short_and_free_of_acronyms(catalogues: dict) -> None:
    """Easy Read: one idea per sentence of at most 15 words, no acronyms (domain.md section 2).
    "PIN" and "OK" appear only on the staff screen."""
    for _, text in pairs(catalogues["en-x-easy"]):
        for sentence in re.split(r"(?<=[.?!])\s+", text):
            assert len(sentence.split()) <= 15, sentence
            assert set(re.findall(r"\b[A-Z]{2,}\b", sentence)) <= {"PIN", "OK"}, sentence
