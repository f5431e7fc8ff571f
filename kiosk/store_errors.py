"""How the sealed store turns sqlite3 and OS errors into the kiosk's ``StoreError`` family.

Full disk, read-only data directory and a damaged file each get their own exception and a
sentence that says what to do; anything else is a plain ``StoreError`` naming the store file.
"""
from __future__ import annotations

import errno
import os
import sqlite3
from pathlib import Path

from kiosk.errors import StoreCorruptError, StoreError, StoreFullError, StoreReadOnlyError


def _fs_readonly(path: Path) -> bool:
    probe = path if path.exists() else path.parent
    try:
        return bool(os.statvfs(probe).f_flag & os.ST_RDONLY) or not os.access(probe, os.W_OK)
    except OSError:
        return False


def _fs_full(path: Path) -> bool:
    try:
        st = os.statvfs(path if path.exists() else path.parent)
    except OSError:
        return False
    return st.f_bavail * st.f_frsize < 64 * 1024


def _full(path: Path, exc: BaseException) -> StoreFullError:
    return StoreFullError(
        f"the disk holding {path.parent} is full: no new response can be saved until space is "
        f"freed on it (responses already saved are safe) [{exc}]")


def _readonly(path: Path, exc: BaseException) -> StoreReadOnlyError:
    return StoreReadOnlyError(
        f"the data directory {path.parent} is read-only: no new response can be saved until it "
        f"is remounted read-write or its permissions are fixed (responses already saved are "
        f"safe) [{exc}]")


def corrupt(path: Path, detail: object) -> StoreCorruptError:
    return StoreCorruptError(
        f"the store {path} is damaged ({detail}): stop the kiosk, keep the file for IT "
        f"(it may still hold unsent responses) and move it aside so a fresh store is created")


def translate_sqlite(path: Path, exc: sqlite3.Error) -> StoreError:
    code = getattr(exc, "sqlite_errorcode", 0) & 0xFF
    if code == sqlite3.SQLITE_FULL:
        return _full(path, exc)
    if code == sqlite3.SQLITE_READONLY or (
        code in (sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_IOERR, sqlite3.SQLITE_PERM)
        and _fs_readonly(path)
    ):
        return _readonly(path, exc)
    if code == sqlite3.SQLITE_IOERR and _fs_full(path):
        return _full(path, exc)  # e.g. ENOSPC while growing the -shm file
    if code in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB):
        return corrupt(path, exc)
    return StoreError(f"the store {path} failed: {exc}")


def translate_os(path: Path, exc: OSError) -> StoreError:
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return _full(path, exc)
    if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return _readonly(path, exc)
    return StoreError(f"the store {path} failed: {exc.strerror or exc}")
