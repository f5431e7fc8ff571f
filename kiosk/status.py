"""The kiosk's status file and `kiosk status`.

``status.json`` in the data directory holds what IT and the staff screen need to know and that is
not in the store: last successful sync, last error (a short technical sentence, never personal
data: callers pass e.g. "central returned 503", never a response or a token), whether the device
was revoked or needs IT, the audio state and the live content version. Writes are atomic (temp,
fsync, replace) under a lock file, because the kiosk app and the sync agent both update it.

`kiosk status` adds the store's counts, read without any key and without writing to the store.
"""
from __future__ import annotations

import contextlib
import errno
import json
import logging
import os
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path
from typing import Any

from kiosk.config import KioskConfig, load_config
from kiosk.errors import StoreError, StoreFullError, StoreReadOnlyError
from kiosk.fsutil import lock_file, write_atomic

log = logging.getLogger(__name__)
MAX_ERROR_CHARS = 200


@dataclass(frozen=True)
class Status:
    last_sync_at: float | None = None  # epoch seconds of the last fully successful sync
    last_error: str | None = None  # short technical sentence; cleared by a successful sync
    last_error_at: float | None = None
    revoked: bool = False  # central said this device is revoked: stop sending
    needs_it: bool = False  # something only IT can fix (revoked, damaged store, bad config)
    audio: str = "unknown"  # e.g. "ok", "no-device", "off": set by the speech layer
    content_version: str | None = None  # version of the live survey/settings from central


_FIELDS = {f.name for f in fields(Status)}


def _short(message: str) -> str:
    """One line, at most MAX_ERROR_CHARS: a status line, not a log dump."""
    line = " ".join(str(message).split())
    return line if len(line) <= MAX_ERROR_CHARS else line[: MAX_ERROR_CHARS - 1] + "…"


def _from_json(data: Any) -> Status:
    if not isinstance(data, dict):
        raise ValueError("status file does not hold a JSON object")
    known = {k: v for k, v in data.items() if k in _FIELDS}  # newer fields from a newer kiosk
    return Status(**known)


def _write_error(path: Path, exc: OSError) -> StoreError:
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return StoreFullError(f"cannot write {path}: the disk is full; free space on it")
    if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return StoreReadOnlyError(f"cannot write {path}: {exc.strerror}; remount the data "
                                  "directory read-write or fix its permissions")
    return StoreError(f"cannot write {path}: {exc.strerror}")


class StatusFile:
    """``status.json`` (``KioskConfig.status_path``): read, update atomically."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)

    def read(self) -> Status:
        """The current status; defaults if there is no file yet or it cannot be read."""
        try:
            return _from_json(json.loads(self.path.read_text(encoding="utf-8")))
        except FileNotFoundError:
            return Status()
        except (OSError, ValueError, TypeError) as exc:
            # A damaged status file must never stop the kiosk; the next write replaces it.
            log.warning("status file %s unreadable (%s); using defaults", self.path, exc)
            return Status()

    def update(self, **changes: Any) -> Status:
        unknown = set(changes) - _FIELDS
        if unknown:
            raise TypeError(f"unknown status field(s): {', '.join(sorted(unknown))}")
        if changes.get("last_error") is not None:
            changes["last_error"] = _short(changes["last_error"])
        if changes.get("content_version") is not None:
            changes["content_version"] = str(changes["content_version"])
        with self._locked():
            status = replace(self.read(), **changes)
            self._write(status)
        return status

    def record_sync(self, at: float) -> Status:
        """A sync round fully succeeded: remember when, and clear the last error."""
        return self.update(last_sync_at=at, last_error=None, last_error_at=None)

    def record_error(self, message: str, at: float) -> Status:
        return self.update(last_error=message, last_error_at=at)

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd = os.open(self.path.with_name(self.path.name + ".lock"), os.O_RDWR | os.O_CREAT,
                         0o600)
        except OSError as exc:
            raise _write_error(self.path, exc) from exc
        try:
            lock_file(fd)
            yield
        finally:
            os.close(fd)  # closing the descriptor releases the lock on both platforms

    def _write(self, status: Status) -> None:
        text = json.dumps(asdict(status), indent=2, sort_keys=True)
        try:
            write_atomic(self.path, text.encode("utf-8"), mode=0o600)
        except OSError as exc:
            raise _write_error(self.path, exc) from exc


# --- `kiosk status` -----------------------------------------------------------------------------

def _duration(seconds: float) -> str:
    minutes = int(seconds // 60)
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min" if hours < 48 else f"{hours // 24} days"


def _when(epoch: float | None, now: float) -> str:
    if epoch is None:
        return "never"
    stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(epoch))
    return f"{stamp} ({_duration(max(0.0, now - epoch))} ago)"


def gather(cfg: KioskConfig, now: float) -> dict[str, Any]:
    """Everything `kiosk status` shows, as JSON-able values. Needs no key."""
    status = StatusFile(cfg.status_path).read()
    store_error = None
    from kiosk.store import PendingSummary, read_summary  # sqlite-utils: not at start-up

    summary: PendingSummary | None = None
    try:
        summary = read_summary(cfg.store_path, clock=lambda: now)
    except StoreError as exc:
        store_error = str(exc)
    return {
        "config": str(cfg.path), "enrolled": cfg.enrolled, "device": cfg.device.id,
        "site": cfg.device.site, "location": cfg.device.location,
        "location_name": cfg.device.location_name, "central": cfg.central.url,
        "store": str(cfg.store_path), "store_error": store_error,
        "pending": summary.count_pending if summary else 0,
        "sent_not_purged": summary.count_sent if summary else 0,
        "oldest_pending_age_seconds": summary.oldest_pending_age if summary else None,
        **asdict(status),
    }


def _text_lines(info: dict[str, Any], now: float) -> list[str]:
    place = info["location"] or "not set"
    if info["location_name"]:
        place += f" ({info['location_name']})"
    age = info["oldest_pending_age_seconds"]
    error = "none" if info["last_error"] is None else \
        f"{info['last_error']} ({_when(info['last_error_at'], now)})"
    rows = [
        ("device", f"{info['device'] or 'not enrolled'}"
                   + (f" (site {info['site']})" if info["site"] else "")),
        ("location", place),
        ("central", info["central"] or "none (not enrolled)"),
        ("pending", str(info["pending"])),
        ("oldest pending", "none" if age is None else f"up to {_duration(age)}"),
        ("last sync", _when(info["last_sync_at"], now)),
        ("last error", error),
        ("revoked", "YES: this kiosk no longer sends" if info["revoked"] else "no"),
        ("needs IT", "YES" if info["needs_it"] else "no"),
        ("content", info["content_version"] or "packaged"),
        ("audio", info["audio"]),
        ("store", info["store"] if not info["store_error"] else f"ERROR {info['store_error']}"),
    ]
    return [f"{label + ':':<16}{value}" for label, value in rows]


def status_main(args: Any) -> int:
    """`kiosk status [--json]`: 0 normally, 2 if the store cannot be read."""
    cfg = load_config(getattr(args, "config", None), missing_ok=True)
    now = time.time()
    info = gather(cfg, now)
    if getattr(args, "json", False):
        print(json.dumps(info, indent=2, sort_keys=True))
    else:
        print("\n".join(_text_lines(info, now)))
    return 2 if info["store_error"] else 0
