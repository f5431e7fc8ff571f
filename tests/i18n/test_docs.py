"""docs/languages.md matches the registry and the build tool (STYLE habit 15: docs are tested)."""

from __future__ import annotations

import re
import tomllib

from kiosk.i18n import REVIEW_FLAG, REVIEW_HEADER
from kiosk.i18n_build import main as build_main
from kiosk.languages import REGISTRY, get_language, language_tags

from .conftest import ROOT

DOC = (ROOT / "docs" / "languages.md").read_text(encoding="utf-8")


def test_every_language_is_in_the_table_with_its_direction_and_voice() -> None:
    for tag in language_tags():
        lang = get_language(tag)
        row = next((line for line in DOC.splitlines() if line.startswith(f"| `{tag}` |")), None)
        assert row, f"docs/languages.md has no table row for {tag}"
        assert f"| {lang.direction} |" in row and f"| {lang.script} |" in row
        assert (f"`{lang.voice}`" in row) if lang.voice else ("| none |" in row)


def test_every_registry_key_is_documented() -> None:
    data = tomllib.loads(REGISTRY.read_text(encoding="utf-8"))
    keys = {key for entry in data["language"] for key in entry} | {
        "direction",
        "voice",
        "label",
        "fallback",
        "variant",
        "bold",
        "numbering",
    }
    for key in keys:
        assert re.search(rf"^\s*#?\s*{key} = ", DOC, re.M), f"registry key {key!r} not documented"


def test_review_flag_in_the_docs_is_the_one_written() -> None:
    assert f"{REVIEW_HEADER}: {REVIEW_FLAG}" in DOC


def test_build_options_named_in_the_docs_exist(capsys) -> None:
    named = set(re.findall(r"kiosk\.i18n_build (--[a-z]+)", DOC))
    assert {"--init", "--check"} <= named
    try:
        build_main(["--help"])
    except SystemExit as exit_:
        assert exit_.code == 0
    usage = capsys.readouterr().out
    for option in named:
        assert option in usage
