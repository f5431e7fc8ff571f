"""Every screen, in every language, at both text sizes: looked at as a person sees it.

The tour drives the real app to each screen state (every question kind, each contact and
involvement step, the review, thank-you in all four variants, the timeout warning, the staff
PIN pad) and, on the one frame shown at each stop, checks:
- what a person sees of the words, by their drawn ink (tests/screens/drawn.py): inside their
  button, field or screen, on the glass, not over the top bar, another text or a control it is
  not part of, centred where centred, never cut short; the question and its privacy line shown
  whole (or in a window that scrolls, with its "more" buttons);
- every tappable control at least 12 mm x 12 mm with 2 mm to its neighbours (the reference
  10.1" 1280x800 panel, theme.REFERENCE_DPI), the speaker button where there is a voice, no tofu,
  no see-through wide lines, a top bar that fits (tests/screens/checks.py);
- answers paged only when the next answer would not have fitted on the page;
and saves test-artifacts/screenshots/<lang>/<stop>-<normal|big>.png.
"""
from __future__ import annotations

from collections.abc import Iterator

import pytest

from kiosk.config import KNOWN_LANGUAGES
from screens import drawn, theme
from tests.screens import checks
from tests.screens.conftest import SHOTS, walk_window

#: Every language the kiosk offers: each one's own wording must fit (Welsh and Romanian run
#: long, Sorani and Somali have no voice). Screenshots per language as in the README.
LANGUAGES = list(KNOWN_LANGUAGES)
THANKS = {"thank_you": (False, False), "thank_you-contact": (True, False),
          "thank_you-involvement": (False, True), "thank_you-both": (True, True)}


def _pick(kiosk, value):
    """The answer button for ``value``, turning pages ("More answers") until it shows."""
    choices = kiosk.screen().ids.choices
    if choices.page:
        choices.reset_page()
        choices.relayout()
        kiosk.frames(2)
    seen = []
    for _ in range(choices.page_count):
        kiosk.frames(2)
        for btn in choices.buttons():
            seen.append(btn.value)
            if btn.value == value:
                return btn
        if choices.page < choices.page_count - 1:
            kiosk.tap(choices.ids.pager.ids.next_page)
    raise AssertionError(f"no answer {value!r} on {kiosk.current}; saw {seen}")


def tour(kiosk) -> Iterator[str]:
    """Drive the app through every screen state; yield a name at each stop."""
    app = kiosk.app
    yield "welcome"
    welcome = kiosk.screen("welcome")
    if not welcome.side_by_side:
        kiosk.tap(welcome.ids.change_language)
        yield "welcome-languages"
        kiosk.tap(welcome.ids.back)
    kiosk.tap(welcome.ids.start)
    yield "fft"
    kiosk.tap(next(f for f in kiosk.screen("fft").faces() if f.code == 3))
    yield "free_text"
    screen = kiosk.screen("free_text")
    kiosk.tap(screen.ids.field)
    kiosk.type_text(screen.ids.keyboard, "Good")
    yield "free_text-typing"
    kiosk.tap(screen.ids.keyboard.ids.done)
    kiosk.tap(kiosk.frame().ids.next)
    yield "choice"
    kiosk.tap(kiosk.screen().ids.choices.buttons()[0])
    yield "yes_no"
    kiosk.tap(kiosk.screen().ids.yes)
    contact = kiosk.screen("contact")
    yield "contact-intro"
    kiosk.tap(kiosk.frame().ids.next)
    yield "contact-name"
    kiosk.type_text(contact.ids.keyboard, "An")
    kiosk.tap(contact.ids.keyboard.ids.done)
    yield "contact-method"
    kiosk.tap(_pick(kiosk, "email"))
    kiosk.type_text(contact.ids.keyboard, "a@b.co")
    yield "contact-value"
    kiosk.tap(contact.ids.keyboard.ids.done)
    yield "contact-needs"
    kiosk.tap(kiosk.frame().ids.next)
    yield "contact-review"
    kiosk.tap(kiosk.frame().ids.next)  # send
    kiosk.tap(kiosk.screen().ids.yes)  # involvement
    yield "involvement-interests"
    kiosk.tap(kiosk.frame().ids.back)
    kiosk.tap(kiosk.screen().ids.no)
    kiosk.tap(kiosk.screen().ids.yes)  # about you
    yield "choice-age"  # "16-24" and friends: numbers inside right-to-left answers
    kiosk.tap(kiosk.screen().ids.choices.buttons()[0])
    kiosk.tap(kiosk.screen().ids.choices.buttons()[0])
    kiosk.tap(kiosk.screen().ids.choices.buttons()[0])
    yield "choice-long"  # ethnicity: paged
    kiosk.clock.advance(app.services.idle_seconds)
    app.idle.tick()
    kiosk.frames(2)
    yield "timeout"
    kiosk.tap(app.timeout.ids.yes)
    big, lang = app.big_text, app.language
    for stop, (contact_asked, involved) in THANKS.items():
        app.journey.reset()  # (back to the default language: the person's is set again)
        app.big_text = big
        app.set_language(lang)
        app.show_thank_you(contact_requested=contact_asked, involvement_requested=involved)
        kiosk.frames(3)
        yield stop
        words = kiosk.screen("thank_you").ids.words
        if words.page_count > 1:
            kiosk.tap(words.pager.ids.next_page)
            yield f"{stop}-more"
    app.journey.reset()
    app.big_text = big
    app.open_staff()
    staff = kiosk.screen("staff")
    for key in "246":
        kiosk.tap(staff.pin_keys()[key])
    yield "staff-pin"
    app.journey.reset()
    kiosk.frames(2)


def required_texts(kiosk) -> list[str]:
    """What a question screen must show whole: its progress, question and help; the
    thank-you's first page: "Thank you" and "Your feedback has been saved"."""
    shown = kiosk.app.shown_screen()
    if kiosk.app._overlay_open():
        return []
    if kiosk.current == "thank_you" and shown.ids.words.page == 0:
        # the reassurance, on the first page in every language and size
        return [shown.ids.title.text, shown.ids.used.text]
    if not hasattr(shown, "view") or shown.view is None:
        return []
    frame = kiosk.frame()
    return [frame.progress_text, frame.question_text, frame.help_text, frame.note_text]


def paging_problems(kiosk, stop: str) -> list[str]:
    """No page of answers ends while the next answer would still have fitted on it."""
    from screens.paged import PagedGrid

    return [f"{stop}: page {n} of {type(w).__name__} has room for the next answer"
            for w in walk_window() if isinstance(w, PagedGrid) and checks._visible(w)
            for n in w.could_hold_more()]


def look(kiosk, name: str) -> list[str]:
    """Every check on the frame shown now."""
    app = kiosk.app
    kiosk.settle()
    frame = drawn.capture(name, app)
    widgets = walk_window()
    return (drawn.problems(frame) + drawn.required_problems(frame, required_texts(kiosk))
            + checks.target_problems(name) + checks.speaker_problems(kiosk, name)
            + checks.see_through_line_problems(widgets, name)
            + checks.bar_problems(app, name) + checks.tofu_problems(widgets, name)
            + paging_problems(kiosk, name)
            + checks.question_window_problems(frame, widgets, name))


def _drive(kiosk, lang: str, big: bool) -> list[str]:
    app = kiosk.app
    app.services.languages = tuple(LANGUAGES)
    app.screen("welcome").languages = []
    app.journey.reset()
    kiosk.frames(2)
    if lang != "en":
        kiosk.choose_language(lang)
    if big:
        kiosk.tap(app.root.ids.bigger_text)
    size = "big" if big else "normal"
    problems: list[str] = []
    for stop in tour(kiosk):
        kiosk.settle()
        problems += look(kiosk, f"{lang} {size} {stop}")
        kiosk.screenshot(SHOTS / lang / f"{stop}-{size}.png")
    return problems


@pytest.mark.gui
@pytest.mark.parametrize("big", [False, True], ids=["normal", "big"])
@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_screen_every_size_as_a_person_sees_it(kiosk, lang: str, big: bool) -> None:
    problems = _drive(kiosk, lang, big)
    assert not problems, "\n".join(problems[:40])


@pytest.mark.gui
def test_staff_status_screen(kiosk) -> None:
    """English only: staff read English; the facts keep their size under Bigger text."""
    from screens.staff import staff_info

    app = kiosk.app
    problems: list[str] = []
    for big in (False, True):
        app.journey.reset()
        app.big_text = big
        app.open_staff()
        staff = app.screen("staff")
        staff.info = staff_info({"device": "kiosk-test-1", "site": "RXX01", "location": "WARD-7",
                                 "location_name": "Ward 7", "pending": 3, "last_sync_at": None,
                                 "last_error": None, "audio": "ok"}, app.tr)
        staff.mode = "info"
        kiosk.frames(3)
        size = "big" if big else "normal"
        problems += look(kiosk, f"staff-info {size}")
        kiosk.screenshot(SHOTS / "en" / f"staff-info-{size}.png")
    app.journey.reset()
    assert not problems, "\n".join(problems[:40])


@pytest.mark.gui
def test_welcome_with_every_language(kiosk) -> None:
    """A new kiosk offers all 14 languages: each name whole, in its own script, a full-size
    target; at Bigger text on pages of their own, each page filled before the next."""
    app = kiosk.app
    app.services.languages = KNOWN_LANGUAGES
    app.screen("welcome").languages = []
    problems: list[str] = []
    try:
        for big in (False, True):
            app.journey.reset()
            app.big_text = big
            kiosk.frames(3)
            welcome = kiosk.screen("welcome")
            if big:
                kiosk.tap(welcome.ids.change_language)
            grid, seen = welcome.ids.language_grid, []
            for page in range(grid.page_count):
                kiosk.frames(2)
                seen += [b.tag for b in welcome.language_buttons()]
                problems += look(kiosk, f"welcome-every-language {big} page {page + 1}")
                kiosk.screenshot(SHOTS / "en" / f"welcome-every-language-"
                                 f"{'big' if big else 'normal'}-{page + 1}.png")
                if page < grid.page_count - 1:
                    kiosk.tap(grid.ids.pager.ids.next_page)
            assert seen == list(KNOWN_LANGUAGES)
            assert big or grid.page_count == 1  # at normal size all 14 on the welcome screen
    finally:
        app.services.languages = ("en",)
        app.screen("welcome").languages = []
        app.journey.reset()
    assert not problems, "\n".join(problems)


@pytest.mark.gui
def test_high_contrast_screens(kiosk) -> None:
    """The high-contrast theme on the busiest screens, with everything checked again."""
    app = kiosk.app
    kiosk.tap(app.root.ids.high_contrast)
    assert app.palette is theme.HIGH_CONTRAST
    problems = look(kiosk, "welcome-contrast")
    kiosk.screenshot(SHOTS / "en" / "welcome-contrast.png")
    kiosk.tap(kiosk.screen("welcome").ids.start)
    problems += look(kiosk, "fft-contrast")
    kiosk.screenshot(SHOTS / "en" / "fft-contrast.png")
    kiosk.tap(next(f for f in kiosk.screen("fft").faces() if f.code == 1))
    kiosk.tap(kiosk.screen("free_text").ids.field)
    problems += look(kiosk, "free_text-contrast")
    kiosk.screenshot(SHOTS / "en" / "free_text-typing-contrast.png")
    assert not problems, "\n".join(problems)


def test_the_see_through_line_check_itself() -> None:
    """The checker can fail: a wide line in a transparent colour is reported, an opaque one or
    a 1 px one is not."""
    from kivy.graphics import Color, Line
    from kivy.uix.widget import Widget

    bad, good = Widget(), Widget()
    with bad.canvas.after:
        Color(0, 0, 0, 0)
        Line(circle=(10, 10, 5), width=3)
    with good.canvas:
        Color(0, 0, 0, 1)
        Line(circle=(10, 10, 5), width=3)
        Color(0, 0, 0, 0.5)
        Line(points=[0, 0, 5, 5], width=1)
    assert len(checks.see_through_line_problems([bad, good], "t")) == 1


@pytest.mark.gui
def test_the_tofu_check_itself(kiosk) -> None:
    """The checker can fail: Arabic letters in a Latin-only label are reported."""
    from screens.widgets import PVLabel

    latin = PVLabel(text="Name: علي", lang="en")
    kiosk.screen().add_widget(latin)
    try:
        kiosk.frames(2)
        assert len(checks.tofu_problems([latin], "t")) == 1
        latin.text = "Name: Ali"
        assert checks.tofu_problems([latin], "t") == []
    finally:
        kiosk.screen().remove_widget(latin)


def test_the_gap_measure_itself() -> None:
    """The checker can fail: two widgets 1 mm apart are reported."""
    from kivy.uix.widget import Widget
    a, b = Widget(size=(100, 100), pos=(0, 0)), Widget(size=(100, 100), pos=(100 + theme.mm(1), 0))
    assert 0 < checks._gap(a, b) < theme.mm(2)


@pytest.mark.gui
def test_the_paging_check_itself(kiosk, survey_from) -> None:
    """The checker can fail: a list forced onto pages too small for what fits is reported."""
    kiosk.start()
    kiosk.tap(next(f for f in kiosk.screen("fft").faces() if f.code == 1))
    kiosk.tap(kiosk.frame().ids.skip)
    choices = kiosk.screen().ids.choices
    assert paging_problems(kiosk, "t") == []
    assert choices.page_count == 1 and len(choices.items) == 5
    choices._pages = [[0, 1], [2, 3, 4]]  # as if paged at two answers with room for five
    assert paging_problems(kiosk, "t") == ["t: page 1 of ChoiceList has room for the next answer"]
    kiosk.app.journey.reset()
