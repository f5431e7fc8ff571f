"""kiosk.logs: JSON lines in the data dir, rotation, and the privacy filter (real files)."""

from __future__ import annotations

import json
import logging
import logging.handlers
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.errors import StoreError
from kiosk.logs import (
    BACKUPS,
    MAX_BYTES,
    WITHHELD,
    log_path,
    protect,
    safe_traceback,
    scrub,
)
from kiosk.record import Answer
from tests.conftest import ROOT
from tests.ops.conftest import log_lines

log = logging.getLogger("tests.ops")


def entries(data: Path) -> list[dict]:
    return [json.loads(line) for line in log_lines(data)]


def test_lines_are_json_with_time_level_logger_and_place(kiosk_logging: Path) -> None:
    log.info("synced %d records in %.1f s", 3, 0.25)
    (entry,) = entries(kiosk_logging)
    assert entry["msg"] == "synced 3 records in 0.2 s"
    assert entry["level"] == "INFO" and entry["logger"] == "tests.ops"
    assert entry["where"].startswith("test_logs:") and entry["ts"].endswith("+00:00")


def test_log_file_and_folder_are_private(kiosk_logging: Path) -> None:
    log.warning("hello")
    path = log_path(kiosk_logging)
    assert path.is_file()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


@pytest.mark.parametrize(
    "secret, sensitive, placeholder",
    [
        ("Authorization: Bearer pvt_Zm9vYmFyYmF6cXV4cXV1eA", "Zm9vYmFy", "<token>"),
        ("token=pvt_Zm9vYmFyYmF6cXV4cXV1eA", "Zm9vYmFy", "<redacted>"),
        ("enrolment code 7K3MX9QRTP2A", "7K3MX9QRTP2A", "<code>"),
        ("key pv1-priv:AAAAabcdEFGH", "AAAAabcdEFGH", "<private key>"),
        ("pin_hash = scrypt$16384$8$1$c2FsdA$aGFzaA", "c2FsdA", "<redacted>"),
        ("write to jo.bloggs+ward3@nhs.net", "bloggs", "<email>"),
        ("ring 07700 900461 after six", "900461", "<phone>"),
        ("ring +44 (0)20 7946 0958", "7946", "<phone>"),
        ("NHS number 943 476 5919", "5919", "<nhs number>"),
        ("lives at LS1 4AP", "4AP", "<postcode>"),
    ],
)
def test_tokens_and_contact_details_are_scrubbed(
    kiosk_logging: Path, secret: str, sensitive: str, placeholder: str
) -> None:
    log.error("request failed: %s", secret)
    log.error(f"formatted early: {secret}")  # an f-string bypasses args: still scrubbed
    msgs = [e["msg"] for e in entries(kiosk_logging)]
    assert len(msgs) == 2
    assert all(placeholder in m and sensitive not in m for m in msgs), msgs


def test_ordinary_technical_facts_survive_the_scrub() -> None:
    line = (
        "record 0f3a9c2e4b5d6e7f8a9b0c1d2e3f4a5b: 503 from http://127.0.0.1:8000 at "
        "2026-11-26T10; next try in 12.5 s; epoch 1764155000.5; device kiosk-0042 ward-3"
    )
    assert scrub(line) == line


def test_protected_values_are_never_written(kiosk_logging: Path) -> None:
    protect("correct-horse-battery")
    log.warning("config has %s in it", "xx correct-horse-battery yy")
    (entry,) = entries(kiosk_logging)
    assert "correct-horse-battery" not in entry["msg"] and "<secret>" in entry["msg"]


def test_structured_arguments_are_withheld(kiosk_logging: Path) -> None:
    answer = Answer("why", "free_text", "The night nurse was wonderful", None)
    log.info("got %s and %s and %s", answer, {"name": "Ada Lovelace"}, ["Ada", "Lovelace"])
    log.info(answer)  # a non-string message
    log.info("%(who)s said %(what)s", {"who": "Ada", "what": b"bytes of an answer"})
    text = "\n".join(log_lines(kiosk_logging))
    for leak in ("wonderful", "Lovelace", "bytes of an answer"):
        assert leak not in text
    assert "<withheld: Answer>" in text and "<withheld: dict>" in text
    assert "<withheld: list>" in text and "<withheld: bytes>" in text


def test_exceptions_keep_frames_but_not_foreign_messages(kiosk_logging: Path) -> None:
    def parse(answer: str) -> int:
        return int(answer)  # ValueError quotes the answer in its message

    try:
        parse("Dr Jones was rude to my mother")
    except ValueError:
        log.exception("could not parse")
    (entry,) = entries(kiosk_logging)
    tb = entry["traceback"]
    assert "Dr Jones" not in json.dumps(entry)
    assert f"ValueError: {WITHHELD}" in tb
    assert ", in parse" in tb and "test_logs.py" in tb


def test_our_own_errors_keep_their_message_and_chains_are_shown(kiosk_logging: Path) -> None:
    try:
        try:
            {"Ada Lovelace": 1}["Grace Hopper"]
        except KeyError as exc:
            raise StoreError("cannot write store.db: disk I/O error") from exc
    except StoreError:
        log.exception("saving failed")
    (entry,) = entries(kiosk_logging)
    tb = entry["traceback"]
    assert "Grace Hopper" not in tb and "Ada" not in tb
    assert f"KeyError: {WITHHELD}" in tb
    assert "direct cause" in tb
    assert "kiosk.errors.StoreError: cannot write store.db: disk I/O error" in tb


def test_exception_as_argument_is_reduced_the_same_way(kiosk_logging: Path) -> None:
    log.error("failed: %s", ValueError("Jane Doe, 07700 900461"))
    (entry,) = entries(kiosk_logging)
    assert entry["msg"] == f"failed: ValueError: {WITHHELD}"


def test_import_errors_name_the_missing_module(kiosk_logging: Path) -> None:
    try:
        __import__("screens.no_such_screen")
    except ImportError:
        log.exception("a frozen build without a hidden import")
    (entry,) = entries(kiosk_logging)
    assert "No module named 'screens.no_such_screen'" in entry["traceback"]


def test_safe_traceback_has_no_locals() -> None:
    def boom() -> None:
        free_text = "my private comment"  # noqa: F841 (a local that must not appear)
        raise RuntimeError("my private comment")

    try:
        boom()
    except RuntimeError as exc:
        text = safe_traceback(exc)
    assert "my private comment" not in text and "in boom" in text


def test_files_rotate_and_stay_bounded(kiosk_logging: Path) -> None:
    assert MAX_BYTES * (BACKUPS + 1) <= 10_000_000  # a kiosk's logs never outgrow 10 MB
    (handler,) = [
        h
        for h in logging.getLogger().handlers
        if isinstance(h, logging.handlers.RotatingFileHandler)
    ]
    handler.maxBytes = 20_000  # the real handler, rotating sooner so the test stays fast
    for _ in range(200):
        log.debug("%s", "x" * 1000)
    files = sorted(log_path(kiosk_logging).parent.iterdir())
    assert len(files) == BACKUPS + 1
    assert all(f.stat().st_size <= 20_000 for f in files)


_KIVY_FIRST = """
import logging, sys
from kivy.logger import Logger  # default mode: its handlers on root, stderr captured
from kiosk.logs import PrivacyFilter, setup_logging
setup_logging(sys.argv[1], "INFO")
root = logging.getLogger()
assert all(any(isinstance(f, PrivacyFilter) for f in h.filters) for h in root.handlers)
assert type(sys.stderr).__name__ != "ProcessingStream"
Logger.info("Window: mail jo.bloggs@nhs.net")
"""


def test_kivy_imported_first_still_logs_only_through_the_filter(tmp_path: Path) -> None:
    env = {**os.environ, "KIVY_LOG_MODE": "KIVY", "KIVY_HOME": str(tmp_path / "kivy")}
    env.pop("KIVY_NO_CONSOLELOG", None)
    proc = subprocess.run(
        [sys.executable, "-c", _KIVY_FIRST, str(tmp_path)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    (entry,) = [json.loads(x) for x in log_path(tmp_path).read_text().splitlines()]
    assert entry["logger"] == "kivy" and entry["msg"] == "Window: mail <email>"
    assert "bloggs" not in proc.stderr


_CRASHER = """
import sys, threading
from kiosk.logs import setup_logging
setup_logging(sys.argv[1], "INFO")
def worker():
    comment = "thread secret: Jane Doe 07700 900461"
    raise ValueError(comment)
t = threading.Thread(target=worker, name="pv-worker"); t.start(); t.join()
answer = "main secret: the ward was filthy"
raise KeyError(answer)
"""


def test_uncaught_exceptions_in_any_thread_are_logged_safely(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-c", _CRASHER, str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 1
    logged = [json.loads(x) for x in log_path(tmp_path).read_text().splitlines()]
    everything = proc.stdout + proc.stderr + json.dumps(logged)
    assert "secret" not in everything and "Jane" not in everything and "filthy" not in everything
    where = [e["msg"] for e in logged if e["level"] == "CRITICAL"]
    assert where == [
        "unhandled exception in thread pv-worker: ValueError",
        "unhandled exception in the main thread: KeyError",
    ]
    assert all(
        ", in worker" in e["traceback"] or "<module>" in e["traceback"]
        for e in logged
        if e["level"] == "CRITICAL"
    )
    assert "unhandled exception in the main thread" in proc.stderr  # journald sees that it died


def test_an_unwritable_data_dir_falls_back_to_stderr(tmp_path: Path) -> None:
    """A kiosk whose disk is read-only or full must still start (and say why)."""
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the data dir should be")
    script = (
        "import sys, logging\nfrom kiosk.logs import setup_logging\n"
        "assert setup_logging(sys.argv[1]) is None\n"
        "logging.getLogger('x').error('mail %s', 'jo@nhs.net')\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", script, str(blocker / "data")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert "cannot write logs in" in proc.stderr and "stderr only" in proc.stderr
    assert "NotADirectoryError: Not a directory (errno 20)" in proc.stderr
    assert "mail <email>" in proc.stderr and "jo@nhs.net" not in proc.stderr


def test_early_logging_filters_stderr_until_the_data_dir_is_known(tmp_path: Path) -> None:
    script = (
        "import logging\nfrom kiosk.logs import early_logging, setup_logging\n"
        "early_logging()\nlogging.getLogger('x').warning('ring 07700 900461')\n"
        "setup_logging(__import__('sys').argv[1], console=False)\n"
        "logging.getLogger('x').warning('now in the file')\n"
        "assert len(logging.getLogger().handlers) == 1\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert "ring <phone>" in proc.stderr and "900461" not in proc.stderr
    assert "now in the file" in log_path(tmp_path).read_text()
