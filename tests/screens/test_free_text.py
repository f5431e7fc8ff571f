"""Free text in every script: typed on the on-screen keyboard, shown shaped and in order.

Each test types through real key taps in the real app and looks at what the field draws
(BidiLabel's placed runs, left to right); screenshots go to
test-artifacts/screenshots/<lang>/free_text-typing-mixed.png to be looked at.
"""
from __future__ import annotations

import pytest

from screens.keyboard_layouts import NATIVE, keys
from screens.touch_text import CARET
from tests.screens.conftest import SHOTS

#: what a person might type: their own words with a ward number and "NHS" inside
TYPED = {
    "ar": "جناح 4B في NHS جيد جدا",
    "ur": "وارڈ 12 میں NHS اچھا ہے",
    "fa": "بخش 7B در NHS خوب بود",
    "ckb": "باشە 3 سوپاس",
    "bn": "ওয়ার্ড 5 ভালো",
}


def _to_free_text(kiosk, lang: str):
    app = kiosk.app
    app.services.languages = ("en", lang)
    app.screen("welcome").languages = []
    app.journey.reset()
    kiosk.frames(2)
    kiosk.start(lang)
    kiosk.tap(next(f for f in kiosk.screen("fft").faces() if f.code == 2))
    screen = kiosk.screen("free_text")
    assert kiosk.current == "free_text"
    kiosk.tap(screen.ids.field)
    return screen


def _drawn(field) -> list[str]:
    """The field's runs as drawn, left to right, line by line (each run in logical order)."""
    return [placed.run.text for line in field.ids.label.placed_lines for placed in line]


@pytest.mark.gui
@pytest.mark.parametrize("lang", sorted(TYPED))
def test_typing_in_the_persons_own_script_is_shaped_and_in_order(kiosk, lang: str) -> None:
    screen = _to_free_text(kiosk, lang)
    keyboard = screen.ids.keyboard
    assert keyboard.layout == NATIVE[lang][0]  # their own letters come first
    kiosk.type_text(keyboard, TYPED[lang])
    field = screen.ids.field
    assert field.text == TYPED[lang]  # the logical string, never reordered
    kiosk.frames(2)
    runs = _drawn(field)
    digits = next(r for r in runs if any(c.isdigit() for c in r))
    assert digits.strip().split(" ")[0] in TYPED[lang]  # "4B", "12": not reversed
    if lang != "bn":  # right to left: the caret (the logical end) is drawn at the far left
        assert CARET in runs[0] and CARET not in "".join(runs[1:])
    else:
        assert runs[-1].endswith(CARET)
    kiosk.screenshot(SHOTS / lang / "free_text-typing-mixed.png")
    kiosk.tap(keyboard.ids.backspace)
    assert field.text == TYPED[lang][:-1]  # the last character typed, whatever its direction
    kiosk.tap(keyboard.ids.done)
    assert CARET not in "".join(_drawn(field))  # not typing: no caret
    kiosk.app.journey.reset()


@pytest.mark.gui
@pytest.mark.parametrize("lang", ["zh-Hans", "zh-Hant"])
def test_chinese_says_honestly_that_it_cannot_be_typed_here(kiosk, lang: str) -> None:
    screen = _to_free_text(kiosk, lang)
    note = screen.ids.frame.note_text
    assert note and note != "Typing Chinese is not available on this kiosk. You can answer the " \
        "other questions by tapping, ask a member of staff to help you, or type your answer in " \
        "English or pinyin with this keyboard."  # said in Chinese, not English
    assert screen.ids.keyboard.layout == "lower"  # English or pinyin
    assert note in screen.speak_text()  # read aloud too, after the question
    kiosk.type_text(screen.ids.keyboard, "hen hao")
    assert screen.ids.field.text == "hen hao"
    kiosk.screenshot(SHOTS / lang / "free_text-typing-pinyin.png")
    kiosk.app.journey.reset()


@pytest.mark.gui
def test_latin_languages_keep_their_accents_and_somali_types_in_latin(kiosk) -> None:
    for lang, words in (("cy", "Da ŵyr"), ("pl", "Źle ę"), ("so", "")):
        screen = _to_free_text(kiosk, lang)
        assert screen.ids.keyboard.layout == "lower"  # Somali is written in Latin letters
        if words:
            kiosk.type_text(screen.ids.keyboard, words)
            assert screen.ids.field.text == words
        kiosk.app.journey.reset()


def test_every_native_page_is_typable_and_no_key_repeats_on_a_page() -> None:
    for pages in NATIVE.values():
        for page in pages:
            typed = [t for row in keys(page) for _, t in row]
            assert len(typed) == len(set(typed)), page
            assert all(len(row) <= 14 for row in keys(page)), page  # keys stay >= 12 mm
