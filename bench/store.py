"""Benchmark: seal + durable insert per response, against a plain insert of the same bytes.

    .venv/bin/python bench/store.py [--n 2000] [--runs 3] [--dir DIR]

All sides run in the same process, interleaved insert by insert (the order rotates) so that other
load on the machine hits them alike:

* sealed add: the real ``SealedStore.add`` (JSON, HPKE ML-KEM-768+X25519 seal to the responses
  key, a second seal to the contacts key for the 1 in 10 who leave details, one WAL transaction
  with synchronous=FULL and secure_delete on).
* plain insert: the same bytes (random, of the sealed sizes) through the store's own insert path
  into a second store file: same schema and index, same pragmas, same transaction. The ratio
  sealed/plain is what sealing costs on top of storing; target <= 2x at p95.
* old baseline: what this bench compared against before issue 17: a sqlite-utils insert into a
  table without the store's index or secure_delete. Printed so old and new figures compare.

The breakdown times each part of ``add()`` alone on the same records: encode (the two payloads to
canonical JSON), seal (the HPKE seals of those bytes, nothing stored) and insert (the plain
insert above). With ``--runs`` > 1 the medians over runs are printed last. Asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlite_utils import Database  # noqa: E402

from kiosk.crypto import PrivateKey, Sealer  # noqa: E402
from kiosk.record import Answer, ResponseRecord, new_record_id  # noqa: E402
from kiosk.store import STORE_FILENAME, PendingRecord, SealedStore, encode_payloads  # noqa: E402

COMMENT = (
    "The staff on the ward were kind and explained everything, but the wait for the "
    "discharge letter was long and nobody told us why. "
) * 2
WARM_UP = 50  # the first inserts warm caches and are not counted


def make_record(i: int) -> ResponseRecord:
    answers = (
        Answer("fft", "fft", 1 + i % 6, 1 + i % 6),
        Answer("why", "free_text", COMMENT),
        Answer("who", "single_choice", "patient"),
    )
    contact = None
    if i % 10 == 0:  # about one person in ten asks to be contacted
        contact = {"contact": {"name": "Alex Example", "method": "phone",
                               "value": "07700 900123", "needs": ["large_print"]}}
    now = time.time()
    return ResponseRecord(new_record_id(), "fft", 3, "en", "standard", answers, contact,
                          now - 90, now, "kiosk-0007", "REN", "ward-3")


def plain_item(sealed: int, contact: int | None) -> PendingRecord:
    return PendingRecord(
        record_id=new_record_id(), survey_id="fft", survey_version=3, location_code="ward-3",
        created_hour="2026-11-26T10", key_id="0123456789abcdef", sealed=os.urandom(sealed),
        contact_key_id=None if contact is None else "fedcba9876543210",
        sealed_contact=None if contact is None else os.urandom(contact))


def old_baseline_db(path: Path) -> Database:
    """The pre-issue-17 baseline: no index, no secure_delete, sqlite-utils insert per row."""
    db = Database(sqlite3.connect(path), execute_plugins=False)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    db["responses"].create({
        "record_id": str, "survey_id": str, "survey_version": int, "location_code": str,
        "created_hour": str, "state": str, "key_id": str, "sealed": bytes,
        "contact_key_id": str, "sealed_contact": bytes}, pk="record_id")
    return db


def timed(fn: Callable[[], object]) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


@dataclass
class Sides:
    store: SealedStore
    plain: SealedStore
    old: Database
    responses: Sealer
    contacts: Sealer
    sealed_size: int
    contact_size: int

    def one_round(self, i: int) -> dict[str, float]:
        """Every side once (order rotating with i), then the parts of add() alone."""
        record = make_record(i)
        item = plain_item(self.sealed_size, self.contact_size if record.contact else None)
        row = {**item.__dict__, "record_id": new_record_id(), "state": "pending"}

        def old_insert() -> None:
            with self.old.atomic():
                self.old["responses"].insert(row)

        sides = [("sealed", lambda: self.store.add(record)),
                 ("plain", lambda: self.plain._insert(item)), ("old", old_insert)]
        shift = i % len(sides)
        took = {name: timed(fn) for name, fn in sides[shift:] + sides[:shift]}
        t0 = time.perf_counter()
        anonymous, contact = encode_payloads(record)
        t1 = time.perf_counter()
        self.responses.seal(anonymous, record.record_id)
        if contact is not None:
            self.contacts.seal(contact, record.record_id)
        took.update(encode=t1 - t0, seal=time.perf_counter() - t1)
        return took


def run(n: int, directory: Path) -> dict[str, dict[str, float]]:
    responses = Sealer(PrivateKey.generate().public_key(), "responses")
    contacts = Sealer(PrivateKey.generate().public_key(), "contacts")
    store = SealedStore(directory / STORE_FILENAME, responses, contacts)
    store.add(make_record(0))
    [first] = store.pending(1)  # sizes of a real sealed row, with and without contact details
    sides = Sides(store, SealedStore(directory / "plain.sqlite", responses, contacts),
                  old_baseline_db(directory / "old.sqlite"), responses, contacts,
                  len(first.sealed), len(first.sealed_contact or b""))
    t: dict[str, list[float]] = {k: [] for k in LABELS}
    for i in range(1, n + WARM_UP + 1):
        took = sides.one_round(i)
        if i > WARM_UP:
            for name, value in took.items():
                t[name].append(value)
    for db in (sides.store, sides.plain, sides.old):
        db.close()
    print(f"store benchmark: {n} inserts per side, interleaved, in {directory} (sealed row "
          f"{sides.sealed_size} B, contact blob {sides.contact_size} B on 1 in 10; load "
          f"average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores)")
    return report(t)


def percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    pick = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))]  # noqa: E731
    return {"p50": pick(0.50), "p95": pick(0.95), "p99": pick(0.99),
            "mean": statistics.fmean(ordered), "max": ordered[-1]}


LABELS = {
    "sealed": "sealed add (encode + seal + insert)",
    "plain": "plain insert, same bytes/schema/sync",
    "old": "old baseline (sqlite-utils, no index)",
    "encode": "  breakdown: encode (JSON, both)",
    "seal": "  breakdown: seal alone (HPKE, no disk)",
}


def report(t: dict[str, list[float]]) -> dict[str, dict[str, float]]:
    figures = {name: percentiles(samples) for name, samples in t.items()}
    show(figures)
    return figures


def show(figures: dict[str, dict[str, float]]) -> None:
    for name, label in LABELS.items():
        row = figures[name]
        print(f"  {label:<40} " + "  ".join(f"{k} {v * 1000:6.3f} ms" for k, v in row.items()))
    print(f"  {'  breakdown: insert':<40} = the plain insert above")
    s, p, o = figures["sealed"], figures["plain"], figures["old"]
    rest = s["p50"] - figures["encode"]["p50"] - figures["seal"]["p50"] - p["p50"]
    print(f"  {'  breakdown: rest of add (p50)':<40} {rest * 1000:6.3f} ms (locks, glue, noise)")
    ratio = s["p95"] / p["p95"]
    print(f"  p95 ratio sealed/plain: {ratio:.2f}x (target <= 2x: "
          f"{'met' if ratio <= 2 else 'NOT met'}); p50 ratio {s['p50'] / p['p50']:.2f}x; "
          f"against the old baseline p95 {s['p95'] / o['p95']:.2f}x; sealed p95 < 5 ms: "
          f"{'met' if s['p95'] < 0.005 else 'NOT met'}")


def medians(runs: list[dict[str, dict[str, float]]]) -> dict[str, dict[str, float]]:
    return {name: {k: statistics.median(r[name][k] for r in runs) for k in runs[0][name]}
            for name in runs[0]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=2000, help="inserts per side (default 2000)")
    parser.add_argument("--runs", type=int, default=1, help="repeat, then print medians")
    parser.add_argument("--dir", type=Path, help="where to put the databases (default: a "
                        "temporary directory per run, removed afterwards)")
    args = parser.parse_args()
    runs = []
    for _ in range(args.runs):
        if args.dir:
            args.dir.mkdir(parents=True, exist_ok=True)
            with tempfile.TemporaryDirectory(prefix="run-", dir=args.dir) as tmp:
                runs.append(run(args.n, Path(tmp)))
        else:
            with tempfile.TemporaryDirectory(prefix="pv-bench-store-") as tmp:
                runs.append(run(args.n, Path(tmp)))
    if args.runs > 1:
        print(f"medians of {args.runs} runs (each figure separately):")
        show(medians(runs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
