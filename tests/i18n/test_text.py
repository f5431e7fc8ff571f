"""Bidi runs: a logical string -> lines of directional runs in visual order (no Kivy here).

The oracle for run order is python-bidi's Rust ``get_display`` (a full, current UBA): drawing
each run in its direction must give exactly its visual string."""

from __future__ import annotations

import pytest
from bidi import get_display
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.languages import FONTS, font_chooser, font_codepoints
from kiosk.text import (
    Run,
    assign_fonts,
    break_opportunities,
    layout,
    paragraph_levels,
    reorder,
    visual_runs,
)

WARD = "جناح 4B في NHS منذ 2024"


def drawn(runs: list[Run]) -> str:
    """What the screen shows left to right: HarfBuzz lays an RTL run's characters right to left."""
    return "".join(run.text[::-1] if run.direction == "rtl" else run.text for run in runs)


def test_ward_name_digits_and_nhs_inside_arabic_come_out_in_order() -> None:
    runs = visual_runs(WARD, "rtl")
    assert [(r.text, r.direction) for r in runs] == [
        ("2024", "ltr"),
        (" منذ ", "rtl"),
        ("NHS", "ltr"),
        (" في ", "rtl"),
        ("4B", "ltr"),
        ("جناح ", "rtl"),
    ]
    # read right to left: جناح, 4B, في, NHS, منذ, 2024 (not "B4", "SHN", "4202")
    assert drawn(runs) == get_display(WARD)


@pytest.mark.parametrize(
    "text,base",
    [
        (WARD, None),
        ("وارڈ 4B میں NHS کا تجربہ 2024 سے", "rtl"),
        ("می\u200cخواهم درباره\u200cی بخش 4B بگویم", "rtl"),
        ("ئەزموونت لە بەشی 4B چۆن بوو؟ 12 / 10", "rtl"),
        ("Ward 4B: جناح الأطفال 12 today", "ltr"),
        ("رقم 12.5 و 1,234 و ٣٤٥", None),
        ("NHS 111 خدمة", "rtl"),
        ("আপনার অভিজ্ঞতা কেমন ছিল? ওয়ার্ড 4B", None),
        ("整體來說，您對我們服務的體驗如何？NHS 4B", None),
        ("طفل (NHS) 4%", "rtl"),
        ("جناح (4B) و [NHS] {x}", "rtl"),
        ("NHS (جناح 12)", "ltr"),
        ("Ward (4B) جناح", "rtl"),
    ],
)
def test_run_order_matches_the_reference_bidi_algorithm(text: str, base: str | None) -> None:
    base_dir = {"rtl": "R", "ltr": "L", None: None}[base]
    assert drawn(visual_runs(text, base)) == get_display(text, base_dir=base_dir)


MIXED = st.text(
    alphabet=st.sampled_from(
        list("جنحفيمذیۆە") + list("abNHS") + list("0123٣٤۵") + list(" ()[].,:%-+/") + ["\u200c"]
    ),
    max_size=16,
)


@settings(max_examples=300, deadline=None)
@given(MIXED, st.sampled_from(["rtl", "ltr", None]))
def test_any_mix_of_arabic_latin_digits_and_brackets_matches_the_reference(
    text: str, base: str | None
) -> None:
    base_dir = {"rtl": "R", "ltr": "L", None: None}[base]
    # where an invisible ZWNJ lands between runs is immaterial (implementations differ)
    assert drawn(visual_runs(text, base)).replace("\u200c", "") == get_display(
        text, base_dir=base_dir
    ).replace("\u200c", "")


def test_auto_direction_takes_the_first_strong_character() -> None:
    assert paragraph_levels(WARD)[0] == 1
    assert paragraph_levels("NHS جناح")[0] == 0
    assert paragraph_levels("123")[0] == 0


def test_zero_width_non_joiner_stays_inside_persian_words() -> None:
    runs = visual_runs("می\u200cخواهم", "rtl")
    assert [r.text for r in runs] == ["می\u200cخواهم"]


def test_arabic_word_inside_english_keeps_its_brackets_on_the_english_side() -> None:
    runs = visual_runs("Ward (جناح) today", "ltr")
    assert [(r.text, r.direction, r.script) for r in runs] == [
        ("Ward (", "ltr", "Latn"),
        ("جناح", "rtl", "Arab"),
        (") today", "ltr", "Latn"),
    ]


def test_reorder_reverses_from_the_highest_level_down() -> None:
    runs = [Run("a", 1, "Arab"), Run("b", 2, "Latn"), Run("c", 2, "Latn"), Run("d", 1, "Arab")]
    assert [r.text for r in reorder(runs)] == ["d", "b", "c", "a"]


def test_latin_letters_inside_arabic_get_the_latin_font() -> None:
    runs = visual_runs("طفل (NHS) 4%", "rtl", font_chooser("ar"))
    fonts = {r.text: r.font.rsplit("/", 1)[1] for r in runs}
    assert fonts["NHS"] == "NotoSans-Regular.ttf"
    # brackets, digits and "%" stay in the language's font (the shipped Naskh carries them)
    assert fonts["طفل ("] == fonts["4%"] == "NotoNaskhArabic-Regular.ttf"
    assert all(r.direction == "rtl" for r in runs if "(" in r.text or ")" in r.text)
    assert drawn(runs) == drawn(visual_runs("طفل (NHS) 4%", "rtl"))


def test_urdu_uses_nastaliq_and_digits_stay_in_the_language_font() -> None:
    runs = visual_runs("وارڈ 12", "rtl", font_chooser("ur"))
    assert {r.font.rsplit("/", 1)[1] for r in runs} == {"NotoNastaliqUrdu-Regular.ttf"}


def test_assign_fonts_splits_a_run_where_its_font_lacks_a_character() -> None:
    naskh, sans = FONTS / "NotoNaskhArabic-Regular.ttf", FONTS / "NotoSans-Regular.ttf"

    def chooser(script: str):
        return [(str(naskh), font_codepoints(naskh)), (str(sans), font_codepoints(sans))]

    pieces = assign_fonts([Run("ابΩج", 1, "Arab")], chooser)  # Naskh has no Greek
    # logical اب | Ω | ج, laid out right to left: ج first from the left, still right-to-left
    assert [(p.text, p.font == str(sans)) for p in pieces] == [
        ("ج", False),
        ("Ω", True),
        ("اب", False),
    ]
    assert {p.direction for p in pieces} == {"rtl"}


def words(n: int) -> list[str]:
    return WARD.split()[:n]


def test_wrapped_rtl_lines_keep_reading_order() -> None:
    """Line breaking happens on the logical text, then each line is reordered: the first words
    are on the first line (Kivy + get_display reverses the line order instead, #8189)."""
    text = "جناح 4B في NHS منذ 2024 وهذا نص طويل جدا"
    lines = layout(text, 12, lambda run: len(run.text), "rtl")
    assert len(lines) > 2
    assert [text[line.start : line.end].strip() for line in lines][0].startswith("جناح 4B")
    assert "".join(text[line.start : line.end] for line in lines) == text
    for line in lines:
        segment = text[line.start : line.end].rstrip()
        assert drawn(line.runs) == get_display(segment, base_dir="R")


def test_lines_fit_and_long_words_are_cut() -> None:
    lines = layout("a" * 25 + " bb", 10, lambda run: len(run.text))
    assert [text for line in lines for text in (r.text for r in line.runs)] == [
        "a" * 10,
        "a" * 10,
        "aaaaa bb",
    ]
    for line in lines:
        assert sum(len(r.text) for r in line.runs) <= 10


def test_newlines_start_paragraphs_with_their_own_direction() -> None:
    lines = layout("Ward 4B\nجناح 4B", 100, lambda run: len(run.text))
    assert [r.text for r in lines[0].runs] == ["Ward 4B"]
    assert [r.text for r in lines[1].runs] == ["4B", "جناح "]


def test_chinese_breaks_between_characters_but_not_before_closing_punctuation() -> None:
    text = "您好，我們想知道。"
    points = break_opportunities(text)
    assert 2 not in points  # never start a line with "，"
    assert 3 in points and 4 in points
    lines = layout(text, 3, lambda run: len(run.text))
    assert all(not text[line.start : line.end].startswith(("，", "。")) for line in lines)
    assert "".join(text[line.start : line.end] for line in lines) == text


def test_empty_text_has_one_empty_line() -> None:
    assert visual_runs("") == []
    assert [line.runs for line in layout("", 10, lambda run: 1)] == [[]]


@pytest.mark.parametrize(
    "text",
    [
        "السؤال 3 من 12",
        "فستُمسح إجاباتك خلال 20 ثانية.",
        "پرسش ۳ از ۱۲",
        "١٢ من ٣",
        "جناح 4B في NHS منذ 2024",
    ],
)
def test_text_for_a_plain_rtl_label_reads_right_after_harfbuzz_reverses_it(text: str) -> None:
    from kiosk.text import for_rtl_label

    prepared = for_rtl_label(text)
    assert sorted(prepared) == sorted(text)
    assert prepared[::-1] == get_display(text, base_dir="R")  # what HarfBuzz RTL then shows
    assert for_rtl_label("بلا أرقام") == "بلا أرقام"  # pure RTL text is left alone
