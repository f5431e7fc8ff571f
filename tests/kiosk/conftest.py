"""Fixtures for the survey, session and record tests: the real default survey, a small survey that
uses every question kind and show_if form, an injected clock and a session factory."""
from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from kiosk.record import ResponseRecord
from kiosk.session import BurstDetector, DeviceInfo, RespondentSession
from kiosk.survey import FFT_ANSWERS_EN, FFT_QUESTION_EN, Survey, load_survey, parse_survey
from tests.kiosk.store_fixtures import T0, FakeClock  # noqa: F401  (T0 is used by tests)

ROOT = Path(__file__).resolve().parents[2]
FFT_JSON = ROOT / "assets" / "surveys" / "fft.json"
DATA = Path(__file__).resolve().parent / "data"

_FFT_IDS = ("very_good", "good", "neither", "poor", "very_poor", "dont_know")
_FFT_CY = ("Da iawn", "Da", "Ddim yn dda nac yn wael", "Gwael", "Gwael iawn", "Ddim yn gwybod")


def _t(en: str, cy: str | None = None) -> dict[str, str]:
    return {"en": en, "cy": cy or f"[cy] {en}"}


def _opts(*ids: str) -> list[dict[str, Any]]:
    return [{"id": i, "text": _t(i.replace("_", " ").capitalize())} for i in ids]


# Every kind and every show_if form, in English and Welsh. Indexes matter to the tests:
#   0 fft  1 why  2 who  3 topics  4 food  5 low_why  6 contact_wanted  7 contact
#   8 involve_wanted  9 involvement
_KITCHEN_SINK: dict[str, Any] = {
    "id": "ward_test",
    "version": 3,
    "title": _t("Tell us about your visit", "Dywedwch wrthym am eich ymweliad"),
    "languages": ["en", "cy"],
    "default_language": "en",
    "questions": [
        {"id": "fft", "kind": "fft", "required": True,
         "text": _t(FFT_QUESTION_EN, "Yn gyffredinol, sut oedd eich profiad o'n gwasanaeth?"),
         "options": [{"id": i, "code": c, "text": _t(en, cy)} for i, c, en, cy in
                     zip(_FFT_IDS, range(1, 7), FFT_ANSWERS_EN, _FFT_CY, strict=True)]},
        {"id": "why", "kind": "free_text", "text": _t("Why?"), "max_length": 50},
        {"id": "who", "kind": "single_choice", "text": _t("Who is answering?"),
         "options": [*_opts("patient", "carer"),
                     {"id": "staff", "code": "S", "text": _t("Staff")}]},
        {"id": "topics", "kind": "multi_choice", "text": _t("What was it about?"),
         "help": _t("Choose any."), "options": _opts("food", "staff", "cleanliness")},
        {"id": "food", "kind": "free_text", "text": _t("Tell us about the food"),
         "max_length": 200, "show_if": {"question": "topics", "includes": "food"}},
        {"id": "low_why", "kind": "free_text", "text": _t("What went wrong?"), "max_length": 200,
         "show_if": {"any": [{"question": "fft", "in": [4, 5]},
                             {"question": "who", "equals": "staff"}]}},
        {"id": "contact_wanted", "kind": "yes_no", "text": _t("Contact you?")},
        {"id": "contact", "kind": "contact", "text": _t("How can we contact you?"),
         "help": _t("This is not monitored all the time."),
         "show_if": {"question": "contact_wanted", "equals": True},
         "options": _opts("large_print", "braille", "none")},
        {"id": "involve_wanted", "kind": "yes_no", "text": _t("Help us improve?"),
         "section": "involvement"},
        {"id": "involvement", "kind": "involvement", "text": _t("How would you like to help?"),
         "show_if": {"all": [{"question": "involve_wanted", "equals": True},
                             {"question": "fft", "in": [1, 2, 3, 4, 5, 6]}]},
         "options": _opts("patient_panel", "research")},
    ],
}


@pytest.fixture
def survey_data() -> dict[str, Any]:
    """A fresh, valid survey dict for a test to break in one place."""
    return copy.deepcopy(_KITCHEN_SINK)


@pytest.fixture
def kitchen_sink() -> Survey:
    return parse_survey(copy.deepcopy(_KITCHEN_SINK), "kitchen_sink.json")


@pytest.fixture
def fft_survey() -> Survey:
    return load_survey(FFT_JSON)


@pytest.fixture
def fake_clock() -> FakeClock:
    return FakeClock()


DEVICE = DeviceInfo(device_id="kiosk-07", site_code="REN", location_code="WARD-3")


class Sessions:
    """Makes sessions on one clock and keeps every record they submit."""

    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self.submitted: list[ResponseRecord] = []

    def __call__(self, survey: Survey, **kwargs: Any) -> RespondentSession:
        kwargs.setdefault("clock", self.clock)
        return RespondentSession(survey, DEVICE, self.submitted.append, **kwargs)


@pytest.fixture
def sessions(fake_clock: FakeClock) -> Sessions:
    return Sessions(fake_clock)


@pytest.fixture
def burst() -> BurstDetector:
    return BurstDetector()


def _walk(session: RespondentSession, answers: dict[str, Any], clock: FakeClock | None = None,
          step: float = 10.0) -> list[str]:
    """Answer the current question from ``answers`` (skip it when absent) until the end; returns
    the ids visited. Moves ``clock`` by ``step`` before each tap, like a person reading."""
    seen: list[str] = []
    while session.current is not None:
        question = session.current
        seen.append(question.id)
        if clock is not None:
            clock.advance(step)
        if question.id in answers:
            session.answer(answers[question.id])
        else:
            session.skip()
    return seen


@pytest.fixture
def walk() -> Callable[..., list[str]]:
    return _walk
