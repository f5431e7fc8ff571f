"""Survey definitions: a survey JSON file -> validated, frozen dataclasses.

A survey is checked completely before anything uses it, and every problem is reported at once, each
with its JSON path and what to do, so whoever edits a survey can fix it in one round. The rules that
are about the NHS rather than about JSON (the FFT wording and codes, opt-in before contact details,
every language present) are checked too, and every size is limited. ``install_survey`` validates
before it touches the live file: a bad survey never replaces a good one.

    model.py       Survey, Question, Option, Condition and the fixed vocabularies
    limits.py      every upper limit (file size, lengths, counts), in one place
    reader.py      Reader: the problem list and typed, limited look-ups shared by the checker
    checker.py     SurveyChecker: top level, questions, options
    conditions.py  show_if
    rules.py       the NHS rules (FFT wording and codes, opt-in before personal details)
    loading.py     strict decoding (size first, repeated keys), parse/load/install

The file format, and the limits, are described in docs/surveys.md.
"""
from __future__ import annotations

from kiosk.survey.checker import OPTION_KEYS, QUESTION_KEYS, SURVEY_KEYS
from kiosk.survey.limits import LIMITS
from kiosk.survey.loading import (
    decode_survey,
    install_survey,
    load_survey,
    parse_survey,
    parse_survey_bytes,
)
from kiosk.survey.model import (
    COMMUNICATION_NEEDS,
    CONTACT_METHODS,
    FFT_ANSWERS_EN,
    FFT_CODES,
    FFT_QUESTION_EN,
    INVOLVEMENT_INTERESTS,
    KINDS,
    LANGUAGES,
    MISSING,
    PERSONAL_KINDS,
    Condition,
    Option,
    Question,
    Survey,
    Text,
)
from kiosk.survey.reader import is_json_type

__all__ = [
    "COMMUNICATION_NEEDS", "CONTACT_METHODS", "FFT_ANSWERS_EN", "FFT_CODES", "FFT_QUESTION_EN",
    "INVOLVEMENT_INTERESTS", "KINDS", "LANGUAGES", "LIMITS", "MISSING", "OPTION_KEYS",
    "PERSONAL_KINDS", "QUESTION_KEYS", "SURVEY_KEYS", "Condition", "Option", "Question", "Survey",
    "Text", "decode_survey", "install_survey", "is_json_type", "load_survey", "parse_survey",
    "parse_survey_bytes",
]
