"""Storing one batch inside one transaction, set-based: one INSERT per table per batch (on
PostgreSQL one statement over arrays, whatever the batch size), never a statement per record.

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


def _columns(spec: str) -> tuple[tuple[str, str], ...]:
    """"name type, ..." -> ((name, PostgreSQL type), ...) for ``Tx.insert_rows``."""
    return tuple(tuple(c.split(maxsplit=1)) for c in spec.split(","))  # type: ignore[misc]


_TEXT, _INT, _FLOAT, _BLOB = "text", "integer", "double precision", "bytea"
_RECORDS = _columns(
    f"record_id {_TEXT}, sha256 {_TEXT}, device_id {_TEXT}, batch_id {_TEXT}, survey_id {_TEXT},"
    f" survey_version {_INT}, location {_TEXT}, created_hour {_TEXT}, key_id {_TEXT},"
    f" sealed {_BLOB}, contact_key_id {_TEXT}, sealed_contact {_BLOB}, received_at {_FLOAT},"
    f" status {_TEXT}, reason {_TEXT}"
)
_RESPONSES = _columns(
    f"record_id {_TEXT}, survey_id {_TEXT}, survey_version {_INT}, device_id {_TEXT},"
    f" site {_TEXT}, location {_TEXT}, language {_TEXT}, variant {_TEXT},"
    f" started_at {_FLOAT}, finished_at {_FLOAT}, flags {_TEXT}, fft_code {_INT},"
    f" has_contact {_INT}, received_at {_FLOAT}"
)
_ANSWERS = _columns(
    f"record_id {_TEXT}, question_id {_TEXT}, kind {_TEXT}, code {_TEXT}, value {_TEXT}"
)
_CONFLICTS = _columns(
    f"record_id {_TEXT}, sha256 {_TEXT}, device_id {_TEXT}, batch_id {_TEXT}, sealed {_BLOB},"
    f" sealed_contact {_BLOB}, received_at {_FLOAT}"
)


def write_reports(tx: Tx, opened: Sequence[Ingested], site: str, now: float) -> None:
    """The reporting rows: one per response, one per answer (with its code)."""
    tx.insert_rows("responses", _RESPONSES,
                   [(*o.response[:4], site, *o.response[5:], now) for o in opened],
                   "ON CONFLICT DO NOTHING")  # fmt: skip
    tx.insert_rows("answers", _ANSWERS, [row for o in opened for row in o.answers],
                   "ON CONFLICT DO NOTHING")  # fmt: skip


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
    inserted = set(tx.insert_rows("records", _RECORDS, rows,
                                  "ON CONFLICT (record_id) DO NOTHING RETURNING record_id"))
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
    tx.insert_rows("conflicts", _CONFLICTS, conflicts, "ON CONFLICT DO NOTHING")
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
