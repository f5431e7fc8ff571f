"""Opening batches in worker processes (central/opening.py): the same answers as in the calling
thread, a malformed batch refused whole with the first problem, and no worker outliving a
SIGKILLed service."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from central.cli import open_central
from central.ingest import Ingested, Rejection
from central.opening import IN_THREAD_BELOW, Opener
from sync.protocol import Batch, WireError
from tests.central.live import FFT_SURVEY, ROOT, CentralKeys, sealed_records
from tests.central.wire import batch_json

DEVICE = "d" * 32
SURVEYS = {("fft", 1)}
N = 3 * IN_THREAD_BELOW


def _summary(opened: list) -> list[tuple]:
    out = []
    for o in opened:
        got = o.result
        detail = (got.response, got.answers) if isinstance(got, Ingested) else got.reason
        out.append((o.record, o.digest, type(got).__name__, detail))
    return out


@pytest.fixture
def records(central_keys: CentralKeys) -> list[dict]:
    good = sealed_records(central_keys, DEVICE, N - 4)
    unknown_version = sealed_records(central_keys, DEVICE, 2, survey_version=7)
    other_device = sealed_records(central_keys, "e" * 32, 2)
    return batch_json([*good[:10], *unknown_version, *good[10:], *other_device])["records"]


def test_worker_processes_answer_exactly_as_the_calling_thread(
    central_keys: CentralKeys, records: list[dict]
) -> None:
    keys = {central_keys.responses.public_key().key_id: central_keys.responses}
    in_thread = Opener(keys, processes=0).open(records, (DEVICE,), SURVEYS)
    pool = Opener(keys, processes=2)
    try:
        in_workers = pool.open(records, (DEVICE,), SURVEYS)
    finally:
        pool.close()
    assert _summary(in_workers) == _summary(in_thread)
    reasons = [o.result.reason for o in in_workers if isinstance(o.result, Rejection)]
    assert sorted(reasons) == ["unknown_survey_version"] * 2 + ["wrong_device"] * 2
    assert [o.record.record_id for o in in_workers] == [r["record_id"] for r in records]


@pytest.mark.parametrize("bad", [3, N - 1])
def test_a_malformed_record_refuses_the_batch_naming_the_first_problem(
    central_keys: CentralKeys, records: list[dict], bad: int
) -> None:
    records[bad]["created_hour"] = "2026-02-30T10"
    records[N - 2]["key_id"] = "not hex"  # a later problem: never the one reported
    with pytest.raises(WireError) as sequential:
        Batch.from_json({"protocol": 1, "batch_id": "a" * 32, "records": records})
    keys = {central_keys.responses.public_key().key_id: central_keys.responses}
    pool = Opener(keys, processes=2)
    try:
        with pytest.raises(WireError) as pooled:
            pool.open(records, (DEVICE,), SURVEYS)
    finally:
        pool.close()
    assert (pooled.value.code, pooled.value.status) == ("bad_value", 400)
    assert str(pooled.value) == str(sequential.value)
    assert f"batch.records[{min(bad, N - 2)}]" in str(pooled.value)


def test_the_service_with_worker_processes_stores_nothing_of_a_malformed_batch(
    tmp_path: Path, central_keys: CentralKeys, records: list[dict]
) -> None:
    db, record, publisher = open_central(f"sqlite:///{tmp_path / 'c.sqlite'}",
                                         central_keys.dir, processes=2)  # fmt: skip
    try:
        publisher.publish("*", "survey", json.loads(FFT_SURVEY.read_text()))
        device = record.authenticate(record.enrol(record.create_enrol_code("REN", "w")).token)
        bad = [*records, dict(records[0])]  # the same record id twice
        with pytest.raises(WireError, match="duplicate_record_id"):
            record.ingest_json(device, {"protocol": 1, "batch_id": "b" * 32, "records": bad}, "x")
        counts = record.counts()
        assert counts.pop("devices") == 1 and set(counts.values()) == {0}
        # The records were sealed for DEVICE: this device's identity differs, so all are
        # quarantined, but every one is answered and stored once.
        result = record.ingest_json(device, {"protocol": 1, "batch_id": "c" * 32,
                                             "records": records}, "y")  # fmt: skip
        assert [r.status for r in result.results] == ["rejected"] * N
        assert record.counts()["records"] == N
    finally:
        record.close()
        db.close()


def test_a_dead_worker_process_costs_no_batch(
    central_keys: CentralKeys, records: list[dict]
) -> None:
    keys = {central_keys.responses.public_key().key_id: central_keys.responses}
    expected = _summary(Opener(keys, processes=0).open(records, (DEVICE,), SURVEYS))
    pool = Opener(keys, processes=2)
    try:
        pool.start()
        victim = next(iter(pool._pool._processes))
        os.kill(victim, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while _alive(victim) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _summary(pool.open(records, (DEVICE,), SURVEYS)) == expected  # opened here
        assert _summary(pool.open(records, (DEVICE,), SURVEYS)) == expected  # by new workers
        assert victim not in pool._pool._processes
    finally:
        pool.close()


WORKERS_THEN_WAIT = """
import os, sys, time
from central.opening import Opener
from kiosk.crypto import PrivateKey
opener = Opener({"k": PrivateKey.generate()}, processes=2)
opener.start()
print(" ".join(str(p) for p in opener._pool._processes), flush=True)
time.sleep(60)
"""


def test_worker_processes_leave_when_the_service_is_killed() -> None:
    proc = subprocess.Popen([sys.executable, "-c", WORKERS_THEN_WAIT], cwd=ROOT,
                            stdout=subprocess.PIPE, text=True)  # fmt: skip
    workers = [int(p) for p in proc.stdout.readline().split()]
    assert len(workers) == 2 and all(_alive(p) for p in workers)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(10)
    deadline = time.monotonic() + 10
    while any(_alive(p) for p in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(_alive(p) for p in workers), "a worker outlived its SIGKILLed parent"


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"
