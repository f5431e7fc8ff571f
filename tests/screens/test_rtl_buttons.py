"""Answer buttons in right-to-left languages keep numbers and Latin words in reading order.

A button is one Kivy Label in one font; HarfBuzz lays the whole string out right to left, so an
Arabic age band "16-24" used to be drawn "42-61". PVLabel now hands the renderer
``kiosk.text.for_rtl_label(text)`` while ``text`` stays the logical string.
"""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.gui


def _ink(text: str, like, direction: str) -> tuple[tuple[int, int], bytes]:
    """The alpha channel of ``text`` drawn by Kivy's own text renderer in ``like``'s font."""
    from kivy.core.text import Label as CoreLabel

    core = CoreLabel(text=text, font_name=like.font_name, font_size=like.font_size,
                     font_script_name=like.font_script_name, font_direction=direction)
    core.refresh()
    return tuple(core.texture.size), bytes(core.texture.pixels)[3::4]


def _label_ink(label) -> tuple[tuple[int, int], bytes]:
    label.texture_update()
    return tuple(label.texture.size), bytes(label.texture.pixels)[3::4]


@pytest.mark.parametrize("lang", ["ar", "ur", "fa"])
def test_digits_in_a_right_to_left_label_are_drawn_in_reading_order(kiosk, lang: str) -> None:
    from screens.widgets import PVLabel

    kiosk.app.set_language(lang)
    label = PVLabel(text="16-24", wrap=False)
    kiosk.screen().add_widget(label)
    try:
        kiosk.frames(2)
        assert label.st.rtl and label.text == "16-24"  # the logical string is untouched
        drawn = _label_ink(label)
        assert drawn == _ink("16-24", label, "ltr"), "not drawn as 16-24 reads"
        assert drawn != _ink("42-61", label, "ltr")  # the check can tell the two apart
    finally:
        kiosk.screen().remove_widget(label)


def test_mixed_answer_keeps_its_runs(kiosk) -> None:
    """An Arabic answer with a number and an acronym: the drawn string puts each left-to-right
    run back so that HarfBuzz's right-to-left pass shows it as written."""
    from kiosk.text import for_rtl_label
    from screens.widgets import ChoiceButton

    kiosk.app.set_language("ar")
    button = ChoiceButton(text="من 16 إلى 24 في NHS")
    kiosk.screen().add_widget(button)
    try:
        kiosk.frames(2)
        assert button.text == "من 16 إلى 24 في NHS"
        assert button._label.text == button.drawn_text == for_rtl_label(button.text)
        assert button.drawn_text.count("SHN") == 1 and "61" in button.drawn_text
        kiosk.app.set_language("en")  # the same widget in a left-to-right language: as typed
        kiosk.frames(2)
        assert button._label.text == button.text
    finally:
        kiosk.screen().remove_widget(button)
