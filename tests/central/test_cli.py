"""`kiosk-central`: keygen, enrol, content set (validated), devices, revoke, on a real data dir."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from central.cli import main, open_central
from tests.central.live import FFT_SURVEY


def run(capsys: pytest.CaptureFixture, data: Path, *args: str) -> tuple[int, str, str]:
    code = main(["--data-dir", str(data), *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_keygen_writes_private_keys_0600_and_refuses_to_overwrite(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    code, out, _ = run(capsys, tmp_path, "keygen")
    assert code == 0 and out.count("pv1-pub:") == 2
    for name in ("responses.key", "contacts.key"):
        assert stat.S_IMODE(os.stat(tmp_path / "keys" / name).st_mode) == 0o600
        assert "pv1-priv" not in out
    code, _, err = run(capsys, tmp_path, "keygen")
    assert code == 2 and "already exists" in err


def test_enrol_devices_revoke(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    run(capsys, tmp_path, "keygen")
    code, out, err = run(
        capsys,
        tmp_path,
        "enrol",
        "--location",
        "ward-4",
        "--site",
        "REN",
        "--name",
        "Ward 4",
        "--ttl",
        "15",
    )
    enrol_code = out.strip()
    assert code == 0 and len(enrol_code) == 14 and "valid for 15 minutes" in err
    _, record, _ = open_central(f"sqlite:///{tmp_path / 'central.sqlite'}", tmp_path / "keys")
    got = record.enrol(enrol_code)
    code, out, _ = run(capsys, tmp_path, "devices")
    assert code == 0 and got.device_id in out and "SILENT" in out and "ward-4" in out
    assert got.token not in out
    code, out, _ = run(capsys, tmp_path, "devices", "--json")
    assert json.loads(out)[0]["device_id"] == got.device_id
    code, out, _ = run(capsys, tmp_path, "revoke", got.device_id)
    assert code == 0 and "revoked" in out
    assert "REVOKED" in run(capsys, tmp_path, "devices")[1]
    code, _, err = run(capsys, tmp_path, "revoke", got.device_id)
    assert code == 2 and "unknown_device" in err


def test_content_set_validates_before_accepting(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    run(capsys, tmp_path, "keygen")
    assert (
        run(capsys, tmp_path, "content", "set", "--location", "*", "--survey", str(FFT_SURVEY))[0]
        == 0
    )
    bad_survey = json.loads(FFT_SURVEY.read_text())
    bad_survey["version"] = 2
    bad_survey["questions"][0]["options"] = bad_survey["questions"][0]["options"][:5]
    (tmp_path / "bad.json").write_text(json.dumps(bad_survey))
    code, _, err = run(
        capsys,
        tmp_path,
        "content",
        "set",
        "--location",
        "*",
        "--survey",
        str(tmp_path / "bad.json"),
    )
    assert code == 2 and "invalid_content" in err and "questions[0]" in err
    (tmp_path / "settings.json").write_text(json.dumps({"idle_seconds": 10, "warning_seconds": 5}))
    code, _, err = run(
        capsys,
        tmp_path,
        "content",
        "set",
        "--location",
        "ward-4",
        "--settings",
        str(tmp_path / "settings.json"),
    )
    assert code == 2 and "idle_seconds" in err and "warning_seconds" in err
    (tmp_path / "yswh.json").write_text(
        json.dumps(
            [
                {
                    "id": "parking",
                    "title": {"en": "Parking"},
                    "said": {"en": "Parking is hard"},
                    "did": {"en": "We added 20 spaces", "cy": "Ychwanegwyd 20 lle"},
                    "when": {"en": "October 2026"},
                }
            ]
        )
    )
    assert (
        run(
            capsys,
            tmp_path,
            "content",
            "set",
            "--location",
            "ward-4",
            "--yswh",
            str(tmp_path / "yswh.json"),
        )[0]
        == 0
    )
    changed = json.loads(FFT_SURVEY.read_text())
    changed["title"]["en"] = "Changed without a new version"
    (tmp_path / "same-version.json").write_text(json.dumps(changed))
    code, _, err = run(
        capsys,
        tmp_path,
        "content",
        "set",
        "--location",
        "*",
        "--survey",
        str(tmp_path / "same-version.json"),
    )
    assert code == 2 and "survey_version_exists" in err
    _, _, publisher = open_central(f"sqlite:///{tmp_path / 'central.sqlite'}", tmp_path / "keys")
    _, doc = publisher.document("ward-4")
    assert doc["surveys"][0]["version"] == 1 and doc["settings"] is None
    assert doc["you_said_we_heard"][0]["id"] == "parking"


def test_rotating_the_responses_key_keeps_older_records_readable(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    from kiosk.crypto import PublicKey, Sealer
    from kiosk.store import InMemoryStore
    from sync.agent import batch_id_for
    from sync.protocol import Batch, WireRecord
    from tests.central.live import make_record

    run(capsys, tmp_path, "keygen")
    url = f"sqlite:///{tmp_path / 'central.sqlite'}"
    _, record, publisher = open_central(url, tmp_path / "keys")
    publisher.publish("*", "survey", json.loads(FFT_SURVEY.read_text()))
    old = record.enrol(record.create_enrol_code("REN", "ward-3"))
    sealers = [Sealer(PublicKey.from_text(k), p) for k, p in
               ((old.responses_key, "responses"), (old.contacts_key, "contacts"))]
    store = InMemoryStore(*sealers)
    store.add(make_record(old.device_id))
    code, out, _ = run(capsys, tmp_path, "keygen", "--rotate-responses")
    assert code == 0 and "old key is kept" in out
    _, record, _ = open_central(url, tmp_path / "keys")  # what `serve` loads after a restart
    new = record.enrol(record.create_enrol_code("REN", "ward-3"))
    assert new.responses_key != old.responses_key and new.contacts_key == old.contacts_key
    wire = [WireRecord.from_pending(p) for p in store.pending(1)]
    result = record.ingest(record.authenticate(old.token), Batch(batch_id_for(wire), tuple(wire)),
                           "x" * 64)  # fmt: skip
    assert [r.status for r in result.results] == ["accepted"]


def test_a_fresh_central_knows_the_packaged_survey(tmp_path: Path) -> None:
    """Kiosks ship with assets/surveys/fft.json: their first upload must not be quarantined
    as an unknown survey version just because nobody published content yet."""
    survey = json.loads(FFT_SURVEY.read_text(encoding="utf-8"))
    db, record, _ = open_central(f"sqlite:///{tmp_path / 'c.sqlite'}", tmp_path / "keys")
    try:
        assert (survey["id"], survey["version"]) in record._surveys()
        with db.read() as tx:  # registered for ingest only: not pushed to kiosks as content
            assert tx.all("SELECT kind FROM content") == []
    finally:
        db.close()


def test_content_set_reads_a_survey_file_strictly(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    """Repeated keys and a too-big file are refused here too (kiosk/survey/loading.py), not
    silently resolved by json.loads before the survey is checked."""
    run(capsys, tmp_path, "keygen")
    raw = FFT_SURVEY.read_text(encoding="utf-8")
    assert raw.count('"version": 1') == 1
    (tmp_path / "twice.json").write_text(raw.replace('"version": 1', '"version": 1, "version": 2'))
    (tmp_path / "big.json").write_text(raw + " " * 1_000_000)
    code, _, err = run(
        capsys, tmp_path, "content", "set", "--location", "*", "--survey",
        str(tmp_path / "twice.json"),
    )
    assert code == 2 and "invalid_content" in err and "version appears 2 times" in err
    code, _, err = run(
        capsys, tmp_path, "content", "set", "--location", "*", "--survey",
        str(tmp_path / "big.json"),
    )
    assert code == 2 and "invalid_content" in err and "over the limit of 1,000,000 bytes" in err
