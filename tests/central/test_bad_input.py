"""Bad input at the central record: a clear 4xx with an error code, nothing partially stored,
and the service keeps serving. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import gzip
import json
import os

import pytest
import requests

from sync.protocol import MAX_BODY_BYTES, WireRecord
from tests.central.live import LiveCentral, sealed_records
from tests.central.wire import batch_json, enrol, error_code, post_batch, statuses


@pytest.fixture
def dev(live_central: LiveCentral) -> dict:
    return enrol(live_central)


def _nothing_stored(central: LiveCentral) -> None:
    counts = central.record.counts()
    assert (counts["records"], counts["responses"], counts["answers"], counts["batches"]) == (
        0,
        0,
        0,
        0,
    )
    assert requests.get(f"{central.url}/api/v1/health", timeout=10).status_code == 200


def _good(central: LiveCentral, dev: dict, n: int = 3) -> dict:
    return batch_json(sealed_records(central.keys, dev["device_id"], n))


@pytest.mark.parametrize(
    "raw, code",
    [
        (b"{not json", "malformed_json"),
        (b"\xff\xfe\x00garbage", "malformed_json"),
        (b"[]", "wrong_type"),
        (b'{"protocol": 1, "batch_id": "ab"}', "bad_value"),
    ],
)
def test_malformed_body_is_refused(
    live_central: LiveCentral, dev: dict, raw: bytes, code: str
) -> None:
    resp = post_batch(live_central, dev["token"], None, raw=gzip.compress(raw))
    assert resp.status_code == 400 and error_code(resp) == code, resp.text
    assert resp.json()["error"]["message"]
    _nothing_stored(live_central)


@pytest.mark.parametrize(
    "field, value, code",
    [
        ("survey_version", "1", "wrong_type"),
        ("survey_version", True, "wrong_type"),
        ("record_id", "not-hex", "bad_value"),
    ("record_id", "0123456789abcdef0123456789abcdef\n", "bad_value"),
        ("sealed", "%%% not base64", "bad_base64"),
        ("created_hour", "yesterday", "bad_value"),
    ("created_hour", "2026-13-45T99", "bad_value"),
        ("key_id", None, "missing_field"),
    ],
)
def test_one_bad_record_refuses_the_whole_batch(
    live_central: LiveCentral, dev: dict, field: str, value: object, code: str
) -> None:
    body = _good(live_central, dev)
    body["records"][1][field] = value
    resp = post_batch(live_central, dev["token"], body)
    assert resp.status_code == 400 and error_code(resp) == code
    assert f"batch.records[1].{field}" in resp.json()["error"]["message"]
    _nothing_stored(live_central)
    # The same records, well formed, are then accepted whole.
    assert (
        statuses(post_batch(live_central, dev["token"], _good(live_central, dev)))
        == ["accepted"] * 3
    )


def test_duplicate_ids_in_one_batch_are_refused(live_central: LiveCentral, dev: dict) -> None:
    body = _good(live_central, dev, 2)
    body["records"][1] = body["records"][0]
    resp = post_batch(live_central, dev["token"], body)
    assert resp.status_code == 400 and error_code(resp) == "duplicate_record_id"
    _nothing_stored(live_central)


def test_oversize_body_and_gzip_bomb_are_refused(live_central: LiveCentral, dev: dict) -> None:
    big = post_batch(live_central, dev["token"], None, raw=os.urandom(MAX_BODY_BYTES + 1))
    assert big.status_code == 413 and error_code(big) == "body_too_large"
    bomb = gzip.compress(b'{"protocol": 1, "records": ["' + b"A" * (40 * 2**20) + b'"]}')
    assert len(bomb) < MAX_BODY_BYTES
    resp = post_batch(live_central, dev["token"], None, raw=bomb)
    assert resp.status_code == 413 and error_code(resp) == "body_too_large"
    truncated = post_batch(
        live_central,
        dev["token"],
        None,
        raw=gzip.compress(json.dumps(_good(live_central, dev)).encode())[:-20],
    )
    assert truncated.status_code == 400 and error_code(truncated) == "bad_gzip"
    _nothing_stored(live_central)


def test_wrong_media_type_and_encoding(live_central: LiveCentral, dev: dict) -> None:
    body = _good(live_central, dev)
    text = post_batch(live_central, dev["token"], body, headers={"Content-Type": "text/plain"})
    assert text.status_code == 415 and error_code(text) == "unsupported_media_type"
    br = post_batch(live_central, dev["token"], body, headers={"Content-Encoding": "br"})
    assert br.status_code == 415 and error_code(br) == "unsupported_encoding"
    _nothing_stored(live_central)


def test_unknown_survey_version_and_undecryptable_records_are_quarantined(
    live_central: LiveCentral, dev: dict, capsys: pytest.CaptureFixture
) -> None:
    good = sealed_records(live_central.keys, dev["device_id"], 1)
    unknown = sealed_records(live_central.keys, dev["device_id"], 1, survey_version=99)
    garbled = WireRecord.from_pending(sealed_records(live_central.keys, dev["device_id"], 1)[0])
    garbled = WireRecord(**{**garbled.__dict__, "sealed": garbled.sealed[:-1] + b"\x00"})
    body = batch_json(good + unknown)
    body["records"].append(garbled.to_json())
    resp = post_batch(live_central, dev["token"], body)
    results = resp.json()["results"]
    assert [(r["status"], r["reason"]) for r in results] == [
        ("accepted", None),
        ("rejected", "unknown_survey_version"),
        ("rejected", "undecryptable"),
    ]
    counts = live_central.record.counts()
    # Rejected records are held sealed for investigation; never half-ingested into reports.
    assert (counts["records"], counts["responses"], counts["answers"]) == (3, 1, 2)
    again = post_batch(live_central, dev["token"], body).json()["results"]
    assert [(r["status"], r["reason"]) for r in again] == [
        ("duplicate", None),
        ("rejected", "unknown_survey_version"),
        ("rejected", "undecryptable"),
    ]
    from central.cli import main

    assert main(["--keys-dir", str(live_central.keys.dir), "--database-url", live_central.db_url,
                 "stats"]) == 0  # fmt: skip
    out = capsys.readouterr().out
    assert "records received 3: 1 in the reporting tables, 2 quarantined" in out
    assert "quarantined undecryptable: 1" in out and "unknown_survey_version: 1" in out
    # Once the survey version is published, the quarantined record can be ingested.
    survey = live_central.publish_fft()
    live_central.publisher.publish("other", "survey", {**survey, "version": 99})
    assert live_central.record.reingest() == 1
    assert live_central.record.counts()["responses"] == 2


def test_batch_id_reused_for_different_content_is_refused(
    live_central: LiveCentral, dev: dict
) -> None:
    first = _good(live_central, dev, 2)
    assert statuses(post_batch(live_central, dev["token"], first)) == ["accepted"] * 2
    second = _good(live_central, dev, 2)
    second["batch_id"] = first["batch_id"]
    resp = post_batch(live_central, dev["token"], second)
    assert resp.status_code == 409 and error_code(resp) == "batch_id_reused"
    assert live_central.record.counts()["records"] == 2


@pytest.mark.parametrize(
    "body, code",
    [
        ({"app_version": "1", "pending": -1}, "bad_value"),
        ({"app_version": "1", "pending": "7"}, "wrong_type"),
        ({"pending": 1}, "missing_field"),
        ({"app_version": "1", "pending": 1, "last_error": "x" * 501}, "bad_value"),
    ],
)
def test_bad_heartbeat(live_central: LiveCentral, dev: dict, body: dict, code: str) -> None:
    resp = requests.post(
        f"{live_central.url}/api/v1/heartbeat",
        json=body,
        headers={"Authorization": f"Bearer {dev['token']}"},
        timeout=10,
    )
    assert resp.status_code == 400 and error_code(resp) == code


def test_bad_enrol_bodies(live_central: LiveCentral) -> None:
    url = f"{live_central.url}/api/v1/enrol"
    assert (
        error_code(
            requests.post(url, data=b"{", headers={"Content-Type": "application/json"}, timeout=10)
        )
        == "malformed_json"
    )
    assert error_code(requests.post(url, json={"code": 5}, timeout=10)) == "wrong_type"
    assert error_code(requests.post(url, json={"code": "x" * 65}, timeout=10)) == "wrong_type"
    assert requests.post(url, data=b"code=1", timeout=10).status_code == 415


def test_records_of_another_device_are_quarantined(live_central: LiveCentral, dev: dict) -> None:
    other = enrol(live_central)
    theirs = sealed_records(live_central.keys, other["device_id"], 2)
    resp = post_batch(live_central, dev["token"], batch_json(theirs))
    assert [(r["status"], r["reason"]) for r in resp.json()["results"]] == [
        ("rejected", "wrong_device")
    ] * 2
    assert live_central.record.counts()["responses"] == 0
