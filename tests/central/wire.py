"""Small HTTP helpers for the central tests: raw requests, so bad input can be sent on purpose."""

from __future__ import annotations

import gzip
import json
from typing import Any

import requests

from sync.agent import batch_id_for
from sync.protocol import Batch, WireRecord
from tests.central.live import LiveCentral


def enrol(central: LiveCentral, **kw: str) -> dict:
    code = central.enrol(**kw)
    resp = requests.post(f"{central.url}/api/v1/enrol", json={"code": code}, timeout=10)
    assert resp.status_code == 201, resp.text
    return resp.json()


def batch_json(pending: list[Any]) -> dict:
    records = [WireRecord.from_pending(p) for p in pending]
    return Batch(batch_id_for(records), tuple(records)).to_json()


def post_batch(
    central: LiveCentral,
    token: str,
    body: Any,
    *,
    raw: bytes | None = None,
    gzipped: bool = True,
    headers: dict | None = None,
) -> requests.Response:
    data = raw if raw is not None else json.dumps(body).encode()
    if gzipped and raw is None:
        data = gzip.compress(data)
    all_headers = {
        "Authorization": f"Bearer {token}",
        "Content-Type": "application/json",
        **({"Content-Encoding": "gzip"} if gzipped else {}),
        **(headers or {}),
    }
    return requests.post(
        f"{central.url}/api/v1/batches", data=data, headers=all_headers, timeout=30
    )


def error_code(resp: requests.Response) -> str:
    return resp.json()["error"]["code"]


def statuses(resp: requests.Response) -> list[str]:
    assert resp.status_code == 200, resp.text
    return [r["status"] for r in resp.json()["results"]]
