"""Fixtures for the IT/operations tests: logging into a temp data dir (restored afterwards), and
the live central record on loopback from tests/central/live.py."""

from __future__ import annotations

import logging
import os
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.central.live import central_keys, sqlite_central  # noqa: F401  (fixtures)


@pytest.fixture
def kiosk_logging(tmp_path: Path) -> Iterator[Path]:
    """``setup_logging`` into tmp_path/data at DEBUG (the most that can ever be written);
    yields the data dir. Root handlers, level, excepthooks and KIVY_LOG_MODE come back after."""
    from kiosk.logs import setup_logging

    root = logging.getLogger()
    saved = (
        list(root.handlers),
        root.level,
        sys.excepthook,
        threading.excepthook,
        os.environ.get("KIVY_LOG_MODE"),
        sys.stderr,
    )
    data = tmp_path / "data"
    setup_logging(data, logging.DEBUG, console=False)
    yield data
    for handler in list(root.handlers):
        root.removeHandler(handler)
        handler.close()
    handlers, level, sys.excepthook, threading.excepthook, mode, sys.stderr = saved
    for handler in handlers:
        root.addHandler(handler)
    root.setLevel(level)
    if mode is None:
        os.environ.pop("KIVY_LOG_MODE", None)
    else:
        os.environ["KIVY_LOG_MODE"] = mode
    logging.captureWarnings(False)


def log_lines(data_dir: Path) -> list[str]:
    """Every line of every log file (rotated ones too) under ``data_dir``."""
    for handler in logging.getLogger().handlers:
        handler.flush()
    return [
        line
        for path in sorted(data_dir.rglob("*.log*"))
        for line in path.read_text(encoding="utf-8").splitlines()
    ]
