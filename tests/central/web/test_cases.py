"""The concerns queue and involvement list: cases from contact requests, communication needs
first, due dates in working days, overdue marking, audit of every opening, CSV export."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io

from central.fft import local_midnight
from central.web.cases import due_at
from tests.central.web.staff import CONTACT, response, signed_in, text_of

INVOLVE = {"interests": ["patient_panel", "research"], "name": "Grace Hopper", "method": "email",
           "value": "grace@example.org", "needs": ["easy_read"]}  # fmt: skip
TZ = "Europe/London"


def _at(day: str, hour: int = 10) -> float:
    return local_midnight(dt.date.fromisoformat(day), TZ) + hour * 3600


def test_due_dates_count_working_days_only():
    # Thursday 10:00 + 2 working days: due by the end of Monday.
    assert due_at(_at("2026-11-26"), 2, TZ) == local_midnight(dt.date(2026, 12, 1), TZ)
    # Christmas Eve 2026 (Thursday): 25th, 26th-27th weekend, 28th Boxing Day (observed).
    assert due_at(_at("2026-12-24"), 2, TZ) == local_midnight(dt.date(2026, 12, 31), TZ)
    # Good Friday and Easter Monday 2026 are bank holidays in England.
    assert due_at(_at("2026-04-02"), 1, TZ) == local_midnight(dt.date(2026, 4, 8), TZ)
    # Saturday arrival: Monday is the first working day after it.
    assert due_at(_at("2026-11-28"), 1, TZ) == local_midnight(dt.date(2026, 12, 1), TZ)


def test_a_contact_request_becomes_a_case_with_needs_shown_first(web_central, clock):
    c = web_central
    c.ingest([response(c, "ward-3", fft=4, contact=CONTACT, comment="Nobody listened"),
              response(c, "ward-3", fft=1)])
    connie = signed_in(c, "connie")
    queue = connie.get("/staff/cases")
    (case,) = c.web.concerns.queue()
    assert f"/staff/cases/{case.record_id}" in queue.text and "tag-overdue" not in queue.text
    page = connie.get(f"/staff/cases/{case.record_id}")
    assert CONTACT["name"] not in page.text  # not opened until asked, so every view is logged
    opened = connie.post(f"/staff/cases/{case.record_id}", {"action": "open"})
    text = text_of(opened.text)
    assert opened.status_code == 200
    needs = text.index("British Sign Language interpreter")
    assert needs < text.index("Large print") < text.index(CONTACT["name"])
    assert CONTACT["value"] in text
    with c.db.read() as tx:
        log = tx.all("SELECT username, action, subject FROM web_audit WHERE action ="
                     " 'viewed_contact'")  # fmt: skip
    assert log == [("connie", "viewed_contact", case.record_id)]
    # status change, then the case leaves the open queue
    assert connie.post(f"/staff/cases/{case.record_id}",
                       {"action": "status", "status": "contacted"}).status_code == 303
    assert c.web.concerns.case(case.record_id).status == "contacted"
    bad = connie.post(f"/staff/cases/{case.record_id}", {"action": "status", "status": "lost"})
    assert bad.status_code == 400 and "status must be one of new, contacted, resolved" in bad.text
    assert c.web.concerns.case(case.record_id).status == "contacted"
    connie.post(f"/staff/cases/{case.record_id}", {"action": "status", "status": "resolved"})
    assert c.web.concerns.queue() == []
    assert case.record_id in connie.get("/staff/cases?all=1").text


def test_overdue_cases_are_marked(sqlite_web, clock):
    c = sqlite_web
    c.ingest([response(c, "ward-3", contact=CONTACT)])
    (case,) = c.web.concerns.queue()
    clock.now = case.due_at + 1
    connie = signed_in(c, "connie")
    page = connie.get("/staff/cases")
    assert 'class="overdue"' in page.text and "tag-overdue" in page.text


def test_without_the_private_key_the_page_says_so(sqlite_web, tmp_path):
    c = sqlite_web
    c.ingest([response(c, "ward-3", contact=CONTACT)])
    c.web.concerns.settings = dataclasses.replace(c.web.concerns.settings,
                                                  contacts_key=tmp_path / "absent.key")
    connie = signed_in(c, "connie")
    (case,) = c.web.concerns.queue()
    page = text_of(connie.get(f"/staff/cases/{case.record_id}").text)
    assert "The contacts private key is not on this server" in page
    forced = connie.post(f"/staff/cases/{case.record_id}", {"action": "open"})
    assert "not on this server" in forced.text and CONTACT["name"] not in forced.text
    with c.db.read() as tx:
        assert tx.one("SELECT COUNT(*) FROM web_audit WHERE action = 'viewed_contact'")[0] == 0


def test_involvement_list_and_csv_export_are_audit_logged(web_central):
    c = web_central
    c.ingest([response(c, "ward-3", involvement=INVOLVE), response(c, "ward-3", contact=CONTACT)])
    connie = signed_in(c, "connie")
    page = connie.get("/staff/involvement")
    assert "1 person has signed up" in text_of(page.text) and "Grace" not in page.text
    shown = text_of(connie.post("/staff/involvement", {"action": "show"}).text)
    assert "Grace Hopper" in shown and "Patient panel; Research" in shown
    assert "Easy Read" in shown and CONTACT["name"] not in shown
    export = connie.post("/staff/involvement", {"action": "export"})
    assert export.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(export.text)))
    assert rows[0][:5] == ["Location", "Signed up", "Name", "Interests", "Preferred contact"]
    assert rows[1][2:6] == ["Grace Hopper", "Patient panel; Research", "email",
                            "grace@example.org"]
    with c.db.read() as tx:
        actions = [r[0] for r in tx.all("SELECT action FROM web_audit WHERE username = 'connie'"
                                        " ORDER BY id")]  # fmt: skip
    assert actions[-2:] == ["viewed_involvement", "exported_involvement"]


def test_contact_requests_in_quarantine_are_counted_not_lost(sqlite_web):
    c = sqlite_web
    c.ingest([response(c, "ward-3", contact=CONTACT, survey_version=99)], expect="rejected")
    page = text_of(signed_in(c, "connie").get("/staff/cases").text)
    assert "1 more contact request could not be taken in yet" in page
    assert "kiosk-central reingest" in page and c.web.concerns.queue() == []
