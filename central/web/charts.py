"""The trend chart as inline SVG: no script, no image file, readable by a screen reader.

The SVG carries a <title> and a <desc> summarising the line; the page always puts the same
numbers in a table beside it (the text alternative people can navigate). Suppressed periods are
gaps in the line, never zeros.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from markupsafe import Markup

from central.trends import TrendPoint

W, H, LEFT, RIGHT, TOP, BOTTOM = 720, 300, 56, 16, 16, 56
INK, LINE, GRID = "#212b32", "#003087", "#768692"  # NHS colours; text contrast >= 7:1


def trend_svg(points: Sequence[TrendPoint], name: str) -> Markup:
    if not points:
        return Markup("")
    plot_w, plot_h = W - LEFT - RIGHT, H - TOP - BOTTOM
    step = plot_w / max(len(points) - 1, 1)

    def x(i: int) -> float:
        return LEFT + i * step if len(points) > 1 else LEFT + plot_w / 2

    def y(pct: float) -> float:
        return TOP + plot_h * (1 - pct / 100)

    parts = [_grid(y)]
    segment: list[str] = []
    segments = []
    for i, p in enumerate(points):
        pct = None if p.hidden else p.counts.pct_positive
        if pct is None:
            segments.append(segment)
            segment = []
            continue
        segment.append(f"{x(i):.1f},{y(pct):.1f}")
        parts.append(f'<circle cx="{x(i):.1f}" cy="{y(pct):.1f}" r="4" fill="{LINE}"/>')
    segments.append(segment)
    parts += [f'<polyline points="{" ".join(s)}" fill="none" stroke="{LINE}" stroke-width="3"/>'
              for s in segments if len(s) > 1]  # fmt: skip
    every = max(1, len(points) // 8)
    parts += [f'<text x="{x(i):.1f}" y="{H - BOTTOM + 20}" text-anchor="middle" font-size="15"'
              f' fill="{INK}">{escape(p.label.replace("w/c ", ""))}</text>'
              for i, p in enumerate(points) if i % every == 0]  # fmt: skip
    shown = [p for p in points if not p.hidden and p.counts.total]
    desc = (f"From {points[0].label} to {points[-1].label}: % positive "
            + ", ".join(f"{p.label} {p.shown_positive}" for p in shown)
            if shown else "No figures can be shown for this period.")  # fmt: skip
    title = f"% positive over time, {name}"
    return Markup(
        f'<svg role="img" aria-labelledby="chart-title chart-desc" viewBox="0 0 {W} {H}"'
        f' width="100%" class="chart"><title id="chart-title">{escape(title)}</title>'
        f'<desc id="chart-desc">{escape(desc)}</desc>{"".join(parts)}</svg>'
    )


def _grid(y: object) -> str:
    lines = []
    for pct in (0, 25, 50, 75, 100):
        yy = y(pct)  # type: ignore[operator]
        lines.append(f'<line x1="{LEFT}" x2="{W - RIGHT}" y1="{yy:.1f}" y2="{yy:.1f}"'
                     f' stroke="{GRID}" stroke-width="1"/>'
                     f'<text x="{LEFT - 8}" y="{yy + 4:.1f}" text-anchor="end" font-size="15"'
                     f' fill="{INK}">{pct}%</text>')  # fmt: skip
    return "".join(lines)
