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
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from central.batches import claim_batch, store_batch, write_reports
from central.db import Database
from central.ingest import Ingested, Rejection
from central.opening import Opened, Opener, open_items
from kiosk.crypto import PrivateKey, PublicKey
from sync.protocol import (
    REJECTED,
    Batch,
    BatchResult,
    Enrolment,
    EnrolmentError,
    Heartbeat,
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
        retired_keys: tuple[PrivateKey, ...] = (),
        *,
        clock: Callable[[], float] = time.time,
        processes: int = 0,
    ) -> None:
        """``processes``: worker processes that open batches (central.opening); 0 or 1: none."""
        self.db = db
        self._key = responses_key
        # Retired responses keys still open what kiosks sealed before a rotation.
        self._keys = {k.public_key().key_id: k for k in (*retired_keys, responses_key) if k}
        self._contacts = contacts_key
        self._clock = clock
        self._opener = Opener(self._keys, processes)

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
        """Store a batch already parsed (tests, tools); the service uses ``ingest_json``."""
        return self._store(device, batch.batch_id, self._open_all(device, batch.records),
                           body_sha256)  # fmt: skip

    def ingest_json(self, device: Device, data: Any, body_sha256: str) -> BatchResult:
        """Check, open and store a batch as JSON. A record that breaks the protocol refuses
        the whole batch (``WireError``) before anything is written."""
        batch_id, raw = Batch.header_from_json(data)
        opened = self._open_all(device, raw)
        Batch.from_records(batch_id, tuple(o.record for o in opened))  # duplicate ids
        return self._store(device, batch_id, opened, body_sha256)

    def _open_all(self, device: Device, items: Sequence[Any]) -> list[Opened]:
        # CPU work, done before the write transaction so its lock is held briefly.
        surveys, identities = self._surveys(), self._identities(device.device_id)
        return self._opener.open(items, identities, surveys)

    def _store(self, device: Device, batch_id: str, opened: list[Opened],
               body_sha256: str) -> BatchResult:
        now = self._clock()
        with self.db.transaction() as tx:
            claim_batch(tx, device.device_id, batch_id, len(opened), body_sha256, now)
            results = store_batch(tx, device.device_id, device.site, batch_id, opened, now)
            tx.execute(
                "UPDATE devices SET last_seen = ? WHERE device_id = ?", (now, device.device_id)
            )
        return BatchResult(batch_id, tuple(results))

    def _open(
        self, rec: WireRecord, identities: tuple[str, ...], surveys: set[tuple[str, int]]
    ) -> Ingested | Rejection:
        return open_items([rec], 0, self._keys, identities, surveys)[0].result

    def start(self) -> None:
        """Start the worker processes that open batches (if any): `serve` does at start-up."""
        self._opener.start()

    def close(self) -> None:
        """Stop the worker processes (if any); the database is closed by its owner."""
        self._opener.close()

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

    # ------------------------------------------------------------ reporting helpers

    def counts(self) -> dict[str, int]:
        with self.db.read() as tx:
            return {
                t: tx.one(f"SELECT COUNT(*) FROM {t}")[0]  # noqa: S608 - fixed table names
                for t in ("records", "responses", "answers", "conflicts", "batches", "devices")
            }

    def quarantine(self) -> dict[str, int]:
        """Rejected records held sealed, by reason (what `kiosk-central reingest` may fix)."""
        with self.db.read() as tx:
            rows = tx.all("SELECT reason, COUNT(*) FROM records WHERE status = ? GROUP BY reason",
                          (REJECTED,))  # fmt: skip
        return {str(reason): int(n) for reason, n in rows}

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
                write_reports(tx, [opened], device.site, self._clock())
            done += 1
        return done
