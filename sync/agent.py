"""The kiosk's sync agent: an Uploader (one batch, one request) and a Submitter (loop, policy).

A record is marked sent only after the central record answered for it, and purged only after
that. Every answer the central record gives (accepted, duplicate, conflict, rejected) means it
now durably holds those bytes, so each of them lets the kiosk mark the record sent; a record
missing from the answer stays pending. Batch ids are derived from the batch's content, so a
resend after a lost answer is recognised as the same batch.

Policy: exponential backoff with full jitter, capped; Retry-After on 429/503 is honoured; while
waiting after a network failure, a cheap TCP probe notices the network coming back and starts
at once. 401 (revoked): uploads stop, every record stays, the status file says "needs IT".

``SyncRunner`` runs it all in a background thread for the kiosk app (start/stop/wake; it never
touches widgets); ``sync_main`` is `kiosk sync [--once]` for IT.
"""

from __future__ import annotations

import hashlib
import logging
import random
import shutil
import socket
import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit

from sync.client import CentralClient
from sync.protocol import (
    FINAL_STATUSES,
    MAX_BATCH_RECORDS,
    MAX_BODY_BYTES,
    BatchResult,
    DeviceRevokedError,
    Heartbeat,
    SyncError,
    TransientSyncError,
    WireError,
    WireRecord,
    batch_json_bytes,
    gzip_bytes,
)

log = logging.getLogger("sync.agent")
DEFAULT_BATCH = MAX_BATCH_RECORDS  # per-batch costs (a request, an fsync each side) amortised


class Store(Protocol):
    def pending(self, limit: int) -> list[Any]: ...
    def mark_sent(self, ids: Any) -> int: ...
    def count_pending(self) -> int: ...
    def oldest_pending_age(self) -> float | None: ...
    def purge_sent(self) -> int: ...


def batch_id_for(records: list[WireRecord]) -> str:
    """Same records, same bytes -> same batch id; any change -> a new one."""
    h = hashlib.sha256()
    for r in records:
        h.update(r.record_id.encode())
        h.update(hashlib.sha256(r.sealed + (r.sealed_contact or b"")).digest())
    return h.hexdigest()[:32]


@dataclass(frozen=True)
class Prepared:
    """One batch ready to send: the records it answers for and its JSON body (gzipped as it is
    sent, on the upload thread: zlib lets go of the GIL, so that overlaps the kiosk's work)."""

    batch_id: str
    record_ids: frozenset[str]
    body: bytes


class Uploader:
    """One batch, one request. Raises the sync errors; never retries by itself."""

    def __init__(self, client: CentralClient) -> None:
        self.client = client

    def prepare(self, pending: list[Any]) -> Prepared:
        return prepare_batch([_checked(p) for p in pending])

    def send(self, batch: Prepared) -> BatchResult:
        return self.client.upload_body(batch.batch_id, gzip_bytes(batch.body))

    def upload(self, pending: list[Any]) -> BatchResult:
        return self.send(self.prepare(pending))


def prepare_batch(checked: list[tuple[WireRecord, dict]]) -> Prepared:
    """The body holds the very JSON of the records the protocol's rules passed (``_checked``):
    each record is encoded once."""
    wire = [w for w, _ in checked]
    batch_id = batch_id_for(wire)
    return Prepared(batch_id, frozenset(w.record_id for w in wire),
                    batch_json_bytes(batch_id, [j for _, j in checked]))  # fmt: skip


@dataclass
class SubmitReport:
    batches: int = 0
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def sent(self) -> int:
        return sum(self.counts.values())


READ_AHEAD = 4  # batches read from the store at once (each record is read about once)


class Submitter:
    """Drains the store through the uploader, batch by batch, one request in flight at a time.

    While a batch is on the wire (and being stored by the central record) the next one is read
    from the store, checked and encoded, and it is sent as soon as the answer arrives, before the
    kiosk marks the answered records sent: the two ends work at the same time. A batch never
    holds a record of the one in flight, and nothing is marked sent before its answer arrives,
    so the exactly-once argument is unchanged.
    """

    def __init__(
        self, store: Store, uploader: Uploader, *, batch_size: int = DEFAULT_BATCH
    ) -> None:
        if not 1 <= batch_size <= MAX_BATCH_RECORDS:
            raise ValueError(f"batch_size must be 1..{MAX_BATCH_RECORDS}")
        self.store, self.uploader, self.batch_size = store, uploader, batch_size
        self._queue: deque[Any] = deque()  # read from the store, neither sent nor in flight

    def submit_all(self, stop: threading.Event | None = None) -> SubmitReport:
        report, self._queue = SubmitReport(), deque()
        stopped = stop.is_set if stop else lambda: False
        with ThreadPoolExecutor(1, thread_name_prefix="sync-upload") as wire:
            batch = None if stopped() else self._next(frozenset())
            in_flight = wire.submit(self.uploader.send, batch) if batch else None
            while batch is not None and in_flight is not None:
                following, problem = None, None
                try:
                    following = None if stopped() else self._next(batch.record_ids)
                except WireError as exc:  # raised once the batch in flight is accounted for
                    problem = exc
                result = in_flight.result()
                in_flight = wire.submit(self.uploader.send, following) if following else None
                # If this raises with a batch in flight, its answer is dropped: its records
                # stay pending and go again (answered "duplicate"), never lost or doubled.
                self._account(batch, result, report)
                if problem is not None:
                    raise problem
                if following is None and not stopped():
                    # Records the answer left out are still pending: a fresh look finds them.
                    following = self._next(frozenset())
                    in_flight = wire.submit(self.uploader.send, following) if following else None
                batch = following
        self.store.purge_sent()
        return report

    def _next(self, in_flight: frozenset[str]) -> Prepared | None:
        """The next batch of pending records not in flight, checked and encoded; None when
        there is none; ``unsendable_records`` when only records the protocol refuses are left."""
        unsendable: list[str] = []
        refilled = False
        while True:
            if not self._queue:
                if refilled:
                    break
                limit = self.batch_size * READ_AHEAD + len(in_flight)
                self._queue.extend(p for p in self.store.pending(limit)
                                   if p.record_id not in in_flight)  # fmt: skip
                refilled = True
            take = [self._queue.popleft() for _ in range(min(self.batch_size, len(self._queue)))]
            checked, bad = _sendable(take)
            unsendable += bad
            if checked:
                return self._prepared(checked)
            if not take:
                break
        if unsendable:
            # Only records the central record would refuse are left: IT must look.
            raise WireError("unsendable_records", f"{len(unsendable)} stored record(s) break"
                            f" the protocol (first: {unsendable[0]}); they are kept", 400)
        return None

    @staticmethod
    def _prepared(checked: list[tuple[WireRecord, dict]]) -> Prepared:
        batch = prepare_batch(checked)
        while len(batch.body) > MAX_BODY_BYTES and len(checked) > 1:
            # Very long answers: fewer per batch (the JSON bounds the gzip body). Those left
            # out stay pending in the store for a later batch.
            checked = checked[: len(checked) // 2]
            batch = prepare_batch(checked)
        return batch

    def _account(self, batch: Prepared, result: BatchResult, report: SubmitReport) -> None:
        done = [r for r in result.results
                if r.record_id in batch.record_ids and r.status in FINAL_STATUSES]  # fmt: skip
        self.store.mark_sent([r.record_id for r in done])
        report.batches += 1
        for r in done:
            report.counts[r.status] = report.counts.get(r.status, 0) + 1
            if r.status != "accepted":
                log.info("record %s: %s %s", r.record_id, r.status, r.reason or "")
        if not done:  # the central record answered for none of them: do not spin
            raise TransientSyncError("the central record acknowledged no record of the batch")


def _checked(p: Any) -> tuple[WireRecord, dict]:
    """A pending record and its wire JSON, checked by the protocol's own rules (the ones the
    central record applies in ``WireRecord.from_json``)."""
    wire = WireRecord.from_pending(p).check(f"record {p.record_id}")
    return wire, wire.to_json()


def _sendable(pending: list[Any]) -> tuple[list[tuple[WireRecord, dict]], list[str]]:
    """Split records into those the protocol accepts and the problems of the others, so one
    bad record cannot block a batch."""
    good, bad = [], []
    for p in pending:
        try:
            good.append(_checked(p))
        except (WireError, TypeError, ValueError) as exc:
            log.error("record %s cannot be sent: %s", p.record_id, exc)
            bad.append(f"{p.record_id}: {exc}")
    return good, bad


class Backoff:
    """Exponential backoff with full jitter (AWS architecture blog), capped."""

    def __init__(
        self, base: float = 1.0, cap: float = 300.0, rng: random.Random | None = None
    ) -> None:
        self.base, self.cap, self.failures = base, cap, 0
        self._rng = rng or random.Random()

    def next_delay(self, retry_after: float | None = None) -> float:
        ceiling = min(self.cap, self.base * 2**self.failures)
        self.failures += 1
        delay = self._rng.uniform(0, ceiling)
        if retry_after is not None:  # the server knows best; never come back sooner
            delay = max(delay, min(retry_after, self.cap))
        return delay

    def reset(self) -> None:
        self.failures = 0


def reachable(url: str, timeout: float = 2.0) -> bool:
    """A cheap "is the network back?" check: can a TCP connection to the central host open?"""
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        with socket.create_connection((parts.hostname or "", port), timeout=timeout):
            return True
    except OSError:
        return False


def app_version() -> str:
    try:
        from importlib.metadata import version

        return version("patient-voice")
    except Exception:  # noqa: BLE001 - not installed as a distribution (a source checkout)
        return "0+unknown"


class SyncAgent:
    """One sync round: upload everything, send a heartbeat, pull content."""

    def __init__(
        self,
        store: Store,
        client: CentralClient,
        *,
        status: Any = None,
        content: Any = None,
        data_dir: Path | None = None,
        batch_size: int = DEFAULT_BATCH,
        clock: Callable[[], float] = time.time,
        config_path: Path | None = None,
    ) -> None:
        self.store, self.client, self.status, self.content = store, client, status, content
        self.config_path = config_path
        self.submitter = Submitter(store, Uploader(client), batch_size=batch_size)
        self.data_dir, self._clock = data_dir, clock

    def run_round(self, stop: threading.Event | None = None) -> SubmitReport:
        try:
            report = self.submitter.submit_all(stop)
            self.client.heartbeat(self._heartbeat())
            refused = self._pull_content()
        except DeviceRevokedError as exc:
            self._status(
                revoked=True, needs_it=True, last_error=str(exc), last_error_at=self._clock()
            )
            raise
        except SyncError as exc:
            self._status(last_error=str(exc), last_error_at=self._clock())
            raise
        if self.status is not None:
            self.status.record_sync(self._clock())
            if self.status.read().revoked:  # accepted again (IT fixed it): no longer revoked
                self.status.update(revoked=False, needs_it=False)
            if refused:  # the sync worked, but IT should know the content did not
                self.status.record_error(refused, self._clock())
        return report

    def _pull_content(self) -> str | None:
        """Fetch and apply new content; the reason if it was refused (last good content stays)."""
        if self.content is None:
            return None
        etag, doc = self.client.content(self.content.version())
        if doc is None:
            return None
        try:
            self.content.apply(doc, etag)
        except Exception as exc:  # noqa: BLE001 - a bad update must never stop uploads
            log.warning("content update refused: %s", exc)
            return f"content update refused ({type(exc).__name__}); the previous content stays"
        self._status(content_version=etag)
        self._adopt_responses_key(doc)
        return None

    def _adopt_responses_key(self, doc: dict) -> None:
        """A rotated responses key goes into the config; new records are sealed to it from the
        next start of the app (the central record keeps the old key for what was sealed before)."""
        from kiosk.config import load_config, update_config
        from kiosk.content import responses_key

        announced = responses_key(doc)
        if self.config_path is None or announced is None:
            return
        if load_config(self.config_path).keys.responses != announced:
            update_config({"keys": {"responses": announced}}, self.config_path)
            log.info("responses key rotated by the central record; config updated")

    def _heartbeat(self) -> Heartbeat:
        st = self.status.read() if self.status is not None else None
        free = shutil.disk_usage(self.data_dir).free if self.data_dir else None
        return Heartbeat(
            app_version=app_version(),
            pending=self.store.count_pending(),
            oldest_pending_age=self.store.oldest_pending_age(),
            free_disk=free,
            audio=getattr(st, "audio", None),
            last_error=getattr(st, "last_error", None),
        )

    def _status(self, **changes: Any) -> None:
        if self.status is not None:
            self.status.update(**changes)


def sync_main(args: Any) -> int:
    """`kiosk sync [--once]` (kiosk/cli.py dispatches here); the runner module does the work."""
    from sync.runner import sync_main as run

    return run(args)
