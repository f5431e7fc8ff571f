"""The drawn-ink checks can fail: on frames saved from the layout before the Bigger-text
rework (tests/screens/data/frames/, with their screenshots), and on a wrong frame built live.

Each fixture is a frame a person saw go wrong: "Thank you" drawn above the top of the screen
and the PALS sentence over the top bar; "Neither good nor poor" on its button's border; the
free-text question cut to "…your an…" with its privacy line gone and "Done" out of its key;
"Delete" wrapped over the 7 key; the Urdu "Yes, I need more time" and the Arabic start button
off to one side.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from screens import theme
from screens import drawn

FRAMES = Path(__file__).parent / "data" / "frames"


def frame(name: str) -> drawn.Frame:
    return drawn.Frame.load(FRAMES / f"{name}.json")


def about(problems: list[str], text: str) -> list[str]:
    return [p for p in problems if text in p]


def test_thank_you_at_bigger_text_ran_off_the_screen_and_over_the_bar() -> None:
    f = frame("en-thank_you-big")
    assert about(drawn.window_problems(f), "'Thank you' runs off the screen")
    assert about(drawn.window_problems(f), "Your feedback has been saved")
    assert about(drawn.bar_problems(f), "You asked us to contact you")
    assert about(drawn.containment_problems(f), "'Thank you' (PVText) is drawn outside")


def test_the_picture_itself_shows_text_over_the_bar() -> None:
    """Read from the saved PNG, not from any widget: dark screen text inside the blue bar."""
    bad = drawn.foreign_pixels_in_bar(FRAMES / "en-thank_you-big.png",
                                      frame("en-thank_you-big"), theme.NORMAL.text)
    good = drawn.foreign_pixels_in_bar(FRAMES / "en-fft-big.png", frame("en-fft-big"),
                                       theme.NORMAL.text)
    assert bad > 200 and good == 0


def test_fft_answer_on_its_border() -> None:
    found = drawn.containment_problems(frame("en-fft-big"))
    assert about(found, "'Neither good nor poor' (FaceButton) is drawn outside its button")
    assert not about(found, "'Very good'")


def test_free_text_while_typing_lost_its_words() -> None:
    f = frame("en-free_text-typing-big")
    assert about(drawn.shortened_problems(f), "'Please can you tell us why y")
    assert about(drawn.containment_problems(f), "'Done' (KeyButton)")
    missing = drawn.required_problems(
        f, ["Please do not write your name or anyone else's name here."])
    assert len(missing) == 1 and "'Please do not write your name" in missing[0]


def test_staff_pin_delete_wrapped_over_the_seven() -> None:
    assert about(drawn.containment_problems(frame("en-staff-pin-big")), "'Delete' (PVButton)")


@pytest.mark.parametrize(("name", "text"), [
    ("ur-timeout-big", "'جی ہاں، مجھے مزید وقت چاہیے' sits 30.0 mm left"),
    ("ar-welcome-normal", "'اضغط هنا لإبداء رأيك' sits 7.5 mm left"),
])
def test_right_to_left_labels_off_centre(name: str, text: str) -> None:
    assert about(drawn.centre_problems(frame(name)), text)


def test_text_under_a_control_and_texts_over_each_other() -> None:
    """A question whose descenders run under the first answer's box; two texts overlapping."""
    box = (0.0, 0.0, 1280.0, 706.0)
    question = drawn.Ink("Who is answering?", "PVText", (35, 600, 450, 640), box, "content",
                         "screen")
    note = drawn.Ink("A note", "PVText", (40, 610, 200, 630), box, "content", "screen")
    f = drawn.Frame("t", (1280, 800), (0, 706, 1280, 800), theme.mm(1), [question, note],
                    [drawn.Control("The patient", (35, 520, 1245, 605), "screen")])
    found = drawn.overlap_problems(f)
    assert about(found, "runs under the control 'The patient'")
    assert about(found, "are drawn over each other")
    f.controls[0] = drawn.Control("The patient", (35, 500, 1245, 590), "screen")
    f.inks.pop()
    assert drawn.overlap_problems(f) == []


@pytest.mark.gui
def test_a_wrong_frame_built_live_is_caught(kiosk) -> None:
    """In the real window: a button too short for its wrapped words, and a centred Arabic
    label, are read back from their drawn pixels."""
    from kivy.uix.floatlayout import FloatLayout

    from screens.widgets import PVButton

    holder = FloatLayout()
    short = PVButton(text="Neither good nor poor, and a good deal more", size_hint=(None, None),
                     size=(theme.mm(50), theme.mm(12)), pos=(100, 200))
    fine = PVButton(text="Good", size_hint=(None, None), size=(theme.mm(50), theme.mm(14)),
                    pos=(500, 200))
    holder.add_widget(short)
    holder.add_widget(fine)
    screen = kiosk.screen()
    screen.add_widget(holder)
    try:
        kiosk.frames(3)
        found = drawn.containment_problems(drawn.capture("live", kiosk.app))
        assert about(found, "'Neither good nor poor, and a…' (PVButton) is drawn outside")
        assert not about(found, "'Good'")
    finally:
        screen.remove_widget(holder)


def test_a_button_whose_words_are_not_drawn_is_caught(kiosk) -> None:
    """A button with words and an empty texture (Urdu nav buttons at Bigger text showed blank
    faces) is a problem; drawn again, it is not."""
    from kivy.graphics.texture import Texture
    from kivy.uix.floatlayout import FloatLayout

    from screens.widgets import PVButton

    holder = FloatLayout()
    button = PVButton(text="Skip this question", size_hint=(None, None),
                      size=(theme.mm(80), theme.mm(16)), pos=(100, 200))
    holder.add_widget(button)
    kiosk.app.root.add_widget(holder)
    try:
        kiosk.frames(3)
        assert not drawn.blank_problems(drawn.capture("live", kiosk.app))
        empty = Texture.create(size=button.texture.size)
        empty.blit_buffer(bytes(4 * empty.width * empty.height), colorfmt="rgba")
        button.texture = empty
        kiosk.frames(1)
        found = drawn.blank_problems(drawn.capture("live", kiosk.app))
        assert about(found, "'Skip this question' (PVButton) has words but none are drawn")
    finally:
        kiosk.app.root.remove_widget(holder)
