"""The rules about the NHS rather than about JSON (domain.md sections 1 and 4).

The FFT is asked in NHS England's exact words with codes 1-6 in order, always shown and required;
there is a free-text follow-up; contact and involvement details are asked only after an explicit
yes, never required, at most once each.
"""
from __future__ import annotations

from collections.abc import Mapping

from kiosk.survey.conditions import needs_yes
from kiosk.survey.model import (
    FFT_ANSWERS_EN,
    FFT_CODES,
    FFT_QUESTION_EN,
    PERSONAL_KINDS,
    Condition,
    Option,
    Question,
)
from kiosk.survey.reader import Reader, show


def survey_rules(reader: Reader, questions: list[Question]) -> None:
    ffts = [i for i, q in enumerate(questions) if q.kind == "fft"]
    if not ffts and questions:
        reader.add("questions", 'has no "fft" question: add the Friends and Family Test question')
    for i in ffts[1:]:
        reader.add(f"questions[{i}]", "is a second fft question (the first is "
                   f"questions[{ffts[0]}]): keep exactly one")
    for kind in sorted(PERSONAL_KINDS):
        found = [i for i, q in enumerate(questions) if q.kind == kind]
        for i in found[1:]:
            reader.add(f"questions[{i}]", f"is a second {kind} question (the first is "
                       f"questions[{found[0]}]): keep one; a record holds one set of "
                       f"{kind} details")
    if questions and not any(q.kind == "free_text" for q in questions):
        reader.add("questions", "has no free_text question: the FFT needs at least one free-text "
                   'follow-up, e.g. "Please can you tell us why you gave your answer?"')


def fft_rules(reader: Reader, q: dict, path: str, options: tuple[Option, ...],
              required: bool) -> None:
    codes = [o.code for o in options]
    if sorted(codes, key=str) != list(FFT_CODES) or len(options) != len(FFT_CODES):
        labels = ", ".join(f"{c} {t}" for c, t in zip(FFT_CODES, FFT_ANSWERS_EN, strict=True))
        reader.add(f"{path}.options", f"has codes {show(codes)}: the FFT needs exactly six "
                   f"options with codes 1 to 6, each once, in this order: {labels}")
    elif codes != list(FFT_CODES):
        reader.add(f"{path}.options", "are not in the order of their codes: put them in order 1 "
                   "(Very good) to 6 (Don't know)")
    if required is not True:
        reader.add(f"{path}.required", "must be true: the FFT question is the one everyone "
                   "answers")
    if "show_if" in q:
        reader.add(f"{path}.show_if", "must not be set: the FFT question is always shown")
    if "en" in reader.languages:
        _fft_wording(reader, q, path, options)


def _fft_wording(reader: Reader, q: dict, path: str, options: tuple[Option, ...]) -> None:
    text_en = (q.get("text") or {}).get("en") if isinstance(q.get("text"), dict) else None
    if isinstance(text_en, str) and text_en != FFT_QUESTION_EN:
        reader.add(f"{path}.text.en", f"is {show(text_en)}: use NHS England's exact words "
                   f'"{FFT_QUESTION_EN}"')
    for j, option in enumerate(options):
        if option.code in FFT_CODES and "en" in option.text:
            want = FFT_ANSWERS_EN[FFT_CODES.index(option.code)]
            if option.text["en"] != want:
                reader.add(f"{path}.options[{j}].text.en", f"is {show(option.text['en'])}: "
                           f'code {option.code} must read exactly "{want}"')


def opt_in_rules(reader: Reader, q: dict, path: str, kind: str, required: bool,
                 show_if: Condition | None, earlier: Mapping[str, Question]) -> None:
    if required:
        reader.add(f"{path}.required", f"must be false: nobody has to give {kind} details, "
                   "everyone may stay anonymous")
    fix = '{"question": "<an earlier yes_no question>", "equals": true}'
    if "show_if" not in q:
        reader.add(path, f"has no show_if: {kind} details may only be asked after an explicit "
                   f'yes; add "show_if": {fix}')
    elif show_if is not None and not needs_yes(show_if, earlier):
        reader.add(f"{path}.show_if", f"does not require an explicit yes: {kind} details may "
                   f"only be asked after a yes_no question answered yes; use {fix}")
