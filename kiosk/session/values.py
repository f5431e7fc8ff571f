"""Answer values by question kind: what ``RespondentSession.answer`` accepts, as recorded.

Error messages name the question and the expected shape, never the value a person gave.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kiosk.errors import SessionError
from kiosk.survey import COMMUNICATION_NEEDS, CONTACT_METHODS, PERSONAL_KINDS, Question

SKIP = object()  # what an empty free text / empty multi choice means
_MAX_DETAIL = 200  # name, phone number, email or address
_MAX_NEEDS_OTHER = 500



def expected_shape(question: Question) -> str:
    ids = ", ".join(o.id for o in question.options)
    return {
        "fft": "an int code, one of " + ", ".join(str(o.code) for o in question.options),
        "single_choice": f"one option id (str), one of: {ids}",
        "multi_choice": f"a list of option ids (str) from: {ids}",
        "yes_no": "True or False",
        "free_text": f"text (str) of at most {question.max_length} characters",
        "contact": '{"name": str, "method": "phone"|"email"|"post"|"text", "value": str, '
                   f'"needs": [ids from: {", ".join(_need_ids(question))}], "needs_other": str}}',
        "involvement": f'{{"interests": [ids from: {ids}], "name": str, "method": '
                       '"phone"|"email"|"post"|"text", "value": str, "needs": [ids from: '
                       f'{", ".join(COMMUNICATION_NEEDS)}], "needs_other": str}}',
    }[question.kind]


def check_value(question: Question, value: Any) -> tuple[Any, int | str | None]:
    """The value as recorded and its code; ``SKIP`` for an empty optional answer."""
    kind = question.kind
    if kind == "fft" and type(value) is int:
        option = next((o for o in question.options if o.code == value), None)
        if option is not None:
            return value, option.code
    elif kind == "single_choice" and isinstance(value, str):
        option = question.option(value)
        if option is not None:
            return value, option.code
    elif kind == "multi_choice" and _ids_from(value, [o.id for o in question.options]):
        return (tuple(dict.fromkeys(value)) or SKIP), None
    elif kind == "yes_no" and isinstance(value, bool):
        return value, None
    elif kind == "free_text" and isinstance(value, str):
        text = value.strip()
        if len(text) <= (question.max_length or 0):
            return (text or SKIP), None
    elif kind in PERSONAL_KINDS and isinstance(value, Mapping):
        return _personal(question, value), None
    raise _wrong(question, value)


def _wrong(question: Question, value: Any, detail: str = "") -> SessionError:
    got = detail or f"got a {type(value).__name__} that does not fit"
    return SessionError(f"question '{question.id}' ({question.kind}) takes "
                        f"{expected_shape(question)}; {got}")


def _ids_from(value: Any, allowed: list[str] | tuple[str, ...]) -> bool:
    return isinstance(value, (list, tuple)) and all(isinstance(v, str) and v in allowed
                                                     for v in value)


def _need_ids(question: Question) -> tuple[str, ...]:
    """A contact question lists the needs it offers; involvement accepts any standard one."""
    if question.kind == "contact" and question.options:
        return tuple(o.id for o in question.options)
    return COMMUNICATION_NEEDS


def _personal(question: Question, value: Mapping) -> dict:
    interests = question.kind == "involvement"
    known = {"name", "method", "value", "needs", "needs_other"}
    if interests:
        known.add("interests")
    unknown = sorted(str(k) for k in value if k not in known)
    if unknown:
        raise _wrong(question, value, f"got unknown key(s) {', '.join(unknown)}")
    for key in ("name", "value", "needs_other"):
        if not isinstance(value.get(key, ""), str):
            raise _wrong(question, value, f"'{key}' is not a str")
    name, detail = value.get("name", "").strip(), value.get("value", "").strip()
    other = value.get("needs_other", "").strip()
    if value.get("method") not in CONTACT_METHODS:
        raise _wrong(question, value, "'method' is missing or not one of phone, email, post, text")
    if not detail:
        raise _wrong(question, value, "'value' (the phone number, email or address) is empty")
    if max(len(name), len(detail)) > _MAX_DETAIL or len(other) > _MAX_NEEDS_OTHER:
        raise _wrong(question, value, f"'name'/'value' over {_MAX_DETAIL} or 'needs_other' over "
                     f"{_MAX_NEEDS_OTHER} characters")
    needs = value.get("needs", [])
    if not _ids_from(needs, _need_ids(question)):
        raise _wrong(question, value, "'needs' holds an id that is not a communication need")
    out = {"name": name, "method": value["method"], "value": detail,
           "needs": list(dict.fromkeys(needs)), "needs_other": other}
    if interests:
        chosen = value.get("interests", [])
        if not _ids_from(chosen, [o.id for o in question.options]):
            raise _wrong(question, value, "'interests' holds an id that is not an option")
        out = {"interests": list(dict.fromkeys(chosen)), **out}
    return out
