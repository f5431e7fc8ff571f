"""Helpers for the store, config and status tests (imported by those modules, not a conftest).

``make_record`` builds a real ``kiosk.record.ResponseRecord``.
"""
from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

import pytest

from kiosk.crypto import PrivateKey, Sealer
from kiosk.record import Answer, ResponseRecord, new_record_id

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


def make_record(comment: str = "The nurses were kind.", contact_name: str | None = None,
                *, location: str = "ward-3", finished_at: float = T0) -> ResponseRecord:
    """A real ResponseRecord: FFT answer, a free-text comment, optionally contact details."""
    answers = [Answer("fft", "fft", 1, 1), Answer("why", "free_text", comment, None)]
    contact = None
    if contact_name is not None:
        answers.append(Answer("contact_details", "contact", None, None))
        contact = {"contact": {"name": contact_name, "method": "phone", "value": "07700 900123",
                               "needs": ["large_print"], "needs_other": ""}}
    return ResponseRecord(
        record_id=new_record_id(), survey_id="fft", survey_version=3, language="en",
        variant="standard", answers=tuple(answers), contact=contact,
        started_at=finished_at - 60, finished_at=finished_at, device_id="kiosk-0007",
        site_code="REN", location_code=location)


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
