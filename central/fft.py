"""Friends and Family Test arithmetic: counts by code, % positive/negative, periods, suppression.

Pure functions over numbers (no database): ``central.returns`` and ``central.trends`` fetch the
counts and use these. The rules come from NHS England (``../shared/context/domain.md`` section 1):

* % positive = (1 Very good + 2 Good) / total; % negative = (4 Poor + 5 Very poor) / total, with
  "Neither" (3) and "Don't know" (6) in the denominator: 171+43+10+9+9+2 = 244, 214/244 = 88%.
* Periods: NHS fiscal years run April to March (``2025_26``), months are upper-case English names.
* Published counts below 5 are shown as ``*`` (primary suppression), and further cells are hidden
  (secondary suppression) so that no hidden number can be worked out from the published totals.

How secondary suppression is proved, not hoped for: a table with its row totals, column totals
and grand total is a bipartite graph (row nodes + a "totals row" node, column nodes + a "totals
column" node); every published number is an edge and every total is a node where the edges sum.
A hidden edge can be worked out from the published numbers exactly when it is a *bridge* of the
graph of hidden edges (cut it and the sums on one side isolate it). So we keep hiding the
smallest further numbers until no hidden edge is a bridge; then each hidden number lies on a
cycle of hidden numbers, and adding 1 around that cycle keeps every published sum unchanged.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from kiosk.errors import PatientVoiceError

CODES = (1, 2, 3, 4, 5, 6)
LABELS = {
    1: "Very good",
    2: "Good",
    3: "Neither good nor poor",
    4: "Poor",
    5: "Very poor",
    6: "Don't know",
}
SUPPRESSION_THRESHOLD = 5
SUPPRESSED = "*"
# Reports count a response in the month/week it was given, in the trust's local time.
DEFAULT_TIMEZONE = "Europe/London"
MONTHS = (
    "JANUARY FEBRUARY MARCH APRIL MAY JUNE JULY AUGUST SEPTEMBER OCTOBER NOVEMBER DECEMBER".split()
)


class ReportError(PatientVoiceError):
    """A report was asked for wrongly (bad month, bad settings): the message says what to fix."""

    user_message = "The report could not be made. Please check what was asked for."


# ---------------------------------------------------------------- counts and percentages


@dataclass(frozen=True)
class FFTCounts:
    """Counts of the six FFT answers, indexed by code 1..6."""

    counts: tuple[int, int, int, int, int, int] = (0, 0, 0, 0, 0, 0)

    @classmethod
    def of(cls, by_code: dict[int, int]) -> FFTCounts:
        unknown = set(by_code) - set(CODES)
        if unknown:
            raise ReportError(f"FFT codes must be 1 to 6, not {sorted(unknown)}")
        return cls(tuple(int(by_code.get(c, 0)) for c in CODES))  # type: ignore[arg-type]

    def __getitem__(self, code: int) -> int:
        return self.counts[code - 1]

    def __add__(self, other: FFTCounts) -> FFTCounts:
        return FFTCounts(tuple(a + b for a, b in zip(self.counts, other.counts, strict=True)))  # type: ignore[arg-type]

    @property
    def total(self) -> int:
        return sum(self.counts)

    @property
    def positive(self) -> int:
        return self[1] + self[2]

    @property
    def negative(self) -> int:
        return self[4] + self[5]

    @property
    def pct_positive(self) -> float | None:
        """Exact percentage (None when there are no responses); round only when showing it."""
        return None if self.total == 0 else 100.0 * self.positive / self.total

    @property
    def pct_negative(self) -> float | None:
        return None if self.total == 0 else 100.0 * self.negative / self.total


def whole_percent(value: float | None) -> str:
    """NHS England shows whole percentages; half rounds up (87.5 -> 88), never to even."""
    if value is None:
        return ""
    return f"{int(value + 0.5 + 1e-9)}%"


# ---------------------------------------------------------------- periods


@dataclass(frozen=True, order=True)
class Month:
    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> Month:
        try:
            year_s, month_s = text.strip().split("-")
            month = cls(int(year_s), int(month_s))
        except ValueError:
            raise ReportError(f"month {text!r} must look like 2026-11 (year-month)") from None
        if not (1 <= month.month <= 12 and 2000 <= month.year <= 2100):
            raise ReportError(f"month {text!r} is not a real month: use YYYY-MM, e.g. 2026-11")
        return month

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def name(self) -> str:
        return MONTHS[self.month - 1]

    @property
    def fiscal_year(self) -> str:
        """NHS fiscal year label: April 2025 to March 2026 is ``2025_26``."""
        start = self.year if self.month >= 4 else self.year - 1
        return f"{start}_{(start + 1) % 100:02d}"

    def next(self) -> Month:
        return Month(self.year + self.month // 12, self.month % 12 + 1)

    def bounds(self, tz: str = DEFAULT_TIMEZONE) -> tuple[float, float]:
        """[start, end) as epoch seconds: local midnight on the 1st to local midnight next 1st."""
        return local_midnight(dt.date(self.year, self.month, 1), tz), local_midnight(
            dt.date(self.next().year, self.next().month, 1), tz
        )


def local_midnight(day: dt.date, tz: str = DEFAULT_TIMEZONE) -> float:
    return dt.datetime.combine(day, dt.time(0), tzinfo=zone(tz)).timestamp()


def zone(tz: str) -> ZoneInfo:
    try:
        return ZoneInfo(tz)
    except (KeyError, ValueError):
        raise ReportError(
            f"unknown time zone {tz!r}: use an IANA name like Europe/London"
        ) from None


def week_start(day: dt.date) -> dt.date:
    """Weeks run Monday to Sunday (ISO 8601), labelled by their Monday."""
    return day - dt.timedelta(days=day.weekday())


# ---------------------------------------------------------------- suppression


@dataclass(frozen=True)
class SuppressedTable:
    """A table of counts with its margins and which numbers are hidden.

    ``cells[r][c]``; ``row_totals[r]``; ``col_totals[c]``; ``grand``. The ``*_hidden`` masks
    mirror them. ``show(value, hidden)`` gives the text to publish.
    """

    cells: tuple[tuple[int, ...], ...]
    row_totals: tuple[int, ...]
    col_totals: tuple[int, ...]
    grand: int
    cells_hidden: tuple[tuple[bool, ...], ...]
    row_totals_hidden: tuple[bool, ...]
    col_totals_hidden: tuple[bool, ...]
    grand_hidden: bool

    def cell(self, r: int, c: int) -> str:
        return show(self.cells[r][c], self.cells_hidden[r][c])

    def row_total(self, r: int) -> str:
        return show(self.row_totals[r], self.row_totals_hidden[r])

    def col_total(self, c: int) -> str:
        return show(self.col_totals[c], self.col_totals_hidden[c])

    def grand_total(self) -> str:
        return show(self.grand, self.grand_hidden)


def show(value: int, hidden: bool) -> str:
    return SUPPRESSED if hidden else str(value)


# Graph vocabulary: a node is ("r", i) for row i, ("c", j) for column j, ("r", -1) for the
# totals row and ("c", -1) for the totals column. An edge (r_node, c_node) is one number:
# (("r", i), ("c", j)) a cell, (("r", i), ("c", -1)) row total i, (("r", -1), ("c", j)) column
# total j, (("r", -1), ("c", -1)) the grand total.
Node = tuple[str, int]
Edge = tuple[Node, Node]


def suppress(
    cells: Sequence[Sequence[int]],
    *,
    threshold: int = SUPPRESSION_THRESHOLD,
    hide_zero: bool = False,
    publish_column_totals: bool = True,
    width: int | None = None,
) -> SuppressedTable:
    """Primary suppression of every count below ``threshold`` (zeros too if ``hide_zero``),
    then secondary suppression until no hidden number can be recovered from published ones.

    ``publish_column_totals=False`` when only the rows and their totals are shown (e.g. one
    question's answers): the column totals and grand total are then unknown to a reader.
    ``width``: the number of columns when there may be no rows.
    """
    rows = [list(map(int, row)) for row in cells]
    width = len(rows[0]) if rows else (width or 0)
    if any(len(row) != width for row in rows) or any(v < 0 for row in rows for v in row):
        raise ReportError("a table to suppress must be rectangular, with counts of 0 or more")
    value = _edge_values(rows, width)
    unpublished = set() if publish_column_totals else {e for e in value if e[0] == ("r", -1)}

    def primary(v: int) -> bool:
        return v < threshold and (v > 0 or hide_zero)

    hidden = {e for e, v in value.items() if primary(v)} | unpublished
    _secondary(value, hidden, unpublished)
    return _table(rows, width, value, hidden - unpublished, unpublished)


def _edge_values(rows: list[list[int]], width: int) -> dict[Edge, int]:
    value: dict[Edge, int] = {}
    for i, row in enumerate(rows):
        for j, v in enumerate(row):
            value[(("r", i), ("c", j))] = v
        value[(("r", i), ("c", -1))] = sum(row)
    for j in range(width):
        value[(("r", -1), ("c", j))] = sum(row[j] for row in rows)
    value[(("r", -1), ("c", -1))] = sum(map(sum, rows))
    return value


def _secondary(value: dict[Edge, int], hidden: set[Edge], unpublished: set[Edge]) -> None:
    # Unpublished numbers are unknown to a reader but need no protecting themselves.
    while True:
        bridge = _find_bridge(hidden, unpublished)
        if bridge is None:
            return
        hidden.add(_cheapest_fix(bridge, value, hidden))


def _find_bridge(hidden: set[Edge], unpublished: set[Edge]) -> Edge | None:
    # Degree-1 ends first (the plain "only hidden number in its row/column" case), then any
    # other bridge; tables are small (wards x 7), so a search per edge is fast enough.
    degree: dict[Node, int] = {}
    for a, b in hidden:
        degree[a] = degree.get(a, 0) + 1
        degree[b] = degree.get(b, 0) + 1
    ordered = sorted(hidden - unpublished, key=lambda e: (min(degree[e[0]], degree[e[1]]) != 1, e))
    for edge in ordered:
        if min(degree[edge[0]], degree[edge[1]]) == 1 or _is_bridge(edge, hidden):
            return edge
    return None


def _is_bridge(edge: Edge, hidden: set[Edge]) -> bool:
    return edge[1] not in _reachable(edge[0], hidden - {edge})


def _reachable(start: Node, edges: set[Edge]) -> set[Node]:
    neighbours: dict[Node, list[Node]] = {}
    for a, b in edges:
        neighbours.setdefault(a, []).append(b)
        neighbours.setdefault(b, []).append(a)
    seen, todo = {start}, [start]
    while todo:
        for nxt in neighbours.get(todo.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def _cheapest_fix(bridge: Edge, value: dict[Edge, int], hidden: set[Edge]) -> Edge:
    """Another number to hide so ``bridge`` lies on a cycle of hidden numbers.

    Best: an edge from one end of the bridge into the other end's side (closes a cycle at
    once). Otherwise (an isolated hidden number) any other number sharing its row or column.
    Cheapest = a cell before a total, then the smallest count, then table order.
    """
    rest = hidden - {bridge}
    (u, v) = bridge
    side_u, side_v = _reachable(u, rest), _reachable(v, rest)
    closing = [
        e
        for e in value
        if e not in hidden and ((e[0] == u and e[1] in side_v) or (e[1] == v and e[0] in side_u))
    ]
    sharing = [e for e in value if e not in hidden and (e[0] == u or e[1] == v)]
    candidates = closing or sharing
    if not candidates:  # only when every number is already hidden: cannot happen above
        raise ReportError("suppression could not protect a hidden count")
    return min(candidates, key=lambda e: (_is_total(e), value[e], e))


def _is_total(edge: Edge) -> bool:
    return edge[0][1] == -1 or edge[1][1] == -1


def _table(
    rows: list[list[int]],
    width: int,
    value: dict[Edge, int],
    hidden: set[Edge],
    unpublished: set[Edge],
) -> SuppressedTable:
    def h(i: int, j: int) -> bool:
        edge = (("r", i), ("c", j))
        return edge in hidden or edge in unpublished

    return SuppressedTable(
        cells=tuple(tuple(row) for row in rows),
        row_totals=tuple(value[(("r", i), ("c", -1))] for i in range(len(rows))),
        col_totals=tuple(value[(("r", -1), ("c", j))] for j in range(width)),
        grand=value[(("r", -1), ("c", -1))],
        cells_hidden=tuple(tuple(h(i, j) for j in range(width)) for i in range(len(rows))),
        row_totals_hidden=tuple(h(i, -1) for i in range(len(rows))),
        col_totals_hidden=tuple(h(-1, j) for j in range(width)),
        grand_hidden=h(-1, -1),
    )
