"""Chaos: 20 simulated kiosks x 500 responses through a fault-injecting proxy, with the central
record (a real `kiosk-central serve` process) killed with SIGKILL mid-run and started again.
Every response must be stored exactly once, and the test counts them. SQLite and PostgreSQL."""

from __future__ import annotations

import json
import random
import threading
import time
from collections.abc import Iterator

import pytest
import requests

from kiosk.store import InMemoryStore
from sync.agent import Backoff, SyncAgent
from sync.client import CentralClient
from sync.runner import SyncRunner
from tests.central.live import FFT_SURVEY, CentralKeys, CentralProcess, make_record
from tests.sync.faults import FaultProxy

KIOSKS, RESPONSES, BATCH = 20, 500, 50
WEIGHTS = {
    "pass": 50,
    "reset": 8,
    "error500": 8,
    "busy503": 5,
    "timeout": 3,
    "slow": 12,
    "ack_lost": 14,
}


@pytest.fixture
def central(db_url: str, central_keys: CentralKeys) -> Iterator[CentralProcess]:
    proc = CentralProcess(db_url, central_keys)
    proc.publisher.publish("*", "survey", json.loads(FFT_SURVEY.read_text()))
    yield proc.start()
    proc.stop()


def _enrol(central: CentralProcess, location: str) -> dict:
    code = central.record.create_enrol_code("REN", location)
    return requests.post(f"{central.url}/api/v1/enrol", json={"code": code}, timeout=10).json()


@pytest.mark.slow
def test_every_response_arrives_exactly_once_whatever_the_network_does(
    central: CentralProcess,
) -> None:
    rng = random.Random(20261126)
    fates, weights = list(WEIGHTS), list(WEIGHTS.values())
    proxy = FaultProxy(
        central.port,
        lambda request: rng.choices(fates, weights)[0],
        timeout_hold=3.5,
        slow_delay=0.4,
    )
    runners, stores, all_ids = [], [], set()
    for k in range(KIOSKS):
        dev = _enrol(central, f"ward-{k}")
        store = InMemoryStore(*central.keys.sealers())
        for i in range(RESPONSES):
            all_ids.add(
                store.add(
                    make_record(
                        dev["device_id"], comment=f"k{k} r{i}", fft=1 + i % 6, location=f"ward-{k}"
                    )
                )
            )
        client = CentralClient(proxy.url, dev["token"], timeout=(2.0, 3.0))
        agent = SyncAgent(store, client, batch_size=BATCH)
        runners.append(
            SyncRunner(agent, interval=0.2, probe_interval=0.2, backoff=Backoff(base=0.05, cap=1.0))
        )
        stores.append(store)
    assert len(all_ids) == KIOSKS * RESPONSES

    started = time.monotonic()
    for r in runners:
        r.start()
    time.sleep(2.0)
    central.kill()  # the central record dies mid-storm, transactions in flight...
    time.sleep(0.5)
    central.start()  # ...and comes back
    restarted = True
    deadline = started + 80
    while any(s.count_pending() for s in stores) and time.monotonic() < deadline:
        time.sleep(0.1)
    for r in runners:
        r.stop(timeout=1)
    elapsed = time.monotonic() - started
    for r in runners:
        r.stop(timeout=10)
    proxy.close()

    pending = sum(s.count_pending() for s in stores)
    counts = central.record.counts()
    with central.db.transaction() as tx:
        stored = [r[0] for r in tx.all("SELECT record_id FROM responses")]
        statuses = dict(tx.all("SELECT status, COUNT(*) FROM records GROUP BY status"))
    print(
        f"\nchaos: {len(stored)} responses stored in {elapsed:.1f} s; faults {dict(proxy.fates)};"
        f" restart={restarted}"
    )
    assert pending == 0, f"{pending} responses still on the kiosks after {elapsed:.0f} s"
    assert len(stored) == len(set(stored)) == KIOSKS * RESPONSES  # exactly once, counted
    assert set(stored) == all_ids
    assert counts["records"] == KIOSKS * RESPONSES and counts["conflicts"] == 0
    assert statuses == {"ingested": KIOSKS * RESPONSES}
    assert all(proxy.fates[f] > 0 for f in WEIGHTS), proxy.fates  # every fault really happened
    assert not any(t.name == "sync-agent" for t in threading.enumerate() if t.is_alive())
