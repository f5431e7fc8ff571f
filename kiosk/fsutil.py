"""Durable file replacement: the one implementation the core uses.

``write_atomic`` writes a temp file in the same directory, fsyncs it, ``os.replace``s it over
the target and fsyncs the directory, so after a power cut the file is either the old content or
the new, never a torn mixture, and the rename itself survives. It raises ``OSError``: each
caller translates it into its own error from kiosk/errors.py (a config, survey, status or
content problem reads differently to the person who has to fix it).
"""
from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from pathlib import Path

if sys.platform == "win32":  # the kiosk also ships for Windows (docs/deploy.md)
    import msvcrt

    def lock_file(fd: int) -> None:
        """Block until this process holds the lock on ``fd`` (released by closing it)."""
        msvcrt.locking(fd, msvcrt.LK_LOCK, 1)

else:
    import fcntl

    def lock_file(fd: int) -> None:
        """Block until this process holds the lock on ``fd`` (released by closing it)."""
        fcntl.flock(fd, fcntl.LOCK_EX)


def fsync_dir(directory: Path) -> None:
    """Make a new or renamed directory entry durable."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_atomic(path: Path, data: bytes, *, mode: int = 0o600, dir_mode: int = 0o700) -> None:
    """Replace ``path`` with ``data`` durably; the file gets ``mode`` (default owner-only)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True, mode=dir_mode)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            os.fchmod(fh.fileno(), mode)
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    fsync_dir(path.parent)
