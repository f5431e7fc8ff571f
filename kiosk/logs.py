"""The one place the kiosk's logging is set up: ``setup_logging(data_dir, level)``.

Logs are JSON lines in ``<data_dir>/logs/<name>.log``, rotated by size (a kiosk runs for months
on a small disk), plus the same lines on stderr for journald. Every record passes
``PrivacyFilter`` first, which is defence in depth: callers must never log an answer, free text,
contact detail or token, and the filter makes sure one slipped in by mistake never reaches disk:

- arguments that can carry personal data (records, answers, dicts, lists, bytes: anything that is
  not a plain scalar, a path, a string or one of our own errors) are replaced by ``<withheld: T>``;
- the finished message is scrubbed of tokens, keys, enrolment codes, e-mail addresses, phone
  numbers, NHS numbers and postcodes, and of any value registered with ``protect()``;
- a traceback keeps file, line and function of each frame, never local variables, and an
  exception's message only if it is a ``PatientVoiceError`` (whose messages the project writes
  to be free of personal data), an ``ImportError`` (a module name) or the system's own words
  of an ``OSError`` (its strerror, not the file name). Any other exception's message is
  withheld, because it can quote the data that upset it: ``int('Dr Jones was rude')`` raises
  ``ValueError: invalid literal for int() with base 10: 'Dr Jones was rude'``, a KeyError
  prints the key, a UnicodeError the bytes, sqlite3 an offending value.

``install_excepthooks()`` (called by ``setup_logging``) routes uncaught exceptions, in the main
thread and in any other thread, through the same path instead of Python's default printer.
"""

from __future__ import annotations

import datetime as _dt
import enum
import json
import logging
import logging.handlers
import os
import re
import sys
import threading
import traceback
from collections.abc import Iterable
from pathlib import Path, PurePath
from types import TracebackType
from typing import Any

from kiosk.errors import PatientVoiceError

LOG_DIRNAME = "logs"
MAX_BYTES = 1_000_000  # per file; with BACKUPS that is at most 6 MB of logs on a kiosk
BACKUPS = 5
MAX_MESSAGE_CHARS = 2000
WITHHELD = "(message withheld: it may quote personal data)"
_HANDLER_FLAG = "_patient_voice"
_protected: set[str] = set()
_protected_lock = threading.Lock()

# (pattern, replacement), applied in order to every finished message and kept exception message.
_SCRUB: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"(?i)\bbearer\s+\S+"), "Bearer <token>"),
    (re.compile(r"\bpvt_[A-Za-z0-9_\-]+"), "<token>"),
    (re.compile(r"\bpv1-priv:\S+"), "<private key>"),
    (
        re.compile(
            r"(?i)\b(token|password|passwd|secret|pin|pin_hash|enrol(?:ment)?[_ ]code"
            r"|authorization)([\"']?\s*[:=]\s*[\"']?)[^\s\"',;&}]+"
        ),
        r"\1\2<redacted>",
    ),
    (re.compile(r"\bscrypt\$\S+"), "<pin hash>"),
    (re.compile(r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+"), "<email>"),
    # Enrolment codes: 12 of Crockford's base-32 letters and digits, with both kinds in them.
    (re.compile(r"\b(?=[0-9A-Z]*\d)(?=[0-9A-Z]*[A-Z])[0-9A-HJKMNP-TV-Z]{12}\b"), "<code>"),
    (re.compile(r"(?i)\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[ABD-HJLNP-UW-Z]{2}\b"), "<postcode>"),
]
# UK-style phone numbers: start with + or 0, 10 to 15 digits with spaces, dots, dashes, brackets.
_PHONE = re.compile(r"(?<![\w.+\-])(?:\+|\(?0)[\d\s().\-]{8,20}\d(?![\w])")
_NHS_NUMBER = re.compile(r"(?<![\w.])\d{3}[\s\-]?\d{3}[\s\-]?\d{4}(?![\w])")


def protect(*values: str | None) -> None:
    """Never let these exact strings into a log (the device token, a PIN being set ...)."""
    with _protected_lock:
        _protected.update(v for v in values if v and len(v) >= 4)


def _is_nhs_number(digits: str) -> bool:
    """Modulus 11 check, so ordinary 10-digit numbers (epoch seconds) are left alone."""
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    return (0 if check == 11 else check) == int(digits[9]) and check != 10


def _phone(match: re.Match[str]) -> str:
    digits = sum(c.isdigit() for c in match.group(0))
    return "<phone>" if 10 <= digits <= 15 else match.group(0)


def _nhs(match: re.Match[str]) -> str:
    digits = re.sub(r"\D", "", match.group(0))
    return "<nhs number>" if _is_nhs_number(digits) else match.group(0)


def scrub(text: str) -> str:
    """``text`` with tokens, secrets and contact details replaced by placeholders."""
    with _protected_lock:
        secrets = sorted(_protected, key=len, reverse=True)
    for secret in secrets:
        text = text.replace(secret, "<secret>")
    for pattern, replacement in _SCRUB:
        text = pattern.sub(replacement, text)
    text = _PHONE.sub(_phone, text)
    return _NHS_NUMBER.sub(_nhs, text)


def safe_exception_message(exc: BaseException) -> str:
    """Our own errors keep their (scrubbed) message, and so does an ImportError (it names a
    module: what a broken frozen build needs to say); an OSError keeps the system's own words
    ("No space left on device"), without the file name; any other message is withheld."""
    if isinstance(exc, PatientVoiceError | ImportError):
        return scrub(str(exc))
    if isinstance(exc, OSError) and exc.strerror:
        return f"{exc.strerror} (errno {exc.errno})"
    return WITHHELD


def _type_name(exc: BaseException) -> str:
    cls = type(exc)
    if cls.__module__ == "builtins":
        return cls.__qualname__
    return f"{cls.__module__}.{cls.__qualname__}"


def _chain(exc: BaseException) -> list[tuple[BaseException, str]]:
    """Oldest first, as Python prints them: (exception, the sentence that joins it to the next)."""
    out: list[tuple[BaseException, str]] = []
    seen: set[int] = set()
    current: BaseException | None = exc
    joiner = ""
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        out.append((current, joiner))
        if current.__cause__ is not None:
            joiner, current = "The above exception was the direct cause of:", current.__cause__
        elif current.__context__ is not None and not current.__suppress_context__:
            joiner, current = (
                "During handling of the above exception, another occurred:",
                current.__context__,
            )
        else:
            current = None
    return list(reversed(out))


def safe_traceback(exc: BaseException) -> str:
    """A traceback with no local variables and no foreign exception messages."""
    lines: list[str] = []
    chain = _chain(exc)
    for index, (item, _) in enumerate(chain):
        if index:
            lines.append(chain[index - 1][1])
        lines.append("Traceback (most recent call last):")
        for frame in traceback.extract_tb(item.__traceback__):  # FrameSummary: no locals
            lines.append(f'  File "{frame.filename}", line {frame.lineno}, in {frame.name}')
        lines.append(f"{_type_name(item)}: {safe_exception_message(item)}")
    return "\n".join(lines)


def _safe_arg(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | enum.Enum):
        return value
    if isinstance(value, str | PurePath):
        return str(value)
    if isinstance(value, BaseException):
        return f"{_type_name(value)}: {safe_exception_message(value)}"
    return f"<withheld: {type(value).__name__}>"


def _finished_message(record: logging.LogRecord) -> str:
    if not isinstance(record.msg, str):
        return f"<withheld: {type(record.msg).__name__}>"
    args = record.args
    try:
        if isinstance(args, dict):  # log.info("%(x)s", {"x": ...})
            return record.msg % {k: _safe_arg(v) for k, v in args.items()}
        if args:
            return record.msg % tuple(_safe_arg(a) for a in args)
        return record.msg
    except (TypeError, ValueError, KeyError):
        return f"{record.msg} (arguments withheld: they did not fit the message)"


class PrivacyFilter(logging.Filter):
    """Turns every record into a safe one in place: message finished and scrubbed, arguments
    gone, exception replaced by ``safe_traceback``. Never drops a record (losing the fact that
    something happened would hide faults); only its risky content."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "pv_safe", False):
            return True
        message = scrub(_finished_message(record))
        if len(message) > MAX_MESSAGE_CHARS:
            message = message[: MAX_MESSAGE_CHARS - 1] + "…"
        record.msg, record.args = message, ()
        if record.exc_info and record.exc_info[1] is not None:
            record.pv_traceback = safe_traceback(record.exc_info[1])
        record.exc_info, record.exc_text = None, None
        record.pv_safe = True
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time (UTC), level, logger, message, code location, traceback."""

    def format(self, record: logging.LogRecord) -> str:
        when = _dt.datetime.fromtimestamp(record.created, _dt.UTC)
        entry: dict[str, Any] = {
            "ts": when.isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
            "where": f"{record.module}:{record.lineno}",
            "thread": record.threadName,
        }
        if getattr(record, "pv_traceback", None):
            entry["traceback"] = record.pv_traceback
        return json.dumps(entry, ensure_ascii=False)


class ConsoleFormatter(logging.Formatter):
    """For journald/stderr: the same safe content, one readable line plus any traceback."""

    def __init__(self) -> None:
        super().__init__("%(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        tb = getattr(record, "pv_traceback", None)
        return f"{text}\n{tb}" if tb else text


def log_path(data_dir: str | os.PathLike[str], name: str = "kiosk") -> Path:
    return Path(data_dir) / LOG_DIRNAME / f"{name}.log"


def _quiet_kivy() -> None:
    """Kivy, in its default mode, hangs its own unfiltered console/file handlers on the root
    logger and captures stderr. Ask for its PYTHON mode (before it is imported), and undo the
    default mode if Kivy was imported first."""
    os.environ["KIVY_LOG_MODE"] = "PYTHON"
    if "kivy.logger" in sys.modules and type(sys.stderr).__name__ == "ProcessingStream":
        sys.stderr = sys.__stderr__


def _file_handler(path: Path) -> logging.Handler:
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    handler = logging.handlers.RotatingFileHandler(
        path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8"
    )
    os.chmod(path, 0o600)  # created by the handler with the umask's mode
    handler.setFormatter(JsonFormatter())
    return handler


def _console_handler() -> logging.Handler:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(ConsoleFormatter())
    return handler


def setup_logging(
    data_dir: str | os.PathLike[str],
    level: int | str = logging.INFO,
    *,
    name: str = "kiosk",
    console: bool = True,
    excepthooks: bool = True,
    secrets: Iterable[str | None] = (),
) -> Path | None:
    """Configure logging for this process; returns the log file's path, or None if it cannot
    be written (then the console gets the lines and one warning says why: a kiosk with a
    read-only or full disk must still start). Safe to call again (e.g. once the config is
    read): every handler on the root logger is replaced, so nothing (Kivy's handlers included)
    writes an unfiltered line. ``secrets``: see ``protect``."""
    _quiet_kivy()
    protect(*secrets)
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
        if getattr(old, _HANDLER_FLAG, False):
            old.close()
    path: Path | None = log_path(data_dir, name)
    handlers: list[logging.Handler] = []
    problem = None
    try:
        handlers.append(_file_handler(path))
    except OSError as exc:
        path, problem = None, exc
    if (console or path is None) and sys.stderr is not None:
        handlers.append(_console_handler())
    level = level if isinstance(level, int) else level.upper()
    for handler in handlers:
        handler.addFilter(PrivacyFilter())
        handler.setLevel(level)  # also for loggers with a level of their own (Kivy's)
        setattr(handler, _HANDLER_FLAG, True)
        root.addHandler(handler)
    root.setLevel(level)
    logging.captureWarnings(True)
    if excepthooks:
        install_excepthooks()
    if problem is not None:
        logging.getLogger(__name__).warning(
            "cannot write logs in %s (%s); stderr only", Path(data_dir) / LOG_DIRNAME, problem
        )
    return path


def early_logging(level: int | str = logging.WARNING) -> None:
    """Until ``setup_logging`` knows the data dir: filtered stderr only, and the safe
    excepthooks (the frozen app's runtime hook calls this before any of our code runs)."""
    _quiet_kivy()
    root = logging.getLogger()
    if not any(getattr(h, _HANDLER_FLAG, False) for h in root.handlers):
        level = level if isinstance(level, int) else level.upper()
        handler = _console_handler()
        handler.addFilter(PrivacyFilter())
        handler.setLevel(level)  # Kivy's logger has a level of its own (INFO)
        setattr(handler, _HANDLER_FLAG, True)
        root.addHandler(handler)
        root.setLevel(level)
    install_excepthooks()


_log = logging.getLogger("kiosk.crash")


def log_exception(exc: BaseException, where: str) -> None:
    """Log an unhandled exception: frames and our own messages only. The safe traceback is
    made here, not left to the filter, so it stays safe even before ``setup_logging`` has run
    (Python's last-resort handler would print a raw ``exc_info``)."""
    _log.critical(
        "unhandled exception in %s: %s",
        where,
        _type_name(exc),
        extra={"pv_traceback": safe_traceback(exc)},
    )


def _excepthook(
    exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None
) -> None:
    if issubclass(exc_type, KeyboardInterrupt):
        sys.__excepthook__(exc_type, exc, tb)
        return
    log_exception(exc, "the main thread")


def _thread_excepthook(args: threading.ExceptHookArgs) -> None:
    if args.exc_type is SystemExit or args.exc_value is None:
        return
    name = args.thread.name if args.thread is not None else "a thread"
    log_exception(args.exc_value, f"thread {name}")


def install_excepthooks() -> None:
    """Uncaught exceptions (any thread) go to the log, safely, instead of Python's printer,
    which would print every exception's message to stderr and so to the system journal."""
    sys.excepthook = _excepthook
    threading.excepthook = _thread_excepthook
