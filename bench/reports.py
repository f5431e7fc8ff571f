"""Benchmark: the FFT monthly return and the trend report over 1,000,000 responses.

    .venv/bin/python bench/reports.py [--responses 1000000] [--db FILE]
                                      [--postgres | --postgres-url URL]

Generates responses straight into the central record's reporting tables (``responses`` and
``answers``, schema from central.db's migrations) -- sealing and ingesting a million records
would measure the ingest, not the reports. 24 months to November 2026, 3 sites, 30 wards,
with test/burst/fast/abandoned flags, languages, "who answered" and equality answers in
realistic shares. ``--postgres`` repeats it on PostgreSQL (a throwaway server started like the
tests' one, or ``--postgres-url`` to an empty database). Then times, with the schema as it
is (covering indexes) and with the plain index they replaced, as a baseline:

* the monthly return for 2026-11 (ward CSV, trust CSV, summary; public and team copies);
* the trend report, monthly over 12 months, with language / who / equality breakdowns for
  the last month (public: suppressed);
* the same, weekly over the 12 months.

Prints the figures; no assertions (targets: under 2 s each).
"""

from __future__ import annotations

import argparse
import random
import signal
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from central.db import Database  # noqa: E402
from central.fft import Month  # noqa: E402
from central.returns import ReturnSettings, build_return, summary_csv, trust_csv, ward_csv  # noqa: E402
from central.trends import trend_report  # noqa: E402

FIRST, LAST = Month(2024, 12), Month(2026, 11)
SITES = ("REN", "RENW", "RENL")
LANGUAGES = ["en"] * 80 + ["pl"] * 5 + ["cy"] * 4 + ["ar"] * 3 + ["ur"] * 2 + ["zh-Hans"] * 2
LANGUAGES += ["ro", "pt", "so", "bn"]
WHO = ("patient", "parent_or_carer", "relative_or_friend", "staff_helping", "prefer_not_to_say")
EQUALITY = {
    "age": ["16_24", "25_34", "35_44", "45_54", "55_64", "65_74", "75_84", "85_plus"],
    "sex": ["female", "male", "prefer_not_to_say"],
    "gender_same": ["yes", "no", "prefer_not_to_say"],
    "ethnicity": [("white_british", "A")] * 20 + [("asian_pakistani", "J"), ("black_african", "N")],
    "long_term_condition": ["yes", "no", "prefer_not_to_say"],
    "condition_reduces_activities": ["a_lot", "a_little", "not_at_all"],
}
FFT_WEIGHTS = [60, 25, 5, 3, 3, 4]
# central.db's covering indexes (migration 2), compared with the plain index they replaced:
# responses (location, finished_at) extended to cover the trend query (index-only range scans),
# and answers covering the breakdowns' lookups (no table row read per answer).
PLAIN_INDEX = ("responses_location", "responses (location, finished_at)")
TABLES = ("responses", "answers")
PROPOSED_INDEXES = {
    "responses_location_cover": "responses (location, finished_at, fft_code, flags)",
    "answers_cover": "answers (record_id, question_id, value, code)",
}


def chunks(n: int, seed: int = 6, size: int = 50_000) -> Iterator[tuple[list, list]]:
    """(responses rows, answers rows) in chunks, the same for SQLite and PostgreSQL."""
    rng = random.Random(seed)
    start, end = FIRST.bounds()[0], LAST.bounds()[1]
    wards = [(SITES[i % 3], f"ward-{i:02d}") for i in range(30)]
    responses: list[tuple] = []
    answers: list[tuple] = []
    for i in range(n):
        rid = f"{i:032x}"
        site, location = rng.choice(wards)
        # In time order, as a live central record fills: rows of one month sit together.
        finished = start + (end - start) * (i + rng.random()) / n
        fft = None if rng.random() < 0.03 else rng.choices(range(1, 7), FFT_WEIGHTS)[0]
        responses.append((rid, "fft", 1, "dev-" + location, site, location,
                          rng.choice(LANGUAGES), "standard", finished - 90, finished,
                          _flags(rng), fft, 0, finished + 60))  # fmt: skip
        _answers(rng, rid, fft, answers)
        if len(responses) >= size:
            yield responses, answers
            responses, answers = [], []
    yield responses, answers


def generate_sqlite(path: Path, n: int) -> None:
    Database.open(f"sqlite:///{path}").migrate()
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("BEGIN")
    for responses, answers in chunks(n):
        conn.executemany(f"INSERT INTO responses VALUES ({', '.join('?' * 14)})", responses)
        conn.executemany("INSERT INTO answers VALUES (?, ?, ?, ?, ?)", answers)
    conn.execute("COMMIT")
    conn.execute("ANALYZE")
    conn.close()


def generate_postgres(url: str, n: int) -> None:
    import psycopg

    db = Database.open(url)
    db.migrate()
    db.close()
    with psycopg.connect(url) as conn, conn.cursor() as cur:
        for responses, answers in chunks(n):
            for table, rows in (("responses", responses), ("answers", answers)):
                with cur.copy(f"COPY {table} FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
        conn.commit()
        conn.autocommit = True
        cur.execute("VACUUM ANALYZE")  # what autovacuum does soon after a bulk load


def _flags(rng: random.Random) -> str:
    r = rng.random()
    flags = ["test"] if r < 0.02 else ["burst"] if r < 0.03 else ["fast"] if r < 0.04 else []
    if rng.random() < 0.05:
        flags.append("abandoned")
    return ",".join(sorted(flags))


def _answers(rng: random.Random, rid: str, fft: int | None, out: list) -> None:
    if fft is not None:
        out.append((rid, "fft", "fft", str(fft), str(fft)))
    if rng.random() < 0.7:
        out.append((rid, "who", "single_choice", None, rng.choice(WHO)))
    if rng.random() < 0.25:
        for qid, options in EQUALITY.items():
            choice = rng.choice(options)
            value, code = choice if isinstance(choice, tuple) else (choice, None)
            out.append((rid, qid, "single_choice", code, value))


def timed(label: str, fn, repeat: int = 3) -> None:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    print(f"  {label:58} first {times[0]:6.3f} s   best {min(times):6.3f} s")


def measure(url: str) -> None:
    db = Database.open(url)
    settings = ReturnSettings(org_code="REN")

    def monthly_return() -> None:
        ret = build_return(db, LAST, settings)
        ward_csv(ret), trust_csv(ret), summary_csv(ret)
        ward_csv(ret, public=True), trust_csv(ret, public=True)

    twelve = Month(LAST.year - 1, LAST.month + 1) if LAST.month < 12 else Month(LAST.year, 1)
    timed("monthly return 2026-11 (team + public CSVs)", monthly_return)
    timed(
        "trend report, monthly x 12, with breakdowns",
        lambda: trend_report(db, twelve, LAST, public=True),
    )
    timed(
        "trend report, weekly x 12 months, with breakdowns",
        lambda: trend_report(db, twelve, LAST, period="week", public=True),
    )
    db.close()


def indexes(conn: Any, create: bool) -> None:
    """create=True: the schema as migrated; False: the plain index the covering ones replaced."""
    for name, what in PROPOSED_INDEXES.items():
        sql = f"CREATE INDEX IF NOT EXISTS {name} ON {what}"
        conn.execute(sql if create else f"DROP INDEX IF EXISTS {name}")
    name, what = PLAIN_INDEX
    conn.execute(f"DROP INDEX IF EXISTS {name}" if create else
                 f"CREATE INDEX IF NOT EXISTS {name} ON {what}")
    conn.execute("ANALYZE")


def run(url: str, connect: Callable[[], Any]) -> None:
    conn = connect()
    counts = [conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in TABLES]
    indexes(conn, create=False)
    conn.commit()
    print(f"{counts[0]:,} responses, {counts[1]:,} answers")
    print("baseline: the plain index only (responses (location, finished_at)):")
    measure(url)
    t0 = time.perf_counter()
    indexes(conn, create=True)
    conn.commit()
    conn.close()
    print(f"central.db's schema, covering indexes (built in {time.perf_counter() - t0:.1f} s):")
    for name, what in PROPOSED_INDEXES.items():
        print(f"  CREATE INDEX {name} ON {what}")
    measure(url)


def bench_sqlite(path: Path, n: int) -> None:
    if not path.exists():
        t0 = time.perf_counter()
        generate_sqlite(path, n)
        print(f"generated {n:,} responses in {time.perf_counter() - t0:.1f} s: {path}")
    print(f"== SQLite, {path.stat().st_size / 2**20:.0f} MiB: ", end="")
    run(f"sqlite:///{path}", lambda: sqlite3.connect(path))


def bench_postgres(url: str | None, n: int) -> None:
    import psycopg

    server = None
    if url is None:  # a throwaway server, started like the tests start theirs
        from tests.central.live import PostgresServer

        server = PostgresServer().start()
        url = server.new_database()
    try:
        t0 = time.perf_counter()
        generate_postgres(url, n)
        print(f"generated {n:,} responses in PostgreSQL in {time.perf_counter() - t0:.1f} s")
        print("== PostgreSQL: ", end="")
        run(url, lambda: psycopg.connect(url))
    finally:
        if server is not None:
            server.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=1_000_000)
    parser.add_argument("--db", help="SQLite file to (re)use; default: a temporary file")
    parser.add_argument("--postgres", action="store_true", help="also PostgreSQL")
    parser.add_argument(
        "--postgres-url", help="an empty PostgreSQL database (default: start a temporary server)"
    )
    args = parser.parse_args(argv)
    # Stopped with SIGTERM: still run the finally blocks (the throwaway PostgreSQL server).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    path = Path(args.db) if args.db else Path(tempfile.mkdtemp(prefix="pv-bench-")) / "c.sqlite"
    bench_sqlite(path, args.responses)
    if args.postgres or args.postgres_url:
        bench_postgres(args.postgres_url, args.responses)
    return 0


if __name__ == "__main__":
    sys.exit(main())
