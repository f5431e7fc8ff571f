"""The FFT arithmetic: % positive as NHS England computes it, periods, and suppression."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from central.fft import FFTCounts, Month, ReportError, suppress, whole_percent
from tests.reports.disclosure import recoverable


def test_domain_worked_example_is_88_percent_positive() -> None:
    counts = FFTCounts.of({1: 171, 2: 43, 3: 10, 4: 9, 5: 9, 6: 2})
    assert counts.total == 244
    assert counts.positive == 214
    assert whole_percent(counts.pct_positive) == "88%"
    # Poor + Very poor over all six, "Neither" and "Don't know" included: 18/244 = 7.4%
    assert counts.negative == 18
    assert whole_percent(counts.pct_negative) == "7%"


def test_neither_and_dont_know_stay_in_the_denominator() -> None:
    only_unsure = FFTCounts.of({3: 5, 6: 5})
    assert only_unsure.pct_positive == 0.0 and only_unsure.pct_negative == 0.0
    assert FFTCounts.of({}).pct_positive is None
    assert whole_percent(None) == ""
    assert whole_percent(87.5) == "88%"  # half up, not to even
    with pytest.raises(ReportError, match="1 to 6"):
        FFTCounts.of({7: 1})


@pytest.mark.parametrize(
    ("text", "fiscal", "name"),
    [("2026-11", "2026_27", "NOVEMBER"), ("2026-03", "2025_26", "MARCH"),
     ("2025-08", "2025_26", "AUGUST"), ("2026-04", "2026_27", "APRIL")],
)  # fmt: skip
def test_nhs_periods(text: str, fiscal: str, name: str) -> None:
    month = Month.parse(text)
    assert (month.fiscal_year, month.name, str(month)) == (fiscal, name, text)


@pytest.mark.parametrize("bad", ["2026-13", "2026/11", "November", "", "1999-01"])
def test_bad_month_is_a_clear_error(bad: str) -> None:
    with pytest.raises(ReportError, match="2026-11"):
        Month.parse(bad)


def test_month_bounds_are_local_midnights_across_summer_time() -> None:
    start, end = Month(2026, 8).bounds()
    assert dt.datetime.fromtimestamp(start, dt.UTC) == dt.datetime(2026, 7, 31, 23, tzinfo=dt.UTC)
    assert dt.datetime.fromtimestamp(end, dt.UTC) == dt.datetime(2026, 8, 31, 23, tzinfo=dt.UTC)
    start, end = Month(2026, 12).bounds()
    assert dt.datetime.fromtimestamp(end, dt.UTC) == dt.datetime(2027, 1, 1, tzinfo=dt.UTC)


# ---------------------------------------------------------------- suppression


def _shown_values(t) -> list[int]:
    out = [v for row, hid in zip(t.cells, t.cells_hidden, strict=True)
           for v, h in zip(row, hid, strict=True) if not h]  # fmt: skip
    out += [v for v, h in zip(t.row_totals, t.row_totals_hidden, strict=True) if not h]
    out += [v for v, h in zip(t.col_totals, t.col_totals_hidden, strict=True) if not h]
    return out + ([] if t.grand_hidden else [t.grand])


def test_primary_and_secondary_suppression_of_a_ward_table() -> None:
    t = suppress([[171, 43, 10, 9, 9, 2], [20, 3, 0, 1, 0, 0], [30, 8, 2, 0, 0, 1]])
    assert t.cell(0, 5) == "*" and t.cell(1, 1) == "*" and t.cell(2, 2) == "*"
    assert t.cell(0, 0) == "171" and t.row_total(0) == "244"
    # The lone small cell of row 0 (2 Don't know) would be 244 minus the others: a second hides it
    assert sum(t.cells_hidden[0]) >= 2
    assert all(v == 0 or v >= 5 for v in _shown_values(t))
    assert recoverable(t) == []


def test_a_bridge_between_two_hidden_blocks_is_closed() -> None:
    # Two 2x2 blocks of 1s (each a cycle of hidden cells) joined by one hidden 2: every row and
    # column holds 0 or at least 2 hidden cells, yet the 2 is recoverable by adding the block
    # rows and subtracting the block columns. The plain "two per row/column" rule misses this.
    big = 100
    cells = [[big] * 5 for _ in range(4)]
    for i, j in [(0, 0), (0, 1), (1, 0), (1, 1), (2, 2), (2, 3), (3, 2), (3, 3)]:
        cells[i][j] = 1
    cells[0][2] = 2
    t = suppress(cells)
    assert recoverable(t) == []
    naive_hidden = 8 + 1
    assert sum(map(sum, t.cells_hidden)) > naive_hidden


def test_random_tables_never_leave_a_hidden_count_recoverable() -> None:
    rng = random.Random(20261126)
    for _ in range(150):
        rows, cols = rng.randint(1, 5), rng.randint(1, 6)
        cells = [[rng.choice([0, 0, 1, 2, 3, 4, 5, 7, 12, 40]) for _ in range(cols)]
                 for _ in range(rows)]  # fmt: skip
        t = suppress(cells)
        assert recoverable(t) == [], cells
        assert all(v == 0 or v >= 5 for v in _shown_values(t)), cells
        hidden_zero = suppress(cells, hide_zero=True)
        assert recoverable(hidden_zero) == [], cells
        assert all(v >= 5 for v in _shown_values(hidden_zero)), cells


def test_one_distribution_without_column_totals() -> None:
    # One question's answers and its total: a single small answer needs one more hidden.
    t = suppress([[12, 3, 0, 9, 6]], publish_column_totals=False)
    assert t.cell(0, 1) == "*"
    assert sum(t.cells_hidden[0]) == 2 and t.row_total(0) == "30"
    assert recoverable(t, column_totals=False) == []
    rng = random.Random(7)
    for _ in range(200):
        row = [rng.choice([0, 1, 2, 4, 5, 9, 30]) for _ in range(rng.randint(1, 7))]
        t = suppress([row], publish_column_totals=False)
        assert recoverable(t, column_totals=False) == [], row


def test_nothing_small_means_nothing_hidden() -> None:
    t = suppress([[10, 20, 5], [6, 7, 8]])
    assert not any(map(any, t.cells_hidden)) and not t.grand_hidden
    assert suppress([]).grand == 0
    with pytest.raises(ReportError, match="rectangular"):
        suppress([[1, 2], [3]])
