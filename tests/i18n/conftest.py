"""Fixtures for the language tests: the real catalogues, the template extracted from the sources
now (so a message added to a screen and not yet translated fails a test), and throwaway
catalogue folders for the translator's behaviour."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

from kiosk.i18n import catalogue_path
from kiosk.i18n_build import extract
from kiosk.languages import ENGLISH, get_language, language_tags

ROOT = Path(__file__).resolve().parents[2]
TRANSLATED = [tag for tag in language_tags() if tag != ENGLISH]


@pytest.fixture(scope="session")
def template() -> Catalog:
    return extract()


@pytest.fixture(scope="session")
def catalogues() -> dict[str, Catalog]:
    result = {}
    for tag in TRANSLATED:
        with catalogue_path(tag).open("rb") as handle:
            result[tag] = read_po(handle, locale=str(get_language(tag).locale))
    return result


def write_catalogue(localedir: Path, tag: str, messages: dict, header: str = "") -> Path:
    """A .po for ``tag`` under ``localedir``; ``messages`` maps msgid (or a (singular, plural)
    pair) to msgstr (or a tuple of plural forms)."""
    catalog = Catalog(locale=str(get_language(tag).locale), fuzzy=False)
    for msgid, msgstr in messages.items():
        catalog.add(msgid, msgstr)
    out = io.BytesIO()
    write_po(out, catalog)
    text = out.getvalue().decode("utf-8")
    if header:
        text = text.replace('"Generated-By:', f'"{header}\\n"\n"Generated-By:', 1)
    path = catalogue_path(tag, ".po", localedir)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def localedir(tmp_path: Path) -> Path:
    return tmp_path / "locales"
