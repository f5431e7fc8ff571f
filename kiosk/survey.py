"""Survey definitions: a survey JSON file -> validated, frozen dataclasses.

A survey is checked completely before anything uses it, and every problem is reported at once, each
with its JSON path and what to do, so whoever edits a survey can fix it in one round. The rules that
are about the NHS rather than about JSON (the FFT wording and codes, opt-in before contact details,
every language present) are checked here too, in ``_Checker``. ``install_survey`` validates
before it touches the live file: a bad survey never replaces a good one.
The file format is described in docs/surveys.md.
"""
from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kiosk.errors import SurveyError, SurveyValidationError
from kiosk.fsutil import write_atomic

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


def _same(a: Any, b: Any) -> bool:
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
            return _same(value, self.equals)
        return any(_same(value, v) for v in self.in_)


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


# ---------------------------------------------------------------- loading and installing


def parse_survey(data: Any, source: str) -> Survey:
    """Validate decoded JSON fully; raise ``SurveyValidationError`` naming every problem."""
    checker = _Checker()
    survey = checker.survey(data)
    if checker.problems or survey is None:
        raise SurveyValidationError(source, checker.problems or ["is not a survey"])
    return survey


def load_survey(path: str | os.PathLike[str]) -> Survey:
    path = Path(path)
    return _parse_bytes(_read(path), str(path))


def install_survey(candidate: Path | bytes, live: Path, *, source: str | None = None) -> Survey:
    """Validate ``candidate`` (a file or its bytes) and only then atomically replace ``live``.

    On any problem ``live`` is left exactly as it was and the error names what was wrong.
    """
    if isinstance(candidate, (bytes, bytearray)):
        raw, name = bytes(candidate), source or "new survey"
    else:
        raw, name = _read(Path(candidate)), source or str(candidate)
    survey = _parse_bytes(raw, name)
    _atomic_write(Path(live), raw)
    return survey


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise SurveyError(f"{path}: cannot read the survey file ({exc.strerror or exc})") from exc


def _parse_bytes(raw: bytes, source: str) -> Survey:
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise SurveyValidationError(
            source, [f"byte {exc.start} is not UTF-8: save the file as UTF-8 text"]) from exc
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno} column {exc.colno}"
        raise SurveyValidationError(source, [f"{where}: {exc.msg}: fix the JSON there"]) from exc
    return parse_survey(data, source)


def _atomic_write(live: Path, raw: bytes) -> None:
    # After a power cut the live file is either the old survey or the new one, never torn.
    try:  # a survey is not secret; the kiosk app must read it
        write_atomic(live, raw, mode=0o644, dir_mode=0o755)
    except OSError as exc:
        raise SurveyError(f"{live}: cannot install the survey ({exc.strerror or exc}); "
                          "the previous survey is still in use") from exc


# ---------------------------------------------------------------- validation

# required keys first; the last, translation_review, is optional
SURVEY_KEYS = ("id", "version", "title", "languages", "default_language", "questions",
               "translation_review")
QUESTION_KEYS = ("id", "kind", "text", "required", "options", "show_if", "max_length", "help",
                 "section")
OPTION_KEYS = ("id", "text", "code")
_ID_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789_")
#: What an option id must be, per kind (None: any id).
_FIXED_OPTIONS = {"contact": COMMUNICATION_NEEDS, "involvement": INVOLVEMENT_INTERESTS}
_MIN_OPTIONS = {"fft": 6, "single_choice": 2, "multi_choice": 1, "contact": 1, "involvement": 1}
_TEXT_SHAPE = 'an object with the text in each language, e.g. {"en": "..."}'


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _show(value: Any) -> str:
    shown = json.dumps(value, ensure_ascii=False) if _jsonable(value) else repr(value)
    return shown if len(shown) <= 60 else shown[:57] + "..."


def _jsonable(value: Any) -> bool:
    try:
        json.dumps(value)
    except (TypeError, ValueError):
        return False
    return True


def is_json_type(value: Any, types: type | tuple[type, ...]) -> bool:
    """isinstance for decoded JSON, where true/false is never a number."""
    if isinstance(value, bool):  # JSON true/false is not a number
        return bool in (types if isinstance(types, tuple) else (types,))
    return isinstance(value, types)


class _Checker:
    """Walks decoded survey JSON, building dataclasses and collecting every problem found."""

    def __init__(self) -> None:
        self.problems: list[str] = []
        self.languages: tuple[str, ...] = ()

    def add(self, path: str, message: str) -> None:
        self.problems.append(f"{path} {message}")

    def field(self, obj: dict, key: str, path: str, types: type | tuple[type, ...], shape: str,
              *, required: bool = True, default: Any = None) -> Any:
        where = _join(path, key)
        if key not in obj:
            if required:
                self.add(where or key, f"is missing: add it ({shape})")
            return default
        value = obj[key]
        if not is_json_type(value, types):
            self.add(where, f"is {_show(value)}: it must be {shape}")
            return default
        return value

    def unknown_keys(self, obj: dict, known: tuple[str, ...], path: str) -> None:
        for key in obj:
            if key not in known:
                self.add(_join(path, str(key)), "is not a known key: remove it or correct its "
                         f"spelling (known keys: {', '.join(known)})")

    def ident(self, obj: dict, path: str) -> str | None:
        value = self.field(obj, "id", path, str, "an id of lower-case letters, digits and _")
        if value is not None and (not value or not set(value) <= _ID_CHARS):
            self.add(_join(path, "id"), f"is {_show(value)}: use lower-case letters, digits and _ "
                     "only, e.g. \"contact_wanted\"")
            return None
        return value

    def text(self, obj: dict, key: str, path: str, *, required: bool = True) -> Text | None:
        where = _join(path, key)
        raw = self.field(obj, key, path, dict, _TEXT_SHAPE, required=required)
        if raw is None:
            return None
        out: Text = {}
        for lang, value in raw.items():
            if self.languages and lang not in self.languages:
                self.add(f"{where}.{lang}", f"is in a language the survey does not list: add "
                         f"'{lang}' to languages or remove this text")
            elif not isinstance(value, str) or not value.strip():
                self.add(f"{where}.{lang}", f"is {_show(value)}: it must be non-empty text")
            else:
                out[lang] = value
        missing = [lang for lang in self.languages if lang not in raw]
        if missing:
            self.add(where, f"has no text in {', '.join(repr(m) for m in missing)}: add text for "
                     "every language listed in 'languages'")
        return out

    # -- the survey as a whole

    def survey(self, data: Any) -> Survey | None:
        if not isinstance(data, dict):
            self.add("(top level)", f"is {_show(data)}: the file must hold one JSON object with "
                     f"the keys {', '.join(SURVEY_KEYS[:-1])}")
            return None
        self.unknown_keys(data, SURVEY_KEYS, "")
        self.languages = self.language_list(data)
        default = self.field(data, "default_language", "", str,
                             'one of the survey languages, e.g. "en"')
        if default is not None and self.languages and default not in self.languages:
            self.add("default_language", f"is {_show(default)}, which is not in languages: use one "
                     f"of {', '.join(self.languages)}")
        survey_id = self.ident(data, "")
        version = self.field(data, "version", "", int, "a whole number, raised at every change")
        if version is not None and version < 1:
            self.add("version", f"is {version}: it must be 1 or more")
        title = self.text(data, "title", "")
        questions = self.question_list(data)
        self.survey_rules(questions)
        if self.problems:
            return None
        review = self.review(data)
        if self.problems:
            return None
        return Survey(survey_id, version, title, self.languages, default, tuple(questions), review)

    def review(self, data: dict) -> dict[str, str]:
        raw = self.field(data, "translation_review", "", dict, 'an object of language tag -> note, '
                         'e.g. {"cy": "needs review by a qualified translator"}', required=False,
                         default={})
        out: dict[str, str] = {}
        for lang, note in raw.items():
            where = f"translation_review.{lang}"
            if lang not in self.languages:
                self.add(where, "is a language the survey does not list: add it to languages or "
                         "remove this entry")
            elif not isinstance(note, str) or not note.strip():
                self.add(where, f"is {_show(note)}: it must be a note such as \"needs review by "
                         "a qualified translator\" (remove it once a translator has checked it)")
            else:
                out[lang] = note
        return out

    def language_list(self, data: dict) -> tuple[str, ...]:
        raw = self.field(data, "languages", "", list, 'a list of language tags, e.g. ["en", "cy"]')
        if raw is None:
            return ()
        if not raw:
            self.add("languages", 'is empty: list the survey\'s languages, at least "en"')
        valid: list[str] = []
        for i, lang in enumerate(raw):
            if lang in valid:
                self.add(f"languages[{i}]", f"repeats {_show(lang)}: list each language once")
            elif not isinstance(lang, str) or lang not in LANGUAGES:
                self.add(f"languages[{i}]", f"is {_show(lang)}, which the kiosk does not support: "
                         f"use one of {', '.join(LANGUAGES)}")
            else:
                valid.append(lang)
        if raw and "en" not in valid:
            self.add("languages", 'does not include "en": add it (the FFT question must be asked '
                     "in NHS England's exact English words)")
        return tuple(valid)

    def survey_rules(self, questions: list[Question]) -> None:
        ffts = [i for i, q in enumerate(questions) if q.kind == "fft"]
        if not ffts and questions:
            self.add("questions", 'has no "fft" question: add the Friends and Family Test question')
        for i in ffts[1:]:
            self.add(f"questions[{i}]", "is a second fft question (the first is "
                     f"questions[{ffts[0]}]): keep exactly one")
        for kind in PERSONAL_KINDS:
            found = [i for i, q in enumerate(questions) if q.kind == kind]
            for i in found[1:]:
                self.add(f"questions[{i}]", f"is a second {kind} question (the first is "
                         f"questions[{found[0]}]): keep one; a record holds one set of "
                         f"{kind} details")
        if questions and not any(q.kind == "free_text" for q in questions):
            self.add("questions", "has no free_text question: the FFT needs at least one free-text "
                     'follow-up, e.g. "Please can you tell us why you gave your answer?"')

    # -- questions

    def question_list(self, data: dict) -> list[Question]:
        raw = self.field(data, "questions", "", list, "a list of question objects")
        if raw is None:
            return []
        if not raw:
            self.add("questions", "is empty: add at least the fft question")
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
            self.add(path, f"is {_show(q)}: it must be a question object")
            return None
        self.unknown_keys(q, QUESTION_KEYS, path)
        qid = self.ident(q, path)
        kind = self.field(q, "kind", path, str, f"one of {', '.join(KINDS)}")
        if kind is not None and kind not in KINDS:
            self.add(f"{path}.kind", f"is {_show(kind)}, an unknown kind: use one of "
                     f"{', '.join(KINDS)}")
            kind = None
        text = self.text(q, "text", path)
        required = self.field(q, "required", path, bool, "true or false", required=False,
                              default=False)
        help_ = self.text(q, "help", path, required=False)
        section = self.field(q, "section", path, str, 'a section name, e.g. "about_you"',
                             required=False)
        max_length = self.max_length(q, path, kind)
        options = self.options(q, path, kind)
        show_if = None
        if "show_if" in q:
            show_if = self.condition(q["show_if"], f"{path}.show_if", qid, earlier, positions)
        if kind == "fft":
            self.fft_rules(q, path, options, required)
        if kind in PERSONAL_KINDS:
            self.opt_in_rules(q, path, kind, required, show_if, earlier)
        if qid is None or kind is None:
            return None
        return Question(qid, kind, text or {}, required, options, show_if, max_length, help_,
                        section)

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
            self.add(f"{path}.max_length", f"is {_show(value)}: it must be a whole number above 0, "
                     "e.g. 1000")
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
            self.add(path, f'is {_show(o)}: it must be an option object, e.g. {{"id": "yes", '
                     '"text": {"en": "Yes"}}')
            return None
        self.unknown_keys(o, OPTION_KEYS, path)
        oid = self.ident(o, path)
        text = self.text(o, "text", path)
        code = self.field(o, "code", path, (int, str), 'a number or a short code such as "A"',
                          required=False)
        fixed = _FIXED_OPTIONS.get(kind or "")
        if oid is not None and fixed is not None and oid not in fixed:
            self.add(f"{path}.id", f"is '{oid}', which a {kind} question cannot offer: use one "
                     f"of {', '.join(fixed)}")
        return None if oid is None else Option(oid, text or {}, code)

    # -- show_if

    def condition(self, raw: Any, path: str, own_id: str | None, earlier: dict[str, Question],
                  positions: dict[str, int]) -> Condition | None:
        example = '{"question": "contact_wanted", "equals": true}'
        if not isinstance(raw, dict):
            self.add(path, f"is {_show(raw)}: it must be a condition object such as {example}")
            return None
        if "all" in raw or "any" in raw:
            return self.combined(raw, path, own_id, earlier, positions)
        self.unknown_keys(raw, ("question", "equals", "in", "includes"), path)
        tests = [k for k in ("equals", "in", "includes") if k in raw]
        ref = raw.get("question")
        if not isinstance(ref, str) or len(tests) != 1:
            self.add(path, "must name a 'question' and exactly one of 'equals', 'in' or "
                     f"'includes', e.g. {example}")
            return None
        target = earlier.get(ref)
        if target is None:
            self.unknown_reference(path, ref, own_id, positions)
            return None
        test, value = tests[0], raw[tests[0]]
        if not self.condition_fits(path, ref, target, test, value):
            return None
        if test == "equals":
            return Condition(question=ref, equals=value)
        if test == "in":
            return Condition(question=ref, in_=tuple(value))
        return Condition(question=ref, includes=value)

    def combined(self, raw: dict, path: str, own_id: str | None, earlier: dict[str, Question],
                 positions: dict[str, int]) -> Condition | None:
        key = "all" if "all" in raw else "any"
        if len(raw) != 1:
            self.add(path, f"mixes '{key}' with other keys: put every test inside the '{key}' list")
            return None
        items = raw[key]
        if not isinstance(items, list) or not items:
            self.add(f"{path}.{key}", f"is {_show(items)}: it must be a non-empty list of "
                     "conditions")
            return None
        parts = [self.condition(c, f"{path}.{key}[{k}]", own_id, earlier, positions)
                 for k, c in enumerate(items)]
        if any(p is None for p in parts):
            return None
        return Condition(all_=tuple(parts)) if key == "all" else Condition(any_=tuple(parts))

    def unknown_reference(self, path: str, ref: str, own_id: str | None,
                          positions: dict[str, int]) -> None:
        if ref == own_id:
            self.add(path, f"refers to '{ref}', its own question: use the id of an earlier "
                     "question")
        elif ref in positions:
            self.add(path, f"refers to '{ref}', which comes later (questions[{positions[ref]}]): a "
                     "question can only depend on an earlier one, so move one of them")
        else:
            self.add(path, f"refers to '{ref}', which does not exist: use the id of an earlier "
                     "question")

    def condition_fits(self, path: str, ref: str, target: Question, test: str, value: Any) -> bool:
        kind = target.kind
        if kind not in ("fft", "single_choice", "multi_choice", "yes_no"):
            self.add(path, f"depends on '{ref}', a {kind} question: show_if can only use fft, "
                     "single_choice, multi_choice and yes_no answers")
            return False
        if (kind == "multi_choice") != (test == "includes"):
            fix = ("use 'includes' with one option id" if kind == "multi_choice"
                   else "use 'equals' or 'in'; 'includes' is for multi_choice questions")
            self.add(f"{path}.{test}", f"does not work on '{ref}', a {kind} question: {fix}")
            return False
        if test == "in" and (not isinstance(value, list) or not value):
            self.add(f"{path}.in", f"is {_show(value)}: it must be a non-empty list of answers")
            return False
        allowed = ([True, False] if kind == "yes_no" else
                   [o.code for o in target.options] if kind == "fft" else
                   [o.id for o in target.options])
        ok = True
        for v in value if test == "in" else [value]:
            if not any(_same(v, a) for a in allowed):
                self.add(f"{path}.{test}", f"is {_show(v)}, which is not an answer to '{ref}': use "
                         f"one of {', '.join(_show(a) for a in allowed)}")
                ok = False
        return ok

    # -- rules about the NHS rather than about JSON

    def fft_rules(self, q: dict, path: str, options: tuple[Option, ...], required: bool) -> None:
        codes = [o.code for o in options]
        if sorted(codes, key=str) != list(FFT_CODES) or len(options) != len(FFT_CODES):
            labels = ", ".join(f"{c} {t}" for c, t in zip(FFT_CODES, FFT_ANSWERS_EN, strict=True))
            self.add(f"{path}.options", f"has codes {_show(codes)}: the FFT needs exactly six "
                     f"options with codes 1 to 6, each once, in this order: {labels}")
        elif codes != list(FFT_CODES):
            self.add(f"{path}.options", "are not in the order of their codes: put them in order 1 "
                     "(Very good) to 6 (Don't know)")
        if required is not True:
            self.add(f"{path}.required", "must be true: the FFT question is the one everyone "
                     "answers")
        if "show_if" in q:
            self.add(f"{path}.show_if", "must not be set: the FFT question is always shown")
        if "en" not in self.languages:
            return
        text_en = (q.get("text") or {}).get("en") if isinstance(q.get("text"), dict) else None
        if text_en is not None and text_en != FFT_QUESTION_EN:
            self.add(f"{path}.text.en", f"is {_show(text_en)}: use NHS England's exact words "
                     f'"{FFT_QUESTION_EN}"')
        for j, option in enumerate(options):
            if option.code in FFT_CODES and "en" in option.text:
                want = FFT_ANSWERS_EN[FFT_CODES.index(option.code)]
                if option.text["en"] != want:
                    self.add(f"{path}.options[{j}].text.en", f"is {_show(option.text['en'])}: code "
                             f'{option.code} must read exactly "{want}"')

    def opt_in_rules(self, q: dict, path: str, kind: str, required: bool,
                     show_if: Condition | None, earlier: dict[str, Question]) -> None:
        if required:
            self.add(f"{path}.required", f"must be false: nobody has to give {kind} details, "
                     "everyone may stay anonymous")
        fix = '{"question": "<an earlier yes_no question>", "equals": true}'
        if "show_if" not in q:
            self.add(path, f"has no show_if: {kind} details may only be asked after an explicit "
                     f'yes; add "show_if": {fix}')
        elif show_if is not None and not _needs_yes(show_if, earlier):
            self.add(f"{path}.show_if", f"does not require an explicit yes: {kind} details may "
                     f"only be asked after a yes_no question answered yes; use {fix}")


def _needs_yes(cond: Condition, questions: Mapping[str, Question]) -> bool:
    """True when ``cond`` can only hold after some yes_no question was answered yes."""
    if cond.all_:
        return any(_needs_yes(c, questions) for c in cond.all_)
    if cond.any_:
        return all(_needs_yes(c, questions) for c in cond.any_)
    target = questions.get(cond.question or "")
    return target is not None and target.kind == "yes_no" and cond.equals is True
