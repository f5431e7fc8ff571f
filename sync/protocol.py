"""The wire between a kiosk and the central record: dataclasses, JSON forms and validation.

Both ends import this module, so a batch the agent builds is checked by the very code the
central record uses to refuse it. Everything here is pure (no I/O, no HTTP library).

Errors (an extension of the tree in kiosk/errors.py, kept here because only the wire uses them):

    PatientVoiceError
    └── SyncError                     the wire or the central record said no
        ├── WireError                 a message broke the protocol (.code, .status: a 4xx)
        ├── TransientSyncError        network down, 5xx, 429/503     (retryable; .retry_after)
        ├── DeviceRevokedError        401: this kiosk's token was revoked (needs IT)
        └── EnrolmentError            the enrolment code was refused (.code)
"""

from __future__ import annotations

import base64
import binascii
import datetime
import json
import math
import re
import zlib
from dataclasses import dataclass
from typing import Any

from kiosk.errors import PatientVoiceError

API_PREFIX = "/api/v1"
PROTOCOL_VERSION = 1

#: Limits both ends agree on. The agent never builds anything bigger; the central record refuses it.
MAX_BATCH_RECORDS = 500
MAX_BODY_BYTES = 8 * 1024 * 1024  # on the wire (gzip)
MAX_INFLATED_BYTES = 32 * 1024 * 1024  # after gunzip: a gzip bomb stops here
MAX_SEALED_BYTES = 256 * 1024  # one sealed payload
MAX_COUNT = 2**53  # integers in heartbeats (exact in JSON numbers and 64-bit columns)
MAX_TEXT = 500  # free-form heartbeat fields (last_error, audio)

RECORD_ID = re.compile(r"^[0-9a-f]{32}$")
KEY_ID = re.compile(r"^[0-9a-f]{16}$")
CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")  # site/location/survey ids
HOUR = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}$")

# Per-record answers from the central record.
ACCEPTED, DUPLICATE, CONFLICT, REJECTED = "accepted", "duplicate", "conflict", "rejected"
STATUSES = (ACCEPTED, DUPLICATE, CONFLICT, REJECTED)
# Every status is final: the central record durably holds the bytes (reporting tables, the
# conflicts table, or the rejected quarantine), so the kiosk may mark the record sent.
FINAL_STATUSES = frozenset(STATUSES)


class SyncError(PatientVoiceError):
    user_message = (
        "The kiosk cannot reach the central record. Answers are kept safely on the kiosk."
    )


class WireError(SyncError):
    """A message broke the protocol. ``code`` is the stable machine-readable error code."""

    def __init__(self, code: str, message: str, status: int = 400) -> None:
        self.code = code
        self.status = status
        super().__init__(f"{code}: {message}")
        self.detail = message


class TransientSyncError(SyncError):
    retryable = True

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        self.retry_after = retry_after
        super().__init__(message)


class DeviceRevokedError(SyncError):
    user_message = "This kiosk has been switched off by IT. Answers are kept safely. Please ask IT."


class EnrolmentError(SyncError):
    user_message = "The enrolment code was not accepted. Please ask IT for a new code."

    def __init__(self, code: str, message: str) -> None:
        self.code = code
        super().__init__(f"{code}: {message}")


# ---------------------------------------------------------------- small checkers


def _require(obj: dict, key: str, kind: type | tuple, where: str, *, optional: bool = False) -> Any:
    if key not in obj or obj[key] is None:
        if optional:
            return None
        raise WireError("missing_field", f"{where}.{key} is required")
    value = obj[key]
    # bool is an int in Python; a count of True is a type error on the wire.
    if (
        isinstance(value, bool)
        and kind is not bool
        and bool not in (kind if isinstance(kind, tuple) else (kind,))
    ):
        raise WireError("wrong_type", f"{where}.{key} must be {_kind_name(kind)}, not a boolean")
    if not isinstance(value, kind):
        raise WireError(
            "wrong_type", f"{where}.{key} must be {_kind_name(kind)}, not {type(value).__name__}"
        )
    return value


_KIND_NAMES = {"str": "a string", "int": "an integer", "float": "a number", "dict": "an object",
               "list": "a list", "bool": "a boolean"}  # fmt: skip


def _kind_name(kind: type | tuple) -> str:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    return " or ".join(_KIND_NAMES.get(k.__name__, k.__name__) for k in kinds)


def _match(value: str, pattern: re.Pattern, where: str, what: str) -> str:
    if not pattern.fullmatch(value) or (pattern is HOUR and not _real_hour(value)):
        raise WireError("bad_value", f"{where} must be {what}")
    return value


def _real_hour(value: str) -> bool:
    # HOUR has matched, so the slices are digits; datetime() is ~15x cheaper than strptime.
    try:
        datetime.datetime(int(value[:4]), int(value[5:7]), int(value[8:10]), int(value[11:13]))
    except ValueError:
        return False
    return True


def b64encode(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def b64decode(text: str, where: str) -> bytes:
    # strict_mode: only the base64 alphabet, padding only at the end (what validate=True
    # checks, without its per-call regex: ~10x faster on a sealed payload).
    try:
        return binascii.a2b_base64(text.encode("ascii"), strict_mode=True)
    except (binascii.Error, ValueError, UnicodeEncodeError) as exc:
        raise WireError("bad_base64", f"{where} is not valid base64") from exc


def gunzip_limited(body: bytes, limit: int = MAX_INFLATED_BYTES) -> bytes:
    """Inflate a gzip body, refusing anything that would grow past ``limit`` (gzip bombs)."""
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        out = inflater.decompress(body, limit + 1)
    except zlib.error as exc:
        raise WireError("bad_gzip", "the body says gzip but does not inflate") from exc
    if len(out) > limit or inflater.unconsumed_tail:
        raise WireError("body_too_large", f"the inflated body exceeds {limit} bytes", 413)
    if not inflater.eof:
        raise WireError("bad_gzip", "the gzip body is truncated")
    return out


def gzip_bytes(raw: bytes) -> bytes:
    """A gzip stream (any gunzip reads it) with Huffman coding only: sealed bytes do not repeat,
    so what shrinks is base64's 6-bits-in-8, which entropy coding alone recovers. About 3x
    cheaper than level 1 for ~4% more bytes (bench/sync.py)."""
    deflater = zlib.compressobj(1, zlib.DEFLATED, 16 + zlib.MAX_WBITS, 9, zlib.Z_HUFFMAN_ONLY)
    return deflater.compress(raw) + deflater.flush()


def batch_json_bytes(batch_id: str, records: list[dict]) -> bytes:
    """The JSON of a batch whose records are already in their JSON form."""
    doc = {"protocol": PROTOCOL_VERSION, "batch_id": batch_id, "records": records}
    return json.dumps(doc, separators=(",", ":")).encode()


def batch_body(batch_id: str, records: list[dict]) -> bytes:
    """The gzip JSON body of a batch (as the agent sends it)."""
    return gzip_bytes(batch_json_bytes(batch_id, records))


# ---------------------------------------------------------------- enrolment


@dataclass(frozen=True)
class Enrolment:
    """What a kiosk receives for its one-time code. ``token`` is shown exactly once."""

    device_id: str
    token: str
    site: str
    location: str
    location_name: str
    responses_key: str
    contacts_key: str

    def to_json(self) -> dict:
        return dict(self.__dict__)

    @classmethod
    def from_json(cls, data: Any) -> Enrolment:
        if not isinstance(data, dict):
            raise WireError("wrong_type", "the enrolment answer must be a JSON object")
        values = {k: _require(data, k, str, "enrolment") for k in cls.__dataclass_fields__}
        return cls(**values)


# ---------------------------------------------------------------- batches


@dataclass(frozen=True)
class WireRecord:
    """One sealed record on the wire: plaintext metadata for routing, sealed bytes for content."""

    record_id: str
    survey_id: str
    survey_version: int
    location_code: str
    created_hour: str
    key_id: str
    sealed: bytes
    contact_key_id: str | None = None
    sealed_contact: bytes | None = None

    @classmethod
    def from_pending(cls, rec: Any) -> WireRecord:
        """From a kiosk ``PendingRecord`` (duck-typed so this module needs no kiosk store)."""
        return cls(
            rec.record_id,
            rec.survey_id,
            int(rec.survey_version),
            rec.location_code,
            rec.created_hour,
            rec.key_id,
            bytes(rec.sealed),
            rec.contact_key_id,
            None if rec.sealed_contact is None else bytes(rec.sealed_contact),
        )

    def to_json(self) -> dict:
        out = {
            "record_id": self.record_id,
            "survey_id": self.survey_id,
            "survey_version": self.survey_version,
            "location_code": self.location_code,
            "created_hour": self.created_hour,
            "key_id": self.key_id,
            "sealed": b64encode(self.sealed),
        }
        if self.sealed_contact is not None:
            out["contact_key_id"] = self.contact_key_id
            out["sealed_contact"] = b64encode(self.sealed_contact)
        return out

    @classmethod
    def from_json(cls, data: Any, where: str) -> WireRecord:
        """Parse and check one record of a batch; the first problem raises ``WireError``."""
        if not isinstance(data, dict):
            raise WireError("wrong_type", f"{where} must be an object")
        rid = _require(data, "record_id", str, where)
        version = _require(data, "survey_version", int, where)
        sealed = b64decode(_require(data, "sealed", str, where), f"{where}.sealed")
        contact_b64 = _require(data, "sealed_contact", str, where, optional=True)
        contact = None if contact_b64 is None else b64decode(contact_b64, f"{where}.sealed_contact")
        contact_key = _require(data, "contact_key_id", str, where, optional=contact is None)
        return cls(
            record_id=rid,
            survey_id=_require(data, "survey_id", str, where),
            survey_version=version,
            location_code=_require(data, "location_code", str, where),
            created_hour=_require(data, "created_hour", str, where),
            key_id=_require(data, "key_id", str, where),
            sealed=sealed,
            contact_key_id=contact_key,
            sealed_contact=contact,
        ).check(where)

    def check(self, where: str) -> WireRecord:
        """The protocol's rules for one record, also for one built from the kiosk's store (so it
        is checked without a round trip through JSON and base64)."""
        _match(_typed(self.record_id, str, where, "record_id"), RECORD_ID, f"{where}.record_id",
               "32 lowercase hex digits (a uuid4 hex)")  # fmt: skip
        if not 1 <= _typed(self.survey_version, int, where, "survey_version") <= 1_000_000:
            raise WireError("bad_value", f"{where}.survey_version must be between 1 and 1000000")
        for name, blob in (("sealed", self.sealed), ("sealed_contact", self.sealed_contact)):
            if (blob is not None or name == "sealed") and not (
                    isinstance(blob, bytes) and 0 < len(blob) <= MAX_SEALED_BYTES):
                raise WireError("bad_value", f"{where}.{name} must be 1..{MAX_SEALED_BYTES} bytes")
        for name, pattern, what in (("survey_id", CODE, "a short code"),
                                    ("location_code", CODE, "a short code"),
                                    ("created_hour", HOUR, "an hour like 2026-11-26T10"),
                                    ("key_id", KEY_ID, "16 hex digits")):  # fmt: skip
            _match(_typed(getattr(self, name), str, where, name), pattern, f"{where}.{name}", what)
        if self.sealed_contact is not None and self.contact_key_id is None:
            raise WireError("missing_field", f"{where}.contact_key_id is required")
        if self.contact_key_id is not None:
            _match(_typed(self.contact_key_id, str, where, "contact_key_id"), KEY_ID,
                   f"{where}.contact_key_id", "16 hex digits")  # fmt: skip
        return self


def _typed(value: Any, kind: type, where: str, name: str) -> Any:
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        raise WireError("wrong_type",
                        f"{where}.{name} must be {_kind_name(kind)}, not {type(value).__name__}")
    return value


@dataclass(frozen=True)
class Batch:
    batch_id: str
    records: tuple[WireRecord, ...]

    def to_json(self) -> dict:
        return {
            "protocol": PROTOCOL_VERSION,
            "batch_id": self.batch_id,
            "records": [r.to_json() for r in self.records],
        }

    @classmethod
    def from_json(cls, data: Any) -> Batch:
        batch_id, raw = cls.header_from_json(data)
        return cls.from_records(batch_id, records_from_json(raw, 0))

    @staticmethod
    def header_from_json(data: Any) -> tuple[str, list]:
        """The batch id and the (still unchecked) list of records; the rest of ``from_json``
        is ``records_from_json`` (which the central record runs in worker processes)."""
        if not isinstance(data, dict):
            raise WireError("wrong_type", "the batch must be a JSON object")
        protocol = _require(data, "protocol", int, "batch")
        if protocol != PROTOCOL_VERSION:
            raise WireError(
                "unsupported_protocol", f"batch.protocol {protocol} is not supported; use 1"
            )
        batch_id = _match(
            _require(data, "batch_id", str, "batch"),
            RECORD_ID,
            "batch.batch_id",
            "32 lowercase hex digits",
        )
        raw = _require(data, "records", list, "batch")
        if not 1 <= len(raw) <= MAX_BATCH_RECORDS:
            raise WireError("bad_value", f"batch.records must hold 1..{MAX_BATCH_RECORDS} records")
        return batch_id, raw

    @classmethod
    def from_records(cls, batch_id: str, records: tuple[WireRecord, ...]) -> Batch:
        ids = [r.record_id for r in records]
        if len(set(ids)) != len(ids):
            raise WireError("duplicate_record_id", "a record id appears twice in one batch")
        return cls(batch_id, records)


def records_from_json(raw: list, start: int) -> tuple[WireRecord, ...]:
    """Check ``raw`` (batch.records[start:start + len(raw)]); the first bad one raises."""
    return tuple(WireRecord.from_json(r, f"batch.records[{start + i}]") for i, r in enumerate(raw))


@dataclass(frozen=True)
class RecordResult:
    record_id: str
    status: str
    reason: str | None = None

    def to_json(self) -> dict:
        return {"record_id": self.record_id, "status": self.status, "reason": self.reason}


@dataclass(frozen=True)
class BatchResult:
    batch_id: str
    results: tuple[RecordResult, ...]

    def to_json(self) -> dict:
        return {"batch_id": self.batch_id, "results": [r.to_json() for r in self.results]}

    @classmethod
    def from_json(cls, data: Any) -> BatchResult:
        if not isinstance(data, dict):
            raise WireError("wrong_type", "the batch answer must be a JSON object")
        out = []
        for i, item in enumerate(_require(data, "results", list, "answer")):
            where = f"answer.results[{i}]"
            if not isinstance(item, dict):
                raise WireError("wrong_type", f"{where} must be an object")
            status = _require(item, "status", str, where)
            if status not in STATUSES:
                raise WireError("bad_value", f"{where}.status {status!r} is not one of {STATUSES}")
            out.append(
                RecordResult(
                    _require(item, "record_id", str, where),
                    status,
                    _require(item, "reason", str, where, optional=True),
                )
            )
        return cls(_require(data, "batch_id", str, "answer"), tuple(out))


# ---------------------------------------------------------------- heartbeat


@dataclass(frozen=True)
class Heartbeat:
    app_version: str
    pending: int
    oldest_pending_age: float | None = None
    free_disk: int | None = None
    audio: str | None = None
    last_error: str | None = None

    def to_json(self) -> dict:
        return dict(self.__dict__)

    @classmethod
    def from_json(cls, data: Any) -> Heartbeat:
        if not isinstance(data, dict):
            raise WireError("wrong_type", "the heartbeat must be a JSON object")
        pending = _require(data, "pending", int, "heartbeat")
        age = _require(data, "oldest_pending_age", (int, float), "heartbeat", optional=True)
        disk = _require(data, "free_disk", int, "heartbeat", optional=True)
        # Bounded so every value fits a 64-bit column (and NaN/Infinity are refused).
        if not 0 <= pending <= MAX_COUNT or (disk is not None and not 0 <= disk <= MAX_COUNT):
            raise WireError("bad_value", f"heartbeat pending and free_disk must be 0..{MAX_COUNT}")
        if age is not None and not (math.isfinite(age) and 0 <= age <= MAX_COUNT):
            raise WireError("bad_value", "heartbeat.oldest_pending_age must be seconds, 0 or more")
        texts = {
            k: _require(data, k, str, "heartbeat", optional=True) for k in ("audio", "last_error")
        }
        version = _require(data, "app_version", str, "heartbeat")
        for name, text in (("app_version", version), *texts.items()):
            if text is not None and len(text) > MAX_TEXT:
                raise WireError(
                    "bad_value", f"heartbeat.{name} is longer than {MAX_TEXT} characters"
                )
        return cls(version, pending, None if age is None else float(age), disk, **texts)


def error_body(code: str, message: str) -> dict:
    """The one error shape the central record answers with (docs/protocol.md)."""
    return {"error": {"code": code, "message": message}}
