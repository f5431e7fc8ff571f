"""Whole journeys through the real app: every question kind, branching, back, skip, sending."""
from __future__ import annotations

from kivy.core.window import Window

from screens.widgets import PVButton
from tests.screens.conftest import walk_window


def _face(kiosk, code: int):
    return next(f for f in kiosk.screen("fft").faces() if f.code == code)


def _choice(kiosk, words: str):
    screen = kiosk.screen()
    choices = screen.ids.choices
    for _ in range(choices.page_count):
        for btn in choices.buttons():
            if btn.text == words:
                return btn
        kiosk.tap(choices.ids.pager.ids.next_page)
    raise AssertionError(f"no answer {words!r} on {kiosk.current}")


def _type_free_text(kiosk, text: str) -> None:
    screen = kiosk.screen("free_text")
    kiosk.tap(screen.ids.field)
    assert screen.typing
    kiosk.type_text(screen.ids.keyboard, text)
    kiosk.tap(screen.ids.keyboard.ids.done)


def test_fft_comment_and_who_then_no_contact(kiosk) -> None:
    kiosk.start()
    assert kiosk.current == "fft"
    assert kiosk.frame().progress_text == "Question 1 of up to 24"
    kiosk.tap(_face(kiosk, 2))
    assert kiosk.current == "free_text"
    _type_free_text(kiosk, "Kind nurses, Ward 7.")
    assert kiosk.screen().ids.field.text == "Kind nurses, Ward 7."
    kiosk.tap(kiosk.frame().ids.next)
    assert kiosk.current == "choice"
    kiosk.tap(_choice(kiosk, "A relative or friend"))
    assert kiosk.current == "yes_no"
    kiosk.tap(kiosk.screen().ids.no)  # no contact: the contact question is skipped (branching)
    assert kiosk.frame().question_text.startswith("Would you like to help us")
    kiosk.tap(kiosk.screen().ids.no)
    kiosk.tap(kiosk.screen().ids.no)  # about you: no
    assert kiosk.current == "thank_you"
    assert kiosk.app.services.wait_for_saves() == [None]
    record = kiosk.saved[-1]
    answers = {a.question_id: a for a in record.answers}
    assert answers["fft"].value == 2 and answers["fft"].code == 2
    assert answers["why"].value == "Kind nurses, Ward 7."
    assert answers["who"].value == "relative_or_friend"
    assert "contact" not in answers and record.contact is None
    assert kiosk.store.summary().count_pending == 1
    opened = kiosk.opened()[0]
    assert opened["record_id"] == record.record_id


def test_back_keeps_the_answer_and_skip_moves_on(kiosk) -> None:
    kiosk.start()
    kiosk.tap(_face(kiosk, 1))
    assert kiosk.current == "free_text" and kiosk.frame().can_skip
    kiosk.tap(kiosk.frame().ids.back)
    assert kiosk.current == "fft"
    assert _face(kiosk, 1).selected  # the answer given before is shown again
    kiosk.tap(_face(kiosk, 4))
    kiosk.tap(kiosk.frame().ids.skip)
    assert kiosk.current == "choice"
    kiosk.tap(kiosk.frame().ids.skip)
    assert kiosk.current == "yes_no"
    kiosk.tap(kiosk.frame().ids.back)
    kiosk.tap(kiosk.frame().ids.back)
    assert kiosk.current == "free_text"
    assert kiosk.screen().ids.field.text == ""


def test_contact_request_with_confirmation_before_sending(kiosk) -> None:
    kiosk.start()
    kiosk.tap(_face(kiosk, 5))
    kiosk.tap(kiosk.frame().ids.skip)
    kiosk.tap(kiosk.frame().ids.skip)
    kiosk.tap(kiosk.screen().ids.yes)  # contact me
    contact = kiosk.screen()
    assert kiosk.current == "contact" and contact.step == "intro"
    assert "not monitored all the time" in kiosk.frame().help_text
    kiosk.tap(kiosk.frame().ids.next)
    assert contact.step == "name" and "not monitored all the time" in kiosk.frame().help_text
    assert "Type your name" in kiosk.frame().help_text  # what to do, not only a box
    kiosk.tap(contact.ids.keyboard.ids.done)  # nothing typed: a sentence, not a crash
    assert contact.step == "name" and "name" in contact.error
    kiosk.type_text(contact.ids.keyboard, "Ann Lee")
    kiosk.tap(contact.ids.keyboard.ids.done)
    assert contact.step == "method"
    kiosk.tap(_choice(kiosk, "Phone call"))
    assert contact.step == "value"
    kiosk.type_text(contact.ids.keyboard, "0151 555 0000")
    kiosk.tap(contact.ids.keyboard.ids.done)
    assert contact.step == "needs"
    kiosk.tap(_choice(kiosk, "Large print"))
    kiosk.tap(kiosk.frame().ids.next)
    assert contact.step == "review"
    assert ("Name", "Ann Lee") in [tuple(r) for r in contact.summary]
    assert not kiosk.saved  # nothing has left the screen before "Send my details"
    kiosk.tap(kiosk.button("Send my details"))
    assert kiosk.current == "yes_no"
    kiosk.tap(kiosk.screen().ids.no)
    kiosk.tap(kiosk.screen().ids.no)
    assert kiosk.current == "thank_you"
    assert kiosk.screen().contact_requested
    assert "PALS" in kiosk.screen().ids.contact.text
    kiosk.app.services.wait_for_saves()
    record = kiosk.saved[-1]
    assert record.contact["contact"]["name"] == "Ann Lee"
    assert record.contact["contact"]["needs"] == ["large_print"]
    assert "Ann Lee" not in str(kiosk.opened()[0])  # the anonymous payload has no contact


def test_involvement_then_about_you_branching(kiosk) -> None:
    kiosk.start()
    kiosk.tap(_face(kiosk, 3))
    kiosk.tap(kiosk.frame().ids.skip)
    kiosk.tap(kiosk.frame().ids.skip)
    kiosk.tap(kiosk.screen().ids.no)
    kiosk.tap(kiosk.screen().ids.yes)  # involvement
    screen = kiosk.screen()
    assert screen.step == "interests"
    kiosk.tap(_choice(kiosk, "Volunteering"))
    kiosk.tap(kiosk.frame().ids.next)
    kiosk.type_text(screen.ids.keyboard, "Sam")
    kiosk.tap(screen.ids.keyboard.ids.done)
    kiosk.tap(_choice(kiosk, "Email"))
    kiosk.type_text(screen.ids.keyboard, "sam@example.org")
    kiosk.tap(screen.ids.keyboard.ids.done)
    kiosk.tap(kiosk.frame().ids.next)  # no particular needs
    kiosk.tap(kiosk.button("Send my details"))
    kiosk.tap(kiosk.screen().ids.yes)  # about you
    kiosk.tap(_choice(kiosk, "45-54"))
    kiosk.tap(_choice(kiosk, "Prefer not to say"))
    kiosk.tap(_choice(kiosk, "Prefer not to say"))
    kiosk.tap(_choice(kiosk, "Asian or Asian British: Chinese"))  # on a later page
    kiosk.tap(_choice(kiosk, "Yes"))  # long-term condition: the follow-up appears
    assert kiosk.frame().question_text.startswith("Do any of your conditions")
    kiosk.tap(_choice(kiosk, "Yes, a little"))
    assert kiosk.current == "thank_you" and kiosk.screen().involvement_requested
    kiosk.app.services.wait_for_saves()
    record = kiosk.saved[-1]
    answers = {a.question_id: a for a in record.answers}
    assert answers["ethnicity"].code == "R"
    assert record.contact["involvement"]["interests"] == ["volunteering"]


def test_multi_choice_and_required_single_choice(kiosk, survey_from) -> None:
    survey_from(languages=["en"], title={"en": "Test"}, questions=[
        {"id": "why", "kind": "free_text", "required": False, "max_length": 100,
         "text": {"en": "Please can you tell us why you gave your answer?"}},
        {"id": "help", "kind": "multi_choice", "required": False,
         "text": {"en": "What helped you today?"},
         "options": [{"id": "staff", "text": {"en": "Staff"}},
                     {"id": "signs", "text": {"en": "Signs"}},
                     {"id": "food", "text": {"en": "Food"}}]},
        {"id": "fft", "kind": "fft", "required": True,
         "text": {"en": "Overall, how was your experience of our service?"},
         "options": [{"id": i, "text": {"en": w}, "code": c} for c, (i, w) in enumerate(
             [("vg", "Very good"), ("g", "Good"), ("n", "Neither good nor poor"), ("p", "Poor"),
              ("vp", "Very poor"), ("dk", "Don't know")], start=1)]},
    ])
    kiosk.start()
    kiosk.tap(kiosk.frame().ids.skip)
    assert kiosk.frame().next_text == "Next"
    kiosk.tap(_choice(kiosk, "Staff"))
    kiosk.tap(_choice(kiosk, "Food"))
    kiosk.tap(_choice(kiosk, "Staff"))  # untick
    assert kiosk.current == "choice"  # multi choice waits for Next
    kiosk.tap(kiosk.frame().ids.next)
    assert kiosk.current == "fft" and not kiosk.frame().can_skip  # required: no Skip
    kiosk.tap(_face(kiosk, 6))
    assert kiosk.current == "thank_you"
    kiosk.app.services.wait_for_saves()
    answers = {a.question_id: a for a in kiosk.saved[-1].answers}
    assert list(answers["help"].value) == ["food"] and answers["fft"].code == 6


def test_thank_you_returns_to_welcome_on_its_own(kiosk) -> None:
    kiosk.start()
    kiosk.tap(_face(kiosk, 1))
    for _ in range(2):
        kiosk.tap(kiosk.frame().ids.skip)
    for _ in range(3):
        kiosk.tap(kiosk.screen().ids.no)
    assert kiosk.current == "thank_you"
    thanks = kiosk.screen()
    for _ in range(thanks.seconds):
        kiosk.app._thanks_tick()  # the 1 s interval, called directly: no sleeping
    kiosk.frames()
    assert kiosk.current == "welcome"


def test_two_fingers_or_a_bounce_answer_once(kiosk) -> None:
    kiosk.start()
    first, second = _face(kiosk, 1), _face(kiosk, 5)
    a = kiosk.touch_down(first)
    b = kiosk.touch_down(second)  # a second finger while the first is down: ignored
    kiosk.frames(1)
    b.touch_up()
    a.touch_up()
    kiosk.frames(2)
    assert kiosk.current == "free_text"
    assert kiosk.app.journey.session.answer_of("fft") == 1  # the first finger's answer only
    kiosk.clock.advance(1.0)
    kiosk.tap(kiosk.frame().ids.back)
    kiosk.tap(_face(kiosk, 2))
    assert kiosk.current == "free_text"
    # a bounce: another contact 50 ms after the release (Back sits where the face was tapped)
    kiosk.clock.now -= 0.95
    kiosk.tap(kiosk.frame().ids.back)
    assert kiosk.current == "free_text"
    kiosk.tap(kiosk.frame().ids.back)  # a real second tap, a second later, works
    assert kiosk.current == "fft"
    assert kiosk.app.journey.session.answer_of("fft") == 2


def test_window_close_and_escape_are_refused(kiosk) -> None:
    assert Window.dispatch("on_request_close") is True
    from kivy.config import Config
    assert Config.get("kivy", "exit_on_escape") == "0"
    assert "disable_multitouch" in Config.get("input", "mouse")


def test_every_button_is_a_guarded_button(kiosk) -> None:
    from kivy.uix.button import Button
    kiosk.start()
    kinds = {type(w) for w in walk_window() if isinstance(w, Button)}
    assert not kinds, kinds  # plain Kivy buttons would bypass the tap guard
    assert any(isinstance(w, PVButton) for w in walk_window())
