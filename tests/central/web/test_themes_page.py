"""The comments page shows suggested themes with their "why"; staff confirm or correct them."""

from __future__ import annotations

import dataclasses
import re

from central.web.auth import audit_log
from tests.central.web.staff import response, signed_in, text_of


def _link(page: str) -> str:
    found = re.search(r'href="(/staff/comments/[^/"]+/why)"', page)
    assert found, "no 'Confirm or correct' link on the comments page"
    return found.group(1)


def test_comments_show_suggested_themes_and_staff_can_correct_them(sqlite_web):
    c = sqlite_web
    c.ingest([response(c, "ward-3", fft=1, comment="The nurses were kind and caring")])
    pat = signed_in(c, "pat")
    page = pat.get("/staff/comments").text
    shown = text_of(page)
    assert "Staff manner & personal attributes (why: kind, caring" in shown
    assert "Sentiment: positive" in shown and "Very good" in shown
    link = _link(page)
    form = text_of(pat.get(link).text)
    assert "Parking" in form and "Car parking: spaces, cost, distance." in form

    bad = pat.post(link, [("themes", "Not a theme"), ("sentiment", "cheerful")])
    assert bad.status_code == 400
    assert "is not a framework sub-category" in text_of(bad.text)
    assert "Choose positive, mixed or negative" in text_of(bad.text)

    done = pat.post(link, [("themes", "Competence & training"),
                           ("themes", "Staff manner & personal attributes"),
                           ("sentiment", "mixed")])  # fmt: skip
    assert done.status_code == 303
    shown = text_of(pat.get("/staff/comments").text)
    assert "Confirmed by pat" in shown and "Sentiment: mixed" in shown
    assert shown.index("Staff manner & personal attributes") < shown.index("Competence & training")
    assert "(why:" not in shown  # a confirmed comment shows staff's themes, not the suggestion
    assert any(a[1:3] == ("pat", "themes_confirmed") for a in audit_log(c.db))
    assert all("kind" not in a[3] for a in audit_log(c.db))  # never the comment's words


def test_other_languages_say_they_get_rules_only_and_wards_stay_private(sqlite_web):
    c = sqlite_web
    record = response(c, "ward-4", fft=5, comment="Jedzenie było zimne, food cold")
    c.ingest([dataclasses.replace(record, language="pl")])
    pat = signed_in(c, "pat")
    page = pat.get("/staff/comments").text
    shown = text_of(page)
    assert "by English keyword rules only (no model for" in shown
    assert "Food & drink provision & facilities (why: food)" in shown
    link = _link(page)
    wendy = signed_in(c, "wendy")  # ward-3 only
    assert wendy.get(link).status_code == 404
    assert wendy.post(link, [("sentiment", "negative")]).status_code == 404
