"""The central record's API on loopback, on SQLite and on a real PostgreSQL server."""

from __future__ import annotations

import json

import requests

from sync.protocol import WireRecord
from tests.central.live import LiveCentral, sealed_records
from tests.central.wire import batch_json, enrol, error_code, post_batch, statuses


def test_enrolment_gives_identity_keys_and_a_token_once(live_central: LiveCentral) -> None:
    code = live_central.enrol(site="REN", location="ward-4", name="Ward 4")
    resp = requests.post(
        f"{live_central.url}/api/v1/enrol", json={"code": code.lower()}, timeout=10
    )
    assert resp.status_code == 201
    got = resp.json()
    assert (got["site"], got["location"], got["location_name"]) == ("REN", "ward-4", "Ward 4")
    assert got["responses_key"] == live_central.keys.responses.public_key().to_text()
    assert got["contacts_key"] == live_central.keys.contacts.public_key().to_text()
    assert got["token"].startswith("pvt_") and len(got["token"]) > 40
    again = requests.post(f"{live_central.url}/api/v1/enrol", json={"code": code}, timeout=10)
    assert again.status_code == 403 and error_code(again) == "invalid_code"
    # Stored hashed: the token's text is nowhere in the devices table.
    with live_central.db.transaction() as tx:
        rows = tx.all("SELECT * FROM devices")
    assert len(rows) == 1 and got["token"] not in json.dumps([list(map(str, r)) for r in rows])


def test_expired_code_is_refused(live_central: LiveCentral) -> None:
    code = live_central.record.create_enrol_code("REN", "ward-3", ttl=-1)
    resp = requests.post(f"{live_central.url}/api/v1/enrol", json={"code": code}, timeout=10)
    assert resp.status_code == 403 and error_code(resp) == "invalid_code"


def test_upload_stores_each_response_once_and_decrypts_into_reporting_tables(
    live_central: LiveCentral,
) -> None:
    dev = enrol(live_central)
    pending = sealed_records(live_central.keys, dev["device_id"], 12, contact_name="Ann Example")
    body = batch_json(pending)
    assert statuses(post_batch(live_central, dev["token"], body)) == ["accepted"] * 12
    # The same batch again (an answer lost on the way back): harmless.
    assert statuses(post_batch(live_central, dev["token"], body)) == ["duplicate"] * 12
    counts = live_central.record.counts()
    assert (counts["records"], counts["responses"], counts["answers"]) == (12, 12, 36)
    with live_central.db.transaction() as tx:
        fft = sorted(r[0] for r in tx.all("SELECT fft_code FROM responses"))
        comments = {r[0] for r in tx.all("SELECT value FROM answers WHERE question_id = 'why'")}
        sealed_contact = tx.all("SELECT sealed_contact FROM records")
        contact_answers = tx.all("SELECT value FROM answers WHERE kind = 'contact'")
    assert fft == sorted(1 + i % 6 for i in range(12))
    assert comments == {f"Comment {i}" for i in range(12)}
    # Contact details stay sealed at rest and open only with the contacts key.
    assert contact_answers == [(None,)] * 12
    blob = bytes(sealed_contact[0][0])
    assert b"Ann Example" not in blob
    opened = [
        live_central.keys.contacts.open(bytes(p.sealed_contact), "contacts", p.record_id)
        for p in pending
    ]
    assert all(b"Ann Example" in o for o in opened)


def test_same_id_different_bytes_is_a_conflict_kept_apart(live_central: LiveCentral) -> None:
    dev = enrol(live_central)
    first = sealed_records(live_central.keys, dev["device_id"], 1)[0]
    assert statuses(post_batch(live_central, dev["token"], batch_json([first]))) == ["accepted"]
    other = sealed_records(live_central.keys, dev["device_id"], 1)[0]
    clash = WireRecord.from_pending(first).__class__(
        **{**WireRecord.from_pending(first).__dict__, "sealed": other.sealed}
    )
    resp = post_batch(live_central, dev["token"], batch_json([clash]))
    assert statuses(resp) == ["conflict"]
    assert statuses(post_batch(live_central, dev["token"], batch_json([clash]))) == ["conflict"]
    with live_central.db.transaction() as tx:
        kept = tx.one("SELECT sealed FROM records WHERE record_id = ?", (first.record_id,))[0]
        conflicts = tx.all("SELECT record_id FROM conflicts")
    assert bytes(kept) == first.sealed  # never overwritten
    assert conflicts == [(first.record_id,)]  # kept once for investigation


def test_revoked_device_is_refused_and_its_replay_stores_nothing(live_central: LiveCentral) -> None:
    dev = enrol(live_central)
    body = batch_json(sealed_records(live_central.keys, dev["device_id"], 3))
    assert live_central.record.revoke(dev["device_id"])
    resp = post_batch(live_central, dev["token"], body)
    assert resp.status_code == 401 and error_code(resp) == "device_revoked"
    assert live_central.record.counts()["records"] == 0
    unknown = post_batch(live_central, "pvt_not-a-token", body)
    assert unknown.status_code == 401 and error_code(unknown) == "invalid_token"
    missing = requests.post(f"{live_central.url}/api/v1/batches", data=b"{}", timeout=10)
    assert missing.status_code == 401 and error_code(missing) == "missing_token"


def test_content_etag_and_304(live_central: LiveCentral) -> None:
    dev = enrol(live_central)
    auth = {"Authorization": f"Bearer {dev['token']}"}
    first = requests.get(f"{live_central.url}/api/v1/content", headers=auth, timeout=10)
    assert first.status_code == 200
    doc, etag = first.json(), first.headers["ETag"]
    assert doc["surveys"][0]["id"] == "fft" and doc["location"] == "ward-3"
    same = requests.get(
        f"{live_central.url}/api/v1/content", headers={**auth, "If-None-Match": etag}, timeout=10
    )
    assert same.status_code == 304 and same.content == b""
    live_central.publisher.publish(
        "ward-3",
        "settings",
        {
            "idle_seconds": 120,
            "warning_seconds": 30,
            "languages": ["en", "cy"],
            "default_language": "en",
        },
    )
    changed = requests.get(
        f"{live_central.url}/api/v1/content", headers={**auth, "If-None-Match": etag}, timeout=10
    )
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    assert changed.json()["settings"]["languages"] == ["en", "cy"]


def test_heartbeat_shows_in_devices(live_central: LiveCentral) -> None:
    dev = enrol(live_central)
    hb = {
        "app_version": "0.1.0",
        "pending": 7,
        "oldest_pending_age": 3600.0,
        "free_disk": 5 * 2**30,
        "audio": "ok",
        "last_error": "central answered 503 (busy)",
    }
    resp = requests.post(
        f"{live_central.url}/api/v1/heartbeat",
        json=hb,
        headers={"Authorization": f"Bearer {dev['token']}"},
        timeout=10,
    )
    assert resp.status_code == 204
    (view,) = live_central.record.devices()
    assert (
        view.app_version,
        view.pending,
        view.oldest_pending_age,
        view.free_disk,
        view.audio,
        view.last_error,
        view.silent,
        view.revoked,
    ) == ("0.1.0", 7, 3600.0, 5 * 2**30, "ok", "central answered 503 (busy)", False, False)


def test_openapi_and_health_are_served(live_central: LiveCentral) -> None:
    schema = requests.get(f"{live_central.url}/api/v1/openapi.json", timeout=10).json()
    assert schema["openapi"].startswith("3.") and "/api/v1/batches" in schema["paths"]
    assert requests.get(f"{live_central.url}/api/v1/health", timeout=10).json()["status"] == "ok"


def test_a_locked_database_answers_503_with_retry_after(sqlite_central: LiveCentral) -> None:
    import sqlite3

    dev = enrol(sqlite_central)
    sqlite_central.db._conn.execute("PRAGMA busy_timeout=200")  # fail fast for the test
    other = sqlite3.connect(sqlite_central.db.path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another process holds the write lock
    body = batch_json(sealed_records(sqlite_central.keys, dev["device_id"], 2))
    resp = post_batch(sqlite_central, dev["token"], body)
    assert resp.status_code == 503 and error_code(resp) == "busy"
    assert resp.headers["Retry-After"] == "2"
    other.execute("ROLLBACK")
    other.close()
    assert statuses(post_batch(sqlite_central, dev["token"], body)) == ["accepted"] * 2


def test_a_code_raced_by_many_kiosks_enrols_exactly_one(live_central: LiveCentral) -> None:
    from concurrent.futures import ThreadPoolExecutor

    code = live_central.enrol()

    def attempt(_: int) -> int:
        return requests.post(f"{live_central.url}/api/v1/enrol", json={"code": code},
                             timeout=30).status_code  # fmt: skip

    # 10 at once: the most one address may try before the enrolment rate limit answers 429
    # (tests/central/test_rate_limits.py covers what comes after).
    with ThreadPoolExecutor(10) as pool:
        codes = sorted(pool.map(attempt, range(10)))
    assert codes == [201] + [403] * 9
    assert live_central.record.counts()["devices"] == 1
