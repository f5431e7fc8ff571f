"""Load: 500 concurrent simulated kiosks syncing against one central record on loopback.

    .venv/bin/python bench/load.py [--kiosks 500] [--responses 20] [--database-url URL]

Each kiosk (an asyncio task with httpx) is enrolled first, then, all at once, does what the agent
does in a round: pull content (ETag), upload its sealed responses in one gzip batch, send a
heartbeat. Prints throughput, p50/p99 latency per request kind, and errors (must be 0). The central
record is `kiosk-central serve` in its own process. Bounded: gives up after --deadline seconds.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[0] = str(ROOT)  # keep `import sync` meaning the package, not bench/sync.py

import httpx  # noqa: E402

from central.cli import open_central  # noqa: E402
from kiosk.store import InMemoryStore  # noqa: E402
from sync.agent import batch_id_for  # noqa: E402
from sync.protocol import Batch, WireRecord, gzip_bytes  # noqa: E402


def _bench_sync():  # type: ignore[no-untyped-def]
    """bench/sync.py's helpers (its name clashes with the sync package, so load it by path)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("bench_sync", ROOT / "bench" / "sync.py")
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


_helpers = _bench_sync()
record, sealers, start_central = _helpers.record, _helpers.sealers, _helpers.start_central


def pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[q - 1] if len(values) > 1 else values[0]


async def kiosk(
    client: httpx.AsyncClient,
    url: str,
    dev: dict,
    body: bytes,
    n: int,
    lat: dict[str, list[float]],
    errors: list[str],
) -> int:
    auth = {"Authorization": f"Bearer {dev['token']}"}
    steps = [
        ("content", "GET", "/api/v1/content", None, {}),
        (
            "batch",
            "POST",
            "/api/v1/batches",
            body,
            {"Content-Type": "application/json", "Content-Encoding": "gzip"},
        ),
        (
            "heartbeat",
            "POST",
            "/api/v1/heartbeat",
            json.dumps({"app_version": "bench", "pending": 0}).encode(),
            {"Content-Type": "application/json"},
        ),
    ]
    stored = 0
    for kind, method, path, data, headers in steps:
        t0 = time.perf_counter()
        try:
            resp = await client.request(
                method, url + path, content=data, headers={**auth, **headers}
            )
        except httpx.HTTPError as exc:
            errors.append(f"{kind}: {type(exc).__name__}")
            continue
        lat[kind].append(time.perf_counter() - t0)
        if resp.status_code >= 300:
            errors.append(f"{kind}: HTTP {resp.status_code}")
        elif kind == "batch":
            stored += sum(r["status"] == "accepted" for r in resp.json()["results"])
    return stored


async def enrol_all(url: str, codes: list[str]) -> list[dict]:
    async with httpx.AsyncClient(timeout=60, limits=httpx.Limits(max_connections=50)) as client:
        resps = await asyncio.gather(
            *(client.post(url + "/api/v1/enrol", json={"code": c}) for c in codes)
        )
    return [r.json() for r in resps]


def bodies_for(devs: list[dict], n: int) -> list[bytes]:
    out = []
    for dev in devs:
        store = InMemoryStore(*sealers(dev))
        for i in range(n):
            store.add(record(dev["device_id"], i, dev["location"]))
        wire = [WireRecord.from_pending(p) for p in store.pending(n)]
        batch = Batch(batch_id_for(wire), tuple(wire))
        out.append(gzip_bytes(json.dumps(batch.to_json(), separators=(",", ":")).encode()))
    return out


async def storm(
    url: str, devs: list[dict], bodies: list[bytes], n: int, deadline: float
) -> tuple[float, int, dict, list]:
    lat: dict[str, list[float]] = defaultdict(list)
    errors: list[str] = []
    limits = httpx.Limits(max_connections=len(devs), max_keepalive_connections=len(devs))
    async with httpx.AsyncClient(timeout=deadline, limits=limits) as client:
        t0 = time.perf_counter()
        stored = await asyncio.wait_for(
            asyncio.gather(
                *(
                    kiosk(client, url, d, b, n, lat, errors)
                    for d, b in zip(devs, bodies, strict=True)
                )
            ),
            deadline,
        )
        took = time.perf_counter() - t0
    return took, sum(stored), lat, errors


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--kiosks", type=int, default=500)
    ap.add_argument("--responses", type=int, default=20, help="responses each kiosk uploads")
    ap.add_argument("--database-url")
    ap.add_argument("--deadline", type=float, default=120.0)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="pv-load-") as tmp:
        data = Path(tmp) / "central"
        proc, url = start_central(data, args.database_url)
        try:
            db_url = args.database_url or f"sqlite:///{data.resolve() / 'central.sqlite'}"
            db, rec, _ = open_central(db_url, data / "keys")
            codes = [rec.create_enrol_code("REN", f"ward-{k % 40}") for k in range(args.kiosks)]
            devs = asyncio.run(enrol_all(url, codes))
            bodies = bodies_for(devs, args.responses)
            took, stored, lat, errors = asyncio.run(
                storm(url, devs, bodies, args.responses, args.deadline)
            )
            counted = rec.counts()["responses"]
            db.close()
        finally:
            proc.terminate()
            proc.wait(10)
    total = args.kiosks * args.responses
    requests_done = sum(len(v) for v in lat.values())
    print(
        f"load: {args.kiosks} concurrent kiosks x {args.responses} responses "
        f"({'PostgreSQL' if args.database_url else 'SQLite'}), one central process"
    )
    print(
        f"  {took:.2f} s: {stored / took:,.0f} responses/s stored, "
        f"{requests_done / took:,.0f} requests/s"
    )
    for kind, values in lat.items():
        print(
            f"  {kind:9} n={len(values):4}  p50 {pct(values, 50) * 1000:7.0f} ms  "
            f"p99 {pct(values, 99) * 1000:7.0f} ms"
        )
    print(
        f"  stored exactly once: {counted} of {total} in the reporting table; errors: {len(errors)}"
        + (f" e.g. {errors[:3]}" if errors else "")
    )


if __name__ == "__main__":
    main()
