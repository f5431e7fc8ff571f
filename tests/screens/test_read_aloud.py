"""Read-aloud in the real app: the speaker button, what it asks to have spoken, and stopping.

The Speaker is the real one (espeak-ng as a subprocess, WAVs in a temporary cache) with its
requests noted (tests/screens/conftest.py SpySpeaker). The top bar's button is checked on every
screen state by the tour (test_tour.py); here: which languages have it, what a tap asks for,
that a tap elsewhere stops it, and that contact details never reach the Speaker.
"""
from __future__ import annotations

import wave
from array import array
from typing import Any

import pytest

from kiosk.speech import screen_script
from screens import theme
from screens.read_aloud import ReadAloud
from tests.screens.conftest import SHOTS

VOICED = ["en", "en-x-easy", "cy", "pl", "ar", "ur", "fa", "ro", "pt", "zh-Hans", "zh-Hant", "bn"]
SILENT = ["so", "ckb"]  # no espeak-ng voice and no recordings in assets/audio


def _all_languages(kiosk) -> None:
    app = kiosk.app
    app.services.languages = tuple(VOICED + SILENT)
    app.screen("welcome").languages = []
    app.journey.reset()
    kiosk.frames(2)


def _choose(kiosk, lang: str) -> None:
    kiosk.choose_language(lang)


def _button_shown(kiosk) -> bool:
    button = kiosk.app.speaker_button()
    small = theme.mm(theme.MIN_TARGET_MM) - 0.5
    return (button.opacity > 0 and not button.disabled and button.width >= small
            and button.height >= small and button.get_root_window() is not None)


def _wait(kiosk, until, frames: int = 400) -> None:
    import time

    for _ in range(frames):
        kiosk.frames(1)
        if until():
            return
        time.sleep(0.005)  # the speech thread runs espeak-ng meanwhile
    raise AssertionError("read-aloud did not get there in time")


@pytest.mark.gui
def test_button_shows_for_every_voiced_language_and_hides_for_so_and_ckb(kiosk) -> None:
    _all_languages(kiosk)
    for lang in VOICED + SILENT:
        _choose(kiosk, lang)
        assert _button_shown(kiosk) is (lang in VOICED), lang
        kiosk.start()
        assert kiosk.current == "fft"
        assert _button_shown(kiosk) is (lang in VOICED), f"{lang} on the FFT screen"
        kiosk.app.journey.reset()
        kiosk.frames(2)


@pytest.mark.gui
@pytest.mark.parametrize("lang", ["ar", "cy", "bn"])
def test_tap_requests_the_screen_script_in_the_active_language(kiosk, lang: str) -> None:
    app = kiosk.app
    _all_languages(kiosk)
    _choose(kiosk, lang)
    kiosk.start()
    speaker = app.services.speaker
    before = len(speaker.requests)
    kiosk.tap(app.root.ids.read_aloud)
    question = app.screen("fft").view.question
    assert speaker.requests[before:] == [(screen_script(question, lang), lang)]
    assert app.reading == "busy"
    assert app.root.ids.read_aloud.text == app.tr._("Stop")
    kiosk.screenshot(SHOTS / lang / "fft-reading-aloud.png")  # the button as "Stop"
    kiosk.tap(app.root.ids.read_aloud)  # the same button stops
    assert app.reading == "idle"


@pytest.mark.gui
def test_real_wav_is_rendered_loaded_and_a_tap_elsewhere_stops_it(kiosk) -> None:
    app = kiosk.app
    kiosk.start()
    kiosk.tap(app.root.ids.read_aloud)
    reader = app.reader
    _wait(kiosk, lambda: reader._sound is not None)  # espeak-ng ran, SoundLoader loaded it
    sound = reader._sound
    assert sound.length > 1.0  # the question and five answers, not a blip
    samples = _samples(sound.source)
    assert max(abs(s) for s in samples) > 3000  # audible speech, not silence
    stops = app.services.speaker.stops
    kiosk.tap(kiosk.frame().ids.back if kiosk.frame().ids.back.opacity else
              app.root.ids.bigger_text)  # any other tap
    assert app.services.speaker.stops > stops
    assert reader._sound is None and app.reading == "idle"
    assert sound.state == "stop"


def _samples(path: str) -> array:
    with wave.open(path, "rb") as wav:
        assert wav.getsampwidth() == 2
        return array("h", wav.readframes(wav.getnframes()))


@pytest.mark.gui
def test_repeat_after_reading_and_a_new_screen_starts_afresh(kiosk) -> None:
    app = kiosk.app
    kiosk.start()
    app.reader._finished(app.reader._ticket)  # as when the sound ends
    kiosk.frames(1)
    assert app.root.ids.read_aloud.text == app.tr._("Repeat")
    kiosk.tap(next(f for f in kiosk.screen("fft").faces() if f.code == 1))
    assert app.root.ids.read_aloud.text == app.tr._("Read aloud")


@pytest.mark.gui
def test_contact_details_never_reach_the_speaker(kiosk) -> None:
    app = kiosk.app
    speaker = app.services.speaker
    kiosk.start()
    kiosk.tap(next(f for f in kiosk.screen("fft").faces() if f.code == 1))
    kiosk.tap(kiosk.frame().ids.skip)  # free text: nothing typed, so Skip (not Next) is the way on
    while kiosk.current != "contact":
        screen = kiosk.screen()
        kiosk.tap(screen.ids.yes if kiosk.current == "yes_no" else
                  screen.ids.choices.buttons()[0])
    contact = kiosk.screen("contact")
    kiosk.tap(kiosk.frame().ids.next)  # intro -> name
    kiosk.type_text(contact.ids.keyboard, "Ann Lee")
    kiosk.tap(app.root.ids.read_aloud)
    kiosk.tap(contact.ids.keyboard.ids.done)
    kiosk.tap(next(b for b in contact.ids.choices.buttons() if b.value == "phone"))
    kiosk.type_text(contact.ids.keyboard, "07700 900123")
    kiosk.tap(app.root.ids.read_aloud)
    kiosk.tap(app.root.ids.read_aloud)
    said = " ".join(line for lines, _ in speaker.requests for line in lines)
    assert speaker.requests and "Ann" not in said and "900123" not in said
    assert app.tr._("Your phone number") in said


@pytest.mark.gui
def test_timeout_warning_has_its_own_button_and_is_never_automatic(kiosk) -> None:
    app = kiosk.app
    speaker = app.services.speaker
    kiosk.start()
    before = len(speaker.requests)
    kiosk.clock.advance(app.services.idle_seconds)
    app.idle.tick()
    kiosk.frames(2)
    assert app.timeout.parent is not None and len(speaker.requests) == before  # no sound
    assert _button_shown(kiosk)
    kiosk.tap(app.timeout.ids.read_aloud)
    assert speaker.requests[-1][0][0] == app.tr._("Do you need more time?")
    kiosk.tap(app.timeout.ids.yes)
    assert app.reading == "idle"


class _NoDevice:
    """SoundLoader.load as it behaves with no audio device: None."""

    def __call__(self, path: str) -> Any:
        return None


@pytest.mark.gui
def test_no_audio_device_hides_the_button_and_tells_staff(kiosk, tmp_path) -> None:
    from kiosk.speech import Speaker

    reader = ReadAloud(Speaker(tmp_path), loader=_NoDevice())
    assert not reader.audio_ok and not reader.available("en")
    assert reader.staff_lines(["en"])[0].startswith("No audio device was found")
    app = kiosk.app
    real = app.reader
    try:
        app.reader = reader
        app.set_language("en")
        kiosk.frames(2)
        assert not _button_shown(kiosk)
        assert "No audio device" in app._staff_facts()["audio"]
    finally:
        app.reader = real
        app.set_language("en")


@pytest.mark.gui
def test_staff_screen_lists_languages_without_read_aloud(kiosk) -> None:
    app = kiosk.app
    _all_languages(kiosk)
    audio = app._staff_facts()["audio"]
    assert "so: no voice" in audio and "ckb: no voice" in audio and "ar:" not in audio


@pytest.mark.gui
def test_staff_screen_shows_the_languages_without_read_aloud(kiosk) -> None:
    from screens.staff import staff_info

    app = kiosk.app
    _all_languages(kiosk)
    app.open_staff()
    staff = app.screen("staff")
    staff.info = staff_info(app._staff_facts(), app.tr)
    staff.mode = "info"
    kiosk.frames(3)
    assert "so: no voice" in staff.info.speaker and "ckb: no voice" in staff.info.speaker
    kiosk.screenshot(SHOTS / "en" / "staff-info-read-aloud.png")
    message = app.reader.test_speaker()
    assert message == "The audio device played the test sound."  # SDL's dummy audio device
    app.journey.reset()


def test_a_refused_line_leaves_the_kiosk_silent_not_broken(tmp_path) -> None:
    from kiosk.speech import Speaker

    class _Loaded:
        length = 0.05

        def unload(self) -> None:
            pass

    reader = ReadAloud(Speaker(tmp_path), loader=lambda path: _Loaded())
    reader.read(["Call 07700 900123 now"], "en")  # Speaker refuses a phone number
    assert reader.state == "idle" and reader.done


@pytest.mark.gui
def test_the_audio_state_goes_to_the_status_file(kiosk, tmp_path) -> None:
    from kiosk.status import StatusFile

    app = kiosk.app
    real_reader, real_status = app.reader, app.services.status
    try:
        app.services.status = StatusFile(tmp_path / "status.json")
        app._make_reader()
        assert app.services.status.read().audio == "ok"  # SDL's dummy audio device loads WAVs
    finally:
        app.reader, app.services.status = real_reader, real_status


@pytest.mark.gui
def test_staff_screen_shows_needs_it_content_version_and_translations_to_review(kiosk) -> None:
    from kiosk.i18n import unreviewed_languages
    from screens.staff import staff_info

    app = kiosk.app
    _all_languages(kiosk)
    facts = app._staff_facts()
    offered = [tag for tag in app.services.languages if tag in set(unreviewed_languages())]
    assert offered and facts["unreviewed"] == offered  # every machine translation listed
    info = staff_info(facts | {"revoked": True, "content_version": '"0123456789abcdef"'}, app.tr)
    assert info.needs_it.startswith("Yes") and "enrol" in info.needs_it
    assert info.content == "0123456789ab"
    assert all(tag in info.to_review for tag in offered)
    assert staff_info({"needs_it": False}, app.tr).content == "as installed"
    assert staff_info({"needs_it": False}, app.tr).needs_it == "No"
