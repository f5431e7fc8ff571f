"""Helpers for the store, config and status tests (imported by those modules, not a conftest).

``make_record`` builds a response record; until kiosk/record.py lands it is a small stand-in with
exactly the attributes and methods the store uses (docs/architecture.md "Response record").
"""
from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import pytest

from kiosk.crypto import PrivateKey, Sealer

#: 2026-11-26T10:15:00Z: a fixed start for injected clocks.
T0 = 1795688100.0


class FakeClock:
    """An injected clock the test moves by hand."""

    def __init__(self, now: float = T0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@dataclass(frozen=True)
class StandInRecord:
    record_id: str
    survey_id: str
    survey_version: int
    location_code: str
    finished_at: float
    comment: str
    contact: dict[str, Any] | None = field(default=None)

    def anonymous_payload(self) -> dict[str, Any]:
        return {"schema": 1, "record_id": self.record_id, "survey_id": self.survey_id,
                "survey_version": self.survey_version, "finished_at": self.finished_at,
                "answers": [{"question_id": "q1", "kind": "fft", "value": 1, "code": 1},
                            {"question_id": "q2", "kind": "free_text", "value": self.comment,
                             "code": None}]}

    def contact_payload(self) -> dict[str, Any] | None:
        return None if self.contact is None else {"schema": 1, "record_id": self.record_id,
                                                  "contact": self.contact}


def make_record(comment: str = "The nurses were kind.", contact_name: str | None = None,
                *, location: str = "ward-3", finished_at: float = T0) -> StandInRecord:
    contact = None if contact_name is None else {
        "name": contact_name, "method": "phone", "value": "07700 900123", "needs": ["large_print"]}
    return StandInRecord(record_id=uuid.uuid4().hex, survey_id="fft", survey_version=3,
                         location_code=location, finished_at=finished_at, comment=comment,
                         contact=contact)


@dataclass(frozen=True)
class Keys:
    responses: PrivateKey
    contacts: PrivateKey

    def sealers(self) -> tuple[Sealer, Sealer]:
        return (Sealer(self.responses.public_key(), "responses"),
                Sealer(self.contacts.public_key(), "contacts"))

    def open_anonymous(self, item: Any) -> dict[str, Any]:
        return json.loads(self.responses.open(item.sealed, "responses", item.record_id))

    def open_contact(self, item: Any) -> dict[str, Any]:
        return json.loads(self.contacts.open(item.sealed_contact, "contacts", item.record_id))


@pytest.fixture(scope="session")
def keys() -> Keys:
    return Keys(PrivateKey.generate(), PrivateKey.generate())


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def wait_for(predicate: Any, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.01)
    return False
