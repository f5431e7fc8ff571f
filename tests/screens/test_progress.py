"""Progress as a person reads it, screen by screen, on every branch of the default survey: the
number rises by one on each screen (each contact and involvement step counts), the total never
grows, and the line is on every screen, while typing too."""
from __future__ import annotations

import re

import pytest

from screens import drawn

LINE = re.compile(r"^Question (\d+) of (up to )?(\d+)$")


def _progress(kiosk) -> tuple[int, int]:
    text = kiosk.frame().progress_text
    found = LINE.match(text)
    assert found, f"{text!r} on {kiosk.current}"
    shown = {i.text for i in drawn.capture("progress", kiosk.app).inks}
    assert text in shown, f"the progress is not drawn on {kiosk.current}"
    return int(found.group(1)), int(found.group(3))


def _contact_steps(kiosk, seen: list) -> None:
    """Intro (or interests), name, method, value, needs, review: a count on each."""
    screen = kiosk.screen()
    if screen.step == "interests":
        kiosk.tap(screen.ids.choices.buttons()[0])
    seen.append(_progress(kiosk))
    kiosk.tap(kiosk.frame().ids.next)
    seen.append(_progress(kiosk))  # name, while typing
    kiosk.type_text(screen.ids.keyboard, "Jo")
    kiosk.tap(screen.ids.keyboard.ids.done)
    seen.append(_progress(kiosk))  # method
    kiosk.tap(next(b for b in screen.ids.choices.buttons() if b.value == "post"))
    seen.append(_progress(kiosk))  # value
    kiosk.type_text(screen.ids.keyboard, "1 High St")
    kiosk.tap(screen.ids.keyboard.ids.done)
    seen.append(_progress(kiosk))  # needs
    kiosk.tap(kiosk.frame().ids.next)
    seen.append(_progress(kiosk))  # review
    kiosk.tap(kiosk.frame().ids.next)


def _journey(kiosk, contact: bool, involve: bool, about: bool) -> list[tuple[int, int]]:
    seen: list[tuple[int, int]] = []
    kiosk.start()
    seen.append(_progress(kiosk))
    kiosk.tap(next(f for f in kiosk.screen("fft").faces() if f.code == 2))
    screen = kiosk.screen("free_text")
    kiosk.tap(screen.ids.field)
    seen.append(_progress(kiosk))  # typing
    kiosk.type_text(screen.ids.keyboard, "Kind")
    kiosk.tap(kiosk.frame().ids.next)
    seen.append(_progress(kiosk))  # who
    kiosk.tap(kiosk.screen().ids.choices.buttons()[0])
    for wanted in (contact, involve):
        seen.append(_progress(kiosk))
        kiosk.tap(kiosk.screen().ids.yes if wanted else kiosk.screen().ids.no)
        if wanted:
            _contact_steps(kiosk, seen)
    seen.append(_progress(kiosk))  # about you
    kiosk.tap(kiosk.screen().ids.yes if about else kiosk.screen().ids.no)
    while about and kiosk.current == "choice":
        seen.append(_progress(kiosk))
        choices = kiosk.screen().ids.choices
        kiosk.tap(next(b for b in choices.buttons() if b.value in ("yes", "prefer_not_to_say")))
    assert kiosk.current == "thank_you"
    return seen


@pytest.mark.gui
@pytest.mark.parametrize(("contact", "involve", "about"), [
    (False, False, False), (True, False, False), (False, True, False), (False, False, True),
    (True, True, True)])
def test_progress_never_goes_back_and_its_total_never_grows(kiosk, contact, involve,
                                                            about) -> None:
    seen = _journey(kiosk, contact, involve, about)
    numbers = [n for n, _ in seen]
    totals = [t for _, t in seen]
    # typing the comment is the same screen as the comment: it keeps its number
    assert numbers == sorted(numbers) and numbers[0] == 1
    assert all(b - a in (0, 1) for a, b in zip(numbers, numbers[1:], strict=False)), numbers
    assert all(b <= a for a, b in zip(totals, totals[1:], strict=False)), totals
    assert all(n <= t for n, t in seen)
    kiosk.app.journey.reset()
