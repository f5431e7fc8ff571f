"""Themes on the comments page: suggestions (central.themes) beside each comment, and staff
confirming or correcting them.

A confirmed comment's themes and sentiment live in ``web_comment_themes`` (one row per free-text
answer, the latest confirmation wins, each one in the audit log without the comment's words). The
suggester is loaded once per process, on the first page that needs it; if the model file is
missing the page still works on the transparent rules and says why.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from functools import lru_cache

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from central.db import Database
from central.fft import LABELS
from central.returns import location_names
from central.themes import (
    CATEGORIES,
    SENTIMENTS,
    SUBCATEGORIES,
    ModelError,
    Suggester,
    Suggestion,
)
from central.web.auth import Staff, audit
from central.web.http import Web, secure_headers
from central.web.settings import WebSettings
from central.web.yswh import FormError

log = logging.getLogger(__name__)


@lru_cache(maxsize=1)
def default_suggester() -> Suggester:
    try:
        return Suggester.default()
    except ModelError as exc:  # the page falls back to rules; the log says what to do
        log.error("theme model unavailable, suggesting from rules only: %s", exc)
        return Suggester(None)


@dataclass(frozen=True)
class Confirmed:
    """What a member of staff confirmed for one comment."""

    themes: tuple[str, ...]
    sentiment: str
    by: str
    at: float


@dataclass(frozen=True)
class Comment:
    """One comment as the comments page shows it."""

    location: str
    at: float
    answer: str  # the FFT answer's label
    text: str
    record_id: str
    question_id: str
    language: str
    suggestion: Suggestion
    confirmed: Confirmed | None


def parse_confirmed(themes: str | None, sentiment: str | None, by: str | None,
                    at: float | None) -> Confirmed | None:  # fmt: skip
    if themes is None or by is None or at is None:
        return None
    return Confirmed(tuple(json.loads(themes)), sentiment or "", by, at)


def suggest(rows: list[tuple[str, str]]) -> list[Suggestion]:
    """One suggestion per (text, language)."""
    return default_suggester().suggest(rows) if rows else []


class CommentThemes:
    def __init__(self, db: Database, settings: WebSettings) -> None:
        self.db, self.settings = db, settings

    def comment(self, record_id: str, question_id: str) -> tuple | None:  # None: no such comment
        """(location, finished_at, language, fft_code, text, confirmed) of one free-text answer."""
        with self.db.read() as tx:
            row = tx.one(
                "SELECT r.location, r.finished_at, r.language, r.fft_code, a.value, c.themes,"
                " c.sentiment, c.confirmed_by, c.confirmed_at FROM responses r JOIN answers a ON"
                " a.record_id = r.record_id LEFT JOIN web_comment_themes c ON c.record_id ="
                " a.record_id AND c.question_id = a.question_id WHERE a.record_id = ? AND"
                " a.question_id = ? AND a.kind = 'free_text' AND a.value IS NOT NULL",
                (record_id, question_id))  # fmt: skip
        if row is None:
            return None
        return (*row[:5], parse_confirmed(*row[5:]))

    def confirm(self, staff: Staff, record_id: str, question_id: str, themes: list[str],
                sentiment: str) -> None:  # fmt: skip
        """Record staff's themes and sentiment for one comment (replacing any earlier ones)."""
        problems = {}
        unknown = [t for t in themes if t not in SUBCATEGORIES]
        if unknown:
            problems["themes"] = (f"{', '.join(unknown)} is not a framework sub-category: tick "
                                  "themes from the list")  # fmt: skip
        if sentiment not in SENTIMENTS:
            problems["sentiment"] = "Choose positive, mixed or negative"
        if problems:
            raise FormError(problems)
        chosen = json.dumps([t for t in SUBCATEGORIES if t in themes])
        now = self.settings.clock()
        with self.db.transaction() as tx:
            tx.execute("DELETE FROM web_comment_themes WHERE record_id = ? AND question_id = ?",
                       (record_id, question_id))  # fmt: skip
            tx.execute("INSERT INTO web_comment_themes (record_id, question_id, themes, sentiment,"
                       " confirmed_by, confirmed_at) VALUES (?, ?, ?, ?, ?, ?)",
                       (record_id, question_id, chosen, sentiment, staff.username,
                        now))  # fmt: skip
            audit(tx, now, staff.username, "themes_confirmed", f"{record_id}/{question_id}")


def comment_page(web: Web, request: Request, staff: Staff, form: dict) -> Response:
    """One comment's suggestion, and a form to confirm or correct its themes and sentiment."""
    record_id, question_id = request.path_params["record_id"], request.path_params["question_id"]
    store = CommentThemes(web.db, web.settings)
    found = store.comment(record_id, question_id)
    if found is None or not staff.sees(found[0]):
        return web.render("error.html", staff, 404, title="Not found",
                          message="There is no such comment, or it is not from your wards.")
    location, at, language, code, text, confirmed = found
    problems: dict[str, str] = {}
    if request.method == "POST":
        themes = [str(t) for t in form.get("themes") or []]
        try:
            store.confirm(staff, record_id, question_id, themes, str(form.get("sentiment", "")))
            return RedirectResponse(f"/staff/comments?location={location}", 303,
                                    headers=secure_headers())  # fmt: skip
        except FormError as exc:
            problems = exc.problems
    [hint] = suggest([(text, language)])
    c = Comment(location, at, LABELS.get(code, "No answer") if code else "No answer", text,
                record_id, question_id, language, hint, confirmed)  # fmt: skip
    ticked = confirmed.themes if confirmed else tuple(t.label for t in hint.themes)
    sentiment = confirmed.sentiment if confirmed else hint.sentiment
    if request.method == "POST":
        ticked, sentiment = tuple(form.get("themes") or []), str(form.get("sentiment", ""))
    return web.render("comment_themes.html", staff, 400 if problems else 200,
                      title="Themes of a comment", errors=problems, c=c, ticked=ticked,
                      sentiment=sentiment, categories=CATEGORIES, sentiments=SENTIMENTS,
                      names=location_names(web.db))  # fmt: skip
