"""Fixtures for the report tests: a real central record (SQLite, and PostgreSQL when it can be
started) filled through the real path: records sealed by the kiosk's store code, then ingested
by ``CentralRecord.ingest`` exactly as the batch endpoint does (without the HTTP hop)."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from central.cli import open_central
from central.db import Database
from central.service import CentralRecord, Device
from kiosk.record import Answer, ResponseRecord, new_record_id
from kiosk.store import InMemoryStore
from sync.agent import batch_id_for
from sync.protocol import Batch, WireRecord
from tests.central.live import (  # noqa: F401  (fixtures)
    FFT_SURVEY,
    CentralKeys,
    central_keys,
    db_url,
    postgres_server,
)


def at(year: int, month: int, day: int, hour: int = 12, minute: int = 0) -> float:
    """An instant given in UTC."""
    return dt.datetime(year, month, day, hour, minute, tzinfo=dt.UTC).timestamp()


@dataclass
class Central:
    db: Database
    record: CentralRecord
    keys: CentralKeys
    devices: dict[str, Device] = field(default_factory=dict)

    def device(self, location: str, site: str = "REN", name: str | None = None) -> Device:
        if location not in self.devices:
            code = self.record.create_enrol_code(site, location, name or location.title())
            enrolment = self.record.enrol(code)
            self.devices[location] = self.record.authenticate(enrolment.token)
        return self.devices[location]

    def add(
        self,
        location: str,
        *,
        fft: int | None,
        when: float,
        flags: Iterable[str] = (),
        language: str = "en",
        who: str | None = None,
        about: dict[str, tuple[str, str | None]] | None = None,
        site: str = "REN",
        n: int = 1,
    ) -> None:
        """Seal ``n`` responses like a kiosk does and ingest them like the service does."""
        device = self.device(location, site)
        answers = [] if fft is None else [Answer("fft", "fft", fft, fft)]
        if who is not None:
            answers.append(Answer("who", "single_choice", who, None))
        for qid, (value, code) in (about or {}).items():
            answers.append(Answer(qid, "single_choice", value, code))
        store = InMemoryStore(*self.keys.sealers())
        for _ in range(n):
            store.add(
                ResponseRecord(
                    record_id=new_record_id(), survey_id="fft", survey_version=1,
                    language=language, variant="standard", answers=tuple(answers),
                    contact=None, started_at=when - 30, finished_at=when,
                    device_id=device.device_id, site_code=site, location_code=location,
                    flags=frozenset(flags),
                )
            )  # fmt: skip
        self._ingest(device, store.pending(n))

    def _ingest(self, device: Device, pending: list) -> None:
        for i in range(0, len(pending), 200):
            wire = [WireRecord.from_pending(p) for p in pending[i : i + 200]]
            batch = Batch(batch_id_for(wire), tuple(wire))
            body_sha = hashlib.sha256(batch.batch_id.encode()).hexdigest()
            result = self.record.ingest(device, batch, body_sha)
            assert {r.status for r in result.results} == {"accepted"}, result


@pytest.fixture
def central(db_url: str, central_keys: CentralKeys) -> Iterator[Central]:  # noqa: F811
    import json

    db, record, publisher = open_central(db_url, central_keys.dir)
    publisher.publish("*", "survey", json.loads(Path(FFT_SURVEY).read_text()), "fft.json")
    yield Central(db, record, central_keys)
    db.close()


def run_cli(argv: list[str]) -> int:
    """Run a report command exactly as `kiosk-central` does."""
    from central.cli import build_parser

    parser = build_parser()
    args = parser.parse_args(argv)
    return args.run(args)
