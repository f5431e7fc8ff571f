"""The central record's operations: enrolment, device tokens, batch ingest, heartbeats.

The HTTP app and the CLI are both thin clients of ``CentralRecord``. Every multi-row change is
one transaction; every "has this been seen?" question is answered by a unique constraint with
ON CONFLICT, so two service processes on one PostgreSQL cannot double-store a record.
"""

from __future__ import annotations

import hashlib
import secrets
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from central.db import Database, Tx
from central.ingest import Ingested, Rejection, open_record
from kiosk.crypto import PrivateKey, PublicKey
from sync.protocol import (
    ACCEPTED,
    CONFLICT,
    DUPLICATE,
    REJECTED,
    Batch,
    BatchResult,
    Enrolment,
    EnrolmentError,
    Heartbeat,
    RecordResult,
    WireError,
    WireRecord,
)

# Crockford base32: no I, L, O, U, so a code read aloud over the phone survives.
_CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_CODE_LENGTH = 12  # 60 bits; short-lived and single-use
DEFAULT_CODE_TTL = 3600.0  # seconds


def token_hash(token: str) -> str:
    # Tokens are 256 random bits, so a plain SHA-256 is enough (no dictionary to attack).
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def normalise_code(code: str) -> str:
    cleaned = code.upper().replace("-", "").replace(" ", "")
    return cleaned.translate(str.maketrans({"O": "0", "I": "1", "L": "1"}))


def record_digest(rec: WireRecord) -> str:
    h = hashlib.sha256()
    for part in (rec.sealed, rec.sealed_contact or b""):
        h.update(len(part).to_bytes(8, "big"))
        h.update(part)
    return h.hexdigest()


def _write_report(tx: Tx, opened: Ingested, site: str, now: float) -> None:
    """The reporting rows: one per response, one per answer (with its code)."""
    tx.execute(
        "INSERT INTO responses (record_id, survey_id, survey_version, device_id, site,"
        " location, language, variant, started_at, finished_at, flags, fft_code,"
        " has_contact, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT DO NOTHING",
        (*opened.response[:4], site, *opened.response[5:], now),
    )
    tx.executemany(
        "INSERT INTO answers (record_id, question_id, kind, code, value)"
        " VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
        opened.answers,
    )


@dataclass(frozen=True)
class Device:
    device_id: str
    site: str
    location: str
    location_name: str


@dataclass(frozen=True)
class DeviceView:
    device_id: str
    site: str
    location: str
    location_name: str
    app_version: str | None
    last_seen: float | None
    pending: int | None
    oldest_pending_age: float | None
    free_disk: int | None
    audio: str | None
    last_error: str | None
    revoked: bool
    silent: bool


class CentralRecord:
    def __init__(
        self,
        db: Database,
        responses_key: PrivateKey | None,
        contacts_key: PublicKey | None,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.db = db
        self._key = responses_key
        self._key_id = responses_key.public_key().key_id if responses_key else None
        self._contacts = contacts_key
        self._clock = clock

    # ------------------------------------------------------------ enrolment and devices

    def create_enrol_code(
        self,
        site: str,
        location: str,
        location_name: str | None = None,
        ttl: float = DEFAULT_CODE_TTL,
    ) -> str:
        code = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(_CODE_LENGTH))
        now = self._clock()
        with self.db.transaction() as tx:
            tx.execute(
                "INSERT INTO enrol_codes (code_hash, site, location, location_name, created_at,"
                " expires_at) VALUES (?, ?, ?, ?, ?, ?)",
                (token_hash(code), site, location, location_name or location, now, now + ttl),
            )
        return "-".join(code[i : i + 4] for i in range(0, _CODE_LENGTH, 4))

    def enrol(self, code: str, previous_device_id: str | None = None) -> Enrolment:
        """``previous_device_id``: the identity this kiosk had before (e.g. revoked, then enrolled
        again by IT), so records it stored under that identity are still accepted. Linked only
        to a device of the same site."""
        if self._key is None or self._contacts is None:
            raise EnrolmentError(
                "no_keys", "the central record has no keys yet: run `kiosk-central keygen`"
            )
        device_id, token = uuid.uuid4().hex, "pvt_" + secrets.token_urlsafe(32)
        now = self._clock()
        with self.db.transaction() as tx:
            # One UPDATE decides who gets the code: a second use finds used_at already set.
            row = tx.one(
                "UPDATE enrol_codes SET used_at = ?, device_id = ? WHERE code_hash = ?"
                " AND used_at IS NULL AND expires_at > ? RETURNING site, location, location_name",
                (now, device_id, token_hash(normalise_code(code)), now),
            )
            if row is None:
                raise EnrolmentError(
                    "invalid_code",
                    "this enrolment code is unknown, already used or "
                    "expired; ask IT for a new one (`kiosk-central enrol`)",
                )
            previous = (
                tx.one(
                    "SELECT device_id FROM devices WHERE device_id = ? AND site = ?",
                    (previous_device_id, row[0]),
                )
                if previous_device_id
                else None
            )
            tx.execute(
                "INSERT INTO devices (device_id, token_hash, site, location, location_name,"
                " enrolled_at, replaces) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    device_id,
                    token_hash(token),
                    row[0],
                    row[1],
                    row[2],
                    now,
                    previous[0] if previous else None,
                ),
            )
        return Enrolment(
            device_id,
            token,
            row[0],
            row[1],
            row[2],
            self._key.public_key().to_text(),
            self._contacts.to_text(),
        )

    def authenticate(self, token: str) -> Device:
        with self.db.read() as tx:
            row = tx.one(
                "SELECT device_id, site, location, location_name, revoked_at FROM devices"
                " WHERE token_hash = ?",
                (token_hash(token),),
            )
        if row is None:
            raise WireError(
                "invalid_token", "the device token is not known: enrol this kiosk again", 401
            )
        if row[4] is not None:
            raise WireError(
                "device_revoked", "this device was revoked: ask IT to enrol it again", 401
            )
        return Device(row[0], row[1], row[2], row[3])

    def revoke(self, device_id: str) -> bool:
        with self.db.transaction() as tx:
            cur = tx.execute(
                "UPDATE devices SET revoked_at = ? WHERE device_id = ? AND revoked_at IS NULL",
                (self._clock(), device_id),
            )
            return cur.rowcount == 1

    def heartbeat(self, device: Device, hb: Heartbeat) -> None:
        # A heartbeat lost in a power cut is replaced by the next one: no fsync needed.
        with self.db.transaction(durable=False) as tx:
            tx.execute(
                "UPDATE devices SET last_seen = ?, app_version = ?, pending = ?,"
                " oldest_pending_age = ?, free_disk = ?, audio = ?, last_error = ?"
                " WHERE device_id = ?",
                (
                    self._clock(),
                    hb.app_version,
                    hb.pending,
                    hb.oldest_pending_age,
                    hb.free_disk,
                    hb.audio,
                    hb.last_error,
                    device.device_id,
                ),
            )

    def devices(self, silent_after: float = 24 * 3600) -> list[DeviceView]:
        now = self._clock()
        with self.db.transaction() as tx:
            rows = tx.all(
                "SELECT device_id, site, location, location_name, app_version, last_seen,"
                " pending, oldest_pending_age, free_disk, audio, last_error, revoked_at"
                " FROM devices ORDER BY location, device_id"
            )
        return [
            DeviceView(
                *r[:11],
                revoked=r[11] is not None,
                silent=r[11] is None and (r[5] is None or now - r[5] > silent_after),
            )
            for r in rows
        ]

    # ------------------------------------------------------------ batches

    def ingest(self, device: Device, batch: Batch, body_sha256: str) -> BatchResult:
        # Decrypting is CPU work: done before the write transaction so the lock is held briefly.
        surveys, identities = self._surveys(), self._identities(device.device_id)
        opened = {r.record_id: self._open(r, identities, surveys) for r in batch.records}
        now = self._clock()
        with self.db.transaction() as tx:
            self._claim_batch(tx, device, batch, body_sha256, now)
            results = [
                self._store_record(tx, device, batch.batch_id, rec, opened[rec.record_id], now)
                for rec in batch.records
            ]
            tx.execute(
                "UPDATE devices SET last_seen = ? WHERE device_id = ?", (now, device.device_id)
            )
        return BatchResult(batch.batch_id, tuple(results))

    def _open(
        self, rec: WireRecord, identities: tuple[str, ...], surveys: set[tuple[str, int]]
    ) -> Ingested | Rejection:
        if self._key is None:
            return Rejection("no_private_key")
        try:
            return open_record(rec, self._key, self._key_id or "", identities, surveys)
        except Rejection as rejection:
            return rejection

    def _identities(self, device_id: str) -> tuple[str, ...]:
        """This device and the identities it replaced (newest first, at most 20 hops)."""
        chain = [device_id]
        with self.db.read() as tx:
            while len(chain) < 20:
                row = tx.one("SELECT replaces FROM devices WHERE device_id = ?", (chain[-1],))
                if row is None or row[0] is None or row[0] in chain:
                    break
                chain.append(row[0])
        return tuple(chain)

    def _surveys(self) -> set[tuple[str, int]]:
        with self.db.read() as tx:
            return {(r[0], int(r[1])) for r in tx.all("SELECT survey_id, version FROM surveys")}

    @staticmethod
    def _claim_batch(tx: Tx, device: Device, batch: Batch, body_sha: str, now: float) -> None:
        row = tx.one(
            "INSERT INTO batches (batch_id, device_id, body_sha256, records, received_at)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT (batch_id) DO NOTHING RETURNING batch_id",
            (batch.batch_id, device.device_id, body_sha, len(batch.records), now),
        )
        if row is not None:
            return
        seen = tx.one(
            "SELECT device_id, body_sha256 FROM batches WHERE batch_id = ?", (batch.batch_id,)
        )
        if seen is not None and (seen[0] != device.device_id or seen[1] != body_sha):
            raise WireError(
                "batch_id_reused",
                "this batch id was already used for a different batch; use a new random batch id",
                409,
            )
        # Same device, same bytes: a resend (e.g. the answer was lost). Each record answers
        # duplicate below, so the resend is harmless.

    def _store_record(
        self,
        tx: Tx,
        device: Device,
        batch_id: str,
        rec: WireRecord,
        opened: Ingested | Rejection,
        now: float,
    ) -> RecordResult:
        digest = record_digest(rec)
        status, reason = (
            (REJECTED, opened.reason) if isinstance(opened, Rejection) else ("ingested", None)
        )
        row = tx.one(
            "INSERT INTO records (record_id, sha256, device_id, batch_id, survey_id,"
            " survey_version, location, created_hour, key_id, sealed, contact_key_id,"
            " sealed_contact, received_at, status, reason)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (record_id) DO NOTHING RETURNING record_id",
            (rec.record_id, digest, device.device_id, batch_id, rec.survey_id, rec.survey_version,
             rec.location_code, rec.created_hour, rec.key_id, rec.sealed, rec.contact_key_id,
             rec.sealed_contact, now, status, reason),
        )  # fmt: skip
        if row is None:
            return self._seen_before(tx, device, batch_id, rec, digest, now)
        if isinstance(opened, Rejection):
            return RecordResult(rec.record_id, REJECTED, opened.reason)
        _write_report(tx, opened, device.site, now)
        return RecordResult(rec.record_id, ACCEPTED)

    @staticmethod
    def _seen_before(
        tx: Tx, device: Device, batch_id: str, rec: WireRecord, digest: str, now: float
    ) -> RecordResult:
        sha, status, reason = tx.one(
            "SELECT sha256, status, reason FROM records WHERE record_id = ?", (rec.record_id,)
        )
        if sha == digest:
            return (
                RecordResult(rec.record_id, REJECTED, reason)
                if status == REJECTED
                else RecordResult(rec.record_id, DUPLICATE)
            )
        # Same id, different bytes: keep the newcomer for investigation, never overwrite.
        tx.execute(
            "INSERT INTO conflicts (record_id, sha256, device_id, batch_id, sealed,"
            " sealed_contact, received_at) VALUES (?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT DO NOTHING",
            (
                rec.record_id,
                digest,
                device.device_id,
                batch_id,
                rec.sealed,
                rec.sealed_contact,
                now,
            ),
        )
        return RecordResult(rec.record_id, CONFLICT, "same record id, different bytes")

    # ------------------------------------------------------------ reporting helpers

    def counts(self) -> dict[str, int]:
        with self.db.transaction() as tx:
            return {
                t: tx.one(f"SELECT COUNT(*) FROM {t}")[0]  # noqa: S608 - fixed table names
                for t in ("records", "responses", "answers", "conflicts", "batches", "devices")
            }

    def reingest(self) -> int:
        """Retry quarantined records (e.g. after the missing survey version was published)."""
        with self.db.transaction() as tx:
            rows = tx.all(
                "SELECT r.record_id, r.survey_id, r.survey_version, r.location, r.created_hour,"
                " r.key_id, r.sealed, r.contact_key_id, r.sealed_contact, r.device_id, d.site,"
                " d.location, d.location_name FROM records r JOIN devices d"
                " ON d.device_id = r.device_id WHERE r.status = ?",
                (REJECTED,),
            )
        done, surveys = 0, self._surveys()
        for r in rows:
            contact = None if r[8] is None else bytes(r[8])
            rec = WireRecord(*r[:2], int(r[2]), *r[3:6], bytes(r[6]), r[7], contact)
            device = Device(r[9], r[10], r[11], r[12])
            opened = self._open(rec, self._identities(device.device_id), surveys)
            if isinstance(opened, Rejection):
                continue
            with self.db.transaction() as tx:
                cur = tx.execute(
                    "UPDATE records SET status = 'ingested', reason = NULL"
                    " WHERE record_id = ? AND status = ?",
                    (rec.record_id, REJECTED),
                )
                if cur.rowcount != 1:
                    continue  # another process got there first
                _write_report(tx, opened, device.site, self._clock())
            done += 1
        return done
