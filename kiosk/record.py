"""One person's response: the anonymous answers and, apart from them, any contact details.

``anonymous_payload()`` is sealed to the *responses* key and counted in reports; it carries contact
and involvement questions only as ``"value": null`` (that a request exists, not who made it).
``contact_payload()`` is sealed to the *contacts* key and opened only where the concerns team works.
Both are plain JSON-able dicts with ``"schema": 1``. ``from_anonymous_payload`` is the strict
parser for the far end: it checks every field, because what it reads came over a network.
"""
from __future__ import annotations

import math
import uuid
from dataclasses import dataclass, field
from typing import Any

from kiosk.errors import RecordError
from kiosk.survey import KINDS, PERSONAL_KINDS, is_json_type

SCHEMA = 1
VARIANTS = ("standard", "easy_read")
FLAGS = frozenset({"test", "abandoned", "fast", "burst"})


def variant_of(language: str) -> str:
    """Easy Read is shown as its own language tag; reports count it as a variant of English."""
    return "easy_read" if language == "en-x-easy" else "standard"


def new_record_id() -> str:
    return uuid.uuid4().hex


@dataclass(frozen=True)
class Answer:
    question_id: str
    kind: str
    value: Any  # see docs/architecture.md "Answer values"; multi_choice as a tuple; personal: None
    code: int | str | None = None


@dataclass(frozen=True)
class ResponseRecord:
    record_id: str
    survey_id: str
    survey_version: int
    language: str
    variant: str
    answers: tuple[Answer, ...]
    contact: dict | None  # {"contact": {...}, "involvement": {...}}: only the parts given
    started_at: float
    finished_at: float
    device_id: str
    site_code: str
    location_code: str
    flags: frozenset[str] = field(default_factory=frozenset)

    def answer(self, question_id: str) -> Answer | None:
        return next((a for a in self.answers if a.question_id == question_id), None)

    def anonymous_payload(self) -> dict:
        return {
            "schema": SCHEMA,
            "record_id": self.record_id,
            "survey_id": self.survey_id,
            "survey_version": self.survey_version,
            "language": self.language,
            "variant": self.variant,
            "answers": [_answer_json(a) for a in self.answers],
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "device_id": self.device_id,
            "site_code": self.site_code,
            "location_code": self.location_code,
            "flags": sorted(self.flags),
        }

    def contact_payload(self) -> dict | None:
        """Contact/involvement details with just enough context to route them, or None."""
        if not self.contact:
            return None
        return {
            "schema": SCHEMA,
            "record_id": self.record_id,
            "survey_id": self.survey_id,
            "language": self.language,
            "variant": self.variant,
            "finished_at": self.finished_at,
            "site_code": self.site_code,
            "location_code": self.location_code,
            "flags": sorted(self.flags),
            "contact": _plain(self.contact.get("contact")),
            "involvement": _plain(self.contact.get("involvement")),
        }


def _answer_json(a: Answer) -> dict:
    value = None if a.kind in PERSONAL_KINDS else _plain(a.value)
    return {"question_id": a.question_id, "kind": a.kind, "value": value, "code": a.code}


def _plain(value: Any) -> Any:
    """Tuples to lists, recursively, so the payload is exactly what json.loads gives back."""
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


# ---------------------------------------------------------------- the strict parser

_TOP = {"schema": int, "record_id": str, "survey_id": str, "survey_version": int, "language": str,
        "variant": str, "answers": list, "started_at": (int, float), "finished_at": (int, float),
        "device_id": str, "site_code": str, "location_code": str, "flags": list}


def from_anonymous_payload(data: Any) -> ResponseRecord:
    """Rebuild a record from ``anonymous_payload()`` JSON, checking everything; ``RecordError``
    names each problem by field (never by the value a person typed)."""
    if not isinstance(data, dict):
        raise RecordError("anonymous payload: must be a JSON object")
    problems = _top_problems(data)
    answers: list[Answer] = []
    if isinstance(data.get("answers"), list):
        answers = _parse_answers(data["answers"], problems)
    if problems:
        raise RecordError("anonymous payload: " + "; ".join(problems))
    return ResponseRecord(
        record_id=data["record_id"], survey_id=data["survey_id"],
        survey_version=data["survey_version"], language=data["language"],
        variant=data["variant"], answers=tuple(answers), contact=None,
        started_at=float(data["started_at"]), finished_at=float(data["finished_at"]),
        device_id=data["device_id"], site_code=data["site_code"],
        location_code=data["location_code"], flags=frozenset(data["flags"]))


def _top_problems(data: dict) -> list[str]:
    problems = [f"'{k}' is missing or has the wrong type"
                for k, t in _TOP.items() if k not in data or not is_json_type(data[k], t)]
    problems += [f"'{k}' is not a known field" for k in data if k not in _TOP]
    if problems:
        return problems
    if data["schema"] != SCHEMA:
        problems.append(f"'schema' is {data['schema']}: this version reads schema {SCHEMA}")
    if not _is_hex_id(data["record_id"]):
        problems.append("'record_id' must be 32 lower-case hex digits")
    if data["variant"] not in VARIANTS:
        problems.append(f"'variant' must be one of {', '.join(VARIANTS)}")
    if data["survey_version"] < 1:
        problems.append("'survey_version' must be 1 or more")
    if not all(math.isfinite(data[k]) for k in ("started_at", "finished_at")):
        problems.append("'started_at' and 'finished_at' must be finite numbers")
    elif data["finished_at"] < data["started_at"]:
        problems.append("'finished_at' is before 'started_at'")
    unknown = [f for f in data["flags"] if f not in FLAGS]
    if unknown or len(set(data["flags"])) != len(data["flags"]):
        problems.append(f"'flags' may only hold each of {', '.join(sorted(FLAGS))} once")
    return problems


def _parse_answers(items: list, problems: list[str]) -> list[Answer]:
    out: list[Answer] = []
    for i, item in enumerate(items):
        where = f"answers[{i}]"
        if not isinstance(item, dict) or set(item) != {"question_id", "kind", "value", "code"}:
            problems.append(f"{where} must have exactly question_id, kind, value and code")
            continue
        qid, kind, value, code = item["question_id"], item["kind"], item["value"], item["code"]
        problem = _answer_problem(qid, kind, value, code)
        if problem:
            problems.append(f"{where} {problem}")
        elif any(a.question_id == qid for a in out):
            problems.append(f"{where} repeats question '{qid}'")
        else:
            out.append(Answer(qid, kind, tuple(value) if kind == "multi_choice" else value, code))
    return out


def _answer_problem(qid: Any, kind: Any, value: Any, code: Any) -> str | None:
    if not isinstance(qid, str) or not qid:
        return "has no question_id"
    if kind not in KINDS:
        return f"has an unknown kind (question '{qid}')"
    if code is not None and not is_json_type(code, (int, str)):
        return f"has a code that is neither a number nor text (question '{qid}')"
    shape_ok = {
        "fft": is_json_type(value, int) and value in range(1, 7) and code == value,
        "single_choice": isinstance(value, str),
        "multi_choice": isinstance(value, list) and all(isinstance(v, str) for v in value),
        "yes_no": isinstance(value, bool),
        "free_text": isinstance(value, str),
        "contact": value is None,
        "involvement": value is None,
    }[kind]
    return None if shape_ok else f"has a value of the wrong shape for a {kind} (question '{qid}')"


def _is_hex_id(value: str) -> bool:
    return len(value) == 32 and all(c in "0123456789abcdef" for c in value)
