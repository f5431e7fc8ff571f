"""The survey's structure: decoded JSON -> ``Survey``, collecting every problem on the way.

``SurveyChecker`` walks the top level, the questions and their options (types, required and
unknown keys, unique ids, the limits); ``show_if`` is read by ``kiosk.survey.conditions`` and the
NHS rules are applied by ``kiosk.survey.rules``. A list over its limit gets one problem and only
its first items (up to the limit) are checked, so a huge file cannot make a huge report, and
what refers to those items still finds them.
"""
from __future__ import annotations

from typing import Any

import kiosk.survey.rules as rules
from kiosk.survey.conditions import Conditions
from kiosk.survey.limits import (
    MAX_CODE_CHARS,
    MAX_FREE_TEXT_LENGTH,
    MAX_HELP_CHARS,
    MAX_ID_CHARS,
    MAX_LANGUAGES,
    MAX_NOTE_CHARS,
    MAX_NUMBER,
    MAX_OPTION_CHARS,
    MAX_OPTIONS,
    MAX_QUESTION_CHARS,
    MAX_QUESTIONS,
    MAX_TITLE_CHARS,
)
from kiosk.survey.model import (
    COMMUNICATION_NEEDS,
    INVOLVEMENT_INTERESTS,
    KINDS,
    LANGUAGES,
    PERSONAL_KINDS,
    Option,
    Question,
    Survey,
)
from kiosk.survey.reader import Reader, is_json_type, join, show

# required keys first; the last, translation_review, is optional
SURVEY_KEYS = ("id", "version", "title", "languages", "default_language", "questions",
               "translation_review")
QUESTION_KEYS = ("id", "kind", "text", "required", "options", "show_if", "max_length", "help",
                 "section")
OPTION_KEYS = ("id", "text", "code")
#: What an option id must be, per kind (None: any id).
_FIXED_OPTIONS = {"contact": COMMUNICATION_NEEDS, "involvement": INVOLVEMENT_INTERESTS}
_MIN_OPTIONS = {"fft": 6, "single_choice": 2, "multi_choice": 1, "contact": 1, "involvement": 1}


class SurveyChecker(Reader):
    """Builds a ``Survey`` from decoded JSON, or ``None`` with ``problems`` saying why."""

    def survey(self, data: Any) -> Survey | None:
        if not isinstance(data, dict):
            self.add("(top level)", f"is {show(data)}: the file must hold one JSON object with "
                     f"the keys {', '.join(SURVEY_KEYS[:-1])}")
            return None
        self.unknown_keys(data, SURVEY_KEYS, "")
        self.languages = self.language_list(data)
        default = self.field(data, "default_language", "", str,
                             'one of the survey languages, e.g. "en"')
        if default is not None and self.languages and default not in self.languages:
            self.add("default_language", f"is {show(default)}, which is not in languages: use "
                     f"one of {', '.join(self.languages)}")
        survey_id = self.ident(data, "")
        version = self.version(data)
        title = self.text(data, "title", "", MAX_TITLE_CHARS, "the survey's title")
        questions = self.question_list(data)
        rules.survey_rules(self, questions)
        if self.problems:
            return None
        review = self.review(data)
        if self.problems:
            return None
        return Survey(survey_id, version, title, self.languages, default, tuple(questions), review)

    def version(self, data: dict) -> int | None:
        version = self.field(data, "version", "", int, "a whole number, raised at every change")
        if version is not None and version < 1:
            self.add("version", f"is {show(version)}: it must be 1 or more")
            return None
        if version is not None and version > MAX_NUMBER:
            self.add("version", f"is {show(version)}, over the limit of {MAX_NUMBER:,}: raise it "
                     "by one at every change, from 1")
            return None
        return version

    def review(self, data: dict) -> dict[str, str]:
        raw = self.field(data, "translation_review", "", dict, 'an object of language tag -> note, '
                         'e.g. {"cy": "needs review by a qualified translator"}', required=False,
                         default={})
        out: dict[str, str] = {}
        for lang, note in raw.items():
            where = join("translation_review", lang)
            if lang not in self.languages:
                self.add(where, "is a language the survey does not list: add it to languages or "
                         "remove this entry")
            elif not isinstance(note, str) or not note.strip():
                self.add(where, f"is {show(note)}: it must be a note such as \"needs review by "
                         "a qualified translator\" (remove it once a translator has checked it)")
            elif self.short(note, MAX_NOTE_CHARS, where, "a translation_review note",
                            "keep it to a sentence; the details belong in the translation log"):
                out[lang] = note
        return out

    def language_list(self, data: dict) -> tuple[str, ...]:
        raw = self.field(data, "languages", "", list, 'a list of language tags, e.g. ["en", "cy"]')
        if raw is None:
            return ()
        if not raw:
            self.add("languages", 'is empty: list the survey\'s languages, at least "en"')
        if not self.few(raw, MAX_LANGUAGES, "languages", "entries", "list each language once, "
                        f"from {', '.join(LANGUAGES)}"):
            raw = raw[:MAX_LANGUAGES]
        valid: list[str] = []
        for i, lang in enumerate(raw):
            if lang in valid:
                self.add(f"languages[{i}]", f"repeats {show(lang)}: list each language once")
            elif not isinstance(lang, str) or lang not in LANGUAGES:
                self.add(f"languages[{i}]", f"is {show(lang)}, which the kiosk does not support: "
                         f"use one of {', '.join(LANGUAGES)}")
            else:
                valid.append(lang)
        if raw and "en" not in valid:
            self.add("languages", 'does not include "en": add it (the FFT question must be asked '
                     "in NHS England's exact English words)")
        return tuple(valid)

    # -- questions

    def question_list(self, data: dict) -> list[Question]:
        raw = self.field(data, "questions", "", list, "a list of question objects")
        if raw is None:
            return []
        if not raw:
            self.add("questions", "is empty: add at least the fft question")
        if not self.few(raw, MAX_QUESTIONS, "questions", "questions", "split it into shorter "
                        "surveys; a kiosk survey should take a few minutes"):
            raw = raw[:MAX_QUESTIONS]
        positions = {q["id"]: i for i, q in reversed(list(enumerate(raw)))
                     if isinstance(q, dict) and isinstance(q.get("id"), str)}
        earlier: dict[str, Question] = {}
        out: list[Question] = []
        for i, item in enumerate(raw):
            question = self.question(item, i, earlier, positions)
            if question is None:
                continue
            if question.id in earlier:
                self.add(f"questions[{i}].id", f"'{question.id}' is already used by questions"
                         f"[{positions[question.id]}]: give every question its own id")
            else:
                earlier[question.id] = question
            out.append(question)
        return out

    def question(self, q: Any, i: int, earlier: dict[str, Question],
                 positions: dict[str, int]) -> Question | None:
        path = f"questions[{i}]"
        if not isinstance(q, dict):
            self.add(path, f"is {show(q)}: it must be a question object")
            return None
        self.unknown_keys(q, QUESTION_KEYS, path)
        qid = self.ident(q, path)
        kind = self.kind(q, path)
        text = self.text(q, "text", path, MAX_QUESTION_CHARS, "a question's text",
                         fix="shorten it (detail can go in the question's \"help\" text)")
        required = self.field(q, "required", path, bool, "true or false", required=False,
                              default=False)
        help_ = self.text(q, "help", path, MAX_HELP_CHARS, "a question's help text",
                          required=False, fix="shorten it; patients read it standing at a kiosk")
        section = self.section(q, path)
        max_length = self.max_length(q, path, kind)
        options = self.options(q, path, kind)
        show_if = None
        if "show_if" in q:
            show_if = Conditions(self, qid, earlier, positions).condition(
                q["show_if"], f"{path}.show_if")
        if kind == "fft":
            rules.fft_rules(self, q, path, options, required)
        if kind in PERSONAL_KINDS:
            rules.opt_in_rules(self, q, path, kind, required, show_if, earlier)
        if qid is None or kind is None:
            return None
        return Question(qid, kind, text or {}, required, options, show_if, max_length, help_,
                        section)

    def kind(self, q: dict, path: str) -> str | None:
        kind = self.field(q, "kind", path, str, f"one of {', '.join(KINDS)}")
        if kind is not None and kind not in KINDS:
            self.add(f"{path}.kind", f"is {show(kind)}, an unknown kind: use one of "
                     f"{', '.join(KINDS)}")
            return None
        return kind

    def section(self, q: dict, path: str) -> str | None:
        section = self.field(q, "section", path, str, 'a section name, e.g. "about_you"',
                             required=False)
        if section is not None and not self.short(section, MAX_ID_CHARS, f"{path}.section",
                                                  "a section name", 'use a short name such as '
                                                  '"about_you"'):
            return None
        return section

    def max_length(self, q: dict, path: str, kind: str | None) -> int | None:
        if "max_length" not in q:
            if kind == "free_text":
                self.add(path, "has no max_length: add one, a number of characters such as 1000")
            return None
        if kind != "free_text":
            self.add(f"{path}.max_length", "is only used by free_text questions: remove it")
            return None
        value = q["max_length"]
        if not is_json_type(value, int) or value < 1:
            self.add(f"{path}.max_length", f"is {show(value)}: it must be a whole number above 0, "
                     "e.g. 1000")
            return None
        if value > MAX_FREE_TEXT_LENGTH:
            self.add(f"{path}.max_length", f"is {value:,}, over the limit of "
                     f"{MAX_FREE_TEXT_LENGTH:,} characters for a free_text answer: use a number "
                     f"from 1 to {MAX_FREE_TEXT_LENGTH:,}, e.g. 1000")
            return None
        return value

    def options(self, q: dict, path: str, kind: str | None) -> tuple[Option, ...]:
        where = f"{path}.options"
        if kind in ("yes_no", "free_text"):
            if "options" in q:
                self.add(where, f"is not used by {kind} questions: remove it")
            return ()
        raw = self.field(q, "options", path, list, "a list of option objects",
                         required=kind is not None)
        if raw is None:
            return ()
        if not self.few(raw, MAX_OPTIONS, where, "options", "split the question in two, or "
                        "use a free_text question"):
            raw = raw[:MAX_OPTIONS]
        out: list[Option] = []
        for j, item in enumerate(raw):
            option = self.option(item, f"{where}[{j}]", kind)
            if option is None:
                continue
            if any(o.id == option.id for o in out):
                self.add(f"{where}[{j}].id", f"repeats '{option.id}': give each option its own id")
            out.append(option)
        wanted = _MIN_OPTIONS.get(kind or "", 0)
        if len(raw) < wanted and kind != "fft":  # the fft rules say exactly what it needs
            self.add(where, f"has {len(raw)} option(s): a {kind} question needs at least {wanted}")
        return tuple(out)

    def option(self, o: Any, path: str, kind: str | None) -> Option | None:
        if not isinstance(o, dict):
            self.add(path, f'is {show(o)}: it must be an option object, e.g. {{"id": "yes", '
                     '"text": {"en": "Yes"}}')
            return None
        self.unknown_keys(o, OPTION_KEYS, path)
        oid = self.ident(o, path)
        text = self.text(o, "text", path, MAX_OPTION_CHARS, "an option's text",
                         fix="shorten it; an answer must fit on its button")
        code = self.code(o, path)
        fixed = _FIXED_OPTIONS.get(kind or "")
        if oid is not None and fixed is not None and oid not in fixed:
            self.add(f"{path}.id", f"is '{oid}', which a {kind} question cannot offer: use one "
                     f"of {', '.join(fixed)}")
        return None if oid is None else Option(oid, text or {}, code)

    def code(self, o: dict, path: str) -> int | str | None:
        code = self.field(o, "code", path, (int, str), 'a number or a short code such as "A"',
                          required=False)
        if isinstance(code, str) and not self.short(
                code, MAX_CODE_CHARS, f"{path}.code", "an option's code",
                'use a short code such as "A" (reports group answers by it)'):
            return None
        if isinstance(code, int) and not is_whole(code, 0, MAX_NUMBER):
            self.add(f"{path}.code", f"is {show(code)}, outside the limits for a number code: use "
                     f"a whole number from 0 to {MAX_NUMBER:,}")
            return None
        return code


def is_whole(value: Any, low: int, high: int) -> bool:
    """A JSON whole number (never true/false) from ``low`` to ``high``."""
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high
