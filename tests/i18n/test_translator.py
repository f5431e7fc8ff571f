"""The one translator: catalogues per language, English fallback, live switching, compiling on
the fly, plural rules, and the review flag the staff screen lists."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from kiosk.errors import ConfigError
from kiosk.i18n import (
    REVIEW_FLAG,
    REVIEW_HEADER,
    Translator,
    catalogue_header,
    catalogue_path,
    needs_review,
    unreviewed_languages,
)
from kiosk.languages import language_tags

from .conftest import write_catalogue

FLAG = f"{REVIEW_HEADER}: {REVIEW_FLAG}"


def test_switching_language_translates_and_notifies(localedir: Path) -> None:
    write_catalogue(localedir, "pl", {"Next": "Dalej"})
    write_catalogue(localedir, "cy", {"Next": "Nesaf"})
    tr = Translator(localedir)
    heard: list[str] = []
    unsubscribe = tr.subscribe(heard.append)
    assert tr._("Next") == "Next"
    tr.set_language("pl")
    assert tr._("Next") == "Dalej"
    tr.set_language("pl")  # no change, no notification
    tr.set_language("cy")
    assert tr._("Next") == "Nesaf"
    unsubscribe()
    tr.set_language("en")
    assert heard == ["pl", "cy"] and tr._("Next") == "Next"


def test_missing_message_falls_back_to_english(localedir: Path) -> None:
    write_catalogue(localedir, "pl", {"Next": "Dalej"})
    tr = Translator(localedir, "pl")
    assert tr._("Back") == "Back"
    assert tr.translate("Next", "ro") == "Next"  # no Romanian catalogue at all: English


def test_easy_read_falls_back_to_english_not_to_nothing(localedir: Path) -> None:
    write_catalogue(localedir, "en-x-easy", {"Tap here to give feedback": "Touch here"})
    tr = Translator(localedir, "en-x-easy")
    assert tr._("Tap here to give feedback") == "Touch here"
    assert tr._("Back") == "Back"


def test_a_broken_subscriber_does_not_stop_the_others(localedir: Path) -> None:
    tr = Translator(localedir)
    heard: list[str] = []

    def broken(tag: str) -> None:
        raise RuntimeError("listener bug")

    tr.subscribe(broken)
    tr.subscribe(heard.append)
    tr.set_language("ar")
    assert heard == ["ar"] and tr.language == "ar" and tr.direction == "rtl"


def test_unknown_language_is_refused_and_nothing_changes(localedir: Path) -> None:
    tr = Translator(localedir, "pl")
    with pytest.raises(ConfigError, match="unknown language 'xx'"):
        tr.set_language("xx")
    assert tr.language == "pl"


def test_plural_forms_follow_the_language(localedir: Path) -> None:
    forms = ("{n} pytanie", "{n} pytania", "{n} pytań")
    write_catalogue(localedir, "pl", {("{n} question", "{n} questions"): forms})
    tr = Translator(localedir, "pl")
    said = {n: tr.ngettext("{n} question", "{n} questions", n).format(n=n) for n in (1, 3, 5, 22)}
    assert said == {1: "1 pytanie", 3: "3 pytania", 5: "5 pytań", 22: "22 pytania"}


def test_catalogue_is_compiled_on_the_fly_and_cached(localedir: Path) -> None:
    po = write_catalogue(localedir, "pl", {"Next": "Dalej"})
    mo = catalogue_path("pl", ".mo", localedir)
    assert not mo.exists()
    assert Translator(localedir, "pl")._("Next") == "Dalej"
    assert mo.is_file()  # written for the next start
    # an edited .po newer than its .mo wins
    write_catalogue(localedir, "pl", {"Next": "Dalej!"})
    os.utime(po, (mo.stat().st_mtime + 10, mo.stat().st_mtime + 10))
    assert Translator(localedir, "pl")._("Next") == "Dalej!"


def test_catalogue_that_cannot_be_cached_still_translates(localedir: Path) -> None:
    write_catalogue(localedir, "pl", {"Next": "Dalej"})
    blocker = catalogue_path("pl", ".mo", localedir)
    blocker.mkdir()  # nothing can be written there, even by root (a read-only install)
    assert Translator(localedir, "pl")._("Next") == "Dalej"
    assert blocker.is_dir()
    assert sorted(p.name for p in blocker.parent.iterdir()) == ["messages.mo", "messages.po"]


def test_unreadable_catalogue_shows_english(localedir: Path, caplog) -> None:
    path = catalogue_path("pl", ".po", localedir)
    path.parent.mkdir(parents=True)
    path.write_bytes(b'msgid "Next"\nmsgstr "Dalej\n\xff\xfe garbage')
    tr = Translator(localedir, "pl")
    assert tr._("Next") == "Next"
    assert "catalogue for pl is unusable" in caplog.text


def test_review_flag_is_read_from_the_header(localedir: Path) -> None:
    write_catalogue(localedir, "pl", {"Next": "Dalej"}, header=FLAG)
    write_catalogue(localedir, "cy", {"Next": "Nesaf"}, header=f"{REVIEW_HEADER}: no")
    assert catalogue_header("pl", localedir)[REVIEW_HEADER] == REVIEW_FLAG
    assert needs_review("pl", localedir) and not needs_review("cy", localedir)
    assert unreviewed_languages(localedir) == ["pl"]


def test_every_shipped_translation_is_flagged_until_reviewed() -> None:
    flagged = unreviewed_languages()
    for tag in language_tags():
        if tag != "en":
            assert tag in flagged, f"{tag}: machine translation without the review flag"
