"""The staff web's colour pairs meet the contrast the brief asks for (7:1 for text, WCAG AAA;
3:1 for the chart's grid lines), computed with WCAG 2.2's relative luminance formula, and every
colour checked is one the style sheet or chart really uses."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
CSS = (ROOT / "central" / "web" / "static" / "style.css").read_text().lower()
CHART = (ROOT / "central" / "web" / "charts.py").read_text().lower()

TEXT_PAIRS = [  # (foreground, background, where)
    ("#212b32", "#ffffff", "body text on white panels and tables"),
    ("#212b32", "#f0f4f5", "body text on the page background"),
    ("#003087", "#ffffff", "links"),
    ("#003087", "#f0f4f5", "links on the page background"),
    ("#330072", "#f0f4f5", "visited links"),
    ("#ffffff", "#003087", "header text"),
    ("#ffffff", "#00401e", "primary button"),
    ("#ffffff", "#002411", "primary button, hover"),
    ("#003087", "#ffffff", "secondary button"),
    ("#003087", "#e8edee", "secondary button, hover"),
    ("#330072", "#ffffff", "contacted tag"),
    ("#8a1538", "#ffffff", "error messages and the error summary"),
    ("#8a1538", "#f0f4f5", "error messages on the page background"),
    ("#00401e", "#ffffff", "published and resolved tags"),
    ("#212b32", "#fff9c4", "overdue rows"),
    ("#212b32", "#ffeb3b", "focused links and buttons"),
]


def contrast(a: str, b: str) -> float:
    def luminance(colour: str) -> float:
        rgb = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
        lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_the_formula_on_known_values():
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)


@pytest.mark.parametrize("fg,bg,where", TEXT_PAIRS)
def test_text_contrast_is_at_least_7_to_1(fg, bg, where):
    assert fg in CSS + CHART and bg in CSS + CHART + "#ffffff", where
    assert contrast(fg, bg) >= 7.0, f"{where}: {contrast(fg, bg):.2f}:1"


def test_chart_colours():
    assert contrast("#003087", "#ffffff") >= 3 and contrast("#768692", "#ffffff") >= 3
    assert '"#212b32"' in CHART and '"#003087"' in CHART and '"#768692"' in CHART
