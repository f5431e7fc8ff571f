"""An independent check of suppression: could a reader work out any hidden number?

Not the algorithm under test (which reasons on a graph): plain exact linear algebra. Every
published table satisfies row sums, column sums and the grand total; the hidden numbers are
unknowns, the shown ones constants. A hidden number is recoverable exactly when its unit vector
lies in the row space of the constraint matrix restricted to the unknowns.
"""

from __future__ import annotations

from fractions import Fraction

from central.fft import SuppressedTable


def _constraints(t: SuppressedTable, column_totals: bool) -> tuple[list[dict], list[tuple]]:
    """Each constraint: {variable: coefficient} summing to 0. Variables name each number."""
    rows, width = len(t.cells), len(t.col_totals)
    cons = []
    for i in range(rows):
        c = {("cell", i, j): 1 for j in range(width)}
        c[("row", i)] = -1
        cons.append(c)
    for j in range(width):
        c = {("cell", i, j): 1 for i in range(rows)}
        c[("col", j)] = -1
        cons.append(c)
    c = {("row", i): 1 for i in range(rows)}
    c[("grand",)] = -1
    cons.append(c)
    hidden = [("cell", i, j) for i in range(rows) for j in range(width) if t.cells_hidden[i][j]]
    hidden += [("row", i) for i in range(rows) if t.row_totals_hidden[i]]
    if column_totals:
        hidden += [("col", j) for j in range(width) if t.col_totals_hidden[j]]
        hidden += [("grand",)] if t.grand_hidden else []
    else:  # not published at all: unknown to the reader
        hidden += [("col", j) for j in range(width)] + [("grand",)]
    return cons, hidden


def _rank(matrix: list[list[Fraction]]) -> int:
    m = [row[:] for row in matrix]
    rank, cols = 0, len(m[0]) if m else 0
    for col in range(cols):
        pivot = next((r for r in range(rank, len(m)) if m[r][col] != 0), None)
        if pivot is None:
            continue
        m[rank], m[pivot] = m[pivot], m[rank]
        for r in range(len(m)):
            if r != rank and m[r][col] != 0:
                factor = m[r][col] / m[rank][col]
                m[r] = [a - factor * b for a, b in zip(m[r], m[rank], strict=True)]
        rank += 1
    return rank


def recoverable(t: SuppressedTable, *, column_totals: bool = True) -> list[tuple]:
    """The published-hidden numbers a reader could compute exactly (should be empty)."""
    cons, hidden = _constraints(t, column_totals)
    index = {v: k for k, v in enumerate(hidden)}
    matrix = [[Fraction(c.get(v, 0)) for v in hidden] for c in cons]
    matrix = [row for row in matrix if any(row)]
    if not matrix:
        return [v for v in hidden if _published(v, column_totals)]
    base = _rank(matrix)
    found = []
    for v in hidden:
        if not _published(v, column_totals):
            continue
        unit = [Fraction(int(k == index[v])) for k in range(len(hidden))]
        if _rank(matrix + [unit]) == base:
            found.append(v)
    return found


def _published(v: tuple, column_totals: bool) -> bool:
    return column_totals or v[0] in ("cell", "row")
