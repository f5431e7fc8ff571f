"""Reporting pages reuse central.returns / central.trends: the return CSV, dashboard counts
(exact for the team, suppressed for ward managers), and clear errors for a bad month."""

from __future__ import annotations

import csv
import io

from central.returns import WARD_HEADERS
from tests.central.web.staff import response, signed_in, text_of


def test_return_csv_download_and_a_bad_month(web_central, clock):
    c = web_central
    c.ingest([response(c, "ward-3", fft=1 + i % 6, name="Ward 3") for i in range(8)]
             + [response(c, "ward-3", fft=1, flags=frozenset({"test"}))])
    pat = signed_in(c, "pat")
    page = pat.get("/staff/returns")
    month = page.text.split('name="month" type="text" inputmode="numeric" value="')[1][:7]
    resp = pat.get(f"/staff/returns?month={month}&file=ward")
    assert resp.headers["content-type"].startswith("text/csv")
    assert "attachment" in resp.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(resp.text)))
    assert rows[0] == WARD_HEADERS
    assert rows[1][6:14] == ["Ward 3", "2", "2", "1", "1", "1", "1", "8"]  # test one left out
    summary = list(csv.reader(io.StringIO(pat.get(f"/staff/returns?month={month}&file=summary")
                                          .text)))  # fmt: skip
    assert summary[1][4:7] == ["8", "0", "1"]
    bad = pat.get("/staff/returns?month=2026-13&file=ward")
    assert bad.status_code == 400 and "is not a real month" in text_of(bad.text)
    assert 'aria-invalid="true"' in bad.text and 'href="#month"' in bad.text


def test_dashboard_exact_for_the_team_and_suppressed_for_ward_managers(sqlite_web):
    c = sqlite_web
    c.ingest([response(c, "ward-3", fft=1, name="Ward 3") for _ in range(3)]
             + [response(c, "ward-3", fft=4, name="Ward 3")])
    row = [line for line in text_of(signed_in(c, "pat").get("/staff/").text).split("Ward 3")][1]
    assert row.split()[1:5] == ["4", "4", "75%", "25%"]
    wendy = text_of(signed_in(c, "wendy").get("/staff/").text).split("Ward 3")[1]
    assert wendy.split()[1:5] == ["*", "*", "-", "-"]


def test_trends_download_as_a_self_contained_html_report(sqlite_web):
    c = sqlite_web
    c.ingest([response(c, "ward-3", fft=1 + i % 3, name="Ward 3") for i in range(9)]
             + [response(c, "ward-4", fft=1, name="Ward 4") for _ in range(2)])
    pat = signed_in(c, "pat")
    page = pat.get("/staff/trends")
    assert "download=html" in page.text and "Equality monitoring: age" in page.text
    report = pat.get("/staff/trends?location=(trust)&download=html")
    assert report.status_code == 200
    assert report.headers["content-disposition"].startswith("attachment; filename=")
    html = report.text
    assert "<style>" in html and "/staff/style.css" not in html  # opens offline
    assert '<svg role="img"' in html and "<desc" in html and "<table>" in html
    assert "<form" not in html and "csrf" not in html and "Signed in as" not in html
    wendy = signed_in(c, "wendy").get("/staff/trends?location=ward-3&download=html").text
    assert "Counts under 5 are shown as *" in wendy


def test_free_text_is_shown_as_text_never_as_markup(sqlite_web):
    c = sqlite_web
    c.ingest([response(c, "ward-3", fft=3, comment='<script>alert("x")</script> & <b>bold</b>',
                       name="Ward <i>3</i>")])
    page = signed_in(c, "pat").get("/staff/comments").text
    assert "<script>alert" not in page and "<b>bold</b>" not in page and "<i>3</i>" not in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;" in page
    assert "Neither good nor poor" in page
