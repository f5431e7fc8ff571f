"""Reading typed values out of decoded survey JSON, collecting a problem for each bad one.

``Reader`` is what every part of the checker shares: the problem list, the survey's languages,
and typed look-ups (a field, an id, a text in every language) that apply the limits in
``kiosk.survey.limits`` as they read. Each problem is ``"<JSON path> <what is wrong: what to do>"``.
"""
from __future__ import annotations

import json
from typing import Any

from kiosk.survey.limits import MAX_ID_CHARS, MAX_LANGUAGES, shown_key, too_long, too_many
from kiosk.survey.model import LANGUAGES, Text

_ID_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789_")
_TEXT_SHAPE = 'an object with the text in each language, e.g. {"en": "..."}'


def join(path: str, key: object) -> str:
    return f"{path}.{shown_key(key)}" if path else shown_key(key)


def show(value: Any) -> str:
    """A value as a problem quotes it: JSON, never more than 60 characters."""
    if isinstance(value, str) and len(value) > 60:
        value = value[:60]  # never serialise a 5 MB text just to cut it
    shown = json.dumps(value, ensure_ascii=False) if _jsonable(value) else repr(value)
    return shown if len(shown) <= 60 else shown[:57] + "..."


def _jsonable(value: Any) -> bool:
    try:
        json.dumps(value)
    except (TypeError, ValueError, RecursionError):
        return False
    return True


def is_json_type(value: Any, types: type | tuple[type, ...]) -> bool:
    """isinstance for decoded JSON, where true/false is never a number."""
    if isinstance(value, bool):  # JSON true/false is not a number
        return bool in (types if isinstance(types, tuple) else (types,))
    return isinstance(value, types)


class Reader:
    """The problems found so far and the survey's languages, with typed, limited look-ups."""

    def __init__(self) -> None:
        self.problems: list[str] = []
        self.languages: tuple[str, ...] = ()

    def add(self, path: str, message: str) -> None:
        self.problems.append(f"{path} {message}")

    def field(self, obj: dict, key: str, path: str, types: type | tuple[type, ...], shape: str,
              *, required: bool = True, default: Any = None) -> Any:
        where = join(path, key)
        if key not in obj:
            if required:
                self.add(where or key, f"is missing: add it ({shape})")
            return default
        value = obj[key]
        if not is_json_type(value, types):
            self.add(where, f"is {show(value)}: it must be {shape}")
            return default
        return value

    def short(self, value: str, limit: int, where: str, what: str, fix: str) -> bool:
        """True when ``value`` fits ``limit`` characters; otherwise a problem at ``where``."""
        problem = too_long(value, limit, what, fix)
        if problem is not None:
            self.add(where, problem)
        return problem is None

    def few(self, items: list, limit: int, where: str, what: str, fix: str) -> bool:
        """True when ``items`` holds at most ``limit``; otherwise one problem at ``where``."""
        problem = too_many(len(items), limit, what, fix)
        if problem is not None:
            self.add(where, problem)
        return problem is None

    def unknown_keys(self, obj: dict, known: tuple[str, ...], path: str) -> None:
        for key in obj:
            if key not in known:
                self.add(join(path, key), "is not a known key: remove it or correct its "
                         f"spelling (known keys: {', '.join(known)})")

    def ident(self, obj: dict, path: str) -> str | None:
        value = self.field(obj, "id", path, str, "an id of lower-case letters, digits and _")
        if value is None:
            return None
        if not self.short(value, MAX_ID_CHARS, join(path, "id"), "an id",
                          'use a short name such as "contact_wanted"'):
            return None
        if not value or not set(value) <= _ID_CHARS:
            self.add(join(path, "id"), f"is {show(value)}: use lower-case letters, digits and _ "
                     "only, e.g. \"contact_wanted\"")
            return None
        return value

    def text(self, obj: dict, key: str, path: str, limit: int, what: str, *,
             required: bool = True, fix: str = "shorten it") -> Text | None:
        """A text in every survey language, each at most ``limit`` characters (``what`` names
        the kind of text in the problem, e.g. "a question's text"; ``fix`` what to do)."""
        where = join(path, key)
        raw = self.field(obj, key, path, dict, _TEXT_SHAPE, required=required)
        if raw is None:
            return None
        if not self.few(list(raw), MAX_LANGUAGES, where, "languages", "give one text for each "
                        f"language the survey lists ({', '.join(LANGUAGES)} are supported)"):
            return None
        out: Text = {}
        for lang, value in raw.items():
            at = join(where, lang)
            if self.languages and lang not in self.languages:
                self.add(at, f"is in a language the survey does not list: add "
                         f"'{shown_key(lang)}' to languages or remove this text")
            elif not isinstance(value, str) or not value.strip():
                self.add(at, f"is {show(value)}: it must be non-empty text")
            elif self.short(value, limit, at, what, fix):
                out[lang] = value
        missing = [lang for lang in self.languages if lang not in raw]
        if missing:
            self.add(where, f"has no text in {', '.join(repr(m) for m in missing)}: add text for "
                     "every language listed in 'languages'")
        return out

