"""Private by default: the central record's files are readable by its own user only.

``start_private(data_dir, sqlite_path, keys_dir)`` runs first in every `kiosk-central` command
and in each `serve` worker process:

* the umask becomes 077, so every file the central creates from then on (``central.sqlite`` and
  SQLite's ``-wal``/``-shm``, which copy the database file's mode; keys; exports; reports) is
  0600 and every directory 0700;
* the data dir is made 0700 (created if missing), and anything already in it, in the keys dir
  and the SQLite file with its ``-wal``/``-shm``/``-journal`` that group or others could use is
  tightened (files 0600, dirs 0700), each with a logged warning naming the path and the old mode.

Symlinks are not followed: a link in the data dir is IT's deliberate choice and chmod on it
would change whatever it points at.
"""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

log = logging.getLogger("central.private")
UMASK = 0o077
FILE_MODE, DIR_MODE = 0o600, 0o700
SQLITE_SIDE_FILES = ("-wal", "-shm", "-journal")


def _tighten(path: Path, wanted: int) -> bool:
    """chmod ``path`` to ``wanted`` if group or others have any access; True if changed."""
    mode = stat.S_IMODE(path.lstat().st_mode)
    if not mode & 0o077:
        return False
    os.chmod(path, wanted)
    log.warning("%s was %s (group or others could use it); made it %s", path, oct(mode),
                oct(wanted))  # fmt: skip
    return True


def tighten_tree(root: Path) -> list[Path]:
    """Make ``root`` and everything under it private; the paths that were changed."""
    changed: list[Path] = []
    if root.is_symlink() or not root.exists():
        return changed
    if root.is_file():
        return [root] if _tighten(root, FILE_MODE) else []
    if _tighten(root, DIR_MODE):
        changed.append(root)
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            path = Path(dirpath) / name
            if path.is_symlink():
                continue
            if _tighten(path, DIR_MODE if path.is_dir() else FILE_MODE):
                changed.append(path)
    return changed


def start_private(data_dir: Path, sqlite_path: Path | None = None,
                  keys_dir: Path | None = None, *, create: bool = True) -> list[Path]:  # fmt: skip
    """Set the umask, make the data dir (0700) and tighten what is already there."""
    os.umask(UMASK)
    if create:
        data_dir.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)
    changed = tighten_tree(data_dir)
    if keys_dir is not None and not _inside(keys_dir, data_dir):
        changed += tighten_tree(keys_dir)
    if sqlite_path is not None and not _inside(sqlite_path, data_dir):
        for path in (sqlite_path, *(Path(f"{sqlite_path}{s}") for s in SQLITE_SIDE_FILES)):
            changed += tighten_tree(path)
    return changed


def _inside(path: Path, root: Path) -> bool:
    return path.resolve().is_relative_to(root.resolve())
