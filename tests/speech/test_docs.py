"""docs/speech.md and assets/audio/README.md name every speech command and voice, and no other."""
from __future__ import annotations

import re

import pytest

from kiosk.speech import no_voice, voices
from kiosk.speech_build import main

from .conftest import ROOT

SPEECH_MD = ROOT / "docs" / "speech.md"
DOCS = [SPEECH_MD, ROOT / "assets" / "audio" / "README.md"]


def test_every_command_in_the_docs_exists_and_every_command_is_documented(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    commands = set(re.search(r"\{([a-z,]+)\}", capsys.readouterr().out).group(1).split(","))
    documented = {m for doc in DOCS
                  for m in re.findall(r"python -m kiosk\.speech (\w+)", doc.read_text())}
    assert documented == commands


def test_the_voice_table_matches_the_code():
    rows = re.findall(r"^\| ([a-zA-Z, -]+?) \| `([\w-]+)` \|", SPEECH_MD.read_text(), re.M)
    table = {lang.strip(): voice for langs, voice in rows for lang in langs.split(",")}
    assert table == voices()
    assert re.search(r"^\| so, ckb \| none \|", SPEECH_MD.read_text(), re.M)
    assert set(no_voice()) == {"so", "ckb"}
