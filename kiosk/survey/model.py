"""The survey model: frozen dataclasses for a validated survey, and the fixed vocabularies.

Nothing here validates; ``kiosk.survey.checker`` builds these from decoded JSON.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

Text = dict[str, str]  # language tag -> text; every survey language present


class _Missing:
    """The 'no equals test' marker: ``None`` and ``False`` are real values to compare with."""

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()

LANGUAGES = ("en", "en-x-easy", "cy", "pl", "ar", "ur", "fa", "ckb", "ro", "pt",
             "zh-Hans", "zh-Hant", "bn", "so")
KINDS = ("fft", "single_choice", "multi_choice", "yes_no", "free_text", "contact", "involvement")
#: Kinds whose answers are personal details: sealed apart, and only reachable after an explicit yes.
PERSONAL_KINDS = frozenset({"contact", "involvement"})
#: NHS England's wording, verbatim (docs: /work/shared/context/domain.md section 1).
FFT_QUESTION_EN = "Overall, how was your experience of our service?"
FFT_ANSWERS_EN = ("Very good", "Good", "Neither good nor poor", "Poor", "Very poor", "Don't know")
FFT_CODES = (1, 2, 3, 4, 5, 6)
CONTACT_METHODS = ("phone", "email", "post", "text")
#: Accessible Information Standard: how the person needs information from us.
COMMUNICATION_NEEDS = ("large_print", "easy_read", "braille", "audio", "bsl_interpreter",
                       "interpreter", "email_or_text_instead_of_phone", "someone_to_help", "none")
INVOLVEMENT_INTERESTS = ("patient_panel", "volunteering", "research", "training", "reading_group")


@dataclass(frozen=True)
class Option:
    id: str
    text: Text
    code: int | str | None = None


def same_value(a: Any, b: Any) -> bool:
    # True == 1 in Python; a yes/no answer must never match an FFT code.
    return type(a) is type(b) and a == b


@dataclass(frozen=True)
class Condition:
    """``show_if``: one test on an earlier answer, or ``all_``/``any_`` of conditions."""

    question: str | None = None
    equals: Any = MISSING
    in_: tuple = ()
    includes: str | None = None
    all_: tuple[Condition, ...] = ()
    any_: tuple[Condition, ...] = ()

    def holds(self, answers: Mapping[str, Any]) -> bool:
        """Whether the condition is true; an unanswered question makes a test false."""
        if self.all_:
            return all(c.holds(answers) for c in self.all_)
        if self.any_:
            return any(c.holds(answers) for c in self.any_)
        if self.question not in answers:
            return False
        value = answers[self.question]
        if self.includes is not None:
            return isinstance(value, (list, tuple)) and self.includes in value
        if self.equals is not MISSING:
            return same_value(value, self.equals)
        return any(same_value(value, v) for v in self.in_)


@dataclass(frozen=True)
class Question:
    id: str
    kind: str
    text: Text
    required: bool = False
    options: tuple[Option, ...] = ()
    show_if: Condition | None = None
    max_length: int | None = None
    help: Text | None = None
    section: str | None = None

    def option(self, option_id: str) -> Option | None:
        return next((o for o in self.options if o.id == option_id), None)


@dataclass(frozen=True)
class Survey:
    id: str
    version: int
    title: Text
    languages: tuple[str, ...]
    default_language: str
    questions: tuple[Question, ...]
    #: language tag -> why its text is not yet cleared for patients, e.g. "needs review by a
    #: qualified translator"; the staff screen lists these languages. Empty: all reviewed.
    translation_review: Mapping[str, str] = field(default_factory=dict)

    def question(self, question_id: str) -> Question:
        for q in self.questions:
            if q.id == question_id:
                return q
        raise KeyError(question_id)

    def text(self, item: Question | Option | Mapping[str, str] | None, language: str) -> str:
        """The text of a question, option or text dict in ``language``, else the default one."""
        texts = item if item is None or isinstance(item, Mapping) else item.text
        if not texts:
            return ""
        return texts.get(language) or texts.get(self.default_language) or next(iter(texts.values()))

    def visible(self, answers: Mapping[str, Any]) -> tuple[Question, ...]:
        """The questions shown given ``answers``, in order. A hidden question's answer never
        counts towards a later ``show_if`` (so hiding a gate hides everything behind it)."""
        shown: list[Question] = []
        effective: dict[str, Any] = {}
        for q in self.questions:
            if q.show_if is None or q.show_if.holds(effective):
                shown.append(q)
                if q.id in answers:
                    effective[q.id] = answers[q.id]
        return tuple(shown)
