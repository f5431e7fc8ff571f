"""BidiLabel in a real (offscreen) Kivy window: runs shaped by HarfBuzz, placed in visual order.

Kivy is imported inside the fixture, never at module level, so collecting this file cannot
create the window before the screens tests have configured it. Screenshots go to
test-artifacts/screenshots/bidi/ (look at them: a test cannot tell tofu from Arabic)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ARTIFACTS

pytestmark = pytest.mark.gui
SHOTS = ARTIFACTS / "screenshots" / "bidi"
WARD = "جناح 4B في NHS منذ 2024"
SAMPLES = [
    ("ar", "جناح 4B في NHS منذ 2024"),
    (
        "ar",
        "طفل (NHS) 4% — بشكل عام، كيف كانت تجربتك مع خدمتنا؟ نريد أن نعرف رأيك في جناح 4B "
        "لدى NHS حتى نتمكن من التحسين.",
    ),
    ("ur", "وارڈ 4B میں NHS کا تجربہ 2024 سے"),
    ("fa", "می‌خواهم (۱۲٪) درباره‌ی بخش 4B بگویم"),
    ("ckb", "ئەزموونت لە بەشی 4B چۆن بوو؟"),
    ("bn", "আপনার অভিজ্ঞতা কেমন ছিল? ওয়ার্ড 4B"),
    ("zh-Hant", "整體來說，您對我們服務的體驗如何？病房 4B"),
    ("zh-Hans", "总体而言，您对我们服务的体验如何？"),
    ("en", "Ward 4B (جناح الأطفال) at the NHS since 2024"),
]


class Stage:
    """A white panel in the window that holds the widgets under test, removed afterwards."""

    def __init__(self) -> None:
        from kivy.core.window import Window
        from kivy.graphics import Color, Rectangle
        from kivy.uix.boxlayout import BoxLayout

        self.window = Window
        self.box = BoxLayout(
            orientation="vertical",
            padding=16,
            spacing=12,
            size_hint=(None, None),
            size=(1000, 760),
            pos=(0, 0),
        )
        with self.box.canvas.before:
            Color(1, 1, 1, 1)
            self._bg = Rectangle(pos=self.box.pos, size=self.box.size)
        self.box.bind(
            pos=lambda *_: setattr(self._bg, "pos", self.box.pos),
            size=lambda *_: setattr(self._bg, "size", self.box.size),
            minimum_height=self.box.setter("height"),
        )  # the picture fits the text
        Window.add_widget(self.box)

    def add(self, widget: Any) -> Any:
        self.box.add_widget(widget)
        self.frames()
        return widget

    def frames(self, n: int = 4) -> None:
        from kivy.base import EventLoop

        for _ in range(n):
            EventLoop.idle()

    def screenshot(self, name: str) -> Path:
        SHOTS.mkdir(parents=True, exist_ok=True)
        path = SHOTS / name
        self.box.export_to_png(str(path))
        return path


@pytest.fixture
def stage() -> Iterator[Stage]:
    from kivy.base import EventLoop

    EventLoop.ensure_window()
    stage = Stage()
    yield stage
    stage.window.remove_widget(stage.box)


def label(**kwargs: Any) -> Any:
    from screens.bidi_label import BidiLabel

    return BidiLabel(font_size=kwargs.pop("font_size", 34), color=(0.13, 0.17, 0.2, 1), **kwargs)


def test_mixed_arabic_line_is_drawn_in_visual_order(stage: Stage) -> None:
    widget = stage.add(label(text=WARD, lang="ar", font_size=48))
    (line,) = widget.placed_lines
    assert [(p.run.text, p.run.direction) for p in line] == [
        ("2024", "ltr"),
        (" منذ ", "rtl"),
        ("NHS", "ltr"),
        (" في ", "rtl"),
        ("4B", "ltr"),
        ("جناح ", "rtl"),
    ]
    fonts = {p.run.text.strip(): Path(p.run.font).name for p in line}
    assert fonts["NHS"] == fonts["4B"] == "NotoSans-Regular.ttf"  # Naskh has no Latin letters
    assert fonts["جناح"] == "NotoNaskhArabic-Regular.ttf"
    xs = [p.x for p in line]
    assert xs == sorted(xs) and all(p.width > 0 for p in line)
    # right-aligned (the reading start for Arabic): the line ends at the label's right edge
    drawn = [i for i in widget.canvas.children if i.__class__.__name__ == "Rectangle"]
    assert max(r.pos[0] + r.size[0] for r in drawn) == pytest.approx(widget.right, abs=40)
    assert stage.screenshot("mixed_runs.png").stat().st_size > 0


def test_runs_are_measured_by_their_shaped_ink(stage: Stage) -> None:
    """SDL2_ttf can size complex text unshaped (isolated Nastaliq forms are about twice as wide
    as joined ones), leaving empty texture on the right: the run's width is its ink."""
    from screens.bidi_label import _ink_right

    widget = stage.add(label(text="کا تجربہ", lang="ur"))
    (line,) = widget.placed_lines
    (placed,) = line
    texture = placed.shaped.texture
    assert 0 < _ink_right(texture) <= placed.shaped.width <= texture.width
    assert placed.shaped.width <= _ink_right(texture) + 0.05 * 34


def test_wrapped_arabic_keeps_its_first_words_on_the_first_line(stage: Stage) -> None:
    text = SAMPLES[1][1]
    one_line = label(text=text, lang="ar", width=4000, size_hint_x=None)
    stage.add(one_line)
    widget = stage.add(label(text=text, lang="ar"))
    assert len(widget.placed_lines) >= 2
    assert widget.content_height > 1.5 * one_line.content_height
    first_line_words = "".join(p.run.text for p in widget.placed_lines[0])
    assert "طفل" in first_line_words and "التحسين" not in first_line_words
    for line in widget.placed_lines:
        assert sum(p.width for p in line) <= widget.width + 1


def test_following_the_translator_language(stage: Stage) -> None:
    from kiosk.i18n import tr

    before = tr.language
    tr.set_language("fa")
    try:
        widget = stage.add(label(text="بخش NHS"))
        assert widget.language == "fa" and widget.resolved_direction == "rtl"
        assert [p.run.text for p in widget.placed_lines[0]] == ["NHS", "بخش "]
        widget.base_direction = "ltr"
        stage.frames()
        assert [p.run.text for p in widget.placed_lines[0]] == ["بخش", " NHS"]
    finally:
        tr.set_language(before)


def test_every_script_side_by_side(stage: Stage) -> None:
    widgets = [stage.add(label(text=text, lang=tag, font_size=30)) for tag, text in SAMPLES]
    stage.frames()
    for widget in widgets:
        assert widget.content_height > 0 and widget.placed_lines
    path = stage.screenshot("scripts.png")
    assert path.stat().st_size > 10_000


def test_padding_and_vertical_centring_for_use_inside_buttons(stage: Stage) -> None:
    widget = label(
        text="نعم",
        lang="ar",
        padding=[20, 10, 30, 10],
        valign="middle",
        halign="center",
        auto_height=False,
        size_hint_y=None,
        height=200,
    )
    stage.add(widget)
    assert widget.texture_size == [widget.content_width, widget.content_height]
    assert 20 < widget.content_height < widget.height  # one line plus top and bottom padding
    (rect,) = [i for i in widget.canvas.children if i.__class__.__name__ == "Rectangle"]
    middle = rect.pos[1] + rect.size[1] / 2
    assert abs(middle - widget.center_y) < 0.15 * widget.height
    inner_centre = (widget.x + 20 + widget.right - 30) / 2
    assert abs(rect.pos[0] + widget.placed_lines[0][0].width / 2 - inner_centre) < 3


SHEET = [
    "Question {number} of {total}",
    "Do you need more time?",
    "If not, your answers will be cleared in {seconds} seconds.",
    "This is not monitored all the time. If you need help now, please speak to a member of staff.",
    "Tap here to give feedback",
    "Yes, I need more time",
]


@pytest.mark.parametrize(
    "tag",
    [
        "ar",
        "ur",
        "fa",
        "ckb",
        "bn",
        "zh-Hant",
        "zh-Hans",
        "cy",
        "pl",
        "ro",
        "pt",
        "so",
        "en-x-easy",
    ],
)
def test_catalogue_sheet(stage: Stage, tag: str) -> None:
    """Real catalogue strings with real numbers in them, one picture per language to look at."""
    from kiosk.i18n import translate
    from kiosk.languages import format_number

    texts = [
        translate(message, tag).format(
            number=format_number(3, tag),
            total=format_number(12, tag),
            seconds=format_number(20, tag),
        )
        for message in SHEET
    ]
    widgets = [stage.add(label(text=text, lang=tag, font_size=30)) for text in texts]
    stage.frames()
    for widget, text in zip(widgets, texts, strict=True):
        drawn_text = "".join(p.run.text for line in widget.placed_lines for p in line)
        assert sorted(drawn_text.replace(" ", "")) == sorted(text.replace(" ", ""))
        twenty = format_number(20, tag)
        if twenty in text and get_direction(tag) == "rtl":  # the number reads 20, not 02
            runs = [p.run for line in widget.placed_lines for p in line]
            assert any(r.text == twenty and r.direction == "ltr" for r in runs)
    stage.screenshot(f"catalogue-{tag}.png")


def get_direction(tag: str) -> str:
    from kiosk.languages import get_language

    return get_language(tag).direction


def test_a_word_is_not_clipped_whatever_was_drawn_before(stage: Stage) -> None:
    """SDL2_ttf's font object is shared per face and size and keeps the direction of the last
    render: an Arabic word sized right after a left-to-right run used to be clipped."""
    from kivy.core.text import Label as CoreLabel

    from kiosk.text import Run
    from screens.bidi_label import _Shaper

    naskh = str(get_language_font("ar"))
    widths = []
    for before in ("2024", "جناح"):  # the previous render: LTR digits, then RTL letters
        previous = CoreLabel(
            text=before,
            font_name=naskh,
            font_size=33,
            font_script_name="Arab",
            font_direction="ltr" if before.isdigit() else "rtl",
        )
        previous.refresh()
        previous.texture.pixels  # noqa: B018 (forces the delayed render)
        shaped = _Shaper().shape(Run("طفل", 1, "Arab", naskh), 33, "Arab")
        widths.append(shaped.texture.width)
    assert widths[0] == widths[1]


def get_language_font(tag: str):
    from kiosk.languages import get_language

    return get_language(tag).font


def test_a_bidi_label_leaves_plain_labels_measuring_right(stage: Stage) -> None:
    """After BidiLabel draws digits left to right in the Arabic font, a plain Kivy Label in that
    font and size (the screens' own labels) still gets a texture the size of its text."""
    from kivy.core.text import Label as CoreLabel

    naskh = str(get_language_font("ar"))

    def plain_width() -> int:
        plain = CoreLabel(
            text="طفل",
            font_name=naskh,
            font_size=37.0,
            font_script_name="Arab",
            font_direction="rtl",
        )
        plain.refresh()
        plain.texture.pixels  # noqa: B018 (forces the delayed render)
        return plain.texture.width

    plain_width()  # the first one after the font is opened is sized in its default state
    reference = plain_width()
    stage.add(label(text="2024 جناح", lang="ar", font_size=37.0))  # "2024" drawn last, LTR
    assert plain_width() == reference
