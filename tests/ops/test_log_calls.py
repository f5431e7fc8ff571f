"""No log call in the code formats a variable whose name says it may hold personal data.

The privacy filter (kiosk/logs.py) scrubs patterns (phone numbers, e-mail addresses, tokens) but
cannot recognise free text; this structural check is the other half: it reads every
``log.info(...)``-style call in kiosk/, sync/, central/ and screens/ and refuses arguments (and
f-string parts of the message) named like answers, free text, contact details or secrets.
"""

from __future__ import annotations

import ast

from tests.conftest import ROOT

PACKAGES = ("kiosk", "sync", "central", "screens")
LOGGERS = {"log", "logger", "_log", "LOG", "Logger", "logging"}
METHODS = {"debug", "info", "warning", "warn", "error", "exception", "critical", "log"}
RISKY = {
    "value",
    "values",
    "answer",
    "answers",
    "text",
    "comment",
    "draft",
    "contact",
    "contacts",
    "name",
    "token",
    "code",
    "pin",
    "payload",
    "body",
    "details",
    "free_text",
    "line",
    "lines",
    "email",
    "phone",
    "data",
    "needs_other",
    "sealed",
    "plaintext",
}
NOT_FORMATTED = {"exc_info", "stack_info", "stacklevel", "extra"}


def _ident(node: ast.AST) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Subscript):
        return _ident(node.value)
    return None


def _formatted_parts(call: ast.Call) -> list[ast.AST]:
    parts = list(call.args[1:]) + [k.value for k in call.keywords if k.arg not in NOT_FORMATTED]
    if call.args and isinstance(call.args[0], ast.JoinedStr):
        parts += [v.value for v in call.args[0].values if isinstance(v, ast.FormattedValue)]
    return parts


def risky_log_calls(source: str, where: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if not (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in METHODS
            and _ident(node.func.value) in LOGGERS
        ):
            continue
        for part in _formatted_parts(node):
            names = {_ident(sub) for sub in ast.walk(part)} & RISKY
            if names:
                found.append(f"{where}:{node.lineno}: logs {sorted(names)}: {ast.unparse(node)}")
    return found


def test_no_log_call_formats_personal_data() -> None:
    problems = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            problems += risky_log_calls(
                path.read_text(encoding="utf-8"), str(path.relative_to(ROOT))
            )
    assert problems == []


def test_the_check_catches_the_usual_slips() -> None:
    source = """
log.info("answer %s", answer.value)
logger.warning(f"saving {record.contact} failed")
log.error("bad %(t)s", t=token)
log.info("record %s sent in %.1f s", record.record_id, seconds)
"""
    found = risky_log_calls(source, "x.py")
    assert [line.split(":")[1] for line in found] == ["2", "3", "4"]
