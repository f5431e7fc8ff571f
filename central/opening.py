"""Checking and opening a batch's records, in worker processes when that pays.

Per record, the central record checks the wire form (``WireRecord.from_json``), decrypts the
sealed payload (HPKE, ML-KEM-768 + X25519) and parses it strictly: ~170 us of CPU, almost all of
it holding the GIL (cryptography's HPKE does not release it), so threads would take turns on one
core. An ``Opener`` with ``processes >= 2`` spreads a batch over that many worker processes, each
holding the responses private keys from its start; with fewer it works in the calling thread.
Either way the answers are the same (tests/central/test_opening.py):

* a record that breaks the protocol raises the ``WireError`` of the *first* bad record, exactly
  as ``Batch.from_json`` would, so a malformed batch is still refused whole, before any write;
* otherwise every record comes back as an ``Opened``: its wire form, its digest, and either the
  reporting rows (``Ingested``) or the quarantine reason (``Rejection``).

The worker processes are started with ``spawn``, so they hold no copy of the service's sockets or
database connections, and each leaves by itself when its parent dies (even by SIGKILL).
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from multiprocessing import get_context
from typing import Any, NamedTuple

from central.ingest import Ingested, Rejection, open_record
from kiosk.crypto import PrivateKey
from sync.protocol import WireError, WireRecord

log = logging.getLogger("central.opening")

#: Below this many records a batch is opened in the calling thread: the round trip to a worker
#: process (pickling, two pipe hops) costs more than opening them.
IN_THREAD_BELOW = 16


class Opened(NamedTuple):
    record: WireRecord
    digest: str
    result: Ingested | Rejection


def record_digest(rec: WireRecord) -> str:
    h = hashlib.sha256()
    for part in (rec.sealed, rec.sealed_contact or b""):
        h.update(len(part).to_bytes(8, "big"))
        h.update(part)
    return h.hexdigest()


def cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def open_items(items: Sequence[Any], start: int, keys: dict[str, PrivateKey],
               identities: tuple[str, ...], surveys: set[tuple[str, int]]) -> list[Opened]:
    """``items``: records as JSON (batch.records[start:...]) or as ``WireRecord``s."""
    out = []
    for i, item in enumerate(items):
        rec = item if isinstance(item, WireRecord) else WireRecord.from_json(
            item, f"batch.records[{start + i}]")  # fmt: skip
        try:
            result: Ingested | Rejection = open_record(rec, keys, identities, surveys)
        except Rejection as rejection:
            result = rejection
        out.append(Opened(rec, record_digest(rec), result))
    return out


class Opener:
    def __init__(self, keys: dict[str, PrivateKey], processes: int = 0) -> None:
        self._keys = keys
        self.processes = processes if processes >= 2 else 0
        self._pool: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()

    def open(self, items: Sequence[Any], identities: tuple[str, ...],
             surveys: set[tuple[str, int]]) -> list[Opened]:
        if not self.processes or len(items) < IN_THREAD_BELOW:
            return open_items(items, 0, self._keys, identities, surveys)
        try:
            return self._open_in_pool(items, identities, surveys)
        except BrokenProcessPool:
            # A worker died (killed, out of memory): start a new pool next time; this batch is
            # opened here, so the kiosk does not see the failure.
            log.warning("a batch-opening worker process died; starting new ones")
            self.close()
            return open_items(items, 0, self._keys, identities, surveys)

    def _open_in_pool(self, items: Sequence[Any], identities: tuple[str, ...],
                      surveys: set[tuple[str, int]]) -> list[Opened]:
        # Twice as many chunks as processes: a worker slowed by a busy core is not the tail.
        size = -(-len(items) // (2 * self.processes))
        starts = range(0, len(items), size)
        futures = [self._started().submit(_open_in_worker, list(items[s:s + size]), s,
                                          identities, surveys) for s in starts]  # fmt: skip
        out: list[Opened] = []
        for future in futures:  # in order: the first chunk with a bad record names it
            done = future.result()
            if isinstance(done, WireError):
                for rest in futures:
                    rest.cancel()
                raise done
            out.extend(done)
        return out

    def start(self) -> None:
        """Start the worker processes now (at service start-up), not at the first batch."""
        if self.processes:
            pool = self._started()
            for future in [pool.submit(os.getpid) for _ in range(self.processes)]:
                future.result()

    def _started(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._pool is None:
                texts = [k.to_text() for k in self._keys.values()]
                self._pool = ProcessPoolExecutor(self.processes, mp_context=get_context("spawn"),
                                                 initializer=_init_worker,
                                                 initargs=(texts, os.getpid()))  # fmt: skip
            return self._pool

    def close(self) -> None:
        with self._lock:
            if self._pool is not None:
                self._pool.shutdown(wait=True, cancel_futures=True)
                self._pool = None


# ---------------------------------------------------------------- inside a worker process

_WORKER_KEYS: dict[str, PrivateKey] = {}


def _init_worker(key_texts: list[str], parent: int) -> None:
    keys = [PrivateKey.from_text(t) for t in key_texts]
    _WORKER_KEYS.update({k.public_key().key_id: k for k in keys})
    threading.Thread(target=_leave_with, args=(parent,), daemon=True).start()


def _leave_with(parent: int) -> None:
    # A SIGKILLed service cannot shut its pool down; its orphaned workers must not linger.
    while os.getppid() == parent:
        time.sleep(1.0)
    os._exit(0)


def _open_in_worker(items: list, start: int, identities: tuple[str, ...],
                    surveys: set[tuple[str, int]]) -> list[Opened] | WireError:
    try:
        return open_items(items, start, _WORKER_KEYS, identities, surveys)
    except WireError as exc:
        # Returned, not raised: WireError's constructor arguments do not survive pickling.
        return _Refusal(exc.code, exc.detail, exc.status)


class _Refusal(WireError):
    def __reduce__(self) -> tuple:
        return (_Refusal, (self.code, self.detail, self.status))
