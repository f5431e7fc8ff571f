"""Inactivity (warning, extension, clearing) and the staff screen (gesture, PIN right and wrong)."""
from __future__ import annotations

from kivy.uix.label import Label
from kivy.uix.textinput import TextInput

from tests.screens.conftest import walk_window


def _idle(kiosk, seconds: float) -> None:
    kiosk.clock.advance(seconds)
    kiosk.app.idle.tick()
    kiosk.frames(2)


def _start_and_type(kiosk, secret: str) -> None:
    kiosk.start()
    kiosk.tap(next(f for f in kiosk.screen("fft").faces() if f.code == 4))
    screen = kiosk.screen("free_text")
    kiosk.tap(screen.ids.field)
    kiosk.type_text(screen.ids.keyboard, secret)


def test_warning_then_extension_keeps_the_answers(kiosk) -> None:
    _start_and_type(kiosk, "my secret")
    _idle(kiosk, 88)  # the last key was tapped 1 s ago
    assert not kiosk.app.timeout.parent
    _idle(kiosk, 1)
    overlay = kiosk.app.timeout
    assert overlay.parent and overlay.seconds == 30
    assert "Do you need more time?" == overlay.ids.ask.text
    _idle(kiosk, 12)
    assert overlay.seconds == 18 and "18 seconds" in overlay.ids.countdown.text
    for _ in range(12):  # unlimited extensions, one tap each
        kiosk.tap(overlay.ids.yes)
        assert not overlay.parent
        _idle(kiosk, 90)
        assert overlay.parent
    kiosk.tap(overlay.ids.yes)
    assert kiosk.current == "free_text" and kiosk.screen().ids.field.text == "my secret"
    assert kiosk.app.idle.extensions == 13


def test_expiry_abandons_and_clears_every_widget(kiosk) -> None:
    kiosk.tap(kiosk.app.root.ids.bigger_text)
    kiosk.tap(kiosk.app.root.ids.high_contrast)
    assert kiosk.app.big_text and kiosk.app.high_contrast
    _start_and_type(kiosk, "zebra quilt")
    kiosk.app.volume = 0.3
    _idle(kiosk, 90)
    _idle(kiosk, 29)
    assert kiosk.current == "free_text"
    _idle(kiosk, 1)
    assert kiosk.current == "welcome" and not kiosk.app.timeout.parent
    kiosk.app.services.wait_for_saves()
    record = kiosk.saved[-1]
    assert "abandoned" in record.flags
    assert [a.question_id for a in record.answers] == ["fft"]  # the draft was never submitted
    for widget in walk_window() + [w for s in kiosk.app.sm.screens for w in s.walk()]:
        text = getattr(widget, "text", "")
        if isinstance(widget, (Label, TextInput)):
            assert "zebra" not in text and "quilt" not in text, widget
    assert kiosk.screen("free_text").ids.field.text == ""
    assert not kiosk.app.big_text and not kiosk.app.high_contrast
    assert kiosk.app.language == "en" and kiosk.app.volume == 1.0
    assert kiosk.app.journey.session is None


def test_language_resets_after_a_person_walks_away(kiosk) -> None:
    kiosk.app.services.languages = ("en", "cy", "ar")
    kiosk.app.screen("welcome").languages = []
    kiosk.app.journey.reset()
    kiosk.frames()
    kiosk.start("cy")
    assert kiosk.app.language == "cy"
    assert not kiosk.frame().progress_text.startswith("Question 1")  # Welsh words on screen
    _idle(kiosk, 90)
    kiosk.tap(kiosk.app.timeout.ids.finish)  # "No, I have finished"
    assert kiosk.current == "welcome" and kiosk.app.language == "en"


def test_welcome_says_how_long_it_waits(kiosk) -> None:
    text = kiosk.screen("welcome").ids.wait.text
    assert "90 seconds" in text and "30 seconds" in text


def _hold_corner(kiosk) -> None:
    from kivy.tests.common import UnitTestTouch

    root = kiosk.app.root
    root.hold_seconds = 0.05  # the real 5 s hold, shortened: Kivy's clock runs on real time
    touch = UnitTestTouch(root.x + 5, root.top - 5)
    touch.touch_down()
    import time
    deadline = time.monotonic() + 2
    while kiosk.current != "staff" and time.monotonic() < deadline:
        kiosk.frames(1)
    touch.touch_up()
    root.hold_seconds = 5.0
    kiosk.frames(1)


def _enter_pin(kiosk, pin: str) -> None:
    import time

    staff = kiosk.screen("staff")
    keys = staff.pin_keys()
    for digit in pin:
        kiosk.tap(keys[digit], frames=1)
    kiosk.tap(keys["ok"])
    deadline = time.monotonic() + 10
    while staff.mode == "checking" and time.monotonic() < deadline:
        kiosk.frames(1)


def test_staff_gesture_and_right_pin_show_status_without_answers(kiosk) -> None:
    _hold_corner(kiosk)
    assert kiosk.current == "staff"
    staff = kiosk.screen()
    assert staff.mode == "pin"
    _enter_pin(kiosk, "2468")
    assert staff.mode == "info"
    assert "kiosk-test-1" in staff.info.device and "WARD-7" in staff.info.location
    kiosk.tap(staff.ids.leave)
    assert kiosk.current == "welcome"


def test_wrong_pins_lock_the_staff_screen(kiosk) -> None:
    _hold_corner(kiosk)
    staff = kiosk.screen()
    for tries_left in (4, 3, 2, 1):
        _enter_pin(kiosk, "1111")
        assert staff.mode == "pin" and f"{tries_left} tries left" in staff.message
    _enter_pin(kiosk, "1111")
    assert "Too many wrong PINs" in staff.message
    _enter_pin(kiosk, "2468")  # even the right PIN is refused while locked
    assert staff.mode == "pin"
    kiosk.clock.advance(301)
    _enter_pin(kiosk, "2468")
    assert staff.mode == "info"


def test_the_corner_does_nothing_during_a_session(kiosk) -> None:
    kiosk.start()
    kiosk.app.open_staff()
    assert kiosk.current == "fft"


