"""Trends and breakdowns from a real central record filled through the real ingest path."""

from __future__ import annotations

import csv
import io

import pytest

from central.fft import Month, ReportError, SuppressedTable
from central.trends import TRUST, period_bounds, trend_report
from tests.reports.conftest import Central, at, run_cli
from tests.reports.disclosure import recoverable


def rows_of(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def points(report, location: str) -> dict[str, tuple[str, str, str]]:
    return {
        p.label: (p.shown_total, p.shown_positive, p.shown_negative)
        for p in report.points
        if p.location == location
    }


def test_monthly_and_weekly_percent_positive_per_location_and_trust(central: Central) -> None:
    c = central
    c.add("ward-3", fft=1, when=at(2026, 10, 5), n=3)  # Monday 5 Oct
    c.add("ward-3", fft=4, when=at(2026, 10, 6))
    c.add("ward-3", fft=2, when=at(2026, 11, 2), n=2)
    c.add("opd", fft=6, when=at(2026, 10, 12), n=4)
    c.add("opd", fft=1, when=at(2026, 10, 12), flags={"test"}, n=9)  # never counted
    c.add("opd", fft=5, when=at(2026, 10, 12), flags={"burst"}, n=9)
    c.add("opd", fft=None, when=at(2026, 10, 12))  # no FFT answer: not in the trend
    monthly = trend_report(c.db, Month(2026, 10), Month(2026, 11))
    assert points(monthly, "ward-3") == {
        "2026-10": ("4", "75%", "25%"),
        "2026-11": ("2", "100%", "0%"),
    }
    assert points(monthly, "opd") == {"2026-10": ("4", "0%", "0%")}
    assert points(monthly, TRUST)["2026-10"] == ("8", "38%", "13%")  # 3/8 = 37.5 -> 38
    weekly = trend_report(c.db, Month(2026, 10), Month(2026, 11), period="week")
    assert points(weekly, "ward-3") == {
        "w/c 2026-10-05": ("4", "75%", "25%"),
        "w/c 2026-11-02": ("2", "100%", "0%"),
    }
    assert points(weekly, TRUST)["w/c 2026-10-12"] == ("4", "0%", "0%")


def test_weeks_follow_uk_local_time_across_both_clock_changes(central: Central) -> None:
    # 23:30 UTC Sunday 29 March 2026 is 00:30 BST Monday 30 March: the week of the 30th.
    central.add("ward-3", fft=1, when=at(2026, 3, 29, 23, 30))
    # 23:30 UTC Sunday 25 October (clocks went back at 01:00 UTC) is 23:30 GMT that Sunday.
    central.add("ward-3", fft=2, when=at(2026, 10, 25, 23, 30))
    # 23:30 UTC Saturday 31 October 2026, GMT: still October, week of 26 October.
    central.add("ward-3", fft=3, when=at(2026, 10, 31, 23, 30))
    # 23:30 UTC Thursday 30 April, BST: 00:30 Friday 1 May, a May response.
    central.add("ward-3", fft=4, when=at(2026, 4, 30, 23, 30))
    weekly = trend_report(central.db, Month(2026, 3), Month(2026, 10), period="week")
    assert set(points(weekly, "ward-3")) == {
        "w/c 2026-03-30", "w/c 2026-10-19", "w/c 2026-10-26", "w/c 2026-04-27",
    }  # fmt: skip
    monthly = trend_report(central.db, Month(2026, 3), Month(2026, 10))
    assert set(points(monthly, "ward-3")) == {"2026-03", "2026-05", "2026-10"}
    assert points(monthly, "ward-3")["2026-10"][0] == "2"


def test_weeks_are_clipped_to_the_months_asked_for() -> None:
    weeks = period_bounds(Month(2026, 10), Month(2026, 10), "week", "Europe/London")
    assert [p.label for p in weeks][:2] == ["w/c 2026-09-28", "w/c 2026-10-05"]
    assert weeks[0].lo == Month(2026, 10).bounds()[0]  # Thursday 1 October, not the Monday
    assert weeks[-1].label == "w/c 2026-10-26" and weeks[-1].hi == Month(2026, 10).bounds()[1]
    # The week of the clock change is 7 days and 1 hour long in UTC.
    assert weeks[-2].hi - weeks[-2].lo == 7 * 86400 + 3600


def test_public_trend_hides_small_locations_beyond_recovery(central: Central) -> None:
    central.add("ward-3", fft=1, when=at(2026, 11, 3), n=12)
    central.add("opd", fft=1, when=at(2026, 11, 3), n=9)
    central.add("day-unit", fft=2, when=at(2026, 11, 3), n=2)
    report = trend_report(central.db, Month(2026, 11), Month(2026, 11), public=True)
    shown = {p.location: (p.shown_total, p.shown_positive) for p in report.points}
    assert shown["day-unit"] == ("*", "")
    # trust-wide minus the others would give day-unit's 2: a second location is hidden too
    assert sum(1 for v in shown.values() if v[0] == "*") >= 2
    locs = sorted(loc for loc in shown if loc != TRUST)
    by_loc = {p.location: p for p in report.points}
    published = SuppressedTable(
        cells=((*(by_loc[loc].counts.total for loc in locs),),),
        row_totals=(by_loc[TRUST].counts.total,),
        col_totals=tuple(by_loc[loc].counts.total for loc in locs),
        grand=by_loc[TRUST].counts.total,
        cells_hidden=((*(by_loc[loc].hidden for loc in locs),),),
        row_totals_hidden=(by_loc[TRUST].hidden,),
        col_totals_hidden=(True,) * len(locs),
        grand_hidden=True,
    )
    assert recoverable(published, column_totals=False) == []
    team = trend_report(central.db, Month(2026, 11), Month(2026, 11))
    assert {p.location: p.shown_total for p in team.points}["day-unit"] == "2"


def test_language_and_who_answered(central: Central) -> None:
    c = central
    c.add("ward-3", fft=1, when=at(2026, 11, 3), language="pl", who="patient", n=6)
    c.add("ward-3", fft=2, when=at(2026, 11, 3), language="en", who="parent_or_carer", n=7)
    c.add("ward-3", fft=2, when=at(2026, 11, 3), language="cy", who="patient", n=2)
    c.add("ward-3", fft=2, when=at(2026, 11, 3), language="ar", flags={"test"}, n=5)
    report = trend_report(c.db, Month(2026, 11), Month(2026, 11))
    langs = {loc: (cells, total) for loc, cells, total in report.languages.rows(public=False)}
    assert report.languages.columns == ("cy", "en", "pl")
    assert langs["ward-3"] == (["2", "7", "6"], "15")
    public = {loc: cells for loc, cells, _ in report.languages.rows(public=True)}
    assert public["ward-3"][0] == "*"
    who = {loc: cells for loc, cells, _ in report.who.rows(public=False)}
    assert report.who.columns == ("parent_or_carer", "patient")
    assert who["ward-3"] == ["7", "8"]


def test_equality_summary_with_suppression(central: Central) -> None:
    c = central
    white = ("white_british", "A")
    c.add(
        "ward-3",
        fft=1,
        when=at(2026, 11, 3),
        about={"ethnicity": white, "sex": ("female", None)},
        n=8,
    )
    c.add("ward-3", fft=1, when=at(2026, 11, 3), about={"ethnicity": ("asian_pakistani", "J")}, n=2)
    c.add(
        "opd", fft=1, when=at(2026, 11, 3), about={"ethnicity": white, "sex": ("male", None)}, n=6
    )
    report = trend_report(c.db, Month(2026, 11), Month(2026, 11))
    ethnicity = next(b for b in report.equality if b.title == "ethnicity")
    assert ethnicity.columns == ("A white_british", "J asian_pakistani")
    team = {loc: cells for loc, cells, _ in ethnicity.rows(public=False)}
    assert team == {"opd": ["6", "0"], "ward-3": ["8", "2"], TRUST: ["14", "2"]}
    public = {loc: cells for loc, cells, _ in ethnicity.rows(public=True)}
    assert public["ward-3"][1] == "*" and public[TRUST][1] == "*"
    assert recoverable(ethnicity.table) == []
    public_report = trend_report(c.db, Month(2026, 11), Month(2026, 11), public=True)
    assert public_report.equality[3].rows() == ethnicity.rows(public=True)  # suppressed by default
    sex = next(b for b in report.equality if b.title == "sex")
    assert sex.table.grand == 14
    assert [b.title for b in report.equality][:2] == ["age", "sex"]
    age = report.equality[0]
    assert age.locations == () and age.table.grand == 0


def test_bad_period_is_refused(central: Central) -> None:
    with pytest.raises(ReportError, match="week or month"):
        trend_report(central.db, Month(2026, 11), Month(2026, 11), period="day")


def test_nothing_in_range_is_an_empty_report(central: Central) -> None:
    central.add("ward-3", fft=1, when=at(2026, 3, 3), n=5)
    report = trend_report(central.db, Month(2026, 1), Month(2026, 2), period="week")
    assert report.points == () and report.languages.table.grand == 0
    assert [row[0] for row in report.who.rows(public=True)] == [TRUST]


def test_cli_prints_trend_and_breakdowns(
    central: Central, db_url: str, tmp_path, capsys: pytest.CaptureFixture
) -> None:
    central.add("ward-3", fft=1, when=at(2026, 10, 3), language="pl", n=6)
    central.add("ward-3", fft=4, when=at(2026, 11, 3), language="en", n=3)
    base = ["--database-url", db_url, "--data-dir", str(tmp_path), "fft-trends"]
    assert run_cli([*base, "--from", "2026-10", "--to", "2026-11", "--public"]) == 0
    blocks = capsys.readouterr().out.split("\r\n\r\n")
    trend = rows_of(blocks[0])
    assert [(r["Location"], r["Period"], r["Responses"], r["% positive"]) for r in trend] == [
        ("ward-3", "2026-10", "6", "100%"),
        ("ward-3", "2026-11", "*", ""),
        (TRUST, "2026-10", "6", "100%"),
        (TRUST, "2026-11", "*", ""),
    ]
    assert blocks[1].startswith("Responses by language,en,Total")
    assert len(blocks) == 2 + 1 + 6  # trend, languages, who, six equality questions
    with pytest.raises(ReportError, match="before"):
        run_cli([*base, "--from", "2026-11", "--to", "2026-10"])
