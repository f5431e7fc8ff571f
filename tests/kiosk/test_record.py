"""The response record's two payloads: contact details only ever in the contact payload, and the
strict parser the central record uses for the anonymous one."""
from __future__ import annotations

import json

import pytest

from kiosk.record import RecordError, ResponseRecord, from_anonymous_payload, variant_of
from kiosk.session import RespondentSession

CONTACT = {"name": "Ann Example", "method": "email", "value": "ann@example.org",
           "needs": ["large_print", "someone_to_help"], "needs_other": "My son helps me read"}
INVOLVE = {"interests": ["patient_panel"], "name": "Bo Example", "method": "phone",
           "value": "07700 900456", "needs": ["bsl_interpreter"], "needs_other": "Deaf since 1990"}
SECRETS = ("Ann Example", "ann@example.org", "large_print", "someone_to_help", "My son helps",
           "Bo Example", "07700 900456", "bsl_interpreter", "Deaf since", "patient_panel")


@pytest.fixture
def full_record(fft_survey, sessions, fake_clock, walk) -> ResponseRecord:
    s: RespondentSession = sessions(fft_survey, test=True)
    s.start("en")
    walk(s, {"fft": 2, "why": "Clean ward, long wait", "who": "patient", "contact_wanted": True,
             "contact": CONTACT, "involve_wanted": True, "involvement": INVOLVE}, fake_clock)
    return s.finish()


def test_no_contact_detail_anywhere_in_the_anonymous_payload(full_record) -> None:
    payload = full_record.anonymous_payload()
    text = json.dumps(payload, ensure_ascii=False)
    for secret in SECRETS:
        assert secret not in text, secret
    personal = [a for a in payload["answers"] if a["kind"] in ("contact", "involvement")]
    assert personal == [
        {"question_id": "contact", "kind": "contact", "value": None, "code": None},
        {"question_id": "involvement", "kind": "involvement", "value": None, "code": None}]
    assert payload["schema"] == 1 and payload["flags"] == ["test"]
    assert json.loads(text) == payload  # JSON-able as is


def test_the_contact_payload_holds_the_details_and_routing_context(full_record) -> None:
    payload = full_record.contact_payload()
    assert json.loads(json.dumps(payload)) == payload
    assert payload["schema"] == 1 and payload["record_id"] == full_record.record_id
    assert payload["contact"] == CONTACT
    assert payload["involvement"] == INVOLVE
    assert (payload["site_code"], payload["location_code"]) == ("REN", "WARD-3")
    assert "answers" not in payload and "Clean ward" not in json.dumps(payload)


def test_a_record_without_contact_has_no_contact_payload(fft_survey, sessions, walk) -> None:
    s = sessions(fft_survey)
    s.start("en")
    walk(s, {"fft": 6, "contact_wanted": False})
    record = s.finish()
    assert record.contact is None and record.contact_payload() is None


def test_only_the_part_given_is_in_the_contact_payload(fft_survey, sessions, walk) -> None:
    s = sessions(fft_survey)
    s.start("en")
    walk(s, {"fft": 1, "involve_wanted": True, "involvement": INVOLVE})
    payload = s.finish().contact_payload()
    assert payload["contact"] is None and payload["involvement"]["value"] == "07700 900456"


def test_the_anonymous_payload_round_trips(full_record) -> None:
    wire = json.loads(json.dumps(full_record.anonymous_payload()))
    back = from_anonymous_payload(wire)
    assert back.contact is None
    assert back.answers == full_record.answers
    assert back.anonymous_payload() == full_record.anonymous_payload()


def test_multi_choice_values_round_trip_as_tuples(kitchen_sink, sessions, walk) -> None:
    s = sessions(kitchen_sink)
    s.start("en")
    walk(s, {"fft": 3, "topics": ["staff", "food"]})
    record = s.finish()
    wire = json.loads(json.dumps(record.anonymous_payload()))
    assert wire["answers"][1]["value"] == ["staff", "food"]
    assert from_anonymous_payload(wire).answer("topics").value == ("staff", "food")


def _broken(payload: dict, change) -> dict:
    wire = json.loads(json.dumps(payload))
    change(wire)
    return wire


@pytest.mark.parametrize("change, message", [
    (lambda w: w.update(schema=2), "'schema' is 2: this version reads schema 1"),
    (lambda w: w.pop("site_code"), "'site_code' is missing or has the wrong type"),
    (lambda w: w.update(survey_version=True), "'survey_version' is missing or has the wrong"),
    (lambda w: w.update(colour="red"), "'colour' is not a known field"),
    (lambda w: w.update(record_id="not-hex"), "'record_id' must be 32 lower-case hex digits"),
    (lambda w: w.update(variant="large"), "'variant' must be one of standard, easy_read"),
    (lambda w: w.update(flags=["test", "vip"]), "'flags' may only hold each of"),
    (lambda w: w.update(finished_at=w["started_at"] - 1), "'finished_at' is before"),
    (lambda w: w.update(started_at=float("nan")), "must be finite numbers"),
    (lambda w: w["answers"][0].update(value=9, code=9), "answers[0] has a value of the wrong "
     "shape for a fft (question 'fft')"),
    (lambda w: w["answers"][0].update(code=3), "answers[0] has a value of the wrong shape"),
    (lambda w: w["answers"][3].update(value="yes"), "answers[3] has a value of the wrong shape "
     "for a yes_no"),
    (lambda w: w["answers"][4].update(value={"name": "Ann Example"}), "answers[4] has a value of "
     "the wrong shape for a contact (question 'contact')"),
    (lambda w: w["answers"][1].pop("code"), "answers[1] must have exactly question_id, kind"),
    (lambda w: w["answers"][1].update(kind="essay"), "answers[1] has an unknown kind"),
    (lambda w: w["answers"].append(w["answers"][0]), "repeats question 'fft'"),
])
def test_a_bad_anonymous_payload_is_refused_by_field(full_record, change, message) -> None:
    with pytest.raises(RecordError) as caught:
        from_anonymous_payload(_broken(full_record.anonymous_payload(), change))
    assert message in str(caught.value)
    assert "Ann Example" not in str(caught.value)
    assert "Clean ward" not in str(caught.value)


def test_a_payload_that_is_not_an_object_is_refused() -> None:
    with pytest.raises(RecordError, match="must be a JSON object"):
        from_anonymous_payload(["schema", 1])


def test_easy_read_is_a_variant_of_english() -> None:
    assert variant_of("en-x-easy") == "easy_read"
    assert variant_of("cy") == variant_of("en") == "standard"
