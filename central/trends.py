"""The numbers behind the reports people read: % positive by week and month per location and
trust-wide, responses by language and by who answered, and the equality monitoring summary.

Counted here: responses that are neither test nor flagged as possible ballot-stuffing (burst,
fast); trends also need an FFT answer. Weeks run Monday to Sunday and months are calendar
months, both in the trust's local time (Europe/London by default).

The breakdowns (language, who answered, equality) are for one month, the last of the range
unless another is given: a monthly report with a 12-month trend beside it.

Speed (bench/reports.py, 1,000,000 responses): see ``_period_counts`` for the trend's two
plans; breakdowns read one location at a time through the (location, finished_at) index.
docs/reports.md proposes covering indexes that make these reads index-only.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from central.db import Database, Tx
from central.fft import (
    CODES,
    DEFAULT_TIMEZONE,
    SUPPRESSED,
    FFTCounts,
    Month,
    ReportError,
    SuppressedTable,
    local_midnight,
    suppress,
    week_start,
    whole_percent,
)

TRUST = "(trust)"  # the location label of trust-wide figures
# Not test, not possible ballot-stuffing (kiosk.record.FLAGS); flags are comma-joined names.
# Patterns go as parameters: a literal % would be a placeholder to psycopg.
EXCLUDED_FLAGS = ("test", "burst", "fast")
FLAG_PATTERNS = tuple(f"%{flag}%" for flag in EXCLUDED_FLAGS)


def counted(column: str = "flags") -> str:
    return " AND ".join(f"{column} NOT LIKE ?" for _ in EXCLUDED_FLAGS)


WHO_QUESTION = "who"
EQUALITY_QUESTIONS = (
    "age", "sex", "gender_same", "ethnicity", "long_term_condition",
    "condition_reduces_activities",
)  # fmt: skip


@dataclass(frozen=True)
class TrendPoint:
    location: str  # a location code, or TRUST
    label: str  # "2026-11" or "w/c 2026-11-16"
    start: dt.date
    counts: FFTCounts
    hidden: bool = False  # public view: the count is suppressed, so no percentages either

    @property
    def shown_total(self) -> str:
        return SUPPRESSED if self.hidden else str(self.counts.total)

    @property
    def shown_positive(self) -> str:
        return "" if self.hidden else whole_percent(self.counts.pct_positive)

    @property
    def shown_negative(self) -> str:
        return "" if self.hidden else whole_percent(self.counts.pct_negative)


@dataclass(frozen=True)
class Breakdown:
    """Counts of one thing (language, who answered, an equality question) per location."""

    title: str
    locations: tuple[str, ...]
    columns: tuple[str, ...]
    table: SuppressedTable  # public views show table.cell(...); the team sees table.cells
    public: bool = False  # how the report was asked for: rows() suppresses by default then

    def rows(self, public: bool | None = None) -> list[tuple[str, list[str], str]]:
        public = self.public if public is None else public
        t = self.table
        out = []
        for i, location in enumerate(self.locations):
            cells = [t.cell(i, j) if public else str(v) for j, v in enumerate(t.cells[i])]
            out.append((location, cells, t.row_total(i) if public else str(t.row_totals[i])))
        totals = [t.col_total(j) if public else str(v) for j, v in enumerate(t.col_totals)]
        out.append((TRUST, totals, t.grand_total() if public else str(t.grand)))
        return out


@dataclass(frozen=True)
class TrendReport:
    first: Month
    last: Month
    period: str
    points: tuple[TrendPoint, ...]
    languages: Breakdown
    who: Breakdown
    equality: tuple[Breakdown, ...]


def trend_report(
    db: Database,
    first: Month,
    last: Month,
    *,
    period: str = "month",
    tz: str = DEFAULT_TIMEZONE,
    public: bool = False,
    hide_zero: bool = False,
    breakdown_month: Month | None = None,
) -> TrendReport:
    if period not in ("week", "month"):
        raise ReportError(f"period must be week or month, not {period!r}")
    if last < first:
        raise ReportError(f"the last month {last} is before the first {first}")
    periods = period_bounds(first, last, period, tz)
    b_start, b_end = (breakdown_month or last).bounds(tz)
    with db.read() as tx:
        locations = _locations(tx)
        per = _period_counts(tx, locations, periods)
        month = (tx, locations, b_start, b_end)
        languages = _grouped(*month, "r.language", "")
        who = _grouped(*month, "a.value", _answer_join(1), [WHO_QUESTION])
        equality = _equality_rows(*month)
    return TrendReport(
        first,
        last,
        period,
        _points(per, periods, public, hide_zero),
        _breakdown("Responses by language", languages, public, hide_zero),
        _breakdown("Who answered", who, public, hide_zero),
        tuple(_breakdown(q, equality.get(q, {}), public, hide_zero) for q in EQUALITY_QUESTIONS),
    )


# ---------------------------------------------------------------- % positive over time


@dataclass(frozen=True)
class Period:
    start: dt.date
    label: str
    lo: float  # epoch seconds, inclusive
    hi: float  # exclusive


def period_bounds(first: Month, last: Month, period: str, tz: str) -> list[Period]:
    """Calendar months, or Monday-to-Sunday weeks clipped to the months asked for (so the
    first and last weeks may be part weeks)."""
    if period == "month":
        out, month = [], first
        while month <= last:
            lo, hi = month.bounds(tz)
            out.append(Period(dt.date(month.year, month.month, 1), str(month), lo, hi))
            month = month.next()
        return out
    start, end = first.bounds(tz)[0], last.bounds(tz)[1]
    day, stop = week_start(dt.date(first.year, first.month, 1)), last.next()
    out = []
    while day < dt.date(stop.year, stop.month, 1):
        nxt = day + dt.timedelta(days=7)
        lo, hi = max(start, local_midnight(day, tz)), min(end, local_midnight(nxt, tz))
        out.append(Period(day, f"w/c {day.isoformat()}", lo, hi))
        day = nxt
    return out


def _locations(tx: Tx) -> list[str]:
    # Distinct locations by hopping along the (location, finished_at) index, one seek each,
    # instead of reading every row (works on SQLite and PostgreSQL alike).
    rows = tx.all(
        "WITH RECURSIVE l(x) AS (SELECT MIN(location) FROM responses UNION ALL"
        " SELECT (SELECT MIN(location) FROM responses WHERE location > l.x) FROM l"
        " WHERE l.x IS NOT NULL) SELECT x FROM l WHERE x IS NOT NULL"
    )
    return [r[0] for r in rows]


_SUMS = ", ".join(f"SUM(CASE WHEN fft_code = {k} THEN 1 ELSE 0 END)" for k in CODES)


def _period_counts(
    tx: Tx, locations: list[str], periods: list[Period]
) -> dict[tuple[str, dt.date], FFTCounts]:
    """Counted FFT answers per (location, period start).

    Two plans, because the engines differ: PostgreSQL groups half a million rows in one
    hash aggregate; SQLite always sorts to group, so there one small index range read per
    location and period is several times faster (bench/reports.py)."""
    if tx.dialect == "postgres":
        rows = _counts_grouped(tx, periods)
    else:
        rows = _counts_per_location(tx, locations, periods)
    out = {}
    for location, index, sums in rows:
        counts = FFTCounts(tuple(int(v or 0) for v in sums))  # type: ignore[arg-type]
        if counts.total:
            out[(location, periods[index].start)] = counts
    return out


def _counts_grouped(tx: Tx, periods: list[Period]) -> list[tuple[str, int, tuple]]:
    case = "CASE " + " ".join(f"WHEN finished_at < ? THEN {i}" for i in range(len(periods)))
    rows = tx.all(
        f"SELECT location, {case} END AS k, {_SUMS} FROM responses"
        f" WHERE finished_at >= ? AND finished_at < ? AND fft_code IS NOT NULL AND {counted()}"
        " GROUP BY location, k",
        (*[p.hi for p in periods], periods[0].lo, periods[-1].hi, *FLAG_PATTERNS),
    )
    return [(r[0], int(r[1]), tuple(r[2:])) for r in rows]


def _counts_per_location(
    tx: Tx, locations: list[str], periods: list[Period]
) -> list[tuple[str, int, tuple]]:
    sql = (
        f"SELECT {_SUMS} FROM responses WHERE location = ? AND finished_at >= ?"
        f" AND finished_at < ? AND fft_code IS NOT NULL AND {counted()}"
    )
    return [
        (location, i, tuple(tx.one(sql, (location, p.lo, p.hi, *FLAG_PATTERNS))))
        for location in locations
        for i, p in enumerate(periods)
    ]


def _points(
    per_location: dict[tuple[str, dt.date], FFTCounts],
    periods: list[Period],
    public: bool,
    hide_zero: bool,
) -> tuple[TrendPoint, ...]:
    per: dict[tuple[str, dt.date], FFTCounts] = dict(per_location)
    for (_location, start), counts in per_location.items():
        per[(TRUST, start)] = per.get((TRUST, start), FFTCounts()) + counts
    locations = sorted({loc for loc, _ in per_location})
    starts = [p.start for p in periods if (TRUST, p.start) in per]
    labels = {p.start: p.label for p in periods}
    hidden = _hidden_totals(per, locations, starts, hide_zero) if public else set()
    return tuple(
        TrendPoint(loc, labels[s], s, per[(loc, s)], (loc, s) in hidden)
        for loc in [*locations, TRUST]
        for s in starts
        if (loc, s) in per
    )


def _hidden_totals(
    per: dict[tuple[str, dt.date], FFTCounts],
    locations: list[str],
    starts: list[dt.date],
    hide_zero: bool,
) -> set[tuple[str, dt.date]]:
    """Periods x locations, trust-wide as each period's row total: suppressed like any table so
    a small location's figure cannot be worked out from trust-wide minus the others. A
    location's total over the whole range is not shown, hence no column totals."""
    cells = [[per[(loc, s)].total if (loc, s) in per else 0 for loc in locations] for s in starts]
    if not cells:
        return set()
    table = suppress(cells, hide_zero=hide_zero, publish_column_totals=False)
    hidden = {
        (loc, s)
        for i, s in enumerate(starts)
        for j, loc in enumerate(locations)
        if table.cells_hidden[i][j]
    }
    return hidden | {(TRUST, s) for i, s in enumerate(starts) if table.row_totals_hidden[i]}


# ---------------------------------------------------------------- breakdowns


def _answer_join(n: int) -> str:
    marks = ", ".join("?" * n)
    return f" JOIN answers a ON a.record_id = r.record_id AND a.question_id IN ({marks})"


# Breakdowns read one location at a time so both engines start from the (location,
# finished_at) index and look answers up by their key, instead of scanning every answer.


def _grouped(
    tx: Tx,
    locations: list[str],
    start: float,
    end: float,
    column: str,
    join: str,
    params: Sequence[str] = (),
) -> dict[tuple[str, str], int]:
    sql = (
        f"SELECT {column}, COUNT(*) FROM responses r{join} WHERE r.location = ?"
        f" AND r.finished_at >= ? AND r.finished_at < ? AND {counted('r.flags')}"
        f" GROUP BY {column}"
    )
    return {
        (location, value if value is not None else "(none)"): int(n)
        for location in locations
        for value, n in tx.all(sql, (*params, location, start, end, *FLAG_PATTERNS))
    }


def _equality_rows(
    tx: Tx, locations: list[str], start: float, end: float
) -> dict[str, dict[tuple[str, str], int]]:
    sql = (
        "SELECT a.question_id, a.value, a.code, COUNT(*) FROM responses r"
        + _answer_join(len(EQUALITY_QUESTIONS))
        + " WHERE r.location = ? AND r.finished_at >= ? AND r.finished_at < ?"
        f" AND {counted('r.flags')} GROUP BY a.question_id, a.value, a.code"
    )
    out: dict[str, dict[tuple[str, str], int]] = defaultdict(dict)
    for location in locations:
        params = (*EQUALITY_QUESTIONS, location, start, end, *FLAG_PATTERNS)
        for question, value, code, n in tx.all(sql, params):
            # Ethnicity keeps its NHS Data Dictionary code beside the option ("A white_british").
            label = f"{code} {value}" if question == "ethnicity" and code else str(value)
            out[question][(location, label)] = out[question].get((location, label), 0) + int(n)
    return out


def _breakdown(
    title: str, counts: dict[tuple[str, str], int], public: bool, hide_zero: bool
) -> Breakdown:
    locations = tuple(sorted({loc for loc, _ in counts}))
    columns = tuple(sorted({col for _, col in counts}))
    cells = [[counts.get((loc, col), 0) for col in columns] for loc in locations]
    # Locations x answers with trust totals: the trust row is published, so suppress it all.
    table = suppress(cells, hide_zero=hide_zero, width=len(columns))
    return Breakdown(title, locations, columns, table, public)
