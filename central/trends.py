"""The numbers behind the reports people read: % positive by week and month per location and
trust-wide, responses by language and by who answered, and the equality monitoring summary.

Counted here: responses that are neither test nor flagged as possible ballot-stuffing (burst,
fast); trends also need an FFT answer. Weeks run Monday to Sunday and months are calendar
months, both in the trust's local time (Europe/London by default).

Speed: one grouped scan per table, never one query per week. Grouping by local date in SQL is
not portable (SQLite and PostgreSQL disagree on time zones), so rows are grouped by UTC hour
"segment" of each UTC day: the local midnight always falls on a whole UTC hour, so within a
segment between two such hours the local date cannot change. Python then maps each
(day, segment) group to its local date.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from central.db import Database, Tx
from central.fft import (
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
    zone,
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

    def rows(self, public: bool) -> list[tuple[str, list[str], str]]:
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
) -> TrendReport:
    if period not in ("week", "month"):
        raise ReportError(f"period must be week or month, not {period!r}")
    start, end = first.bounds(tz)[0], last.bounds(tz)[1]
    with db.read() as tx:
        daily = _daily_counts(tx, start, end, tz)
        languages = _grouped(tx, "r.language", "", start, end)
        who = _grouped(tx, "a.value", _answer_join(1), start, end, [WHO_QUESTION])
        equality = _equality_rows(tx, start, end)
    points = _points(daily, period, public, hide_zero)
    return TrendReport(
        first,
        last,
        period,
        points,
        _breakdown("Responses by language", languages, hide_zero),
        _breakdown("Who answered", who, hide_zero),
        tuple(
            _breakdown(q, equality.get(q, {}), hide_zero, publish_column_totals=True)
            for q in EQUALITY_QUESTIONS
        ),
    )


# ---------------------------------------------------------------- % positive over time


def _hour_expr(tx: Tx) -> str:
    # Whole UTC hours since the epoch; PostgreSQL's CAST rounds, so floor explicitly there.
    if tx.dialect == "postgres":
        return "CAST(FLOOR(finished_at / 3600) AS BIGINT)"
    return "CAST(finished_at / 3600 AS INTEGER)"


def midnight_hours(start: float, end: float, tz: str) -> list[int]:
    """The UTC hours of the day at which local midnight falls between start and end."""
    day = dt.datetime.fromtimestamp(start, zone(tz)).date()
    last = dt.datetime.fromtimestamp(end, zone(tz)).date()
    hours = set()
    while day <= last:
        midnight = local_midnight(day, tz)
        if midnight % 3600:
            raise ReportError(f"time zone {tz}: local midnight is not on a whole UTC hour")
        hours.add(int(midnight // 3600) % 24)
        day += dt.timedelta(days=1)
    return sorted(hours)


def _daily_counts(
    tx: Tx, start: float, end: float, tz: str
) -> dict[tuple[str, dt.date], FFTCounts]:
    """Counted responses per (location, local date): one grouped scan."""
    cuts = midnight_hours(start, end, tz)
    # h - 24 * (h / 24): the hour of the day, portably (no % operator, no MOD in SQLite).
    segment = "CASE " + " ".join(f"WHEN h - 24 * (h / 24) >= {c} THEN {c}" for c in reversed(cuts))
    segment += " ELSE 0 END"  # cuts are ints we computed, not input: safe to inline
    rows = tx.all(
        f"SELECT location, h / 24, {segment}, fft_code, COUNT(*) FROM ("
        f" SELECT location, fft_code, {_hour_expr(tx)} AS h FROM responses"
        f" WHERE finished_at >= ? AND finished_at < ? AND fft_code IS NOT NULL AND {counted()}"
        ") s GROUP BY 1, 2, 3, 4",
        (start, end, *FLAG_PATTERNS),
    )
    zoneinfo = zone(tz)
    by_day: dict[tuple[str, dt.date], dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for location, day, cut, code, n in rows:
        # Half an hour into the segment: safely inside it, whatever the DST state.
        instant = int(day) * 86400 + int(cut) * 3600 + 1800
        local = dt.datetime.fromtimestamp(instant, zoneinfo).date()
        by_day[(location, local)][int(code)] += int(n)
    return {key: FFTCounts.of(codes) for key, codes in by_day.items()}


def _period_of(day: dt.date, period: str) -> tuple[dt.date, str]:
    if period == "week":
        monday = week_start(day)
        return monday, f"w/c {monday.isoformat()}"
    return day.replace(day=1), f"{day.year:04d}-{day.month:02d}"


def _points(
    daily: dict[tuple[str, dt.date], FFTCounts], period: str, public: bool, hide_zero: bool
) -> tuple[TrendPoint, ...]:
    per: dict[tuple[str, dt.date], FFTCounts] = defaultdict(FFTCounts)
    labels: dict[dt.date, str] = {}
    for (location, day), counts in daily.items():
        start, label = _period_of(day, period)
        labels[start] = label
        per[(location, start)] += counts
        per[(TRUST, start)] += counts
    locations = sorted({loc for loc, _ in per if loc != TRUST})
    starts = sorted(labels)
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
    """Locations x periods, trust-wide as the column totals: suppress like any table, so a
    small location's figure cannot be worked out from trust-wide minus the others."""
    cells = [[per[(loc, s)].total if (loc, s) in per else 0 for s in starts] for loc in locations]
    if not cells:
        return set()
    table = suppress(cells, hide_zero=hide_zero)
    hidden = {
        (loc, s)
        for i, loc in enumerate(locations)
        for j, s in enumerate(starts)
        if table.cells_hidden[i][j]
    }
    return hidden | {(TRUST, s) for j, s in enumerate(starts) if table.col_totals_hidden[j]}


# ---------------------------------------------------------------- breakdowns


def _answer_join(n: int) -> str:
    marks = ", ".join("?" * n)
    return f" JOIN answers a ON a.record_id = r.record_id AND a.question_id IN ({marks})"


def _grouped(
    tx: Tx, column: str, join: str, start: float, end: float, params: Sequence[str] = ()
) -> dict[tuple[str, str], int]:
    rows = tx.all(
        f"SELECT r.location, {column}, COUNT(*) FROM responses r{join}"
        f" WHERE r.finished_at >= ? AND r.finished_at < ? AND {counted('r.flags')}"
        f" GROUP BY r.location, {column}",
        (*params, start, end, *FLAG_PATTERNS),
    )
    return {(loc, value if value is not None else "(none)"): int(n) for loc, value, n in rows}


def _equality_rows(tx: Tx, start: float, end: float) -> dict[str, dict[tuple[str, str], int]]:
    rows = tx.all(
        "SELECT a.question_id, r.location, a.value, a.code, COUNT(*) FROM responses r"
        + _answer_join(len(EQUALITY_QUESTIONS))
        + f" WHERE r.finished_at >= ? AND r.finished_at < ? AND {counted('r.flags')}"
        " GROUP BY a.question_id, r.location, a.value, a.code",
        (*EQUALITY_QUESTIONS, start, end, *FLAG_PATTERNS),
    )
    out: dict[str, dict[tuple[str, str], int]] = defaultdict(dict)
    for question, location, value, code, n in rows:
        # Ethnicity keeps its NHS Data Dictionary code beside the option (e.g. "A white_british").
        label = f"{code} {value}" if question == "ethnicity" and code else str(value)
        out[question][(location, label)] = out[question].get((location, label), 0) + int(n)
    return out


def _breakdown(
    title: str,
    counts: dict[tuple[str, str], int],
    hide_zero: bool,
    publish_column_totals: bool = True,
) -> Breakdown:
    locations = tuple(sorted({loc for loc, _ in counts}))
    columns = tuple(sorted({col for _, col in counts}))
    cells = [[counts.get((loc, col), 0) for col in columns] for loc in locations]
    table = suppress(
        cells,
        hide_zero=hide_zero,
        publish_column_totals=publish_column_totals,
        width=len(columns),
    )
    return Breakdown(title, locations, columns, table)
