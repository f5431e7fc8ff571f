"""The default survey's translations (machine-made, see docs/surveys.md) keep the FFT's meaning
one-to-one in every language, and the Easy Read variant keeps to Easy Read rules."""
from __future__ import annotations

import re

import pytest

from kiosk.languages import language_tags

SENTENCE_END = re.compile(r"(?<=[.?!])\s+")
ACRONYM = re.compile(r"\b[A-Z]{2,}\b")


def test_the_survey_offers_every_kiosk_language(survey):
    assert set(survey.languages) == set(language_tags())


@pytest.mark.parametrize("language", language_tags())
def test_fft_answers_are_six_distinct_texts_in_code_order(survey, language):
    fft = next(q for q in survey.questions if q.kind == "fft")
    assert [o.code for o in fft.options] == [1, 2, 3, 4, 5, 6]
    texts = [o.text[language] for o in fft.options]
    assert len(set(texts)) == 6, texts  # never two codes under one wording


@pytest.mark.parametrize("language", language_tags())
def test_no_two_options_of_a_question_read_the_same(survey, language):
    for question in survey.questions:
        texts = [o.text[language] for o in question.options]
        assert len(set(texts)) == len(texts), (question.id, texts)


def test_easy_read_has_short_sentences_and_no_acronyms(survey):
    texts = [survey.title["en-x-easy"]]
    for question in survey.questions:
        texts += [question.text["en-x-easy"]] + [o.text["en-x-easy"] for o in question.options]
        texts += [question.help["en-x-easy"]] if question.help else []
    for text in texts:
        for sentence in SENTENCE_END.split(text):
            assert len(sentence.split()) <= 15, sentence
        assert not ACRONYM.search(text), text
