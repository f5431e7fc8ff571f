"""Benchmark: seal + durable insert per response, against a plain insert of the same bytes.

    .venv/bin/python bench/store.py [--n 2000] [--dir DIR]

Both sides run in the same process, alternating insert by insert so that other load on the
machine hits them alike: the real ``SealedStore.add`` (JSON, two HPKE ML-KEM-768+X25519 seals, one
WAL transaction with synchronous=FULL) and a plain sqlite-utils insert of a row with the same
columns and the same byte sizes, with the same durability (WAL, synchronous=FULL, one transaction
per insert). Target: sealed p95 within 2x of plain and under 5 ms. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlite_utils import Database  # noqa: E402

from kiosk.crypto import PrivateKey, Sealer  # noqa: E402
from kiosk.record import Answer, ResponseRecord, new_record_id  # noqa: E402
from kiosk.store import STORE_FILENAME, SealedStore  # noqa: E402

COMMENT = (
    "The staff on the ward were kind and explained everything, but the wait for the "
    "discharge letter was long and nobody told us why. "
) * 2


def make_record(i: int) -> ResponseRecord:
    answers = (
        Answer("fft", "fft", 1 + i % 6, 1 + i % 6),
        Answer("why", "free_text", COMMENT),
        Answer("who", "single_choice", "patient"),
    )
    contact = None
    if i % 10 == 0:  # about one person in ten asks to be contacted
        contact = {
            "contact": {
                "name": "Alex Example",
                "method": "phone",
                "value": "07700 900123",
                "needs": ["large_print"],
            }
        }
    now = time.time()
    return ResponseRecord(
        new_record_id(),
        "fft",
        3,
        "en",
        "standard",
        answers,
        contact,
        now - 90,
        now,
        "kiosk-0007",
        "REN",
        "ward-3",
    )


def plain_db(path: Path) -> Database:
    db = Database(sqlite3.connect(path), execute_plugins=False)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    db["responses"].create(
        {
            "record_id": str,
            "survey_id": str,
            "survey_version": int,
            "location_code": str,
            "created_hour": str,
            "state": str,
            "key_id": str,
            "sealed": bytes,
            "contact_key_id": str,
            "sealed_contact": bytes,
        },
        pk="record_id",
    )
    return db


def plain_row(sizes: tuple[int, int | None]) -> dict:
    sealed, contact = sizes
    return {
        "record_id": new_record_id(),
        "survey_id": "fft",
        "survey_version": 3,
        "location_code": "ward-3",
        "created_hour": "2026-11-26T10",
        "state": "pending",
        "key_id": "0123456789abcdef",
        "sealed": os.urandom(sealed),
        "contact_key_id": None if contact is None else "fedcba9876543210",
        "sealed_contact": None if contact is None else os.urandom(contact),
    }


def percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    pick = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))]  # noqa: E731
    return {
        "p50": pick(0.50),
        "p95": pick(0.95),
        "p99": pick(0.99),
        "mean": statistics.fmean(ordered),
        "max": ordered[-1],
    }


def show(label: str, samples: list[float]) -> dict[str, float]:
    p = percentiles(samples)
    print(f"  {label:<34} " + "  ".join(f"{k} {v * 1000:6.3f} ms" for k, v in p.items()))
    return p


def run(n: int, directory: Path) -> None:
    responses = Sealer(PrivateKey.generate().public_key(), "responses")
    contacts = Sealer(PrivateKey.generate().public_key(), "contacts")
    store = SealedStore(directory / STORE_FILENAME, responses, contacts)
    plain = plain_db(directory / "plain.sqlite")
    sealed_t: list[float] = []
    plain_t: list[float] = []
    seal_only: list[float] = []
    for i in range(n + 50):  # the first 50 warm caches and are not counted
        record = make_record(i)
        t0 = time.perf_counter()
        store.add(record)
        t1 = time.perf_counter()
        item = store.pending(1) if i == 0 else None  # sizes of a real sealed row
        if item:
            sealed_size = len(item[0].sealed)
            contact_size = len(item[0].sealed_contact or b"")
        row = plain_row((sealed_size, contact_size if record.contact else None))
        t2 = time.perf_counter()
        with plain.atomic():
            plain["responses"].insert(row)
        t3 = time.perf_counter()
        responses.seal(b"x" * sealed_size, record.record_id)
        t4 = time.perf_counter()
        if i >= 50:
            sealed_t.append(t1 - t0)
            plain_t.append(t3 - t2)
            seal_only.append(t4 - t3)
    store.close()
    plain.close()
    print(
        f"store benchmark: {n} inserts each, alternating, in {directory} "
        f"(sealed row {sealed_size} B, contact blob {contact_size} B on 1 in 10)"
    )
    s = show("sealed add (seal + durable insert)", sealed_t)
    p = show("plain insert, same bytes/durability", plain_t)
    show("one seal alone (no disk)", seal_only)
    ratio = s["p95"] / p["p95"]
    print(
        f"  p95 ratio sealed/plain: {ratio:.2f}x  (target <= 2x: "
        f"{'met' if ratio <= 2 else 'NOT met'}; p95 < 5 ms: "
        f"{'met' if s['p95'] < 0.005 else 'NOT met'})"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=2000, help="inserts per side (default 2000)")
    parser.add_argument(
        "--dir",
        type=Path,
        help="where to put the two databases (default: a temporary directory, removed afterwards)",
    )
    args = parser.parse_args()
    if args.dir:
        args.dir.mkdir(parents=True, exist_ok=True)
        run(args.n, args.dir)
    else:
        with tempfile.TemporaryDirectory(prefix="pv-bench-store-") as tmp:
            run(args.n, Path(tmp))
    return 0


if __name__ == "__main__":
    sys.exit(main())
