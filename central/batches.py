"""Storing one batch inside one transaction, set-based: a handful of statements per batch rather
than several per record (a round trip each on PostgreSQL).

The decision "new, duplicate or conflict" is made by the unique key on ``records.record_id``
(INSERT ... ON CONFLICT DO NOTHING RETURNING): whatever races with this transaction, in this
process or another, exactly one insert of a record id wins.
"""
from __future__ import annotations

from collections.abc import Sequence

from central.db import Tx
from central.ingest import Ingested, Rejection
from central.opening import Opened
from sync.protocol import (
    ACCEPTED,
    CONFLICT,
    DUPLICATE,
    REJECTED,
    RecordResult,
    WireError,
    WireRecord,
)

_RECORD_COLUMNS = (
    "record_id, sha256, device_id, batch_id, survey_id, survey_version, location, created_hour,"
    " key_id, sealed, contact_key_id, sealed_contact, received_at, status, reason"
)
_ONE_RECORD = "(" + ", ".join("?" * 15) + ")"


def write_reports(tx: Tx, opened: Sequence[Ingested], site: str, now: float) -> None:
    """The reporting rows: one per response, one per answer (with its code)."""
    tx.executemany(
        "INSERT INTO responses (record_id, survey_id, survey_version, device_id, site,"
        " location, language, variant, started_at, finished_at, flags, fft_code,"
        " has_contact, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT DO NOTHING",
        [(*o.response[:4], site, *o.response[5:], now) for o in opened],
    )
    tx.executemany(
        "INSERT INTO answers (record_id, question_id, kind, code, value)"
        " VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
        [row for o in opened for row in o.answers],
    )


def claim_batch(tx: Tx, device_id: str, batch_id: str, records: int, body_sha: str,
                now: float) -> None:
    row = tx.one(
        "INSERT INTO batches (batch_id, device_id, body_sha256, records, received_at)"
        " VALUES (?, ?, ?, ?, ?) ON CONFLICT (batch_id) DO NOTHING RETURNING batch_id",
        (batch_id, device_id, body_sha, records, now),
    )
    if row is not None:
        return
    seen = tx.one("SELECT device_id, body_sha256 FROM batches WHERE batch_id = ?", (batch_id,))
    if seen is not None and (seen[0] != device_id or seen[1] != body_sha):
        raise WireError(
            "batch_id_reused",
            "this batch id was already used for a different batch; use a new random batch id",
            409,
        )
    # Same device, same bytes: a resend (e.g. the answer was lost). Each record then answers
    # duplicate, so the resend is harmless.


def store_batch(tx: Tx, device_id: str, site: str, batch_id: str,
                opened: Sequence[Opened], now: float) -> list[RecordResult]:
    """``opened``: every record of the batch, checked and opened (central.opening)."""
    rows = [_record_row(o.record, device_id, batch_id, o.digest, o.result, now) for o in opened]
    inserted = set(tx.insert_returning(
        f"INSERT INTO records ({_RECORD_COLUMNS}) VALUES {_ONE_RECORD}"
        " ON CONFLICT (record_id) DO NOTHING RETURNING record_id",
        rows,
    ))  # fmt: skip
    seen = _seen(tx, [o.record.record_id for o in opened if o.record.record_id not in inserted])
    results, reports, conflicts = [], [], []
    for rec, digest, got in opened:
        rid = rec.record_id
        if rid in inserted and isinstance(got, Rejection):
            results.append(RecordResult(rid, REJECTED, got.reason))
        elif rid in inserted:
            reports.append(got)
            results.append(RecordResult(rid, ACCEPTED))
        elif seen[rid][0] == digest:
            status, reason = seen[rid][1:]
            results.append(RecordResult(rid, REJECTED, reason) if status == REJECTED
                           else RecordResult(rid, DUPLICATE))  # fmt: skip
        else:  # same id, different bytes: kept for investigation, never overwritten
            conflicts.append((rid, digest, device_id, batch_id, rec.sealed,
                              rec.sealed_contact, now))  # fmt: skip
            results.append(RecordResult(rid, CONFLICT, "same record id, different bytes"))
    write_reports(tx, reports, site, now)
    tx.executemany(
        "INSERT INTO conflicts (record_id, sha256, device_id, batch_id, sealed, sealed_contact,"
        " received_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
        conflicts,
    )
    return results


def _record_row(rec: WireRecord, device_id: str, batch_id: str, digest: str,
                opened: Ingested | Rejection, now: float) -> tuple:
    rejected = isinstance(opened, Rejection)
    status, reason = (REJECTED, opened.reason) if rejected else ("ingested", None)
    return (rec.record_id, digest, device_id, batch_id, rec.survey_id, rec.survey_version,
            rec.location_code, rec.created_hour, rec.key_id, rec.sealed, rec.contact_key_id,
            rec.sealed_contact, now, status, reason)  # fmt: skip


def _seen(tx: Tx, ids: list[str]) -> dict[str, tuple]:
    if not ids:
        return {}
    rows = tx.all(
        "SELECT record_id, sha256, status, reason FROM records WHERE record_id IN ("
        + ", ".join("?" * len(ids)) + ")",
        ids,
    )  # fmt: skip
    return {row[0]: row[1:] for row in rows}
