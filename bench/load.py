"""Load: 500 concurrent simulated kiosks syncing against one central record on loopback.

    .venv/bin/python bench/load.py [--kiosks 500] [--responses 20] [--database-url URL]

Each kiosk (an asyncio task with its own keep-alive connection) is enrolled first, then, all
at once, does what the agent does in a round: pull content (ETag), upload its sealed responses
in one gzip batch, send a heartbeat. Prints throughput, p50/p99 latency per request kind, and
errors (must be 0). The central record is `kiosk-central serve` in its own process.
Bounded: gives up after --deadline seconds.
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


import requests  # noqa: E402

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


class Connection:
    """A minimal HTTP/1.1 keep-alive client on asyncio streams: one per simulated kiosk.
    (httpx with 500 connections costs more CPU than the server on this 2-core machine, so the
    figures would measure the load generator, not the central record.)"""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(self, method: str, path: str, body: bytes | None,
                      headers: dict[str, str]) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        head = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}",
                *(f"{k}: {v}" for k, v in headers.items())]
        if body is not None:
            head.append(f"Content-Length: {len(body)}")
        self.writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + (body or b""))
        await self.writer.drain()
        status_line = await self.reader.readline()
        length = 0
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            if name.strip().lower() == "content-length":
                length = int(value)
        return int(status_line.split()[1]), await self.reader.readexactly(length)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


async def kiosk(host: str, port: int, dev: dict, body: bytes, lat: dict[str, list[float]],
                errors: list[str]) -> int:
    auth = {"Authorization": f"Bearer {dev['token']}"}
    heartbeat = json.dumps({"app_version": "bench", "pending": 0}).encode()
    steps = [
        ("content", "GET", "/api/v1/content", None, {}),
        ("batch", "POST", "/api/v1/batches", body,
         {"Content-Type": "application/json", "Content-Encoding": "gzip"}),
        ("heartbeat", "POST", "/api/v1/heartbeat", heartbeat, {"Content-Type": "application/json"}),
    ]  # fmt: skip
    conn, stored = Connection(host, port), 0
    for kind, method, path, data, headers in steps:
        t0 = time.perf_counter()
        try:
            status, answer = await conn.request(method, path, data, {**auth, **headers})
        except (OSError, asyncio.IncompleteReadError, ValueError, IndexError) as exc:
            errors.append(f"{kind}: {type(exc).__name__}")
            conn.close()
            conn = Connection(host, port)
            continue
        lat[kind].append(time.perf_counter() - t0)
        if status >= 300:
            errors.append(f"{kind}: HTTP {status}")
        elif kind == "batch":
            stored += sum(r["status"] == "accepted" for r in json.loads(answer)["results"])
    conn.close()
    return stored


def enrol_all(url: str, codes: list[str]) -> list[dict]:
    """Enrolment is set-up, not measured: done sequentially, through the real endpoint."""
    session = requests.Session()
    return [session.post(url + "/api/v1/enrol", json={"code": c}, timeout=60).json() for c in codes]


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


async def storm(url: str, devs: list[dict], bodies: list[bytes],
                deadline: float) -> tuple[float, int, dict, list]:
    lat: dict[str, list[float]] = defaultdict(list)
    errors: list[str] = []
    host, port = url.removeprefix("http://").split(":")
    t0 = time.perf_counter()
    stored = await asyncio.wait_for(asyncio.gather(*(
        kiosk(host, int(port), d, b, lat, errors) for d, b in zip(devs, bodies, strict=True)
    )), deadline)  # fmt: skip
    return time.perf_counter() - t0, sum(stored), lat, errors


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--kiosks", type=int, default=500)
    ap.add_argument("--responses", type=int, default=20, help="responses each kiosk uploads")
    ap.add_argument("--database-url")
    ap.add_argument("--deadline", type=float, default=120.0)
    ap.add_argument("--workers", type=int, default=1, help="service processes")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="pv-load-") as tmp:
        data = Path(tmp) / "central"
        proc, url = start_central(data, args.database_url, args.workers)
        try:
            db_url = args.database_url or f"sqlite:///{data.resolve() / 'central.sqlite'}"
            db, rec, _ = open_central(db_url, data / "keys")
            codes = [rec.create_enrol_code("REN", f"ward-{k % 40}") for k in range(args.kiosks)]
            devs = enrol_all(url, codes)
            bodies = bodies_for(devs, args.responses)
            took, stored, lat, errors = asyncio.run(
                storm(url, devs, bodies, args.deadline)
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
        f"({'PostgreSQL' if args.database_url else 'SQLite'}), {args.workers} service process(es)"
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
