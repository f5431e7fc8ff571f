"""Helpers for the staff web tests: a settable clock, the served app, a signed-in browser-like
HTTP client, and real records (sealed like a kiosk seals them, ingested by the record service)."""

from __future__ import annotations

import hashlib
import html
import json
import re
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests
import uvicorn

from central.content import ContentPublisher
from central.db import Database
from central.service import CentralRecord
from central.web.http import Web
from kiosk.record import Answer, ResponseRecord, new_record_id
from kiosk.store import InMemoryStore
from sync.agent import batch_id_for
from sync.protocol import Batch, WireRecord
from tests.central.live import CentralKeys

PASSWORD = "correct horse battery"
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


@dataclass
class Clock:
    now: float

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@dataclass
class WebCentral:
    url: str
    db: Database
    record: CentralRecord
    publisher: ContentPublisher
    web: Web
    keys: CentralKeys
    server: uvicorn.Server
    thread: threading.Thread
    devices: dict[str, Any] = field(default_factory=dict)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(15)
        self.db.close()

    def publish_fft(self, path: Path) -> None:
        self.publisher.publish("*", "survey", json.loads(path.read_text()), "fft.json")

    def device(self, location: str, name: str) -> Any:
        if location not in self.devices:
            code = self.record.create_enrol_code("REN", location, name)
            token = self.record.enrol(code).token
            self.devices[location] = self.record.authenticate(token)
        return self.devices[location]

    def ingest(self, records: list[ResponseRecord], expect: str = "accepted") -> None:
        store = InMemoryStore(*self.keys.sealers())
        for r in records:
            store.add(r)
        wire = [WireRecord.from_pending(p) for p in store.pending(len(records))]
        by_location: dict[str, list[WireRecord]] = {}
        for w in wire:
            by_location.setdefault(w.location_code, []).append(w)
        for location, recs in by_location.items():
            batch = Batch(batch_id_for(recs), tuple(recs))
            dev = self.devices[location]
            result = self.record.ingest(dev, batch, hashlib.sha256(batch_id_for(recs).encode())
                                        .hexdigest())  # fmt: skip
            assert {r.status for r in result.results} == {expect}, result


def response(central: WebCentral, location: str, *, fft: int | None = 1, comment: str = "",
             contact: dict | None = None, involvement: dict | None = None,
             flags: frozenset[str] = frozenset(), name: str | None = None,
             survey_version: int = 1) -> ResponseRecord:
    dev = central.device(location, name or location.replace("-", " ").title())
    answers = []
    if fft is not None:
        answers.append(Answer("fft", "fft", fft, fft))
    if comment:
        answers.append(Answer("why", "free_text", comment, None))
    personal: dict[str, Any] = {}
    if contact is not None:
        answers.append(Answer("contact_details", "contact", None, None))
        personal["contact"] = contact
    if involvement is not None:
        answers.append(Answer("involve", "involvement", None, None))
        personal["involvement"] = involvement
    now = time.time()
    return ResponseRecord(
        record_id=new_record_id(), survey_id="fft", survey_version=survey_version, language="en",
        variant="standard", answers=tuple(answers), contact=personal or None,
        started_at=now - 60, finished_at=now, device_id=dev.device_id, site_code="REN",
        location_code=location, flags=flags,
    )  # fmt: skip


CONTACT = {"name": "Ada Lovelace", "method": "phone", "value": "07700 900123",
           "needs": ["bsl_interpreter", "large_print"], "needs_other": ""}  # fmt: skip


class StaffClient:
    """A requests.Session that signs in like a browser and fills in the CSRF field."""

    def __init__(self, central: WebCentral) -> None:
        self.central, self.http = central, requests.Session()

    def get(self, path: str, **kw: Any) -> requests.Response:
        return self.http.get(self.central.url + path, timeout=30, allow_redirects=False, **kw)

    def post(self, path: str, data: dict | list, *, csrf: bool = True,
             **kw: Any) -> requests.Response:  # fmt: skip
        if csrf:
            token = self.csrf_from(path)
            data = list(data.items()) if isinstance(data, dict) else list(data)
            data.append(("csrf", token))
        return self.http.post(self.central.url + path, data=data, timeout=30,
                              allow_redirects=False, **kw)  # fmt: skip

    def csrf_from(self, path: str) -> str:
        page = self.get(path if not path.endswith(("/withdraw", "/sign-out")) else "/staff/")
        if page.status_code == 303:
            page = self.get(page.headers["location"])
        found = CSRF.search(page.text)
        assert found, f"no CSRF field on {path}"
        return html.unescape(found.group(1))

    def sign_in(self, username: str, password: str = PASSWORD) -> requests.Response:
        form = self.get("/staff/sign-in")
        token = html.unescape(CSRF.search(form.text).group(1))
        return self.http.post(self.central.url + "/staff/sign-in", timeout=30,
                              data={"username": username, "password": password, "csrf": token},
                              allow_redirects=False)  # fmt: skip


def signed_in(central: WebCentral, username: str) -> StaffClient:
    client = StaffClient(central)
    resp = client.sign_in(username)
    assert resp.status_code == 303, resp.text
    return client


def text_of(page: str) -> str:
    """The visible text of a page, whitespace squeezed (for plain assertions)."""
    no_tags = re.sub(r"<[^>]+>", " ", re.sub(r"<(style|title)[^>]*>.*?</\1>", "", page, flags=re.S))
    return re.sub(r"\s+", " ", html.unescape(no_tags))
