"""Several `kiosk-central serve` processes against one PostgreSQL: racing uploads of the same
records through both must still store each record exactly once, with exactly one "accepted"."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from central.cli import open_central
from tests.central.live import ROOT, CentralKeys, free_port, sealed_records
from tests.central.wire import batch_json

CLI = [sys.executable, "-m", "central.cli"]


def _serve(url: str, keys: Path, port: int) -> subprocess.Popen:
    return subprocess.Popen(
        [
            *CLI,
            "--keys-dir",
            str(keys),
            "--database-url",
            url,
            "serve",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
    )


def _wait(port: int, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert proc.poll() is None, "kiosk-central serve exited"
        try:
            requests.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=1)
            return
        except requests.ConnectionError:
            time.sleep(0.1)
    raise AssertionError("kiosk-central serve did not come up")


@pytest.mark.postgres
def test_two_service_processes_store_each_record_once(
    postgres_server, central_keys: CentralKeys
) -> None:
    url = postgres_server.new_database()
    ports = [free_port(), free_port()]
    procs = [_serve(url, central_keys.dir, p) for p in ports]  # both migrate at once
    try:
        for port, proc in zip(ports, procs, strict=True):
            _wait(port, proc)
        db, record, publisher = open_central(url, central_keys.dir)
        publisher.publish("*", "survey", json.loads((ROOT / "assets/surveys/fft.json").read_text()))
        code = record.create_enrol_code("REN", "ward-3")
        dev = requests.post(
            f"http://127.0.0.1:{ports[0]}/api/v1/enrol", json={"code": code}, timeout=10
        ).json()
        batches = [batch_json(sealed_records(central_keys, dev["device_id"], 40)) for _ in range(5)]

        def send(job: tuple[int, int]) -> list[str]:
            port, b = ports[job[0] % 2], batches[job[1]]
            resp = requests.post(
                f"http://127.0.0.1:{port}/api/v1/batches",
                json=b,
                timeout=60,
                headers={"Authorization": f"Bearer {dev['token']}"},
            )
            assert resp.status_code == 200, resp.text
            return [r["status"] for r in resp.json()["results"]]

        jobs = [(i, b) for b in range(5) for i in range(4)]  # each batch 4 times, via both
        with ThreadPoolExecutor(8) as pool:
            answers = Counter(s for result in pool.map(send, jobs) for s in result)
        assert answers == {"accepted": 200, "duplicate": 600}
        counts = record.counts()
        assert (counts["records"], counts["responses"], counts["answers"]) == (200, 200, 400)
        db.close()
    finally:
        for proc in procs:
            proc.terminate()
            proc.wait(10)
