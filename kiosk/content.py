"""Content pulled from the central record: survey, settings, "You said, we heard".

``ContentStore`` keeps the *last good* content in one JSON file under the data directory. An
update is validated completely (the survey by ``kiosk.survey.parse_survey``, settings and items
here) before it atomically replaces the file, so a bad update is refused and the kiosk carries
on with what it had. The same validators run at the central record before it accepts content
(``kiosk-central content set``), so a bad item is normally stopped there already.

Errors: ``ContentError`` (a ``PatientVoiceError``; ``.problems`` names each path) for settings
and items; ``SurveyValidationError`` for a survey.
"""

from __future__ import annotations

import json
import os
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kiosk.config import KNOWN_LANGUAGES
from kiosk.crypto import PublicKey
from kiosk.errors import CryptoError, PatientVoiceError, StoreError
from kiosk.fsutil import write_atomic
from kiosk.survey import Survey, parse_survey

CONTENT_FILENAME = "content.json"
YSWH_FIELDS = ("title", "said", "did", "when")
_ITEM_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
MAX_ITEM_TEXT = 2000


class ContentError(PatientVoiceError):
    user_message = (
        "New content from the central record could not be used. The previous content stays."
    )

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = list(problems)
        super().__init__(f"{source}: {len(problems)} problem(s)\n  - " + "\n  - ".join(problems))


@dataclass(frozen=True)
class Settings:
    idle_seconds: int = 90
    warning_seconds: int = 30
    languages: tuple[str, ...] = ("en",)
    default_language: str = "en"
    extra: dict = field(default_factory=dict)

    def to_json(self) -> dict:
        return {
            "idle_seconds": self.idle_seconds,
            "warning_seconds": self.warning_seconds,
            "languages": list(self.languages),
            "default_language": self.default_language,
            **self.extra,
        }


@dataclass(frozen=True)
class YouSaidWeHeard:
    """One item in one language (English where the item has no text in that language)."""

    id: str
    title: str
    said: str
    did: str
    when: str


def _whole(value: Any, low: int, high: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def parse_settings(data: Any, source: str = "settings") -> Settings:
    if not isinstance(data, dict):
        raise ContentError(source, ["must be a JSON object"])
    problems: list[str] = []
    idle, warn = data.get("idle_seconds", 90), data.get("warning_seconds", 30)
    if not _whole(idle, 30, 3600):
        problems.append("idle_seconds must be a whole number of seconds from 30 to 3600")
    # WCAG 2.2.1: at least 20 s to answer "Do you need more time?".
    if not _whole(warn, 20, 600):
        problems.append("warning_seconds must be a whole number of seconds from 20 to 600")
    langs = data.get("languages", ["en"])
    if not isinstance(langs, list) or not langs or not all(x in KNOWN_LANGUAGES for x in langs):
        problems.append(
            f"languages must be a non-empty list of tags from {', '.join(KNOWN_LANGUAGES)}"
        )
        langs = []
    default = data.get("default_language", langs[0] if langs else "en")
    if langs and default not in langs:
        problems.append(f"default_language {default!r} must be one of languages")
    if problems:
        raise ContentError(source, problems)
    extra = {
        k: v
        for k, v in data.items()
        if k not in ("idle_seconds", "warning_seconds", "languages", "default_language")
    }
    return Settings(idle, warn, tuple(langs), default, extra)


def parse_yswh(data: Any, source: str = "you_said_we_heard") -> list[dict]:
    """A list of {id, title, said, did, when}; each text maps language tags to text, with "en"."""
    items = data.get("items") if isinstance(data, dict) else data
    if not isinstance(items, list):
        raise ContentError(source, ['must be a list of items (or {"items": [...]})'])
    problems: list[str] = []
    seen: set[str] = set()
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            problems.append(f"[{i}] must be an object with id, title, said, did, when")
            continue
        problems += _item_problems(item, f"[{i}]", seen)
    if problems:
        raise ContentError(source, problems)
    return [dict(item) for item in items]


def _item_problems(item: dict, where: str, seen: set[str]) -> list[str]:
    out = []
    item_id = item.get("id")
    if not isinstance(item_id, str) or not _ITEM_ID.fullmatch(item_id) or item_id in seen:
        out.append(f'{where}.id must be a short unique code like "2026-10-parking"')
    seen.add(str(item_id))
    for name in YSWH_FIELDS:
        text = item.get(name)
        if (
            not isinstance(text, dict)
            or not isinstance(text.get("en"), str)
            or not text["en"].strip()
        ):
            out.append(f'{where}.{name} must map language tags to text, with at least "en"')
        elif not all(
            k in KNOWN_LANGUAGES and isinstance(v, str) and len(v) <= MAX_ITEM_TEXT
            for k, v in text.items()
        ):
            out.append(
                f"{where}.{name}: each key must be a known language tag and each text "
                f"at most {MAX_ITEM_TEXT} characters"
            )
    return out


def validate_document(
    doc: Any, source: str = "content"
) -> tuple[Survey | None, Settings, list[dict]]:
    """Check a whole content document from the central record; raise on the first bad part."""
    if not isinstance(doc, dict):
        raise ContentError(source, ["must be a JSON object"])
    surveys = doc.get("surveys") or []
    if not isinstance(surveys, list) or len(surveys) > 1:
        raise ContentError(source, ["surveys must be a list of at most one survey"])
    survey = parse_survey(surveys[0], f"{source}.surveys[0]") if surveys else None
    settings = (
        parse_settings(doc["settings"], f"{source}.settings") if doc.get("settings") else Settings()
    )
    items = parse_yswh(doc.get("you_said_we_heard") or [], f"{source}.you_said_we_heard")
    responses_key(doc, source)
    return survey, settings, items


def responses_key(doc: dict, source: str = "content") -> str | None:
    """The responses public key the central record announces (after a rotation), checked."""
    keys = doc.get("keys")
    if keys is None:
        return None
    text = keys.get("responses") if isinstance(keys, dict) else None
    try:
        return PublicKey.from_text(text).to_text()  # type: ignore[arg-type]
    except CryptoError as exc:
        raise ContentError(source, [f"keys.responses is not a public key ({exc})"]) from exc


class ContentStore:
    """The last good content on this kiosk (``data_dir/content.json``)."""

    def __init__(self, data_dir: str | os.PathLike[str]) -> None:
        self.path = Path(data_dir) / CONTENT_FILENAME
        self._lock = threading.Lock()
        self._raw: dict | None = None
        self._parsed: tuple[Survey | None, Settings, list[dict]] | None = None
        self._load()

    def _load(self) -> None:
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
            self._parsed = validate_document(raw.get("document"), str(self.path))
            self._raw = raw
        except FileNotFoundError:
            return
        except (OSError, ValueError, AttributeError, PatientVoiceError):
            # A damaged file is as good as none: the kiosk falls back to its installed survey.
            self._raw, self._parsed = None, None

    def version(self) -> str | None:
        return None if self._raw is None else self._raw.get("version")

    def survey(self) -> Survey | None:
        return None if self._parsed is None else self._parsed[0]

    def settings(self) -> Settings:
        return Settings() if self._parsed is None else self._parsed[1]

    def you_said_we_heard(self, language: str) -> list[YouSaidWeHeard]:
        items = [] if self._parsed is None else self._parsed[2]
        return [
            YouSaidWeHeard(
                item["id"], *(item[f].get(language) or item[f]["en"] for f in YSWH_FIELDS)
            )
            for item in items
        ]

    def apply(self, document: Any, version: str | None) -> None:
        """Validate, then atomically replace the last good content. On any problem, raise and
        keep the old content untouched."""
        parsed = validate_document(document, "content from the central record")
        raw = {"version": version, "document": document}
        with self._lock:
            _write_atomic(
                self.path, json.dumps(raw, ensure_ascii=False, sort_keys=True).encode("utf-8")
            )
            self._raw, self._parsed = raw, parsed


def _write_atomic(path: Path, data: bytes) -> None:
    try:
        write_atomic(path, data, mode=0o644, dir_mode=0o755)
    except OSError as exc:
        raise StoreError(f"cannot write {path}: {exc.strerror}") from exc
