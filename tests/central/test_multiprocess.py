"""Several `kiosk-central serve` processes against one PostgreSQL: racing uploads of the same
records through both must still store each record exactly once, with exactly one "accepted"."""
from __future__ import annotations

import json
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from tests.central.live import ROOT, CentralKeys, CentralProcess, sealed_records
from tests.central.wire import batch_json


@pytest.mark.postgres
def test_two_service_processes_store_each_record_once(postgres_server,
                                                      central_keys: CentralKeys) -> None:
    url = postgres_server.new_database()
    centrals = [CentralProcess(url, central_keys), CentralProcess(url, central_keys)]
    try:
        for c in centrals:
            c.start()
        record, publisher = centrals[0].record, centrals[0].publisher
        publisher.publish("*", "survey", json.loads((ROOT / "assets/surveys/fft.json").read_text()))
        code = record.create_enrol_code("REN", "ward-3")
        dev = requests.post(f"{centrals[0].url}/api/v1/enrol", json={"code": code},
                            timeout=10).json()
        batches = [batch_json(sealed_records(central_keys, dev["device_id"], 40)) for _ in range(5)]

        def send(job: tuple[int, int]) -> list[str]:
            central, body = centrals[job[0] % 2], batches[job[1]]
            resp = requests.post(f"{central.url}/api/v1/batches", json=body, timeout=60,
                                 headers={"Authorization": f"Bearer {dev['token']}"})
            assert resp.status_code == 200, resp.text
            return [r["status"] for r in resp.json()["results"]]

        jobs = [(i, b) for b in range(5) for i in range(4)]  # each batch 4 times, via both
        with ThreadPoolExecutor(8) as pool:
            answers = Counter(s for result in pool.map(send, jobs) for s in result)
        assert answers == {"accepted": 200, "duplicate": 600}
        counts = record.counts()
        assert (counts["records"], counts["responses"], counts["answers"]) == (200, 200, 400)
    finally:
        for c in centrals:
            c.stop()


def test_serve_with_two_workers_on_one_sqlite_file(tmp_path, central_keys: CentralKeys) -> None:
    central = CentralProcess(f"sqlite:///{tmp_path / 'central.sqlite'}", central_keys, workers=2)
    try:
        central.publisher.publish("*", "survey",
                                  json.loads((ROOT / "assets/surveys/fft.json").read_text()))
        central.start()
        code = central.record.create_enrol_code("REN", "ward-3")
        dev = None
        for _ in range(100):  # the workers may still be starting
            try:
                dev = requests.post(f"{central.url}/api/v1/enrol", json={"code": code},
                                    timeout=10).json()
                break
            except requests.ConnectionError:
                time.sleep(0.1)
        body = batch_json(sealed_records(central_keys, dev["device_id"], 30))

        def send(_: int) -> list[str]:
            resp = requests.post(f"{central.url}/api/v1/batches", json=body, timeout=60,
                                 headers={"Authorization": f"Bearer {dev['token']}"})
            assert resp.status_code == 200, resp.text
            return [r["status"] for r in resp.json()["results"]]

        with ThreadPoolExecutor(6) as pool:
            answers = Counter(s for result in pool.map(send, range(6)) for s in result)
        assert answers == {"accepted": 30, "duplicate": 150}
        assert central.record.counts()["responses"] == 30
    finally:
        central.stop()
