"""The respondent session: journeys through every question kind, branching, back, skip, progress,
abandon rules, flags and misuse. Real surveys, an injected clock, a list as the submit edge."""
from __future__ import annotations

import copy
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk.errors import SessionError, StoreFullError
from kiosk.session import (
    SCREENS_PER_KIND,
    BurstDetector,
    Progress,
    RespondentSession,
    SessionState,
)
from kiosk.survey import parse_survey
from tests.kiosk.conftest import _KITCHEN_SINK, DEVICE, T0, FakeClock

CONTACT = {"name": "Ann Example", "method": "phone", "value": "07700 900123",
           "needs": ["large_print"], "needs_other": "Please call after 5pm"}
INVOLVE = {"interests": ["research"], "name": "Bo Example", "method": "email",
           "value": "bo@example.org", "needs": ["bsl_interpreter"]}


def ids(record) -> list[str]:
    return [a.question_id for a in record.answers]


# ---------------------------------------------------------------- journeys


def test_a_full_journey_through_the_default_survey(fft_survey, sessions, fake_clock, walk) -> None:
    s = sessions(fft_survey)
    assert s.state is SessionState.READY and s.current is None
    assert s.progress == Progress(0, 24, exact=False)  # every branch open: 24 screens at most
    s.start("en")
    assert s.state is SessionState.ACTIVE and s.language == "en"
    visited = walk(s, {"fft": 1, "why": "  Kind staff.  ", "who": "patient",
                       "contact_wanted": False, "involve_wanted": False, "about_you": True,
                       "age": "65_74", "ethnicity": "white_irish", "long_term_condition": "yes",
                       "condition_reduces_activities": "a_little"}, fake_clock)
    assert visited == ["fft", "why", "who", "contact_wanted", "involve_wanted", "about_you", "age",
                       "sex", "gender_same", "ethnicity", "long_term_condition",
                       "condition_reduces_activities"]
    record = s.finish()
    assert s.state is SessionState.COMPLETE and sessions.submitted == [record]
    assert ids(record) == ["fft", "why", "who", "contact_wanted", "involve_wanted", "about_you",
                           "age", "ethnicity", "long_term_condition",
                           "condition_reduces_activities"]
    assert record.answer("fft").value == 1 and record.answer("fft").code == 1
    assert record.answer("why").value == "Kind staff."
    assert record.answer("ethnicity").code == "B"
    assert (record.survey_id, record.survey_version, record.language, record.variant) == (
        "fft", 1, "en", "standard")
    assert (record.device_id, record.site_code, record.location_code) == (
        "kiosk-07", "REN", "WARD-3")
    assert record.started_at == T0 and record.finished_at == T0 + 120
    assert record.flags == frozenset() and record.contact is None
    assert len(record.record_id) == 32


def test_every_kind_takes_its_value_shape(kitchen_sink, sessions, walk) -> None:
    s = sessions(kitchen_sink)
    s.start("cy")
    walk(s, {"fft": 4, "why": "Slow", "who": "staff", "topics": ["food", "staff", "food"],
             "food": "Cold", "low_why": "Waited", "contact_wanted": True, "contact": CONTACT,
             "involve_wanted": True, "involvement": INVOLVE})
    record = s.finish()
    assert record.answer("topics").value == ("food", "staff")  # order kept, repeats dropped
    assert record.answer("who").code == "S"
    assert record.answer("contact").value is None
    assert record.answer("involvement").value is None
    assert record.contact == {
        "contact": {"name": "Ann Example", "method": "phone", "value": "07700 900123",
                    "needs": ["large_print"], "needs_other": "Please call after 5pm"},
        "involvement": {"interests": ["research"], "name": "Bo Example", "method": "email",
                        "value": "bo@example.org", "needs": ["bsl_interpreter"],
                        "needs_other": ""}}
    assert record.language == "cy"


def test_easy_read_is_recorded_as_its_variant(survey_data, sessions, walk) -> None:
    survey_data["languages"].append("en-x-easy")

    def add_easy(node):
        if isinstance(node, dict):
            if "en" in node and "cy" in node:
                node["en-x-easy"] = node["en"]
            for value in node.values():
                add_easy(value)
        elif isinstance(node, list):
            for value in node:
                add_easy(value)

    add_easy(survey_data)
    s = sessions(parse_survey(survey_data, "easy.json"))
    s.start("en-x-easy")
    walk(s, {"fft": 2})
    assert s.finish().variant == "easy_read"


# ---------------------------------------------------------------- branching, back, progress


def test_progress_counts_each_contact_screen_and_its_total_never_grows(fft_survey,
                                                                        sessions) -> None:
    """Before: "4 of 6", then "5 of 7". Now the total is the most screens still reachable:
    opening a branch cannot grow it, closing one shrinks it, contact's six screens count."""
    s = sessions(fft_survey)
    s.start("en")
    s.answer(2)
    s.skip()
    s.skip()
    assert s.current.id == "contact_wanted" and s.progress == Progress(4, 24, exact=False)
    s.answer(True)
    assert s.current.id == "contact" and s.progress == Progress(5, 24, exact=False)
    assert [s.progress_at(i).number for i in range(7)] == [5, 6, 7, 8, 9, 10, 10]
    s.answer(CONTACT)
    assert s.current.id == "involve_wanted" and s.progress == Progress(11, 24, exact=False)
    s.answer(False)  # the six involvement screens are gone from the total
    assert s.current.id == "about_you" and s.progress == Progress(12, 18, exact=False)
    s.answer(False)  # nothing ahead is open any more: the count is exact
    assert s.current is None and s.progress == Progress(12, 12)


def test_progress_is_exact_when_no_branch_is_open(kitchen_sink, sessions, walk) -> None:
    s = sessions(kitchen_sink)
    s.start("en")
    walk(s, {"fft": 1})
    assert s.current is None and s.progress.exact


def test_multi_choice_includes_and_any_conditions_branch(kitchen_sink, sessions, walk) -> None:
    s = sessions(kitchen_sink)
    s.start("en")
    assert walk(s, {"fft": 1, "topics": ["staff"]}) == [
        "fft", "why", "who", "topics", "contact_wanted", "involve_wanted"]
    s2 = sessions(kitchen_sink)
    s2.start("en")
    assert walk(s2, {"fft": 5, "topics": ["food"]}) == [
        "fft", "why", "who", "topics", "food", "low_why", "contact_wanted", "involve_wanted"]


def test_back_prefills_and_a_changed_gate_hides_the_old_answers(fft_survey, sessions) -> None:
    s = sessions(fft_survey)
    s.start("en")
    assert not s.can_go_back
    s.answer(3)
    s.skip()
    s.answer("relative_or_friend")
    s.answer(True)
    s.set_draft({"name": "Half typed"})
    s.back()
    assert s.current.id == "contact_wanted" and s.answer_of("contact_wanted") is True
    s.answer(True)
    assert s.draft_of("contact") == {"name": "Half typed"}  # kept until sent or abandoned
    s.answer(CONTACT)
    s.back()
    s.back()
    assert s.current.id == "contact_wanted"
    s.answer(False)  # changes the route: contact is hidden now, its answer kept but not recorded
    assert s.current.id == "involve_wanted" and s.progress == Progress(5, 18, exact=False)
    assert s.answer_of("contact") == CONTACT
    s.skip()
    s.skip()
    record = s.finish()
    assert "contact" not in ids(record) and record.contact is None
    assert record.answer("who").value == "relative_or_friend"


def test_reopening_a_gate_brings_back_the_kept_answers(fft_survey, sessions) -> None:
    s = sessions(fft_survey)
    s.start("en")
    for value in (1, "Good", "patient", False, True):
        s.answer(value)
    s.answer({"interests": ["volunteering"], "name": "C", "method": "post",
              "value": "1 High St", "needs": []})
    s.back()
    s.back()
    s.answer(False)
    s.back()
    s.answer(True)
    assert s.current.id == "involvement"
    assert s.answer_of("involvement")["interests"] == ["volunteering"]


def test_back_from_the_end_and_progress_there(kitchen_sink, sessions, walk) -> None:
    s = sessions(kitchen_sink)
    s.start("en")
    walk(s, {"fft": 1})
    end = s.progress
    assert s.current is None and end.number == end.total and s.can_go_back
    s.back()
    assert s.current.id == "involve_wanted" and s.progress.number == end.number
    s.answer(True)
    assert s.current.id == "involvement" and s.progress.number == end.number + 1


def test_skip_clears_an_earlier_answer(kitchen_sink, sessions) -> None:
    s = sessions(kitchen_sink)
    s.start("en")
    s.answer(1)
    s.answer("Lovely")
    s.back()
    assert s.answer_of("why") == "Lovely"
    s.skip()
    assert s.answer_of("why") is None


def test_empty_free_text_and_empty_multi_choice_are_skips(kitchen_sink, sessions, walk) -> None:
    s = sessions(kitchen_sink)
    s.start("en")
    walk(s, {"fft": 2, "why": "   ", "topics": []})
    assert ids(s.finish()) == ["fft"]


# ---------------------------------------------------------------- misuse


def test_misuse_raises_session_error(kitchen_sink, sessions, walk) -> None:
    s = sessions(kitchen_sink)
    with pytest.raises(SessionError, match=r"answer\(\) before start\(\)"):
        s.answer(1)
    with pytest.raises(SessionError, match="is in en, cy only"):
        s.start("pl")
    s.start("en")
    with pytest.raises(SessionError, match="already active"):
        s.start("en")
    with pytest.raises(SessionError, match="back.. at the first question"):
        s.back()
    with pytest.raises(SessionError, match="question 'fft' is required, so skip.. is not allowed: "
                       "answer it with an int code, one of 1, 2, 3, 4, 5, 6"):
        s.skip()
    with pytest.raises(SessionError, match=r"finish\(\) before the end: question 'fft'"):
        s.finish()
    walk(s, {"fft": 1})
    with pytest.raises(SessionError, match="at the end of the survey: call finish"):
        s.answer("x")
    s.finish()
    with pytest.raises(SessionError, match=r"skip\(\) after the session is complete"):
        s.skip()
    with pytest.raises(SessionError, match="has no question 'nope'"):
        s.answer_of("nope")


@pytest.mark.parametrize("walk_to, value, shape", [
    ("fft", "1", "an int code, one of 1, 2, 3"),
    ("fft", True, "an int code"),
    ("fft", 7, "an int code"),
    ("who", "nurse", "one option id (str), one of: patient, carer, staff"),
    ("topics", "food", "a list of option ids (str) from: food, staff, cleanliness"),
    ("topics", ["food", "parking"], "a list of option ids"),
    ("contact_wanted", "yes", "True or False"),
    ("why", "x" * 51, "text (str) of at most 50 characters"),
    ("why", 42, "text (str)"),
])
def test_a_wrong_value_names_the_question_and_the_shape(kitchen_sink, sessions, walk_to, value,
                                                        shape) -> None:
    s = sessions(kitchen_sink)
    s.start("en")
    while s.current.id != walk_to:
        s.answer(1) if s.current.kind == "fft" else s.skip()
    with pytest.raises(SessionError, match=f"question '{walk_to}' ") as caught:
        s.answer(value)
    assert shape in str(caught.value)
    assert s.current.id == walk_to  # nothing moved, nothing recorded
    assert s.answer_of(walk_to) is None


@pytest.mark.parametrize("change, detail", [
    ({"method": "pigeon"}, "'method' is missing or not one of phone, email, post, text"),
    ({"value": "   "}, "'value' (the phone number, email or address) is empty"),
    ({"needs": ["braille", "telepathy"]}, "'needs' holds an id that is not a communication need"),
    ({"needs": ["audio"]}, "'needs' holds an id"),  # a need this contact question does not offer
    ({"shoe_size": 9}, "unknown key(s) shoe_size"),
    ({"name": 12}, "'name' is not a str"),
    ({"name": "x" * 201}, "over 200"),
])
def test_bad_contact_details_are_refused_without_repeating_them(kitchen_sink, sessions, walk,
                                                                 change, detail) -> None:
    s = sessions(kitchen_sink)
    s.start("en")
    walk_to_contact = {"fft": 1, "contact_wanted": True}
    while s.current.id != "contact":
        qid = s.current.id
        s.answer(walk_to_contact[qid]) if qid in walk_to_contact else s.skip()
    with pytest.raises(SessionError) as caught:
        s.answer(CONTACT | change)
    message = str(caught.value)
    assert message.startswith("question 'contact' (contact) takes {\"name\": str")
    assert detail in message
    for secret in ("Ann Example", "07700 900123", "after 5pm", "pigeon", "telepathy"):
        assert secret not in message


def test_involvement_interests_must_be_its_options(kitchen_sink, sessions) -> None:
    s = sessions(kitchen_sink)
    s.start("en")
    s.answer(1)
    while s.current.id != "involvement":
        s.answer(True) if s.current.id == "involve_wanted" else s.skip()
    with pytest.raises(SessionError, match="'interests' holds an id that is not an option"):
        s.answer(INVOLVE | {"interests": ["volunteering"]})  # a standard interest, not offered here


# ---------------------------------------------------------------- abandon


def test_abandon_with_nothing_confirmed_submits_nothing(fft_survey, sessions) -> None:
    s = sessions(fft_survey)
    assert s.abandon() is None  # never started
    s = sessions(fft_survey)
    s.start("en")
    s.set_draft(3)
    assert s.abandon() is None and s.state is SessionState.ABANDONED
    assert sessions.submitted == []


def test_abandon_keeps_confirmed_answers_and_drops_drafts(fft_survey, sessions, fake_clock) -> None:
    s = sessions(fft_survey)
    s.start("en")
    fake_clock.advance(20)
    s.answer(4)
    fake_clock.advance(30)
    s.set_draft("The nurse called Jane was")
    fake_clock.advance(120)  # walked away
    record = s.abandon()
    assert sessions.submitted == [record] and ids(record) == ["fft"]
    assert record.answer("fft").code == 4  # the FFT answer counts
    assert record.flags == {"abandoned"}
    assert record.finished_at == T0 + 20  # when they were last seen, not when the timer fired
    assert "Jane" not in json.dumps(record.anonymous_payload())
    assert s.abandon() is None and len(sessions.submitted) == 1  # a late timer does nothing


def test_abandon_keeps_contact_only_if_it_was_sent(fft_survey, sessions, fake_clock) -> None:
    typed = sessions(fft_survey)
    typed.start("en")
    for value in (5, "", "patient", True):
        fake_clock.advance(10)
        typed.answer(value)
    typed.set_draft(CONTACT)
    record = typed.abandon()
    assert record.contact is None and record.contact_payload() is None
    assert "contact" not in ids(record)

    sent = sessions(fft_survey)
    sent.start("en")
    for value in (5, "", "patient", True, CONTACT):
        fake_clock.advance(10)
        sent.answer(value)
    record = sent.abandon()
    assert record.contact["contact"]["value"] == "07700 900123"
    assert "abandoned" in record.contact_payload()["flags"]


def test_abandon_after_finish_does_nothing(kitchen_sink, sessions, walk) -> None:
    s = sessions(kitchen_sink)
    s.start("en")
    walk(s, {"fft": 1})
    s.finish()
    assert s.abandon() is None and s.state is SessionState.COMPLETE
    assert len(sessions.submitted) == 1


# ---------------------------------------------------------------- flags and submit failures


def test_test_and_fast_flags(kitchen_sink, sessions, fake_clock, walk) -> None:
    quick = sessions(kitchen_sink, test=True)
    quick.start("en")
    walk(quick, {"fft": 1, "why": "ok", "contact_wanted": False}, fake_clock, step=1.0)
    assert quick.finish().flags == {"test", "fast"}  # 3 answers in 6 s < 3 x 4 s

    slow = sessions(kitchen_sink, min_seconds=2.0)
    slow.start("en")
    walk(slow, {"fft": 1, "why": "ok", "contact_wanted": False}, fake_clock, step=1.0)
    assert slow.finish().flags == frozenset()  # 6 s >= 3 x 2 s


def test_three_completions_within_a_minute_are_a_burst(kitchen_sink, sessions, fake_clock,
                                                       burst, walk) -> None:
    flags = []
    for gap in (0, 20, 20, 61, 61):
        fake_clock.advance(gap)
        s = sessions(kitchen_sink, burst=burst, min_seconds=0)
        s.start("en")
        walk(s, {"fft": 1})
        flags.append(s.finish().flags)
    assert flags == [frozenset(), frozenset(), {"burst"}, frozenset(), frozenset()]


def test_burst_detector_window_and_a_clock_stepped_back() -> None:
    b = BurstDetector(window=60, threshold=3)
    assert [b.record(t) for t in (0, 10, 60, 69.9, 200)] == [
        False, False, False, True, False]  # at 60 the one at 0 is exactly 60 s old: gone
    b = BurstDetector()
    b.record(1000)
    b.record(1001)
    assert not b.record(500)  # the earlier times are in the "future": forgotten


def test_a_failed_submit_can_be_retried_with_the_same_record(kitchen_sink, fake_clock,
                                                             walk) -> None:
    attempts = []

    def submit(record):
        attempts.append(record)
        if len(attempts) == 1:
            raise StoreFullError("disk full")

    s = RespondentSession(kitchen_sink, DEVICE, submit, clock=fake_clock)
    s.start("en")
    walk(s, {"fft": 6})
    with pytest.raises(StoreFullError):
        s.finish()
    assert s.state is SessionState.ACTIVE
    fake_clock.advance(5)
    record = s.finish()
    assert record is attempts[0] and s.state is SessionState.COMPLETE


# ---------------------------------------------------------------- random taps (hypothesis)

_CANDIDATES = {
    "fft": [1, 2, 3, 4, 5, 6, 0, "1"],
    "single_choice": ["patient", "carer", "staff", "nurse"],
    "multi_choice": [["food"], ["staff", "cleanliness"], [], ["food", "food"], "food"],
    "yes_no": [True, False, None],
    "free_text": ["Fine", "   ", "x" * 51, ""],
    "contact": [CONTACT, CONTACT | {"method": "fax"}],
    "involvement": [INVOLVE, INVOLVE | {"interests": ["training"]}],
}


def _expected_ids(survey, model: dict) -> list[str]:
    return [q.id for q in survey.visible(model) if q.id in model]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(taps=st.lists(st.tuples(st.sampled_from(["answer", "skip", "back", "draft"]),
                               st.integers(0, 7)), max_size=40),
       language=st.sampled_from(["en", "cy"]))
def test_random_taps_never_crash_and_record_only_visible_confirmed_answers(taps, language) -> None:
    survey = parse_survey(copy.deepcopy(_KITCHEN_SINK), "kitchen_sink.json")
    submitted: list = []
    session = RespondentSession(survey, DEVICE, submitted.append, clock=FakeClock())
    session.start(language)
    model: dict = {}  # what the person confirmed, by question id
    for action, pick in taps:
        question = session.current
        before = session.progress
        try:
            if action == "answer" and question is not None:
                options = _CANDIDATES[question.kind]
                value = options[pick % len(options)]
                session.answer(value)
                if value in ("   ", "", []):
                    model.pop(question.id, None)
                else:
                    model[question.id] = tuple(value) if isinstance(value, list) else value
            elif action == "skip":
                session.skip()
                model.pop(question.id, None)
            elif action == "back":
                session.back()
            else:
                session.set_draft(f"draft {pick}")
        except SessionError:
            assert session.current == question  # a refused tap changes nothing
        shown = [q.id for q in survey.visible(model)]
        progress = session.progress
        assert 1 <= progress.number <= progress.total
        if action in ("answer", "skip") and question is not None and session.current != question:
            # forward: one more screen per screen taken, and the total never grows
            taken = SCREENS_PER_KIND.get(question.kind, 1) if question.id in model else 1
            end = session.current is None  # no screen of its own: number = screens taken
            assert progress.number == before.number + taken - (1 if end else 0)
            assert progress.total <= before.total
        assert session.current is None or session.current.id in shown
    record = session.finish() if session.current is None else session.abandon()
    expected = _expected_ids(survey, model)
    if record is None:
        assert expected == [] and submitted == []
        return
    assert submitted == [record]
    assert [a.question_id for a in record.answers] == expected
    payload = json.dumps(record.anonymous_payload())
    assert "07700 900123" not in payload and "bo@example.org" not in payload
    assert "draft" not in payload
