"""Benchmark: 10,000 queued responses from one kiosk store to the central record, end to end.

    .venv/bin/python bench/sync.py [--responses 10000] [--batch 500]
                                   [--database both|sqlite|postgres] [--database-url URL]

The kiosk side is the real SealedStore (SQLite, WAL, synchronous=FULL) filled before timing; the
central record is `kiosk-central serve` in its own process, on SQLite (FULL sync) and on a real
PostgreSQL server started here with its durable defaults (fsync on, synchronous_commit on; the
tests' helper, tests/central/live.py). Timed: the Submitter draining the store (gzip JSON batches
over loopback HTTP, decrypt + validate + store at the central record, mark sent, purge), i.e.
durably stored on both sides. Baseline, in the same run: the same batch bytes posted to a trivial
endpoint of the same server (/api/v1/bench/discard: authenticate, read the body, store nothing).
Prints figures and the target (>= 5,000 responses/s on each database); asserts none.
"""

from __future__ import annotations

import argparse
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if __name__ == "__main__":
    sys.path[0] = str(ROOT)  # this file is bench/sync.py: keep `import sync` meaning the package

import requests  # noqa: E402

from kiosk.crypto import PublicKey, Sealer  # noqa: E402
from kiosk.record import Answer, ResponseRecord, new_record_id  # noqa: E402
from kiosk.store import SealedStore  # noqa: E402
from sync.agent import Submitter, Uploader, batch_id_for  # noqa: E402
from sync.client import CentralClient  # noqa: E402
from sync.protocol import WireRecord, batch_body  # noqa: E402


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cli(data: Path, *args: str, db: str | None = None) -> list[str]:
    extra = ["--database-url", db] if db else []
    return [sys.executable, "-m", "central.cli", "--data-dir", str(data), *extra, *args]


def start_central(data: Path, db: str | None = None,
                  workers: int = 1) -> tuple[subprocess.Popen, str]:
    """keygen + publish the FFT survey + serve in a separate process; returns (process, url)."""
    subprocess.run(cli(data, "keygen", db=db), cwd=ROOT, check=True, capture_output=True)
    subprocess.run(
        cli(
            data,
            "content",
            "set",
            "--location",
            "*",
            "--survey",
            str(ROOT / "assets/surveys/fft.json"),
            db=db,
        ),
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    port = free_port()
    proc = subprocess.Popen(
        cli(data, "serve", "--port", str(port), "--bench", "--log-level", "warning",
            "--workers", str(workers), db=db),
        cwd=ROOT,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            requests.get(url + "/api/v1/health", timeout=1)
            time.sleep(0.5 if workers > 1 else 0)  # let every worker finish starting
            return proc, url
        except requests.ConnectionError:
            time.sleep(0.05)
    proc.kill()
    raise SystemExit("the central record did not start")


def enrol(data: Path, url: str, location: str = "ward-3", db: str | None = None) -> dict:
    code = subprocess.run(
        cli(data, "enrol", "--location", location, "--site", "REN", db=db),
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    return requests.post(url + "/api/v1/enrol", json={"code": code}, timeout=10).json()


def record(device_id: str, i: int, location: str = "ward-3") -> ResponseRecord:
    now = time.time()
    answers = (
        Answer("fft", "fft", 1 + i % 6, 1 + i % 6),
        Answer(
            "why", "free_text", f"Response {i}: the staff were kind and the ward was clean.", None
        ),
        Answer("who", "single_choice", "patient", None),
    )
    return ResponseRecord(
        new_record_id(),
        "fft",
        1,
        "en",
        "standard",
        answers,
        None,
        now - 90,
        now,
        device_id,
        "REN",
        location,
    )


def sealers(dev: dict) -> tuple[Sealer, Sealer]:
    return (
        Sealer(PublicKey.from_text(dev["responses_key"]), "responses"),
        Sealer(PublicKey.from_text(dev["contacts_key"]), "contacts"),
    )


TARGET = 5_000  # responses/s end to end, on each database (issue 17)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--responses", type=int, default=10_000)
    ap.add_argument("--batch", type=int, default=500)
    ap.add_argument("--database", choices=("both", "sqlite", "postgres"), default="both")
    ap.add_argument("--database-url", help="an existing central database instead (PostgreSQL)")
    args = ap.parse_args()
    if args.database_url:
        bench_one("given database", args.database_url, args)
        return
    if args.database in ("both", "sqlite"):
        bench_one("SQLite", None, args)
    if args.database in ("both", "postgres"):
        from tests.central.live import PostgresServer

        server = PostgresServer(durable=True).start()
        try:
            bench_one("PostgreSQL", server.new_database(), args)
        finally:
            server.stop()


def bench_one(name: str, db: str | None, args: argparse.Namespace) -> None:
    print(f"--- {name}")
    with tempfile.TemporaryDirectory(prefix="pv-bench-") as tmp:
        data = Path(tmp) / "central"
        proc, url = start_central(data, db)
        try:
            run(Path(tmp), data, url, db, args)
        finally:
            proc.terminate()
            proc.wait(10)


def run(tmp: Path, data: Path, url: str, db: str | None, args: argparse.Namespace) -> None:
    dev = enrol(data, url, db=db)
    store = SealedStore(tmp / "kiosk" / "responses.sqlite", *sealers(dev))
    t0 = time.perf_counter()
    for i in range(args.responses):
        store.add(record(dev["device_id"], i))
    fill = time.perf_counter() - t0
    print(
        f"kiosk store filled: {args.responses} responses sealed and stored durably in {fill:.1f} s "
        f"({args.responses / fill:,.0f}/s, not part of the sync figure)"
    )

    pending = store.pending(args.responses)
    bodies = []
    for i in range(0, len(pending), args.batch):
        wire = [WireRecord.from_pending(p) for p in pending[i : i + args.batch]]
        bodies.append(batch_body(batch_id_for(wire), [w.to_json() for w in wire]))
    session = requests.Session()
    headers = {
        "Authorization": f"Bearer {dev['token']}",
        "Content-Type": "application/json",
        "Content-Encoding": "gzip",
    }
    t0 = time.perf_counter()
    for body in bodies:
        resp = session.post(url + "/api/v1/bench/discard", data=body, headers=headers, timeout=60)
        assert resp.status_code == 204, resp.text
    base = time.perf_counter() - t0

    client = CentralClient(url, dev["token"], session=requests.Session())
    submitter = Submitter(store, Uploader(client), batch_size=args.batch)
    t0 = time.perf_counter()
    report = submitter.submit_all()
    took = time.perf_counter() - t0
    assert store.count_pending() == 0 and report.counts == {"accepted": args.responses}, report
    mb = sum(len(b) for b in bodies) / 2**20
    rate = args.responses / took
    print(
        f"baseline  same {len(bodies)} batch bodies ({mb:.1f} MiB gzip) to a trivial endpoint: "
        f"{base:.2f} s = {args.responses / base:,.0f} responses/s"
    )
    print(
        f"sync      {args.responses} responses end to end (central: decrypt + reporting rows, "
        f"durable; kiosk: marked sent + purged): {took:.2f} s = {rate:,.0f} responses/s"
    )
    print(
        f"overhead  sync takes {took / base:.1f}x the bare transfer; target >= {TARGET:,}"
        f" responses/s: {'met' if rate >= TARGET else 'NOT met'}"
    )
    store.close()


if __name__ == "__main__":
    main()
