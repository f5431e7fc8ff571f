"""kiosk.status: the status file (atomic, concurrent, forgiving) and `kiosk status` output."""
from __future__ import annotations

import json
import multiprocessing
import stat
import time
from pathlib import Path

import pytest

from kiosk.cli import main as cli_main
from kiosk.config import update_config
from kiosk.errors import StoreError
from kiosk.status import MAX_ERROR_CHARS, Status, StatusFile
from kiosk.store import SealedStore
from tests.kiosk.store_fixtures import Keys, keys, make_record  # noqa: F401  (fixture)


def test_a_missing_or_damaged_file_reads_as_defaults(tmp_path: Path) -> None:
    sf = StatusFile(tmp_path / "status.json")
    assert sf.read() == Status()
    sf.path.write_text("{not json")
    assert sf.read() == Status()
    sf.path.write_text("[1, 2]")
    assert sf.read() == Status()


def test_updates_persist_atomically_and_privately(tmp_path: Path) -> None:
    sf = StatusFile(tmp_path / "data" / "status.json")
    sf.record_error("central returned 503", at=100.0)
    sf.update(audio="ok", content_version=12, revoked=True, needs_it=True)
    got = StatusFile(sf.path).read()
    assert got == Status(last_error="central returned 503", last_error_at=100.0, revoked=True,
                         needs_it=True, audio="ok", content_version="12")
    assert stat.S_IMODE(sf.path.stat().st_mode) == 0o600
    assert sorted(p.name for p in sf.path.parent.iterdir()) == ["status.json", "status.json.lock"]
    sf.record_sync(at=200.0)
    assert sf.read().last_sync_at == 200.0 and sf.read().last_error is None


def test_last_error_is_one_short_line(tmp_path: Path) -> None:
    sf = StatusFile(tmp_path / "status.json")
    got = sf.record_error("Traceback:\n  line 1\n" + "x" * 500, at=1.0)
    assert "\n" not in got.last_error and len(got.last_error) == MAX_ERROR_CHARS
    with pytest.raises(TypeError, match="unknown status field"):
        sf.update(last_eror="typo")


def test_unknown_fields_from_a_newer_kiosk_are_ignored(tmp_path: Path) -> None:
    path = tmp_path / "status.json"
    path.write_text(json.dumps({"audio": "off", "future_field": 1}))
    assert StatusFile(path).read().audio == "off"


def _bump(path: str, field: str, n: int) -> None:
    sf = StatusFile(path)
    for i in range(n):
        sf.update(**{field: f"{field}-{i}"})


def test_two_processes_updating_lose_neither_field(tmp_path: Path) -> None:
    path = str(tmp_path / "status.json")
    procs = [multiprocessing.get_context("spawn").Process(target=_bump, args=(path, f, 40))
             for f in ("audio", "content_version")]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    got = StatusFile(path).read()
    assert (got.audio, got.content_version) == ("audio-39", "content_version-39")


def test_an_unwritable_data_dir_is_a_store_error_naming_the_file(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(StoreError, match=r"cannot write .*/file/status.json: File exists"):
        StatusFile(blocker / "status.json").update(audio="ok")


@pytest.fixture
def enrolled(tmp_path: Path, keys: Keys) -> Path:  # noqa: F811
    path = tmp_path / "kiosk.toml"
    update_config({
        "device": {"id": "kiosk-0007", "site": "REN", "location": "ward-3",
                   "location_name": "Ward 3 outpatients"},
        "central": {"url": "https://central.example", "token": "secret-token-abcdef123456"},
        "keys": {"responses": keys.responses.public_key().to_text(),
                 "contacts": keys.contacts.public_key().to_text()},
        "kiosk": {"data_dir": str(tmp_path / "data")},
    }, path)
    return path


def test_status_shows_counts_without_any_private_key(enrolled: Path, keys: Keys,  # noqa: F811
                                                     tmp_path: Path, capsys) -> None:
    responses, contacts = keys.sealers()
    store = SealedStore(tmp_path / "data" / "responses.sqlite", responses, contacts,
                        clock=lambda: time.time() - 7200)
    ids = [store.add(make_record("private words")) for _ in range(3)]
    store.mark_sent(ids[:1])
    StatusFile(tmp_path / "data" / "status.json").record_error("central returned 503",
                                                               time.time() - 60)
    # The store stays open, as it is while the kiosk runs.
    assert cli_main(["--config", str(enrolled), "status"]) == 0
    out = capsys.readouterr().out
    assert "device:         kiosk-0007 (site REN)" in out
    assert "location:       ward-3 (Ward 3 outpatients)" in out
    assert "pending:        2" in out
    assert "oldest pending: up to 2 h" in out
    assert "last sync:      never" in out
    assert "last error:     central returned 503" in out and "(1 min ago)" in out
    assert "secret-token" not in out and "private words" not in out
    assert cli_main(["--config", str(enrolled), "status", "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["pending"] == 2 and info["sent_not_purged"] == 1 and info["enrolled"] is True
    assert 7200 <= info["oldest_pending_age_seconds"] <= 3 * 3600
    store.close()


def test_status_of_a_fresh_unenrolled_kiosk(tmp_path: Path, capsys) -> None:
    path = tmp_path / "kiosk.toml"
    update_config({"kiosk": {"data_dir": str(tmp_path / "data")}}, path)
    assert cli_main(["--config", str(path), "status", "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["enrolled"] is False and info["pending"] == 0
    assert info["oldest_pending_age_seconds"] is None and not (tmp_path / "data").exists()


def test_status_reports_a_damaged_store_and_exits_2(tmp_path: Path, capsys) -> None:
    path = tmp_path / "kiosk.toml"
    update_config({"kiosk": {"data_dir": str(tmp_path)}}, path)
    (tmp_path / "responses.sqlite").write_bytes(b"this is not a database" * 100)
    assert cli_main(["--config", str(path), "status"]) == 2
    assert "store:          ERROR the store" in capsys.readouterr().out

