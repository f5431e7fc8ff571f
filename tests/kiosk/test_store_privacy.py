"""No answer or contact detail reaches the disk in any readable form; only the private key opens it.

Every file under the data directory (database, -wal, -shm, status, anything) is searched as raw
bytes for the UTF-8, UTF-16, JSON-escaped, hex and base64 forms of a distinctive comment and name,
while the store is open (WAL full of fresh pages) and after it is closed. A positive control
proves the search would see them, and the sealed rows, read back with plain sqlite3, open with the
private key, so the test fails if nothing was written at all.
"""
from __future__ import annotations

import base64
import json
import sqlite3
from pathlib import Path

import pytest

from kiosk.status import StatusFile
from kiosk.store import STORE_FILENAME, SealedStore
from tests.kiosk.store_fixtures import Keys, clock, keys, make_record  # noqa: F401  (fixtures)

COMMENT = "Zebracorn quillfeather: the night nurse Żaneta sang to my mum 7781"
NAME = "Philomena Quatermaine-Ostrowska"
PHONE = "07700 900123"


def _b64_fragments(raw: bytes) -> list[bytes]:
    """The part of base64(prefix + raw) that depends only on raw, for the 3 alignments."""
    out = []
    for pad in range(3):
        encoded = base64.b64encode(b"\0" * pad + raw)
        first = -(-8 * pad // 6)  # first base64 digit made only of raw's bits
        last = (8 * (pad + len(raw)) - 6) // 6
        frag = encoded[first:last + 1]
        out += [frag, frag.replace(b"+", b"-").replace(b"/", b"_")]
    return out


def forms(text: str) -> dict[str, bytes]:
    raw = text.encode("utf-8")
    found = {"utf-8": raw, "utf-16-le": text.encode("utf-16-le"),
             "utf-16-be": text.encode("utf-16-be"), "hex": raw.hex().encode(),
             "json-ascii": json.dumps(text)[1:-1].encode()}
    # A distinctive ASCII run survives any of these encodings even if the rest is escaped.
    ascii_run = text.split(":")[0].encode()
    found["ascii-run"] = ascii_run
    found["ascii-run-utf-16-le"] = ascii_run.decode().encode("utf-16-le")
    for i, frag in enumerate(_b64_fragments(raw) + _b64_fragments(ascii_run)):
        found[f"base64-{i}"] = frag
    return found


def leaks(directory: Path, texts: list[str]) -> list[str]:
    hits = []
    for path in sorted(p for p in directory.rglob("*") if p.is_file()):
        data = path.read_bytes()
        for text in texts:
            for form, needle in forms(text).items():
                if needle.lower() in data.lower():
                    hits.append(f"{path.name}: {form} of {text[:12]!r}")
    return hits


def test_the_search_sees_every_form_it_looks_for(tmp_path: Path) -> None:
    """Positive control: each encoding, planted in a file, is found."""
    for form, needle in forms(COMMENT).items():
        folder = tmp_path / form
        folder.mkdir()
        (folder / "planted").write_bytes(b"...header..." + needle + b"...")
        assert leaks(folder, [COMMENT]), form
    (tmp_path / "b64").mkdir()
    (tmp_path / "b64" / "f").write_bytes(base64.b64encode(b"xy" + NAME.encode()))
    assert leaks(tmp_path / "b64", [NAME])


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


def _fill(data_dir: Path, keys: Keys, clock, n: int = 40) -> tuple[SealedStore, list[str]]:  # noqa: F811
    responses, contacts = keys.sealers()
    store = SealedStore(data_dir / STORE_FILENAME, responses, contacts, clock=clock)
    ids = [store.add(make_record(f"{COMMENT} #{i}", contact_name=NAME)) for i in range(n)]
    StatusFile(data_dir / "status.json").record_error("central returned 503", clock())
    return store, ids


def test_nothing_readable_on_disk_while_open_or_after_close(data_dir: Path, keys: Keys,  # noqa: F811
                                                            clock) -> None:  # noqa: F811
    store, ids = _fill(data_dir, keys, clock)
    assert (data_dir / (STORE_FILENAME + "-wal")).stat().st_size > 0  # fresh pages in the WAL
    assert leaks(data_dir, [COMMENT, NAME, PHONE]) == []
    store.close()
    assert leaks(data_dir, [COMMENT, NAME, PHONE]) == []

    # ...yet everything is there, sealed: read the file with plain sqlite3 and open each row.
    conn = sqlite3.connect(data_dir / STORE_FILENAME)
    rows = conn.execute("SELECT record_id, sealed, sealed_contact FROM responses").fetchall()
    conn.close()
    assert sorted(r[0] for r in rows) == sorted(ids)
    for rid, sealed, sealed_contact in rows:
        anonymous = json.loads(keys.responses.open(sealed, "responses", rid))
        assert anonymous["answers"][1]["value"].startswith(COMMENT)
        assert NAME not in json.dumps(anonymous)  # contact details only in the contacts blob
        contact = json.loads(keys.contacts.open(sealed_contact, "contacts", rid))
        assert contact["contact"]["name"] == NAME


def test_clear_columns_hold_only_non_identifying_metadata(data_dir: Path, keys: Keys,  # noqa: F811
                                                          clock) -> None:  # noqa: F811
    store, _ = _fill(data_dir, keys, clock, n=1)
    store.close()
    conn = sqlite3.connect(data_dir / STORE_FILENAME)
    conn.row_factory = sqlite3.Row
    row = dict(conn.execute("SELECT * FROM responses").fetchone())
    conn.close()
    clear = {k: v for k, v in row.items() if not isinstance(v, bytes)}
    assert set(clear) == {"record_id", "survey_id", "survey_version", "location_code",
                          "created_hour", "state", "key_id", "contact_key_id"}
    assert clear["created_hour"] == "2026-11-26T10"  # the hour, never the minute


def test_purged_ciphertext_is_gone_from_every_file(data_dir: Path, keys: Keys,  # noqa: F811
                                                   clock) -> None:  # noqa: F811
    store, ids = _fill(data_dir, keys, clock, n=20)
    sealed = {p.record_id: (p.sealed, p.sealed_contact) for p in store.pending(100)}
    store.mark_sent(ids[:10])
    assert store.purge_sent() == 10
    kept = store.pending(100)
    assert [p.record_id for p in kept] == ids[10:]

    def present(blob: bytes) -> bool:
        probe = blob[100:164]  # 64 bytes of ciphertext: unique to that record
        return any(probe in p.read_bytes() for p in data_dir.rglob("*") if p.is_file())

    assert not any(present(sealed[rid][0]) or present(sealed[rid][1]) for rid in ids[:10])
    assert all(present(sealed[rid][0]) for rid in ids[10:])  # control: the unsent ones are found
    store.close()
