"""The kiosk's sealed local store: responses wait here, encrypted, until central has them.

Every response is sealed *before* it reaches SQLite (``kiosk.crypto.Sealer``, the info binds the
record id), so no answer, free text or contact detail is ever on this disk in plain text, not even
in the WAL. Only non-identifying metadata is kept in clear, because the store and the sync agent
need it without a private key: record id, survey id/version, location code, the *hour* the
response was stored (UTC, never the minute: a time to the minute plus a location could point at a
person), sync state and key ids.

Durability: WAL with ``synchronous=FULL`` and one explicit transaction per ``add()``, so a
response is on disk when ``add()`` returns, whatever happens next (power cut, SIGKILL).
``secure_delete=ON`` makes ``purge_sent()`` overwrite the sent ciphertext instead of leaving it in
free pages. sqlite3/OSError are translated (``kiosk.store_errors``) into ``StoreFullError``,
``StoreReadOnlyError``, ``StoreCorruptError`` or ``StoreError``; callers never see a library
exception.

``InMemoryStore`` keeps the same contract (tests/kiosk/test_store_contract.py runs against both).
"""
from __future__ import annotations

import calendar
import json
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from kiosk.config import STORE_FILENAME  # noqa: F401  (the file name, re-exported)
from kiosk.crypto import Sealer
from kiosk.errors import StoreError
from kiosk.fsutil import fsync_dir
from kiosk.store_errors import corrupt, translate_os, translate_sqlite

if TYPE_CHECKING:
    from kiosk.record import ResponseRecord

Clock = Callable[[], float]

TABLE = "responses"
PENDING, SENT = "pending", "sent"
_HOUR_FORMAT = "%Y-%m-%dT%H"
_BUSY_TIMEOUT_S = 10.0  # the sync agent may hold the write lock briefly; wait rather than fail
_ID_CHUNK = 500  # stay well under SQLite's bound-variable limit


@dataclass(frozen=True)
class PendingRecord:
    """One stored response as the sync agent sees it: clear metadata plus sealed payloads."""

    record_id: str
    survey_id: str
    survey_version: int
    location_code: str
    created_hour: str  # "2026-11-26T10", UTC
    key_id: str
    sealed: bytes
    contact_key_id: str | None
    sealed_contact: bytes | None


@dataclass(frozen=True)
class PendingSummary:
    """Counts for `kiosk status` and the staff screen; readable without any key."""

    count_pending: int
    count_sent: int
    oldest_pending_age: float | None


def hour_of(epoch: float) -> str:
    return time.strftime(_HOUR_FORMAT, time.gmtime(epoch))


def age_since_hour(created_hour: str, now: float) -> float:
    """Seconds since the start of ``created_hour``: an upper bound, at most an hour high."""
    start = calendar.timegm(time.strptime(created_hour, _HOUR_FORMAT))
    return max(0.0, now - start)


def encode_payloads(record: ResponseRecord) -> tuple[bytes, bytes | None]:
    """The two payloads as the canonical JSON bytes that get sealed (contact None if not given)."""
    try:
        anonymous = _json(record.anonymous_payload())
        contact = record.contact_payload()
        return anonymous, None if contact is None else _json(contact)
    except (TypeError, ValueError) as exc:
        # The message names the type only (json's own wording), never a value.
        raise StoreError(
            f"record {record.record_id} has a payload that is not JSON: {exc}") from exc


# Built once: json.dumps with any non-default option builds a new encoder on every call.
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def _json(payload: dict) -> bytes:
    return _ENCODER.encode(payload).encode("utf-8")


def _seal(record: ResponseRecord, responses: Sealer, contacts: Sealer,
          now: float) -> PendingRecord:
    """Seal a record; shared by both implementations so they cannot drift apart."""
    rid = record.record_id
    if not isinstance(rid, str) or not rid:
        raise StoreError("a record without a record_id cannot be stored (a bug in the caller)")
    anonymous, contact = encode_payloads(record)
    return PendingRecord(
        record_id=rid, survey_id=str(record.survey_id), survey_version=int(record.survey_version),
        location_code=str(record.location_code), created_hour=hour_of(now),
        key_id=responses.key_id, sealed=responses.seal(anonymous, rid),
        contact_key_id=None if contact is None else contacts.key_id,
        sealed_contact=None if contact is None else contacts.seal(contact, rid),
    )


def _single_ids(ids: Iterable[str]) -> list[str]:
    if isinstance(ids, str):
        raise TypeError("mark_sent takes an iterable of record ids, not one string")
    return list(dict.fromkeys(ids))


def _check_limit(limit: int) -> None:
    if not isinstance(limit, int) or limit < 1:
        raise ValueError(f"pending(limit) needs a positive int, got {limit!r}")


# --- schema ---------------------------------------------------------------------------------------

migrations = Migrations("patient_voice_store")


@migrations()
def m001_responses(db: Database) -> None:
    # record_id is the primary key so a resend to central is harmless and a double add is caught;
    # the implicit rowid gives insertion order for "oldest first".
    db.execute(f"""
        CREATE TABLE {TABLE} (
            record_id      TEXT PRIMARY KEY NOT NULL,
            survey_id      TEXT NOT NULL,
            survey_version INTEGER NOT NULL,
            location_code  TEXT NOT NULL,
            created_hour   TEXT NOT NULL,
            state          TEXT NOT NULL DEFAULT '{PENDING}'
                           CHECK (state IN ('{PENDING}', '{SENT}')),
            key_id         TEXT NOT NULL,
            sealed         BLOB NOT NULL,
            contact_key_id TEXT,
            sealed_contact BLOB
        )""")
    db.execute(f"CREATE INDEX {TABLE}_state ON {TABLE} (state, created_hour)")


def _switch_to_wal(db: Database) -> str:
    """``PRAGMA journal_mode=WAL``, waiting out another process doing the same: SQLite can
    answer "database is locked" at once, without its busy handler, while a second connection
    switches a fresh file's journal (the app and the sync agent both open the store at boot;
    tests/kiosk/test_store_durability.py opens four at once)."""
    deadline = time.monotonic() + _BUSY_TIMEOUT_S
    while True:
        try:
            return str(db.execute("PRAGMA journal_mode=WAL").fetchone()[0])
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


def _connect(path: Path) -> Database:
    conn = sqlite3.connect(str(path), timeout=_BUSY_TIMEOUT_S, check_same_thread=False)
    db = Database(conn, execute_plugins=False)
    # journal_mode first: synchronous/secure_delete are per-connection and must be set every open.
    mode = _switch_to_wal(db)
    if str(mode).lower() != "wal":
        raise StoreError(f"the store {path} could not switch to WAL mode (got {mode!r})")
    db.execute("PRAGMA synchronous=FULL")
    db.execute("PRAGMA secure_delete=ON")
    return db


def _fields_of(item: PendingRecord) -> tuple[Any, ...]:
    """The fields in declaration order (dataclasses.astuple would deep-copy the blobs)."""
    return tuple(getattr(item, name) for name in PendingRecord.__dataclass_fields__)


def _row_to_pending(row: dict[str, Any]) -> PendingRecord:
    return PendingRecord(**{k: row[k] for k in PendingRecord.__dataclass_fields__})


_PENDING_COLUMNS = ", ".join(PendingRecord.__dataclass_fields__)
# One prepared statement per add (sqlite3 caches it), not sqlite-utils' insert(): that looks the
# table up in sqlite_master twice, wraps the row in a SAVEPOINT inside our BEGIN IMMEDIATE and
# inspects every value in Python, about a tenth of a millisecond per add for nothing.
_INSERT = (f"INSERT INTO {TABLE} ({_PENDING_COLUMNS}, state) "
           f"VALUES ({', '.join('?' * (len(PendingRecord.__dataclass_fields__) + 1))})")


class _StoreBase:
    """What both implementations derive from ``summary()`` and ``close()``."""

    def summary(self) -> PendingSummary:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    def count_pending(self) -> int:
        return self.summary().count_pending

    def oldest_pending_age(self) -> float | None:
        """Seconds since the start of the hour the oldest pending response was stored in."""
        return self.summary().oldest_pending_age

    def __enter__(self) -> Any:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class SealedStore(_StoreBase):
    """Sealed responses in one SQLite file (WAL, FULL sync). Safe to share between threads."""

    def __init__(self, path: str | os.PathLike[str], responses: Sealer, contacts: Sealer,
                 *, clock: Clock = time.time) -> None:
        self.path = Path(path)
        self._responses, self._contacts, self._clock = responses, contacts, clock
        self._lock = threading.RLock()
        with self._translated():
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            # Create it 0600 ourselves: SQLite would use the umask, and gives -wal/-shm the
            # database file's mode.
            os.close(os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600))
            self._db = _connect(self.path)
            try:
                self._open_checks()
            except BaseException:
                self._db.close()
                raise

    def _open_checks(self) -> None:
        result = self._db.execute("PRAGMA quick_check").fetchone()[0]
        if result != "ok":
            raise corrupt(self.path, f"quick_check: {result}")
        if not migrations.pending(self._db):
            return
        # The kiosk app and the sync agent may open a fresh store at the same moment: take the
        # write lock, then look again, so only one of them creates the schema.
        self._db.execute("BEGIN IMMEDIATE")
        try:
            migrations.apply(self._db)
            self._db.execute("COMMIT")
        except BaseException:
            self._db.rollback()
            raise
        fsync_dir(self.path.parent)

    @contextmanager
    def _write(self) -> Iterator[None]:
        """One write transaction, taking the write lock up front (BEGIN IMMEDIATE).

        A deferred BEGIN (sqlite-utils' atomic()) that reads before it writes fails at once with
        "database is locked" if another process (the sync agent) wrote in between: in WAL mode the
        busy timeout cannot help a stale read snapshot. Inserts inside nest as savepoints.
        """
        with self._lock, self._translated():
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield
                self._db.execute("COMMIT")
            except BaseException:
                self._db.rollback()
                raise

    @contextmanager
    def _translated(self) -> Iterator[None]:
        try:
            yield
        except sqlite3.Error as exc:
            raise translate_sqlite(self.path, exc) from exc
        except OSError as exc:
            raise translate_os(self.path, exc) from exc

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def add(self, record: ResponseRecord) -> str:
        """Seal and store one response; it is on disk (fsynced) when this returns."""
        item = _seal(record, self._responses, self._contacts, self._clock())
        self._insert(item)
        return item.record_id

    def _insert(self, item: PendingRecord) -> None:
        """The durable half of ``add()``: one already-sealed row in its own transaction."""
        row = (*_fields_of(item), PENDING)
        try:
            with self._write():
                self._db.conn.execute(_INSERT, row)
        except StoreError as exc:
            if isinstance(exc.__cause__, sqlite3.IntegrityError):
                raise StoreError(f"record {item.record_id} is already stored; "
                                 f"each response has a new record id") from exc.__cause__
            raise

    def pending(self, limit: int) -> list[PendingRecord]:
        _check_limit(limit)
        # The oldest first, chosen on the (state, created_hour) index, which holds the rowid:
        # only the rows returned are read, not every pending row's sealed blobs to be sorted.
        sql = (f"SELECT {_PENDING_COLUMNS} FROM {TABLE} WHERE rowid IN (SELECT rowid FROM {TABLE}"
               f" WHERE state = ? ORDER BY rowid LIMIT ?) ORDER BY rowid")
        with self._lock, self._translated():
            return [_row_to_pending(r) for r in self._db.query(sql, [PENDING, limit])]

    def mark_sent(self, ids: Iterable[str]) -> int:
        """Mark acknowledged records as sent; unknown or already-sent ids are ignored."""
        wanted = _single_ids(ids)
        changed = 0
        with self._write():
            for start in range(0, len(wanted), _ID_CHUNK):
                chunk = wanted[start:start + _ID_CHUNK]
                marks = ", ".join("?" * len(chunk))
                cur = self._db.execute(
                    f"UPDATE {TABLE} SET state = ? WHERE state = ? AND record_id IN ({marks})",
                    [SENT, PENDING, *chunk])
                changed += cur.rowcount
        return changed

    def summary(self) -> PendingSummary:
        with self._lock, self._translated():
            return _summary(self._db, self._clock())

    def purge_sent(self) -> int:
        """Delete sent responses; secure_delete overwrites them, a checkpoint empties the WAL."""
        with self._write():
            count = self._db.execute(f"DELETE FROM {TABLE} WHERE state = ?", [SENT]).rowcount
        with self._lock, self._translated():
            if count:
                # The WAL still holds copies of the deleted pages until it is checkpointed.
                self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
        return count


def _summary(db: Database, now: float) -> PendingSummary:
    row = db.execute(
        f"SELECT SUM(state = ?), SUM(state = ?), MIN(CASE WHEN state = ? THEN created_hour END) "
        f"FROM {TABLE}", [PENDING, SENT, PENDING]).fetchone()
    pending, sent, oldest = row
    age = None if oldest is None else age_since_hour(oldest, now)
    return PendingSummary(count_pending=int(pending or 0), count_sent=int(sent or 0),
                          oldest_pending_age=age)


def read_summary(path: str | os.PathLike[str], *,
                 clock: Clock = time.time) -> PendingSummary | None:
    """Counts from a store file, without keys, read-only; None if there is none yet.

    SQLite may leave empty -wal/-shm files beside it; the database itself is never written.
    """
    path = Path(path)
    if not path.exists():
        return None
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True,
                               timeout=_BUSY_TIMEOUT_S)
        try:
            db = Database(conn, execute_plugins=False, recursive_triggers=False)
            if not db[TABLE].exists():
                return PendingSummary(0, 0, None)
            return _summary(db, clock())
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise translate_sqlite(path, exc) from exc


class InMemoryStore(_StoreBase):
    """The SealedStore contract without a disk: for tests and for previewing a survey."""

    def __init__(self, responses: Sealer, contacts: Sealer, *, clock: Clock = time.time) -> None:
        self._responses, self._contacts, self._clock = responses, contacts, clock
        self._items: dict[str, tuple[PendingRecord, str]] = {}  # insertion-ordered
        self._lock = threading.Lock()

    def add(self, record: ResponseRecord) -> str:
        item = _seal(record, self._responses, self._contacts, self._clock())
        with self._lock:
            if item.record_id in self._items:
                raise StoreError(f"record {item.record_id} is already stored; "
                                 f"each response has a new record id")
            self._items[item.record_id] = (item, PENDING)
        return item.record_id

    def pending(self, limit: int) -> list[PendingRecord]:
        _check_limit(limit)
        with self._lock:
            return [item for item, state in self._items.values() if state == PENDING][:limit]

    def mark_sent(self, ids: Iterable[str]) -> int:
        changed = 0
        with self._lock:
            for rid in _single_ids(ids):
                entry = self._items.get(rid)
                if entry and entry[1] == PENDING:
                    self._items[rid] = (entry[0], SENT)
                    changed += 1
        return changed

    def summary(self) -> PendingSummary:
        with self._lock:
            hours = [i.created_hour for i, s in self._items.values() if s == PENDING]
            sent = sum(1 for _, s in self._items.values() if s == SENT)
        oldest = min(hours) if hours else None
        return PendingSummary(len(hours), sent,
                              None if oldest is None else age_since_hour(oldest, self._clock()))

    def purge_sent(self) -> int:
        with self._lock:
            sent = [rid for rid, (_, s) in self._items.items() if s == SENT]
            for rid in sent:
                del self._items[rid]
        return len(sent)

    def close(self) -> None:
        pass
