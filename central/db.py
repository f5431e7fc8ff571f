"""One data layer for SQLite (the embedded default) and PostgreSQL (several service processes).

Callers write plain SQL with ``?`` placeholders and portable constructs only (INSERT ... ON
CONFLICT DO NOTHING, RETURNING); this module swaps the placeholder for psycopg and maps the
three column types that differ. Correctness under concurrency comes from unique constraints and
ON CONFLICT, never from read-then-write, so it holds across processes on PostgreSQL.

sqlite3 and psycopg are imported only here; callers see ``DatabaseError``/``DatabaseBusyError``.
"""

from __future__ import annotations

import queue
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from kiosk.errors import PatientVoiceError


class DatabaseError(PatientVoiceError):
    user_message = "The central record's database is not working. Please ask IT."


class DatabaseBusyError(DatabaseError):
    """The database is locked or unreachable for now: the request may be retried (503)."""

    retryable = True


# Schema migrations, applied in order, each exactly once (recorded in schema_version).
# {blob}, {float}, {serial} are the only dialect differences.
MIGRATIONS: list[str] = [
    """
    CREATE TABLE devices (
        device_id TEXT PRIMARY KEY, token_hash TEXT NOT NULL UNIQUE,
        site TEXT NOT NULL, location TEXT NOT NULL, location_name TEXT NOT NULL,
        enrolled_at {float} NOT NULL, revoked_at {float}, last_seen {float},
        app_version TEXT, pending INTEGER, oldest_pending_age {float}, free_disk BIGINT,
        audio TEXT, last_error TEXT, replaces TEXT);
    CREATE TABLE enrol_codes (
        code_hash TEXT PRIMARY KEY, site TEXT NOT NULL, location TEXT NOT NULL,
        location_name TEXT NOT NULL, created_at {float} NOT NULL, expires_at {float} NOT NULL,
        used_at {float}, device_id TEXT);
    CREATE TABLE records (
        record_id TEXT PRIMARY KEY, sha256 TEXT NOT NULL, device_id TEXT NOT NULL,
        batch_id TEXT NOT NULL, survey_id TEXT NOT NULL, survey_version INTEGER NOT NULL,
        location TEXT NOT NULL, created_hour TEXT NOT NULL, key_id TEXT NOT NULL,
        sealed {blob} NOT NULL, contact_key_id TEXT, sealed_contact {blob},
        received_at {float} NOT NULL, status TEXT NOT NULL, reason TEXT);
    CREATE TABLE conflicts (
        id {serial}, record_id TEXT NOT NULL, sha256 TEXT NOT NULL, device_id TEXT NOT NULL,
        batch_id TEXT NOT NULL, sealed {blob} NOT NULL, sealed_contact {blob},
        received_at {float} NOT NULL, UNIQUE (record_id, sha256));
    CREATE TABLE batches (
        batch_id TEXT PRIMARY KEY, device_id TEXT NOT NULL, body_sha256 TEXT NOT NULL,
        records INTEGER NOT NULL, received_at {float} NOT NULL);
    CREATE TABLE responses (
        record_id TEXT PRIMARY KEY, survey_id TEXT NOT NULL, survey_version INTEGER NOT NULL,
        device_id TEXT NOT NULL, site TEXT NOT NULL, location TEXT NOT NULL,
        language TEXT NOT NULL, variant TEXT NOT NULL, started_at {float}, finished_at {float},
        flags TEXT NOT NULL, fft_code INTEGER, has_contact INTEGER NOT NULL,
        received_at {float} NOT NULL);
    CREATE TABLE answers (
        record_id TEXT NOT NULL, question_id TEXT NOT NULL, kind TEXT NOT NULL,
        code TEXT, value TEXT, PRIMARY KEY (record_id, question_id));
    CREATE TABLE surveys (
        survey_id TEXT NOT NULL, version INTEGER NOT NULL, body TEXT NOT NULL,
        published_at {float} NOT NULL, PRIMARY KEY (survey_id, version));
    CREATE TABLE content (
        location TEXT NOT NULL, kind TEXT NOT NULL, body TEXT NOT NULL,
        updated_at {float} NOT NULL, PRIMARY KEY (location, kind));
    CREATE INDEX responses_location ON responses (location, finished_at);
    CREATE INDEX records_device ON records (device_id, status);
    """,
    # Covering indexes for the reports (bench/reports.py: roughly halves SQLite trend time at 1M).
    """
    DROP INDEX responses_location;
    CREATE INDEX responses_location_cover ON responses (location, finished_at, fft_code, flags);
    CREATE INDEX answers_cover ON answers (record_id, question_id, value, code);
    """,
]

_TYPES = {
    "sqlite": {"blob": "BLOB", "float": "REAL", "serial": "INTEGER PRIMARY KEY AUTOINCREMENT"},
    "postgres": {"blob": "BYTEA", "float": "DOUBLE PRECISION", "serial": "BIGSERIAL PRIMARY KEY"},
}


def _split_values(sql: str) -> tuple[str, str, str]:
    """"INSERT ... VALUES (?, ?) ON ..." -> ("INSERT ... VALUES ", "(?, ?)", " ON ...")."""
    head, _, rest = sql.partition("VALUES")
    close = rest.index(")") + 1
    return head + "VALUES ", rest[:close].strip(), rest[close:]


class Tx:
    """One open transaction; ``execute`` returns a cursor (fetchone/fetchall/rowcount)."""

    def __init__(self, cursor: Any, dialect: str) -> None:
        self._cur = cursor
        self.dialect = dialect

    def _sql(self, sql: str) -> str:
        return sql.replace("?", "%s") if self.dialect == "postgres" else sql

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        self._cur.execute(self._sql(sql), tuple(params))
        return self._cur

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        if rows:
            self._cur.executemany(self._sql(sql), [tuple(r) for r in rows])

    def insert_returning(self, sql: str, rows: Sequence[Sequence[Any]]) -> list[Any]:
        """Run a one-row ``INSERT ... VALUES (?, ...) ... RETURNING col`` for many rows; the first
        returned column of every row actually inserted. SQLite: one multi-row statement;
        PostgreSQL: psycopg's pipelined executemany (a huge statement is slow to prepare)."""
        if not rows:
            return []
        if self.dialect == "postgres":
            self._cur.executemany(self._sql(sql), [tuple(r) for r in rows], returning=True)
            out = []
            while True:
                out.extend(row[0] for row in self._cur.fetchall())
                if not self._cur.nextset():
                    return out
        head, values, tail = _split_values(sql)
        statement = head + ", ".join([values] * len(rows)) + tail
        return [row[0] for row in self.all(statement, [v for r in rows for v in r])]

    def insert_rows(self, table: str, columns: Sequence[tuple[str, str]],
                    rows: Sequence[Sequence[Any]], tail: str = "") -> list[Any]:
        """Insert many rows in one statement: ``columns`` are (name, PostgreSQL type) pairs,
        ``tail`` e.g. "ON CONFLICT DO NOTHING [RETURNING col]"; the first column of each row
        returned. PostgreSQL: INSERT ... SELECT FROM unnest(one array per column), a single
        round trip and a single plan whatever the row count; SQLite: one multi-row VALUES when
        something is returned, else executemany (both reuse one prepared statement)."""
        if not rows:
            return []
        names = ", ".join(name for name, _ in columns)
        if self.dialect == "postgres":
            arrays = ", ".join(f"%b::{kind}[]" for _, kind in columns)
            sql = f"INSERT INTO {table} ({names}) SELECT * FROM unnest({arrays}) {tail}"
            # %b: the arrays go in binary (lengths and bytes), not as quoted, escaped text.
            self._cur.execute(sql, [list(col) for col in zip(*rows, strict=True)])
            return [row[0] for row in self._cur.fetchall()] if "RETURNING" in tail else []
        one = "(" + ", ".join("?" * len(columns)) + ")"
        if "RETURNING" in tail:
            return self.insert_returning(f"INSERT INTO {table} ({names}) VALUES {one} {tail}", rows)
        self.executemany(f"INSERT INTO {table} ({names}) VALUES {one} {tail}", rows)
        return []

    def one(self, sql: str, params: Sequence[Any] = ()) -> tuple | None:
        return self.execute(sql, params).fetchone()

    def all(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
        return list(self.execute(sql, params).fetchall())


class Database:
    """Open with ``Database.open(url)``: ``sqlite:///path/to/file`` or ``postgresql://...``."""

    dialect = "sqlite"

    @staticmethod
    def open(url: str) -> Database:
        if url.startswith("sqlite:///"):
            return SQLiteDatabase(Path(url[len("sqlite:///") :]))
        if url.startswith(("postgresql://", "postgres://")):
            return PostgresDatabase(url)
        raise DatabaseError(
            f"database URL must start with sqlite:/// or postgresql://, not {url.split(':')[0]!r}"
        )

    def transaction(self, durable: bool = True) -> Any:  # pragma: no cover - overridden
        """``durable=False``: may be lost in a power cut (heartbeats), so skip the fsync."""
        raise NotImplementedError

    def read(self) -> Any:
        """A read-only transaction; on SQLite it does not wait for the writer."""
        return self.transaction()

    def close(self) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    def migrate(self) -> int:
        """Apply pending migrations (safe when several processes start at once); the version."""
        with self.transaction() as tx:
            self._lock_for_migration(tx)
            tx.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
            row = tx.one("SELECT MAX(version) FROM schema_version")
            current = row[0] or 0 if row else 0
            for number, script in enumerate(MIGRATIONS[current:], start=current + 1):
                for statement in script.format(**_TYPES[self.dialect]).split(";"):
                    if statement.strip():
                        tx.execute(statement)
                tx.execute("INSERT INTO schema_version (version) VALUES (?)", (number,))
            return len(MIGRATIONS)

    def _lock_for_migration(self, tx: Tx) -> None:
        pass


class SQLiteDatabase(Database):
    """One connection per process, writes serialised by a lock (SQLite has one writer anyway).

    WAL + synchronous=FULL: when a transaction returns, it is on disk (the ack promise).
    """

    dialect = "sqlite"

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._conn = sqlite3.connect(
                self.path, isolation_level=None, check_same_thread=False, timeout=10.0
            )
            for pragma in (
                "journal_mode=WAL",
                "synchronous=FULL",
                "foreign_keys=ON",
                "busy_timeout=10000",
            ):
                self._conn.execute(f"PRAGMA {pragma}")
        except (sqlite3.Error, OSError) as exc:
            raise DatabaseError(f"cannot open SQLite database {self.path}: {exc}") from exc
        self._lock = threading.Lock()
        self._readers = threading.local()
        self._all_readers: list[sqlite3.Connection] = []

    def _reader(self) -> sqlite3.Connection:
        conn = getattr(self._readers, "conn", None)
        if conn is None:
            conn = sqlite3.connect(
                self.path, isolation_level=None, timeout=10.0, check_same_thread=False
            )
            conn.execute("PRAGMA busy_timeout=10000")
            conn.execute("PRAGMA query_only=ON")
            self._readers.conn = conn
            with self._lock:
                self._all_readers.append(conn)
        return conn

    @contextmanager
    def read(self) -> Iterator[Tx]:
        # WAL: readers see the last committed state and never block (or wait for) the writer.
        cur = self._reader().cursor()
        try:
            cur.execute("BEGIN")
            yield Tx(cur, "sqlite")
        except sqlite3.Error as exc:
            raise DatabaseError(f"SQLite error: {exc}") from exc
        finally:
            self._rollback(cur)

    @contextmanager
    def transaction(self, durable: bool = True) -> Iterator[Tx]:
        with self._lock:
            cur = self._conn.cursor()
            if not durable:
                cur.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL: no fsync at commit
            try:
                yield from self._in_transaction(cur)
            finally:
                if not durable:
                    cur.execute("PRAGMA synchronous=FULL")

    def _in_transaction(self, cur: sqlite3.Cursor) -> Iterator[Tx]:
        try:
            cur.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise DatabaseBusyError(f"SQLite database is busy: {exc}") from exc
        try:
            yield Tx(cur, "sqlite")
            cur.execute("COMMIT")
        except sqlite3.OperationalError as exc:
            self._rollback(cur)
            if "locked" in str(exc) or "busy" in str(exc):
                raise DatabaseBusyError(f"SQLite database is busy: {exc}") from exc
            raise DatabaseError(f"SQLite error: {exc}") from exc
        except sqlite3.Error as exc:
            self._rollback(cur)
            raise DatabaseError(f"SQLite error: {exc}") from exc
        except BaseException:
            self._rollback(cur)
            raise

    @staticmethod
    def _rollback(cur: sqlite3.Cursor) -> None:
        try:
            cur.execute("ROLLBACK")
        except sqlite3.Error:
            pass  # already rolled back by SQLite itself

    def close(self) -> None:
        with self._lock:
            self._conn.close()
            for conn in self._all_readers:
                conn.close()
            self._all_readers.clear()


class PostgresDatabase(Database):
    """A small pool of psycopg connections; each transaction takes one for its duration."""

    dialect = "postgres"

    def __init__(self, url: str, pool_size: int = 8) -> None:
        import psycopg  # only needed for PostgreSQL deployments

        self._psycopg = psycopg
        self._url = url
        self._pool: queue.LifoQueue = queue.LifoQueue()
        self._slots = threading.Semaphore(pool_size)
        self._connect().close()  # fail now, with a clear message, if the server is not there

    def _connect(self) -> Any:
        try:
            return self._psycopg.connect(self._url, autocommit=True, connect_timeout=10)
        except self._psycopg.Error as exc:
            # The message may contain the host but psycopg never echoes the password.
            raise DatabaseBusyError(f"cannot connect to PostgreSQL: {exc}".splitlines()[0]) from exc

    @contextmanager
    def transaction(self, durable: bool = True) -> Iterator[Tx]:
        with self._slots:
            try:
                conn = self._pool.get_nowait()
            except queue.Empty:
                conn = self._connect()
            healthy = True
            try:
                with conn.transaction(), conn.cursor() as cur:
                    yield Tx(cur, "postgres")
            except self._psycopg.OperationalError as exc:
                healthy = False
                raise DatabaseBusyError(
                    f"PostgreSQL is unavailable: {exc}".splitlines()[0]
                ) from exc
            except self._psycopg.Error as exc:
                raise DatabaseError(f"PostgreSQL error: {exc}".splitlines()[0]) from exc
            finally:
                if healthy and not conn.closed:
                    self._pool.put(conn)
                else:
                    conn.close()

    def _lock_for_migration(self, tx: Tx) -> None:
        # Several processes may start together: one migrates, the others wait then see it done.
        tx.execute("SELECT pg_advisory_xact_lock(7230501)")

    def close(self) -> None:
        while True:
            try:
                self._pool.get_nowait().close()
            except queue.Empty:
                return
