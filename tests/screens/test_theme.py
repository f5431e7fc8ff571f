"""Contrast and text size, computed from the theme's own numbers (no window needed)."""
from __future__ import annotations

import pytest
from fontTools.ttLib import TTFont

from kiosk.languages import get_language
from screens import theme


def _ratio(palette: theme.Palette, fg: str, bg: str) -> float:
    return theme.contrast_ratio(getattr(palette, fg), getattr(palette, bg))


@pytest.mark.parametrize("palette", theme.PALETTES, ids=lambda p: p.name)
def test_every_text_pair_reaches_7_to_1(palette: theme.Palette) -> None:
    low = {f"{fg} on {bg}": round(_ratio(palette, fg, bg), 2)
           for fg, bg in theme.TEXT_PAIRS}
    assert all(ratio >= 7.0 for ratio in low.values()), low


@pytest.mark.parametrize("palette", theme.PALETTES, ids=lambda p: p.name)
def test_every_control_reaches_3_to_1(palette: theme.Palette) -> None:
    low = {f"{fg} on {bg}": round(_ratio(palette, fg, bg), 2)
           for fg, bg in theme.CONTROL_PAIRS}
    assert all(ratio >= 3.0 for ratio in low.values()), low


def test_contrast_formula_matches_wcag_reference_values() -> None:
    assert theme.contrast_ratio("#000000", "#FFFFFF") == pytest.approx(21.0)
    assert theme.contrast_ratio("#777777", "#FFFFFF") == pytest.approx(4.48, abs=0.01)
    assert theme.contrast_ratio("#005EB8", "#FFFFFF") < 7  # why NHS Blue is not used behind text


def test_pairs_name_real_roles() -> None:
    roles = set(theme.roles())
    for fg, bg in theme.TEXT_PAIRS + theme.CONTROL_PAIRS:
        assert {fg, bg} <= roles


def test_bigger_text_capital_height_meets_en_301_549() -> None:
    """Capital H of the smallest "Bigger text" size is >= 6.1 mm on the reference panel.

    Measured in the Latin UI font (Noto Sans), where a capital H is drawn; Arabic, Bengali and
    Chinese have no capitals and share the same font sizes.
    """
    font = TTFont(str(get_language("en").font))
    cap, em = font["OS/2"].sCapHeight, font["head"].unitsPerEm
    smallest = min(vars(theme.BIG_TEXT).values())
    cap_mm = smallest * cap / em / theme.PX_PER_MM
    assert cap_mm >= theme.BIG_TEXT_CAP_HEIGHT_MM, f"{cap_mm:.2f} mm"


def test_reference_screen_dpi_and_targets() -> None:
    assert theme.REFERENCE_DPI == pytest.approx(149.4, abs=0.1)
    assert theme.mm(12) == pytest.approx(70.6, abs=0.1)
