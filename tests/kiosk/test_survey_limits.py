"""Survey limits (kiosk/survey/limits.py): every size is accepted at its limit and refused one past
it with the path, the size and the limit; repeated JSON keys are refused with their path; a too-big
file is refused by its size before it is read; and a refused survey leaves the last good one live,
both for an installed file and for content from the central record."""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from kiosk.content import ContentStore
from kiosk.errors import SurveyError, SurveyValidationError
from kiosk.survey import LANGUAGES, LIMITS, install_survey, load_survey, parse_survey
from kiosk.survey import limits as L
from tests.kiosk.conftest import FFT_JSON, ROOT


def problems(data: Any) -> list[str]:
    with pytest.raises(SurveyValidationError) as caught:
        parse_survey(data, "ward.json")
    assert str(caught.value).startswith(f"ward.json: {len(caught.value.problems)} problem(s)")
    return caught.value.problems


def one_problem(data: Any, path: str, *fragments: str) -> str:
    """The single problem at ``path`` (and no other), checked to contain each fragment."""
    found = problems(data)
    assert len(found) == 1 and found[0].startswith(path + " "), (path, found)
    for fragment in fragments:
        assert fragment in found[0], (fragment, found[0])
    return found[0]


def over_limit(data: Any, path: str, size: int, limit: int) -> str:
    return one_problem(data, path, f"is {size:,} characters long, over the limit of {limit:,}")


# ---------------------------------------------------------------- lengths of text

# (how to reach the value in the kitchen-sink survey, its JSON path, its limit)
TEXTS = [
    (("title", "cy"), "title.cy", L.MAX_TITLE_CHARS),
    (("questions", 1, "text", "cy"), "questions[1].text.cy", L.MAX_QUESTION_CHARS),
    (("questions", 3, "help", "en"), "questions[3].help.en", L.MAX_HELP_CHARS),
    (("questions", 2, "options", 0, "text", "cy"), "questions[2].options[0].text.cy",
     L.MAX_OPTION_CHARS),
    (("questions", 8, "section"), "questions[8].section", L.MAX_ID_CHARS),
    (("questions", 2, "options", 2, "code"), "questions[2].options[2].code", L.MAX_CODE_CHARS),
    (("translation_review", "cy"), "translation_review.cy", L.MAX_NOTE_CHARS),
]
IDS = [  # ids nothing else refers to, so a new one breaks no show_if
    (("id",), "id"),
    (("questions", 1, "id"), "questions[1].id"),
    (("questions", 2, "options", 0, "id"), "questions[2].options[0].id"),
]


def _set(data: dict, where: tuple, value: Any) -> None:
    for key in where[:-1]:
        data = data.setdefault(key, {}) if isinstance(key, str) else data[key]
    data[where[-1]] = value


def _get(survey: Any, path: str) -> Any:
    """The value at a JSON path of the parsed survey (dataclasses or dicts)."""
    value = survey
    for key, index in re.findall(r"([a-z_]+)|\[(\d+)\]", path):
        value = value[int(index)] if index else (
            value[key] if isinstance(value, dict) else getattr(value, key))
    return value


@pytest.mark.parametrize(("where", "path", "limit"), TEXTS, ids=[t[1] for t in TEXTS])
def test_each_text_is_accepted_at_its_limit_and_refused_past_it(survey_data, where, path,
                                                                limit) -> None:
    _set(survey_data, where, "x" * limit)
    assert _get(parse_survey(survey_data, "ward.json"), path) == "x" * limit
    _set(survey_data, where, "x" * (limit + 1))
    over_limit(survey_data, path, limit + 1, limit)


@pytest.mark.parametrize(("where", "path"), IDS, ids=[i[1] for i in IDS])
def test_each_id_is_accepted_at_its_limit_and_refused_past_it(survey_data, where, path) -> None:
    _set(survey_data, where, "a" * L.MAX_ID_CHARS)
    assert _get(parse_survey(survey_data, "ward.json"), path) == "a" * L.MAX_ID_CHARS
    _set(survey_data, where, "a" * (L.MAX_ID_CHARS + 1))
    over_limit(survey_data, path, L.MAX_ID_CHARS + 1, L.MAX_ID_CHARS)


def test_a_5_mb_question_is_refused_with_its_size_and_quoted_briefly(survey_data) -> None:
    survey_data["questions"][3]["text"]["cy"] = "Beth " * 1_000_000
    problem = over_limit(survey_data, "questions[3].text.cy", 5_000_000, L.MAX_QUESTION_CHARS)
    assert "shorten it" in problem and "help" in problem and len(problem) < 300


def test_a_huge_unknown_key_is_named_but_cut_short(survey_data) -> None:
    survey_data["k" * 100_000] = 1
    problem = one_problem(survey_data, "k" * (L.MAX_ID_CHARS - 3) + "...", "not a known key")
    assert len(problem) < 400


# ---------------------------------------------------------------- numbers


def test_max_length_is_accepted_at_5000_and_refused_past_it(survey_data) -> None:
    survey_data["questions"][1]["max_length"] = L.MAX_FREE_TEXT_LENGTH
    assert parse_survey(survey_data, "ward.json").question("why").max_length == 5000
    for too_big in (L.MAX_FREE_TEXT_LENGTH + 1, 1_000_000_000):
        survey_data["questions"][1]["max_length"] = too_big
        one_problem(survey_data, "questions[1].max_length", f"is {too_big:,}, over the limit "
                    f"of {L.MAX_FREE_TEXT_LENGTH:,} characters", "e.g. 1000")


def test_version_and_number_codes_are_limited(survey_data) -> None:
    survey_data["version"] = L.MAX_NUMBER
    survey_data["questions"][2]["options"][0]["code"] = L.MAX_NUMBER
    survey = parse_survey(survey_data, "ward.json")
    assert survey.version == L.MAX_NUMBER and survey.question("who").options[0].code == L.MAX_NUMBER
    survey_data["version"] = L.MAX_NUMBER + 1
    one_problem(survey_data, "version", f"over the limit of {L.MAX_NUMBER:,}")
    survey_data["version"] = 3
    survey_data["questions"][2]["options"][0]["code"] = L.MAX_NUMBER + 1
    one_problem(survey_data, "questions[2].options[0].code", f"from 0 to {L.MAX_NUMBER:,}")


# ---------------------------------------------------------------- counts


def _free_text(i: int) -> dict:
    return {"id": f"extra_{i}", "kind": "free_text", "max_length": 10,
            "text": {"en": f"Extra {i}", "cy": f"Ychwanegol {i}"}}


def test_questions_are_accepted_up_to_the_limit_and_refused_past_it(survey_data) -> None:
    have = len(survey_data["questions"])
    survey_data["questions"] += [_free_text(i) for i in range(L.MAX_QUESTIONS - have)]
    assert len(parse_survey(survey_data, "ward.json").questions) == L.MAX_QUESTIONS
    survey_data["questions"].append(_free_text(999))
    one_problem(survey_data, "questions", f"has {L.MAX_QUESTIONS + 1:,} questions, over the "
                f"limit of {L.MAX_QUESTIONS:,}", "split it")


def _option(i: int) -> dict:
    return {"id": f"topic_{i}", "text": {"en": f"Topic {i}", "cy": f"Pwnc {i}"}}


def test_options_are_accepted_up_to_the_limit_and_refused_past_it(survey_data) -> None:
    options = survey_data["questions"][3]["options"]
    options += [_option(i) for i in range(L.MAX_OPTIONS - len(options))]
    assert len(parse_survey(survey_data, "ward.json").question("topics").options) == 50
    options.append(_option(999))
    one_problem(survey_data, "questions[3].options", f"has {L.MAX_OPTIONS + 1} options, over "
                f"the limit of {L.MAX_OPTIONS}")


def _in_languages(data: Any, languages: list[str]) -> None:
    """Give every text in ``data`` a (copied English) text in each of ``languages``."""
    if isinstance(data, dict):
        if isinstance(data.get("en"), str) and set(data) <= {"en", "cy"}:
            data.update({lang: data.get(lang) or data["en"] for lang in languages})
        for value in data.values():
            _in_languages(value, languages)
    elif isinstance(data, list):
        for value in data:
            _in_languages(value, languages)


def test_languages_are_accepted_up_to_the_limit_and_refused_past_it(survey_data) -> None:
    survey_data["languages"] = list(LANGUAGES)
    _in_languages(survey_data["questions"], list(LANGUAGES))
    _in_languages(survey_data["title"], list(LANGUAGES))
    assert len(parse_survey(survey_data, "ward.json").languages) == L.MAX_LANGUAGES
    survey_data["languages"].append("en")
    one_problem(survey_data, "languages", f"has {L.MAX_LANGUAGES + 1} entries, over the limit "
                f"of {L.MAX_LANGUAGES}")


def test_a_text_in_more_languages_than_exist_is_one_problem(survey_data) -> None:
    survey_data["title"].update({f"x{i}": "t" for i in range(L.MAX_LANGUAGES - 2)})  # + en, cy
    assert len(problems(survey_data)) == L.MAX_LANGUAGES - 2  # each an unlisted language
    survey_data["title"]["x99"] = "t"
    one_problem(survey_data, "title", f"has {L.MAX_LANGUAGES + 1} languages, over the limit")


def _nested(levels: int) -> dict:
    cond: dict = {"question": "contact_wanted", "equals": True}
    for _ in range(levels):
        cond = {"all": [cond]}
    return cond


def test_show_if_nesting_is_accepted_at_the_limit_and_refused_past_it(survey_data) -> None:
    survey_data["questions"][7]["show_if"] = _nested(L.MAX_CONDITION_DEPTH)
    assert parse_survey(survey_data, "ward.json").question("contact").show_if is not None
    survey_data["questions"][7]["show_if"] = _nested(L.MAX_CONDITION_DEPTH + 1)
    where = "questions[7].show_if" + ".all[0]" * L.MAX_CONDITION_DEPTH + ".all"
    one_problem(survey_data, where, f"more than {L.MAX_CONDITION_DEPTH} levels deep")


def test_show_if_lists_are_accepted_at_the_limit_and_refused_past_it(survey_data) -> None:
    show_if = survey_data["questions"][5]["show_if"]
    show_if["any"][0]["in"] = [4] * L.MAX_CONDITION_ITEMS
    show_if["any"] += [{"question": "who", "equals": "staff"}] * (L.MAX_CONDITION_ITEMS - 2)
    assert len(parse_survey(survey_data, "ward.json").question("low_why").show_if.any_) == 20
    show_if["any"][0]["in"].append(5)
    one_problem(survey_data, "questions[5].show_if.any[0].in", "has 21 answers, over the limit")
    show_if["any"][0]["in"] = [4]
    show_if["any"].append({"question": "who", "equals": "staff"})
    one_problem(survey_data, "questions[5].show_if.any", "has 21 conditions, over the limit")


def test_a_flood_of_problems_is_cut_to_a_readable_report(survey_data) -> None:
    survey_data.update({f"junk_{i}": i for i in range(L.MAX_REPORTED_PROBLEMS + 50)})
    found = problems(survey_data)
    assert len(found) == L.MAX_REPORTED_PROBLEMS + 1
    assert found[-1] == "... and 50 more problem(s) not listed: fix these first, then check again"


# ---------------------------------------------------------------- the file and its JSON


def _write(path: Path, data: dict, pad_to: int | None = None) -> Path:
    raw = json.dumps(data, ensure_ascii=False).encode()
    path.write_bytes(raw + b" " * ((pad_to or len(raw)) - len(raw)))
    return path


def test_a_file_is_accepted_at_the_size_limit_and_refused_past_it(tmp_path, survey_data) -> None:
    at = _write(tmp_path / "at.json", survey_data, pad_to=L.MAX_FILE_BYTES)
    assert load_survey(at).id == "ward_test"
    past = _write(tmp_path / "past.json", survey_data, pad_to=L.MAX_FILE_BYTES + 1)
    with pytest.raises(SurveyValidationError) as caught:
        load_survey(past)
    assert caught.value.problems == [
        f"(file) is 1,000,001 bytes, over the limit of {L.MAX_FILE_BYTES:,} bytes for a survey "
        "file: check it is the right file (the default survey in 14 languages is about 95,000 "
        "bytes), or split it into shorter surveys"]
    assert str(caught.value).startswith(f"{past}: 1 problem(s)")


def test_a_huge_file_is_refused_by_its_size_before_it_is_read(tmp_path) -> None:
    huge = tmp_path / "huge.json"
    with huge.open("wb") as fh:  # sparse: 5 GB on paper, nothing on disk; not JSON at all
        fh.truncate(5_000_000_000)
    with pytest.raises(SurveyValidationError, match=r"is 5,000,000,000 bytes, over the limit"):
        load_survey(huge)
    with pytest.raises(SurveyValidationError, match=r"is 1,000,001 bytes"):
        install_survey(b"{" * (L.MAX_FILE_BYTES + 1), tmp_path / "live.json")
    assert not (tmp_path / "live.json").exists()


def test_a_repeated_key_is_refused_with_its_path(survey_data) -> None:
    raw = json.dumps(survey_data)
    assert raw.count('"cy": "[cy] Why?"') == 1
    raw = raw.replace('"cy": "[cy] Why?"', '"cy": "[cy] Why?", "cy": "Pam?"')
    raw = raw.replace('"id": "ward_test"', '"id": "ward_test", "id": "w2", "id": "w3"')
    with pytest.raises(SurveyValidationError) as caught:
        install_survey(raw.encode(), Path("/nonexistent/never-written.json"), source="ward.json")
    assert caught.value.problems == [
        "id appears 3 times in one object: keep only one (a JSON reader silently uses the last "
        "and drops the others)",
        "questions[1].text.cy appears 2 times in one object: keep only one (a JSON reader "
        "silently uses the last and drops the others)"]


def test_a_repeated_key_is_reported_with_the_other_problems(survey_data) -> None:
    raw = json.dumps(survey_data).replace('"max_length": 50', '"max_length": 50, '
                                          '"max_length": 1000000000')
    with pytest.raises(SurveyValidationError) as caught:
        install_survey(raw.encode(), Path("/nonexistent/x.json"))
    assert [p.split(" ")[0] for p in caught.value.problems] == [
        "questions[1].max_length", "questions[1].max_length"]
    assert "appears 2 times" in caught.value.problems[0]
    assert "is 1,000,000,000, over the limit of 5,000" in caught.value.problems[1]


@pytest.mark.parametrize(("raw", "fragment"), [
    (b'{"id": NaN}', "(file) holds NaN, which is not a JSON number"),
    (b'{"version": ' + b"9" * 5000 + b"}", "(file) holds a number too long to read"),
    (b"[" * 100_000 + b"]" * 100_000, "(file) nests lists or objects too deeply to read"),
])
def test_json_that_python_would_misread_is_a_survey_problem(raw: bytes, fragment: str) -> None:
    with pytest.raises(SurveyValidationError) as caught:
        install_survey(raw, Path("/nonexistent/x.json"), source="ward.json")
    assert caught.value.problems[0].startswith(fragment), caught.value.problems


# ---------------------------------------------------------------- the last good survey stays


def test_a_refused_install_keeps_the_last_good_survey_live(tmp_path, survey_data) -> None:
    live = tmp_path / "survey.json"
    install_survey(FFT_JSON, live)
    before = live.read_bytes()
    survey_data["questions"][1]["max_length"] = 1_000_000_000
    big = _write(tmp_path / "big.json", survey_data, pad_to=L.MAX_FILE_BYTES + 1)
    for candidate in (json.dumps(survey_data).encode(), big):
        with pytest.raises(SurveyError) as caught:
            install_survey(candidate, live)
        assert caught.value.user_message.endswith("The previous survey is still in use.")
    assert live.read_bytes() == before and load_survey(live).id == "fft"


def test_content_with_an_over_limit_survey_keeps_the_last_good_content(tmp_path,
                                                                       survey_data) -> None:
    store = ContentStore(tmp_path)
    store.apply({"surveys": [json.loads(FFT_JSON.read_text(encoding="utf-8"))]}, '"v1"')
    before = store.path.read_bytes()
    survey_data["questions"][3]["text"]["cy"] = "x" * (L.MAX_QUESTION_CHARS + 1)
    with pytest.raises(SurveyValidationError) as caught:
        store.apply({"surveys": [survey_data]}, '"v2"')
    assert caught.value.problems == [
        "questions[3].text.cy is 1,001 characters long, over the limit of 1,000 for a question's "
        "text: shorten it (detail can go in the question's \"help\" text)"]
    assert caught.value.source == "content from the central record.surveys[0]"
    assert store.version() == '"v1"' and store.survey().id == "fft"
    assert store.path.read_bytes() == before
    assert ContentStore(tmp_path).survey().id == "fft"


# ---------------------------------------------------------------- the docs


def test_every_limit_is_in_the_docs_table_with_its_value() -> None:
    doc = (ROOT / "docs" / "surveys.md").read_text(encoding="utf-8")
    rows = dict(re.findall(r"^\| `(MAX_[A-Z_]+)` \| ([\d,]+) \|", doc, re.M))
    assert rows == {name: f"{value:,}" for name, value, _ in LIMITS}
    assert {name for name in dir(L) if name.startswith("MAX_")} == set(rows)


def test_the_default_survey_is_well_inside_every_limit() -> None:
    assert FFT_JSON.stat().st_size < L.MAX_FILE_BYTES / 5
    survey = load_survey(FFT_JSON)
    assert len(survey.questions) < L.MAX_QUESTIONS / 5
    assert max(len(q.options) for q in survey.questions) < L.MAX_OPTIONS / 2
    assert max(len(t) for q in survey.questions for t in q.text.values()) < L.MAX_QUESTION_CHARS / 5


def test_the_docs_example_of_refusals_is_what_the_checker_says(survey_data) -> None:
    doc = (ROOT / "docs" / "surveys.md").read_text(encoding="utf-8")
    limits = doc[doc.index("## Limits"):doc.index("### Strict JSON")]
    shown = re.search(r"```\n(.*?)```", limits, re.S).group(1).splitlines()
    survey_data["questions"][3]["text"]["cy"] = "Beth " * 1_000_000
    survey_data["questions"][5]["max_length"] = 1_000_000_000
    with pytest.raises(SurveyValidationError) as caught:
        parse_survey(survey_data, "ward7.json")
    assert str(caught.value).splitlines() == shown
