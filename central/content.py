"""Content the central record publishes to kiosks: survey, settings, "You said, we heard".

Each item is validated before it is accepted (the same validators the kiosk runs again before it
replaces its last good copy). A location without its own item gets the ``*`` (trust-wide) one.
The ETag is a hash of the exact document served, so it changes when and only when content does.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from typing import Any

from central.db import Database
from kiosk.content import ContentError, parse_settings, parse_yswh
from kiosk.errors import SurveyValidationError
from kiosk.survey import parse_survey
from sync.protocol import CODE, WireError

KINDS = ("survey", "settings", "you_said_we_heard")
ALL_LOCATIONS = "*"


def canonical(obj: Any) -> bytes:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode(
        "utf-8"
    )


def validate(kind: str, data: Any, source: str) -> Any:
    """Return the normalised item or raise WireError(invalid_content) naming every problem."""
    if kind == "survey":
        try:
            parse_survey(data, source)
        except SurveyValidationError as exc:
            raise WireError("invalid_content", "; ".join(exc.problems), 422) from exc
        return data
    try:
        if kind == "settings":
            return parse_settings(data, source).to_json()
        if kind == "you_said_we_heard":
            return parse_yswh(data, source)
    except ContentError as exc:
        raise WireError("invalid_content", f"{source}: " + "; ".join(exc.problems), 422) from exc
    raise WireError("bad_value", f"content kind must be one of {KINDS}")


class ContentPublisher:
    def __init__(self, db: Database, *, responses_key: str | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        """``responses_key``: the current responses public key, sent with the content so kiosks
        pick up a rotated key. (Never the contacts key: that one is changed only by enrolment,
        so a compromised service cannot redirect contact details to a key of its own.)"""
        self.db = db
        self._responses_key = responses_key
        self._clock = clock

    def publish(self, location: str, kind: str, data: Any, source: str = "content") -> None:
        if location != ALL_LOCATIONS and not CODE.fullmatch(location):
            raise WireError("bad_value", f"location {location!r} must be a short code or '*'")
        item = validate(kind, data, source)
        body = canonical(item).decode("utf-8")
        now = self._clock()
        with self.db.transaction() as tx:
            if kind == "survey":
                self._register_survey(tx, item, body, now)
            tx.execute(
                "INSERT INTO content (location, kind, body, updated_at) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (location, kind) DO UPDATE SET body = excluded.body,"
                " updated_at = excluded.updated_at",
                (location, kind, body, now),
            )

    def register_known_survey(self, path: Any) -> None:
        """Make a survey's (id, version) known for ingest without publishing it to kiosks.

        Kiosks ship with the packaged default survey and use it until content says otherwise,
        so the central record must accept its responses from the first upload.
        """
        with open(path, encoding="utf-8") as fh:
            item = validate("survey", json.load(fh), str(path))
        with self.db.transaction() as tx:
            self._register_survey(tx, item, canonical(item).decode("utf-8"), self._clock())

    @staticmethod
    def _register_survey(tx: Any, item: dict, body: str, now: float) -> None:
        # A (survey id, version) pair means one exact survey forever: reports depend on it.
        tx.execute(
            "INSERT INTO surveys (survey_id, version, body, published_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT DO NOTHING",
            (item["id"], item["version"], body, now),
        )
        stored = tx.one(
            "SELECT body FROM surveys WHERE survey_id = ? AND version = ?",
            (item["id"], item["version"]),
        )
        if stored[0] != body:
            raise WireError(
                "survey_version_exists",
                f"survey {item['id']!r} version {item['version']} was already published with"
                " different content: give the changed survey a higher version",
                409,
            )

    def document(self, location: str) -> tuple[str, dict]:
        """The content document for one location and its ETag."""
        with self.db.read() as tx:
            rows = tx.all(
                "SELECT location, kind, body FROM content WHERE location IN (?, ?)",
                (location, ALL_LOCATIONS),
            )
        chosen: dict[str, Any] = {}
        for _loc, kind, body in sorted(rows, key=lambda r: r[0] != ALL_LOCATIONS):
            chosen[kind] = json.loads(body)  # the location's own item, sorted last, wins
        doc = {
            "location": location,
            "surveys": [chosen["survey"]] if "survey" in chosen else [],
            "settings": chosen.get("settings"),
            "you_said_we_heard": chosen.get("you_said_we_heard", []),
        }
        if self._responses_key:
            doc["keys"] = {"responses": self._responses_key}
        etag = '"' + hashlib.sha256(canonical(doc)).hexdigest()[:32] + '"'
        return etag, doc
