"""Opening a sealed response and turning it into reporting rows (one response + one per answer).

Everything here is checked *before* any row is written, so a record either lands whole in the
reporting tables or is quarantined with a reason; nothing half-ingested. Contact payloads are
never opened here: they stay sealed at rest (only the concerns team's tool holds that key).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from kiosk.crypto import PrivateKey
from kiosk.errors import CryptoError
from kiosk.record import Answer, RecordError, from_anonymous_payload
from sync.protocol import WireRecord

SCHEMA = 1

# Rejection reasons (stable codes, listed in docs/protocol.md).
UNKNOWN_SURVEY_VERSION = "unknown_survey_version"
UNKNOWN_KEY = "unknown_key"
UNDECRYPTABLE = "undecryptable"
BAD_PAYLOAD = "bad_payload"
MISMATCH = "metadata_mismatch"
WRONG_DEVICE = "wrong_device"
REASONS = (UNKNOWN_SURVEY_VERSION, UNKNOWN_KEY, UNDECRYPTABLE, BAD_PAYLOAD, MISMATCH, WRONG_DEVICE)


class Rejection(Exception):
    """Internal signal: this record goes to quarantine with ``reason``; never leaves here."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Ingested:
    response: tuple  # the row for `responses` (without received_at)
    answers: list[tuple]  # rows for `answers`


def open_record(
    rec: WireRecord,
    keys: dict[str, PrivateKey],
    identities: tuple[str, ...],
    known_surveys: set[tuple[str, int]],
) -> Ingested:
    if (rec.survey_id, rec.survey_version) not in known_surveys:
        raise Rejection(UNKNOWN_SURVEY_VERSION)
    key = keys.get(rec.key_id)
    if key is None:
        raise Rejection(UNKNOWN_KEY)
    try:
        plain = key.open(rec.sealed, "responses", rec.record_id)
    except CryptoError:
        raise Rejection(UNDECRYPTABLE) from None
    try:
        payload = json.loads(plain)
    except (ValueError, UnicodeDecodeError):
        raise Rejection(BAD_PAYLOAD) from None
    return _rows(payload, rec, identities)


def _rows(payload: object, rec: WireRecord, identities: tuple[str, ...]) -> Ingested:
    # The kiosk's own strict parser (kiosk.record) checks every field and answer shape.
    try:
        r = from_anonymous_payload(payload)
    except RecordError:
        raise Rejection(BAD_PAYLOAD) from None
    if (r.record_id, r.survey_id, r.survey_version) != (
        rec.record_id,
        rec.survey_id,
        rec.survey_version,
    ):
        raise Rejection(MISMATCH)
    if r.device_id not in identities:
        raise Rejection(WRONG_DEVICE)
    fft = next((a.code for a in r.answers if a.kind == "fft"), None)
    response = (
        r.record_id,
        r.survey_id,
        r.survey_version,
        identities[0],
        r.site_code,
        r.location_code,
        r.language,
        r.variant,
        r.started_at,
        r.finished_at,
        ",".join(sorted(r.flags)),
        None if fft is None else int(fft),
        int(rec.sealed_contact is not None),
    )
    return Ingested(response, [_answer_row(r.record_id, a) for a in r.answers])


def _answer_row(record_id: str, a: Answer) -> tuple:
    # Contact/involvement answers travel with value None: personal data never reaches here.
    value = a.value
    if isinstance(value, tuple):
        value = json.dumps(list(value), ensure_ascii=False)
    elif isinstance(value, bool):
        value = "yes" if value else "no"
    elif value is not None:
        value = str(value)
    return (record_id, a.question_id, a.kind, None if a.code is None else str(a.code), value)
