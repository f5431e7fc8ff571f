"""Survey loading, every validation rule (each problem names its JSON path and the fix), and the
atomic install that never lets a bad survey replace a good one."""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from kiosk.errors import SurveyError, SurveyValidationError
from kiosk.survey import (
    COMMUNICATION_NEEDS,
    FFT_QUESTION_EN,
    KINDS,
    LANGUAGES,
    MISSING,
    QUESTION_KEYS,
    SURVEY_KEYS,
    Condition,
    install_survey,
    load_survey,
    parse_survey,
)
from tests.kiosk.conftest import DATA, FFT_JSON, ROOT


def problems(data: Any) -> list[str]:
    with pytest.raises(SurveyValidationError) as caught:
        parse_survey(data, "ward.json")
    assert caught.value.source == "ward.json"
    assert "ward.json" in str(caught.value)
    return caught.value.problems


def one_problem(data: Any, path: str, *fragments: str) -> str:
    """The single problem reported for ``path``, checked to contain each fragment (the fix)."""
    found = [p for p in problems(data) if p.startswith(path + " ")]
    assert len(found) == 1, (path, problems(data))
    for fragment in fragments:
        assert fragment in found[0], (fragment, found[0])
    return found[0]


# ---------------------------------------------------------------- the default survey


def test_the_default_survey_loads_and_asks_the_fft_verbatim(fft_survey) -> None:
    fft = fft_survey.question("fft")
    assert fft_survey.languages[0] == fft_survey.default_language == "en"
    assert fft.required and fft.show_if is None
    assert fft.text["en"] == "Overall, how was your experience of our service?"
    assert [(o.code, o.text["en"]) for o in fft.options] == [
        (1, "Very good"), (2, "Good"), (3, "Neither good nor poor"), (4, "Poor"),
        (5, "Very poor"), (6, "Don't know")]
    assert [o.id for o in fft.options][0] == "very_good" and fft.options[-1].id == "dont_know"


def test_the_default_survey_asks_for_contact_only_after_yes_and_says_it_is_not_monitored(
        fft_survey) -> None:
    contact = fft_survey.question("contact")
    assert contact.show_if == Condition(question="contact_wanted", equals=True)
    assert ("This is not monitored all the time. If you need help now, please speak to a member "
            "of staff.") in contact.help["en"]
    assert {o.id for o in contact.options} == set(COMMUNICATION_NEEDS)
    assert fft_survey.question("involvement").show_if == Condition(question="involve_wanted",
                                                                   equals=True)


def test_the_default_about_you_questions_are_optional_behind_a_gate(fft_survey) -> None:
    about = [q for q in fft_survey.questions if q.section == "about_you"]
    assert [q.id for q in about][0] == "about_you"
    for q in about[1:]:
        assert not q.required
        assert q.options[-1].id == "prefer_not_to_say", q.id
    ages = [o.text["en"] for o in fft_survey.question("age").options]
    assert ages[0] == "Under 16" and ages[-2] == "85+"
    ethnicity = fft_survey.question("ethnicity").options
    assert len(ethnicity) == 20
    assert {o.code for o in ethnicity} == set("ABCDEFGHJKLMNPRS") | {"Z"}
    assert fft_survey.question("condition_reduces_activities").show_if == Condition(
        question="long_term_condition", equals="yes")


def test_text_falls_back_to_the_default_language(kitchen_sink) -> None:
    fft = kitchen_sink.question("fft")
    assert kitchen_sink.text(fft, "cy").startswith("Yn gyffredinol")
    assert kitchen_sink.text(fft, "pl") == FFT_QUESTION_EN
    assert kitchen_sink.text(fft.options[0], "pl") == "Very good"
    assert kitchen_sink.text(kitchen_sink.question("why").help, "cy") == ""
    assert kitchen_sink.text(kitchen_sink.title, "cy") == "Dywedwch wrthym am eich ymweliad"


def test_a_condition_never_confuses_yes_with_code_1() -> None:
    assert not Condition(question="q", equals=1).holds({"q": True})
    assert not Condition(question="q", equals=True).holds({"q": 1})
    assert Condition(question="q", in_=(4, 5)).holds({"q": 5})
    assert not Condition(question="q", equals=None).holds({})
    assert Condition(question="q", equals=MISSING, includes="a").holds({"q": ("a", "b")})


# ---------------------------------------------------------------- JSON and top level


def test_a_file_that_is_not_json_names_the_line_and_column() -> None:
    with pytest.raises(SurveyValidationError) as caught:
        load_survey(DATA / "bad_syntax.json")
    assert caught.value.problems[0].startswith("line 5 column 3: Expecting ',' delimiter")
    assert "fix the JSON there" in caught.value.problems[0]
    assert "bad_syntax.json" in str(caught.value)


def test_a_file_that_is_not_utf8_says_so(tmp_path: Path) -> None:
    path = tmp_path / "latin1.json"
    path.write_bytes('{"id": "caf\u00e9"}'.encode("latin-1"))
    with pytest.raises(SurveyValidationError, match="save the file as UTF-8"):
        load_survey(path)


def test_a_missing_file_is_a_survey_error_naming_it(tmp_path: Path) -> None:
    with pytest.raises(SurveyError, match="nowhere.json: cannot read the survey file"):
        load_survey(tmp_path / "nowhere.json")


def test_every_problem_in_a_file_is_reported_at_once() -> None:
    with pytest.raises(SurveyValidationError) as caught:
        load_survey(DATA / "many_problems.json")
    found = caught.value.problems
    expected = [
        "extra is not a known key",
        "default_language is \"fr\", which is not in languages",
        "questions[1].max_length is 0",
        "questions[2].id 'why' is already used by questions[1]",
        "questions[3].show_if refers to 'q9', which does not exist: use the id of an earlier "
        "question",
        "questions[4].kind is \"rating\", an unknown kind",
    ]
    for fragment in expected:
        assert any(fragment in p for p in found), (fragment, found)
    assert len(found) == len(expected)


def test_the_top_level_must_be_an_object() -> None:
    assert problems([1, 2]) == [
        "(top level) is [1, 2]: the file must hold one JSON object with the keys id, version, "
        "title, languages, default_language, questions"]


@pytest.mark.parametrize("key", ["id", "version", "title", "languages", "default_language",
                                 "questions"])
def test_each_top_level_key_is_required(survey_data, key: str) -> None:
    del survey_data[key]
    one_problem(survey_data, key, "is missing: add it")


def test_wrong_types_say_what_is_expected(survey_data) -> None:
    survey_data["version"] = "3"
    one_problem(survey_data, "version", 'is "3": it must be a whole number')
    survey_data["version"] = True
    one_problem(survey_data, "version", "is true: it must be a whole number")
    survey_data["version"] = 0
    one_problem(survey_data, "version", "is 0: it must be 1 or more")


def test_ids_must_be_simple(survey_data) -> None:
    survey_data["questions"][1]["id"] = "Why?"
    one_problem(survey_data, "questions[1].id", "lower-case letters, digits and _")


def test_unknown_keys_are_named_everywhere(survey_data) -> None:
    survey_data["colour"] = "blue"
    survey_data["questions"][2]["requird"] = True
    survey_data["questions"][2]["options"][0]["label"] = "x"
    one_problem(survey_data, "colour", "is not a known key: remove it or correct its spelling")
    one_problem(survey_data, "questions[2].requird", "known keys: id, kind, text, required")
    one_problem(survey_data, "questions[2].options[0].label", "known keys: id, text, code")


# ---------------------------------------------------------------- languages and texts


def test_languages_must_be_supported_unique_and_include_english(survey_data) -> None:
    survey_data["languages"] = ["cy", "klingon", "cy"]
    found = problems(survey_data)
    assert any(p.startswith("languages[1] is \"klingon\", which the kiosk does not support: use "
                            "one of en, en-x-easy") for p in found)
    assert any(p.startswith('languages[2] repeats "cy"') for p in found)
    assert any(p.startswith('languages does not include "en": add it') for p in found)


def test_a_missing_translation_names_the_language(survey_data) -> None:
    del survey_data["questions"][3]["options"][1]["text"]["cy"]
    one_problem(survey_data, "questions[3].options[1].text", "has no text in 'cy'",
                "add text for every language listed in 'languages'")


def test_every_text_needs_every_listed_language(survey_data) -> None:
    survey_data["languages"].append("pl")
    found = problems(survey_data)
    assert "title has no text in 'pl': add text for every language listed in 'languages'" in found
    assert any(p.startswith("questions[9].options[1].text has no text in 'pl'") for p in found)


def test_text_in_an_unlisted_language_or_empty_text(survey_data) -> None:
    survey_data["questions"][1]["text"]["pl"] = "Dlaczego?"
    survey_data["questions"][2]["text"]["cy"] = "  "
    one_problem(survey_data, "questions[1].text.pl", "add 'pl' to languages or remove this text")
    one_problem(survey_data, "questions[2].text.cy", "must be non-empty text")


def test_default_language_must_be_listed(survey_data) -> None:
    survey_data["default_language"] = "pl"
    one_problem(survey_data, "default_language", "use one of en, cy")


# ---------------------------------------------------------------- questions


def test_unknown_kind_is_named_with_the_known_ones(survey_data) -> None:
    survey_data["questions"][2]["kind"] = "dropdown"
    one_problem(survey_data, "questions[2].kind", '"dropdown", an unknown kind',
                "use one of fft, single_choice, multi_choice, yes_no, free_text")


def test_duplicate_question_ids(survey_data) -> None:
    survey_data["questions"][2]["id"] = "why"
    one_problem(survey_data, "questions[2].id", "'why' is already used by questions[1]",
                "give every question its own id")


def test_duplicate_option_ids(survey_data) -> None:
    survey_data["questions"][2]["options"][1]["id"] = "patient"
    one_problem(survey_data, "questions[2].options[1].id", "repeats 'patient'")


def test_free_text_needs_a_positive_max_length(survey_data) -> None:
    del survey_data["questions"][1]["max_length"]
    one_problem(survey_data, "questions[1]", "has no max_length: add one")
    survey_data["questions"][1]["max_length"] = -5
    one_problem(survey_data, "questions[1].max_length", "must be a whole number above 0")
    survey_data["questions"][1]["max_length"] = 1.5
    one_problem(survey_data, "questions[1].max_length", "must be a whole number above 0")


def test_max_length_and_options_only_where_they_mean_something(survey_data) -> None:
    survey_data["questions"][2]["max_length"] = 10
    survey_data["questions"][6]["options"] = []
    one_problem(survey_data, "questions[2].max_length", "only used by free_text questions")
    one_problem(survey_data, "questions[6].options", "not used by yes_no questions: remove it")


def test_choice_questions_need_options(survey_data) -> None:
    survey_data["questions"][2]["options"] = survey_data["questions"][2]["options"][:1]
    del survey_data["questions"][3]["options"]
    one_problem(survey_data, "questions[2].options", "a single_choice question needs at least 2")
    one_problem(survey_data, "questions[3].options", "is missing: add it")


def test_questions_and_options_must_be_objects(survey_data) -> None:
    survey_data["questions"].append("What else?")
    survey_data["questions"][2]["options"].append("Nurse")
    one_problem(survey_data, "questions[10]", 'is "What else?": it must be a question object')
    one_problem(survey_data, "questions[2].options[3]", "it must be an option object")


def test_option_codes_are_numbers_or_text(survey_data) -> None:
    survey_data["questions"][2]["options"][0]["code"] = [1]
    one_problem(survey_data, "questions[2].options[0].code", "a number or a short code")


def test_a_survey_needs_a_free_text_follow_up(survey_data) -> None:
    survey_data["questions"] = [q for q in survey_data["questions"] if q["kind"] != "free_text"]
    one_problem(survey_data, "questions", "has no free_text question",
                "Please can you tell us why you gave your answer?")


# ---------------------------------------------------------------- the FFT question


def test_a_survey_needs_exactly_one_fft_question(survey_data) -> None:
    fft = survey_data["questions"][0]
    survey_data["questions"].append(dict(fft, id="fft2"))
    one_problem(survey_data, "questions[10]", "is a second fft question (the first is "
                "questions[0]): keep exactly one")
    survey_data["questions"] = survey_data["questions"][1:-1]
    one_problem(survey_data, "questions", 'has no "fft" question')


def test_the_fft_wording_must_be_verbatim(survey_data) -> None:
    survey_data["questions"][0]["text"]["en"] = "How was your visit?"
    survey_data["questions"][0]["options"][5]["text"]["en"] = "Do not know"
    one_problem(survey_data, "questions[0].text.en",
                f'use NHS England\'s exact words "{FFT_QUESTION_EN}"')
    one_problem(survey_data, "questions[0].options[5].text.en",
                'code 6 must read exactly "Don\'t know"')


def test_the_fft_needs_six_codes_once_each_in_order(survey_data) -> None:
    options = survey_data["questions"][0]["options"]
    survey_data["questions"][0]["options"] = options[:5]
    one_problem(survey_data, "questions[0].options", "exactly six options with codes 1 to 6",
                "6 Don't know")
    options[5]["code"] = 5
    survey_data["questions"][0]["options"] = options
    one_problem(survey_data, "questions[0].options", "has codes [1, 2, 3, 4, 5, 5]")
    options[5]["code"] = 6
    survey_data["questions"][0]["options"] = options[::-1]
    one_problem(survey_data, "questions[0].options", "are not in the order of their codes")


def test_the_fft_is_required_and_always_shown(survey_data) -> None:
    survey_data["questions"][0]["required"] = False
    one_problem(survey_data, "questions[0].required", "must be true")
    survey_data["questions"][0]["required"] = True
    survey_data["questions"][0]["show_if"] = {"question": "fft", "equals": 1}
    assert ("questions[0].show_if must not be set: the FFT question is always shown"
            in problems(survey_data))


# ---------------------------------------------------------------- show_if


def test_show_if_on_a_question_that_does_not_exist(survey_data) -> None:
    survey_data["questions"][3]["show_if"] = {"question": "q9", "equals": "food"}
    assert ("questions[3].show_if refers to 'q9', which does not exist: use the id of an earlier "
            "question") in problems(survey_data)


def test_show_if_on_a_later_question_or_itself(survey_data) -> None:
    survey_data["questions"][2]["show_if"] = {"question": "contact_wanted", "equals": True}
    survey_data["questions"][6]["show_if"] = {"question": "contact_wanted", "equals": True}
    one_problem(survey_data, "questions[2].show_if", "which comes later (questions[6])",
                "can only depend on an earlier one")
    one_problem(survey_data, "questions[6].show_if", "its own question")


@pytest.mark.parametrize("condition, path, fragment", [
    ({"question": "who", "equals": "nurse"}, "questions[3].show_if.equals",
     '"nurse", which is not an answer to \'who\': use one of "patient", "carer", "staff"'),
    ({"question": "fft", "in": [1, 7]}, "questions[3].show_if.in",
     "7, which is not an answer to 'fft': use one of 1, 2, 3, 4, 5, 6"),
    ({"question": "fft", "equals": True}, "questions[3].show_if.equals",
     "true, which is not an answer to 'fft'"),
    ({"question": "fft", "in": []}, "questions[3].show_if.in", "must be a non-empty list"),
    ({"question": "who", "includes": "patient"}, "questions[3].show_if.includes",
     "use 'equals' or 'in'; 'includes' is for multi_choice"),
    ({"question": "why", "equals": "x"}, "questions[3].show_if",
     "depends on 'why', a free_text question"),
    ({"question": "who"}, "questions[3].show_if",
     "must name a 'question' and exactly one of 'equals', 'in' or 'includes'"),
    ({"question": "who", "equals": "patient", "in": ["carer"]}, "questions[3].show_if",
     "exactly one of"),
    ("who", "questions[3].show_if", "must be a condition object"),
    ({"all": []}, "questions[3].show_if.all", "must be a non-empty list of conditions"),
    ({"any": [{"question": "fft", "equals": 1}], "question": "fft"}, "questions[3].show_if",
     "mixes 'any' with other keys"),
    ({"all": [{"question": "fft", "equals": 1}, {"question": "q9", "equals": 1}]},
     "questions[3].show_if.all[1]", "refers to 'q9', which does not exist"),
])
def test_show_if_values_must_fit_the_question_they_test(survey_data, condition, path,
                                                        fragment) -> None:
    survey_data["questions"][3]["show_if"] = condition
    one_problem(survey_data, path, fragment)


def test_show_if_on_multi_choice_uses_includes(survey_data) -> None:
    survey_data["questions"][4]["show_if"] = {"question": "topics", "equals": "food"}
    one_problem(survey_data, "questions[4].show_if.equals", "use 'includes' with one option id")
    survey_data["questions"][4]["show_if"] = {"question": "topics", "includes": "parking"}
    one_problem(survey_data, "questions[4].show_if.includes", '"parking", which is not an answer')


def test_show_if_on_yes_no_takes_booleans(survey_data) -> None:
    survey_data["questions"][7]["show_if"] = {"question": "contact_wanted", "equals": "yes"}
    one_problem(survey_data, "questions[7].show_if.equals", "use one of true, false")


# ---------------------------------------------------------------- opt-in before personal details


def test_contact_without_show_if_is_refused(survey_data) -> None:
    del survey_data["questions"][7]["show_if"]
    one_problem(survey_data, "questions[7]", "has no show_if: contact details may only be asked "
                'after an explicit yes; add "show_if": {"question": "<an earlier yes_no '
                'question>", "equals": true}')


@pytest.mark.parametrize("condition", [
    {"question": "contact_wanted", "equals": False},
    {"question": "contact_wanted", "in": [True]},
    {"question": "who", "equals": "patient"},
    {"any": [{"question": "contact_wanted", "equals": True}, {"question": "fft", "equals": 1}]},
])
def test_contact_needs_an_explicit_yes(survey_data, condition) -> None:
    survey_data["questions"][7]["show_if"] = condition
    one_problem(survey_data, "questions[7].show_if", "does not require an explicit yes")


def test_involvement_behind_all_with_a_yes_is_fine_but_not_without(survey_data) -> None:
    parse_survey(survey_data, "ok.json")  # 'all' with the yes gate inside
    survey_data["questions"][9]["show_if"] = {"all": [{"question": "fft", "in": [1, 2]}]}
    one_problem(survey_data, "questions[9].show_if", "involvement details may only be asked after "
                "a yes_no question answered yes")


def test_personal_details_are_never_required(survey_data) -> None:
    survey_data["questions"][7]["required"] = True
    one_problem(survey_data, "questions[7].required", "everyone may stay anonymous")


def test_contact_and_involvement_options_come_from_the_fixed_lists(survey_data) -> None:
    survey_data["questions"][7]["options"][0]["id"] = "carrier_pigeon"
    survey_data["questions"][9]["options"][0]["id"] = "fundraising"
    one_problem(survey_data, "questions[7].options[0].id", "use one of large_print, easy_read")
    one_problem(survey_data, "questions[9].options[0].id", "use one of patient_panel")


def test_only_one_contact_question(survey_data) -> None:
    survey_data["questions"].append(dict(survey_data["questions"][7], id="contact2"))
    one_problem(survey_data, "questions[10]", "is a second contact question")


# ---------------------------------------------------------------- install


def _files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_install_replaces_the_live_survey_with_a_good_one(tmp_path: Path, survey_data) -> None:
    live = tmp_path / "live" / "survey.json"
    survey = install_survey(FFT_JSON, live)
    assert survey.id == "fft" and live.read_bytes() == FFT_JSON.read_bytes()
    raw = json.dumps(survey_data).encode()
    assert install_survey(raw, live).id == "ward_test"
    assert live.read_bytes() == raw
    assert _files(live.parent) == ["survey.json"]  # no temp file left behind
    assert oct(live.stat().st_mode & 0o777) == "0o644"


def test_a_bad_survey_never_replaces_a_good_one(tmp_path: Path, survey_data) -> None:
    live = tmp_path / "survey.json"
    install_survey(FFT_JSON, live)
    before = live.read_bytes()
    survey_data["questions"][0]["text"]["en"] = "Overall, how was your experience?"
    with pytest.raises(SurveyValidationError) as caught:
        install_survey(json.dumps(survey_data).encode(), live, source="from central")
    assert str(caught.value).startswith("from central: 1 problem(s)")
    with pytest.raises(SurveyValidationError):
        install_survey(DATA / "bad_syntax.json", live)
    with pytest.raises(SurveyError):
        install_survey(tmp_path / "missing.json", live)
    assert live.read_bytes() == before
    assert _files(tmp_path) == ["survey.json"]
    assert load_survey(live).id == "fft"


def test_an_install_that_cannot_write_keeps_the_old_survey(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the survey folder should be")
    with pytest.raises(SurveyError, match="cannot install the survey .*previous survey is still"):
        install_survey(FFT_JSON, blocker / "survey.json")
    assert blocker.read_text() == "a file where the survey folder should be"


def test_a_failed_replace_cleans_up_and_leaves_the_target_alone(tmp_path: Path) -> None:
    live = tmp_path / "survey.json"
    live.mkdir()  # os.replace cannot put a file over a folder: the write fails at the last step
    (live / "keep.txt").write_text("untouched")
    with pytest.raises(SurveyError, match="previous survey is still in use"):
        install_survey(FFT_JSON, live)
    assert (live / "keep.txt").read_text() == "untouched"
    assert _files(tmp_path) == ["survey.json"]  # the temp file was removed


# ---------------------------------------------------------------- the docs


def test_the_docs_example_is_a_valid_survey_and_every_key_and_kind_is_documented() -> None:
    doc = (ROOT / "docs" / "surveys.md").read_text(encoding="utf-8")
    example = re.findall(r"```json\n(.*?)```", doc, re.S)[-1]
    assert parse_survey(json.loads(example), "docs/surveys.md").id == "outpatients"
    documented = set(re.findall(r"^\| `([a-z_]+)` \|", doc, re.M))
    assert set(KINDS) <= documented
    assert set(SURVEY_KEYS) | set(QUESTION_KEYS) <= documented
    for tag in LANGUAGES:
        assert f"`{tag}`" in doc


def test_translation_review_flags_are_kept_and_checked(survey_data) -> None:
    lang = next(lang for lang in survey_data["languages"] if lang != "en")
    survey_data["translation_review"] = {lang: "needs review by a qualified translator"}
    assert parse_survey(survey_data, "t.json").translation_review == {
        lang: "needs review by a qualified translator"}
    survey_data["translation_review"] = {"xx": "needs review"}
    one_problem(survey_data, "translation_review.xx", "does not list", "remove this entry")
    survey_data["translation_review"] = {lang: "  "}
    one_problem(survey_data, f"translation_review.{lang}", "must be a note")


def test_the_default_survey_lists_every_machine_translation_for_review() -> None:
    survey = load_survey(FFT_JSON)
    assert set(survey.translation_review) == set(survey.languages) - {"en"}
