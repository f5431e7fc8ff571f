"""Every screen, in every script, at both text sizes: touch targets measured, pictures saved.

The tour drives the real app to each screen state. At each stop it checks every tappable control
is at least 12 mm x 12 mm with at least 2 mm to its neighbours on the reference 10.1" 1280x800
panel (theme.REFERENCE_DPI ≈ 149.4), and saves
test-artifacts/screenshots/<lang>/<screen>-<normal|big>.png.
"""
from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest
from kivy.uix.textinput import TextInput

from kiosk.config import KNOWN_LANGUAGES
from screens import theme
from screens.touch_text import TouchTextField
from screens.widgets import PVButton
from tests.screens.conftest import SHOTS, walk_window

#: Every language the kiosk offers: each one's own wording must fit (Welsh and Romanian run
#: long, Sorani and Somali have no voice). Screenshots per language as in the README.
LANGUAGES = list(KNOWN_LANGUAGES)
TOLERANCE = 0.5  # px: layout rounding


def _visible(w) -> bool:
    node = w
    while node is not None and node.parent is not node:
        if getattr(node, "opacity", 1) == 0 or getattr(node, "shown", True) is False:
            return False
        node = node.parent
    return w.width > 1 and w.height > 1 and not w.disabled and w.get_root_window() is not None


def top_layer() -> list:
    """What a person sees and touches: with an overlay open, only the overlay."""
    from kivy.core.window import Window
    from kivy.uix.modalview import ModalView

    top = Window.children[0]  # the last one added is drawn on top and touched first
    return list(top.walk(restrict=False)) if isinstance(top, ModalView) else walk_window()


def targets() -> list:
    """What a finger can reach."""
    return [w for w in top_layer() if isinstance(w, (PVButton, TextInput, TouchTextField))
            and _visible(w)]


def _rect(w) -> tuple[float, float, float, float]:
    x, y = w.to_window(w.x, w.y)
    return x, y, x + w.width, y + w.height


def _gap(a, b) -> float:
    ax0, ay0, ax1, ay1 = _rect(a)
    bx0, by0, bx1, by1 = _rect(b)
    dx = max(bx0 - ax1, ax0 - bx1, 0.0)
    dy = max(by0 - ay1, ay0 - by1, 0.0)
    if dx == 0 and dy == 0:
        return -1.0  # overlapping
    return max(dx, dy) if dx == 0 or dy == 0 else (dx * dx + dy * dy) ** 0.5


def target_problems(stop: str) -> list[str]:
    small, close = theme.mm(theme.MIN_TARGET_MM) - TOLERANCE, theme.mm(theme.MIN_GAP_MM) - TOLERANCE
    found = targets()
    problems = [f"{stop}: {w.__class__.__name__} {getattr(w, 'text', '')[:30]!r} is "
                f"{theme.px_to_mm(w.width):.1f} x {theme.px_to_mm(w.height):.1f} mm"
                for w in found if w.width < small or w.height < small]
    for a, b in itertools.combinations(found, 2):
        gap = _gap(a, b)
        if gap < close:
            problems.append(f"{stop}: {getattr(a, 'text', '')[:20]!r} and "
                            f"{getattr(b, 'text', '')[:20]!r} are "
                            f"{theme.px_to_mm(max(gap, 0)):.1f} mm apart")
    return problems


def _instructions(group):
    """The drawing instructions of one canvas group, not those of child widgets' canvases."""
    from kivy.graphics.instructions import CanvasBase, InstructionGroup

    for item in group.children:
        if isinstance(item, CanvasBase):
            continue  # a child widget's canvas, or canvas.before/after: each walked on its own
        if isinstance(item, InstructionGroup):
            yield from _instructions(item)
        else:
            yield item


def see_through_line_problems(widgets, stop: str) -> list[str]:
    """No wide Line drawn in a see-through colour. Kivy draws such a line through a stencil that
    clears the whole screen's stencil buffer, line by line: on the software renderer the
    screens had 30 of them and took 50 ms a frame instead of 16 (bench/ui.py). Opacity does not
    matter (the shader applies it); the Color's alpha does."""
    from kivy.graphics import Color, Line

    problems = []
    for w in widgets:
        groups = [w.canvas.before] if w.canvas.has_before else []
        groups += [w.canvas] + ([w.canvas.after] if w.canvas.has_after else [])
        for group in groups:
            alpha = 1.0
            for item in _instructions(group):
                if isinstance(item, Color):
                    alpha = item.rgba[3]
                elif isinstance(item, Line) and item.width > 1 and alpha < 1:
                    problems.append(f"{stop}: {type(w).__name__} "
                                    f"{str(getattr(w, 'text', ''))[:20]!r} draws a "
                                    f"{item.width:.1f} px line at alpha {alpha:.2f}")
    return problems


def _font_file(label) -> str:
    from kivy.core.text import LabelBase

    files = LabelBase._fonts.get(label.font_name)  # registered name -> (regular, it, bold, bi)
    if not files:
        return label.font_name
    return files[2] if label.bold else files[0]


def tofu_problems(widgets, stop: str) -> list[str]:
    """Every character a one-font label draws is in that font: no empty boxes. (BidiLabel
    picks a font per run by the same cmap, so only plain Kivy labels can show tofu.)"""
    from pathlib import Path

    from kivy.uix.label import Label

    from kiosk.languages import font_codepoints

    problems = []
    for w in widgets:
        if not isinstance(w, Label) or not w.text or w.opacity == 0 or w.width <= 1:
            continue
        cmap = font_codepoints(Path(_font_file(w)))
        missing = sorted({c for c in w.text if not c.isspace() and ord(c) not in cmap})
        if missing:
            problems.append(f"{stop}: {w.text[:24]!r} has {''.join(missing[:8])!r}, which "
                            f"{Path(_font_file(w)).name} cannot draw")
    return problems


def overlap_problems(widgets, stop: str) -> list[str]:
    """No two shown texts on top of each other, none off the screen: a layout that has run out
    of room (Bigger text, a wordy language) shows up here before anyone sees it."""
    from kivy.core.window import Window

    from screens.bidi_label import BidiLabel

    texts = [w for w in widgets if isinstance(w, BidiLabel) and w.text.strip()
             and w.height > 1 and w.width > 1 and _visible_chain(w)]
    problems = [f"{stop}: {w.text[:24]!r} is off the screen" for w in texts
                if _rect(w)[1] < -TOLERANCE or _rect(w)[3] > Window.height + TOLERANCE]
    for a, b in itertools.combinations(texts, 2):
        ax0, ay0, ax1, ay1 = _rect(a)
        bx0, by0, bx1, by1 = _rect(b)
        if min(ax1, bx1) - max(ax0, bx0) > 2 and min(ay1, by1) - max(ay0, by0) > 2:
            problems.append(f"{stop}: {a.text[:24]!r} and {b.text[:24]!r} overlap")
    return problems


def _visible_chain(w) -> bool:
    node = w
    while node is not None and node.parent is not node:
        if getattr(node, "opacity", 1) == 0:
            return False
        node = node.parent
    return True


def bar_problems(app, stop: str) -> list[str]:
    """The top bar fits: the organisation's name and "Patient feedback" (translated) and the
    three buttons, each whole and inside the screen, none over another."""
    bar = app.root.ids.bar
    parts = [c for c in bar.children if c.width > 1 and c.opacity > 0
             and type(c).__name__ != "Widget"]  # the stretchy spacer may shrink to nothing
    problems = [f"{stop}: top bar {type(c).__name__} {str(getattr(c, 'text', ''))[:24]!r} "
                f"runs off the screen" for c in parts
                if c.x < bar.x - TOLERANCE or c.right > bar.right + TOLERANCE]
    problems += [f"{stop}: top bar {str(getattr(a, 'text', ''))[:24]!r} overlaps "
                 f"{str(getattr(b, 'text', ''))[:24]!r}"
                 for a, b in itertools.combinations(parts, 2) if _gap(a, b) < 0]
    brand = app.root.ids.brand
    if brand.texture_size[0] > brand.width + TOLERANCE:
        problems.append(f"{stop}: the organisation's name is cut off")
    return problems


def speaker_problems(kiosk, stop: str) -> list[str]:
    """Where the language has a voice, the speaker button is on every screen, tappable (a
    target like any other: measured above) and reads that screen's own words; where it has
    none (Somali, Sorani), no button at all, never a broken one."""
    app = kiosk.app
    button = app.speaker_button()
    if not app.reader.available(app.language):
        return [f"{stop}: a speaker button without a voice"] if button in targets() else []
    if button not in targets():
        return [f"{stop}: no speaker button"]
    shown = app.shown_screen()
    if not (hasattr(shown, "speak_text") and shown.speak_text()):
        return [f"{stop}: the speaker button would read nothing"]
    return []


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
            kiosk.tap(choices.ids.next_page)
    raise AssertionError(f"no answer {value!r} on {kiosk.current}; saw {seen}")


def tour(kiosk) -> Iterator[str]:
    """Drive the app through every screen state; yield a name at each stop."""
    app = kiosk.app
    yield "welcome"
    kiosk.tap(kiosk.screen("welcome").ids.start)
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
    app.journey.reset()
    app.set_language(app.language)
    kiosk.frames(2)


def _drive(kiosk, lang: str, big: bool) -> list[str]:
    app = kiosk.app
    app.services.languages = tuple(LANGUAGES)
    app.screen("welcome").languages = []
    app.journey.reset()
    kiosk.frames(2)
    if lang != "en":
        kiosk.tap(next(b for b in kiosk.screen("welcome").language_buttons() if b.tag == lang))
    if big:
        kiosk.tap(app.root.ids.bigger_text)
    size = "big" if big else "normal"
    problems: list[str] = []
    for stop in tour(kiosk):
        kiosk.frames(2)
        problems += target_problems(stop)
        problems += speaker_problems(kiosk, stop)
        problems += see_through_line_problems(walk_window(), f"{lang} {size} {stop}")
        problems += bar_problems(kiosk.app, f"{lang} {size} {stop}")
        problems += tofu_problems(walk_window(), f"{lang} {size} {stop}")
        problems += overlap_problems(top_layer(), f"{lang} {size} {stop}")
        kiosk.screenshot(SHOTS / lang / f"{stop}-{size}.png")
    return problems


@pytest.mark.gui
@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_screen_every_size_has_big_enough_targets(kiosk, lang: str) -> None:
    problems = _drive(kiosk, lang, big=False) + _drive(kiosk, lang, big=True)
    assert not problems, "\n".join(problems[:40])


@pytest.mark.gui
def test_staff_and_thank_you_screens(kiosk) -> None:
    """English only: staff read English; thank-you is covered in the journeys for wording."""
    app = kiosk.app
    problems: list[str] = []
    for big in (False, True):
        app.journey.reset()
        app.big_text = big
        size = "big" if big else "normal"
        app.show_thank_you(contact_requested=True, involvement_requested=True)
        kiosk.frames(3)
        problems += target_problems("thank_you")
        kiosk.screenshot(SHOTS / "en" / f"thank_you-{size}.png")
        app.journey.reset()
        app.big_text = big
        app.open_staff()
        kiosk.frames(3)
        problems += target_problems("staff-pin")
        kiosk.screenshot(SHOTS / "en" / f"staff-pin-{size}.png")
        staff = app.screen("staff")
        from screens.staff import staff_info
        staff.info = staff_info({"device": "kiosk-test-1", "site": "RXX01", "location": "WARD-7",
                                 "location_name": "Ward 7", "pending": 3, "last_sync_at": None,
                                 "last_error": None, "audio": "ok"}, app.tr)
        staff.mode = "info"
        kiosk.frames(3)
        problems += target_problems("staff-info")
        kiosk.screenshot(SHOTS / "en" / f"staff-info-{size}.png")
    app.journey.reset()
    assert not problems, "\n".join(problems[:40])


@pytest.mark.gui
def test_welcome_with_every_language(kiosk) -> None:
    """A new kiosk offers all 14 languages: the picker fits, each name is a full-size target."""
    from kiosk.config import KNOWN_LANGUAGES

    app = kiosk.app
    app.services.languages = KNOWN_LANGUAGES
    app.screen("welcome").languages = []
    problems: list[str] = []
    try:
        for big in (False, True):
            app.journey.reset()
            app.big_text = big
            kiosk.frames(3)
            buttons = kiosk.screen("welcome").language_buttons()
            assert [b.tag for b in buttons] == list(KNOWN_LANGUAGES)
            problems += target_problems("welcome-every-language")
            problems += bar_problems(app, "welcome-every-language")
            for b in buttons:  # every name on one line, inside its button, not made tiny
                if b.texture_size[0] > b.width + TOLERANCE or b.wrap or b.fit < 0.8:
                    problems.append(f"{b.tag}: {b.text!r} does not fit its button "
                                    f"({b.texture_size[0]:.0f} of {b.width:.0f} px at "
                                    f"{b.fit:.0%})")
            size = "big" if big else "normal"
            kiosk.screenshot(SHOTS / "en" / f"welcome-every-language-{size}.png")
    finally:
        app.services.languages = ("en",)
        app.screen("welcome").languages = []
        app.journey.reset()
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
    assert len(see_through_line_problems([bad, good], "t")) == 1


@pytest.mark.gui
def test_the_tofu_check_itself(kiosk) -> None:
    """The checker can fail: Arabic letters in a Latin-only label are reported."""
    from screens.widgets import PVLabel

    latin = PVLabel(text="Name: علي", lang="en")
    kiosk.screen().add_widget(latin)
    try:
        kiosk.frames(2)
        assert len(tofu_problems([latin], "t")) == 1
        latin.text = "Name: Ali"
        assert tofu_problems([latin], "t") == []
    finally:
        kiosk.screen().remove_widget(latin)


def test_the_gap_measure_itself() -> None:
    """The checker can fail: two widgets 1 mm apart are reported."""
    from kivy.uix.widget import Widget
    a, b = Widget(size=(100, 100), pos=(0, 0)), Widget(size=(100, 100), pos=(100 + theme.mm(1), 0))
    assert 0 < _gap(a, b) < theme.mm(2)


@pytest.mark.gui
def test_high_contrast_screens(kiosk) -> None:
    """The high-contrast theme on the busiest screens, with targets measured again."""
    app = kiosk.app
    kiosk.tap(app.root.ids.high_contrast)
    assert app.palette is theme.HIGH_CONTRAST
    problems = target_problems("welcome-contrast")
    kiosk.screenshot(SHOTS / "en" / "welcome-contrast.png")
    kiosk.tap(kiosk.screen("welcome").ids.start)
    kiosk.screenshot(SHOTS / "en" / "fft-contrast.png")
    kiosk.tap(next(f for f in kiosk.screen("fft").faces() if f.code == 1))
    kiosk.tap(kiosk.screen("free_text").ids.field)
    problems += target_problems("free_text-contrast")
    kiosk.screenshot(SHOTS / "en" / "free_text-typing-contrast.png")
    assert not problems, "\n".join(problems)
