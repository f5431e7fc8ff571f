"""`kiosk selftest` in its own process, against a real config, store and keys."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from kiosk.crypto import PrivateKey
from tests.conftest import ROOT


def _config(tmp_path: Path, responses: PrivateKey, contacts: PrivateKey) -> Path:
    path = tmp_path / "kiosk.toml"
    path.write_text(f"""
[device]
id = "kiosk-0042"
site = "REN"
location = "ward-3"

[central]
url = "https://central.example.nhs.uk/"
token = "pv-test-token-0123456789abcdef0123456789"

[keys]
responses = "{responses.public_key().to_text()}"
contacts = "{contacts.public_key().to_text()}"

[kiosk]
languages = ["en"]
default_language = "en"
data_dir = "{tmp_path / 'data'}"
""", encoding="utf-8")
    path.chmod(0o600)
    return path


def test_selftest_taps_through_and_records_a_test_response(tmp_path: Path) -> None:
    from kiosk.config import load_config
    from kiosk.store import read_summary

    responses, contacts = PrivateKey.generate(), PrivateKey.generate()
    cfg_path = _config(tmp_path, responses, contacts)
    env = {**os.environ, "SDL_VIDEODRIVER": "offscreen", "KIVY_NO_CONSOLELOG": "1",
           "KIVY_HOME": str(tmp_path / "kivy")}
    proc = subprocess.run(
        [sys.executable, "-m", "kiosk.cli", "--config", str(cfg_path), "selftest",
         "--comment", "Lovely staff, thank you.", "--screenshots", str(tmp_path / "shots")],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    record_id = proc.stdout.strip().splitlines()[-1]
    assert len(record_id) == 32
    cfg = load_config(cfg_path)
    assert read_summary(cfg.store_path).count_pending == 1
    from kiosk.crypto import Sealer
    from kiosk.store import SealedStore
    with SealedStore(cfg.store_path, Sealer(responses.public_key(), "responses"),
                     Sealer(contacts.public_key(), "contacts")) as store:
        (pending,) = store.pending(10)
    payload = json.loads(responses.open(pending.sealed, "responses", pending.record_id))
    assert pending.record_id == record_id
    assert "test" in payload["flags"]
    why = next(a for a in payload["answers"] if a["question_id"] == "why")
    assert why["value"] == "Lovely staff, thank you."  # typed key by key on the keyboard
    shots = sorted(p.name for p in (tmp_path / "shots").glob("*.png"))
    assert shots[0] == "01-welcome.png" and shots[-1].endswith("thank_you.png")
    # each picture has its frame beside it, as judged (screens/drawn.py)
    frames = sorted(p.name for p in (tmp_path / "shots").glob("*.json"))
    assert frames == [name.replace(".png", ".json") for name in shots]


def test_selftest_refuses_a_comment_it_cannot_type(tmp_path: Path) -> None:
    cfg_path = _config(tmp_path, PrivateKey.generate(), PrivateKey.generate())
    proc = subprocess.run(
        [sys.executable, "-m", "kiosk.cli", "--config", str(cfg_path), "selftest",
         "--comment", "ok ✓"], cwd=ROOT, capture_output=True, text=True, timeout=120,
        env={**os.environ, "SDL_VIDEODRIVER": "offscreen", "KIVY_HOME": str(tmp_path / "k")})
    assert proc.returncode == 2 and "no key for '✓'" in proc.stderr
