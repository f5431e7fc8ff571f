"""The respondent session: one person's path through a survey, from language choice to record.

It holds no widgets and no storage: a screen calls ``answer``/``skip``/``back`` and reads
``current`` and ``progress``; ``finish``/``abandon`` hand one ``ResponseRecord`` to ``submit``.

Why it works the way it does:
- Which question comes next is recomputed from the survey order and the answers so far, never kept
  as a history, so going back and changing a gate answer re-routes everything after it.
- Answers behind a gate that is now closed are kept (the person may reopen it) but never recorded.
- On inactivity ``abandon`` keeps only what the person confirmed: a half-typed draft is dropped,
  and contact details count only if the person pressed send (``answer`` on that question).
- Error messages name the question and the expected shape, never the value a person gave.
"""
from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any

from kiosk.errors import SessionError
from kiosk.record import Answer, ResponseRecord, new_record_id, variant_of
from kiosk.survey import COMMUNICATION_NEEDS, CONTACT_METHODS, PERSONAL_KINDS, Question, Survey


class SessionState(Enum):
    READY = "ready"
    ACTIVE = "active"
    COMPLETE = "complete"
    ABANDONED = "abandoned"


@dataclass(frozen=True)
class DeviceInfo:
    device_id: str
    site_code: str
    location_code: str


@dataclass(frozen=True)
class Progress:
    number: int  # "Question {number} of {total}"
    total: int


class BurstDetector:
    """Remembers when this kiosk submitted responses; a burst is ``threshold`` or more within
    ``window`` seconds (someone tapping through again and again). One per kiosk, shared by sessions.
    The response that completes a burst and every later one inside the window get flagged."""

    def __init__(self, *, window: float = 60.0, threshold: int = 3) -> None:
        self.window = window
        self.threshold = threshold
        self._times: list[float] = []

    def record(self, at: float) -> bool:
        """Note a response submitted at ``at``; True if it is part of a burst."""
        # Times after ``at`` are dropped too: a wall clock stepped back must not keep a burst alive.
        self._times = [t for t in self._times if at - self.window < t <= at] + [at]
        return len(self._times) >= self.threshold


_SKIP = object()  # what an empty free text / empty multi choice means
_MAX_DETAIL = 200  # name, phone number, email or address
_MAX_NEEDS_OTHER = 500


class RespondentSession:
    def __init__(self, survey: Survey, device: DeviceInfo,
                 submit: Callable[[ResponseRecord], None], *,
                 clock: Callable[[], float] = time.time, test: bool = False,
                 burst: BurstDetector | None = None, min_seconds: float = 4.0) -> None:
        self.survey = survey
        self.device = device
        self._submit = submit
        self._clock = clock
        self._test = test
        self._burst = burst
        self._min_seconds = min_seconds
        self.state = SessionState.READY
        self.language: str | None = None
        self._answers: dict[str, Answer] = {}  # confirmed; kept while hidden by branching
        self._drafts: dict[str, Any] = {}
        self._index = 0  # position of the current question in survey.questions; len() = the end
        self._started_at = 0.0
        self._last_activity = 0.0
        self._record: ResponseRecord | None = None  # built once, so a failed submit can retry

    # -- what a screen reads

    @property
    def current(self) -> Question | None:
        if self.state is not SessionState.ACTIVE or self._index >= len(self.survey.questions):
            return None
        return self.survey.questions[self._index]

    @property
    def progress(self) -> Progress:
        shown = self._visible_ids()
        current = self.current
        if self.state is SessionState.READY:
            return Progress(0, len(shown))
        if current is None:
            return Progress(len(shown), len(shown))
        return Progress(shown.index(current.id) + 1, len(shown))

    @property
    def can_go_back(self) -> bool:
        return self.state is SessionState.ACTIVE and self._previous_index() is not None

    def answer_of(self, question_id: str) -> Any:
        """The confirmed answer to prefill when the person comes back to a question, or None."""
        self._question(question_id)
        answer = self._answers.get(question_id)
        if answer is None:
            return None
        return dict(answer.value) if isinstance(answer.value, dict) else answer.value

    def draft_of(self, question_id: str) -> Any:
        self._question(question_id)
        return self._drafts.get(question_id)

    def _question(self, question_id: str) -> Question:
        try:
            return self.survey.question(question_id)
        except KeyError:
            raise SessionError(f"survey '{self.survey.id}' has no question "
                               f"'{question_id}'") from None

    # -- what a screen does

    def start(self, language: str) -> None:
        if self.state is not SessionState.READY:
            raise SessionError(f"start() on a session that is already {self.state.value}")
        if language not in self.survey.languages:
            raise SessionError(f"start('{language}'): survey '{self.survey.id}' is in "
                               f"{', '.join(self.survey.languages)} only")
        self.language = language
        self.state = SessionState.ACTIVE
        self._started_at = self._last_activity = self._clock()
        self._index = -1
        self._index = self._next_index()

    def answer(self, value: Any) -> None:
        question = self._need_current("answer")
        checked, code = check_value(question, value)
        if checked is _SKIP:
            self._require_optional(question, "an empty answer")
            self._answers.pop(question.id, None)
        else:
            self._answers[question.id] = Answer(question.id, question.kind, checked, code)
        self._move_on(question)

    def skip(self) -> None:
        question = self._need_current("skip")
        self._require_optional(question, "skip()")
        self._answers.pop(question.id, None)
        self._move_on(question)

    def back(self) -> None:
        self._need_active("back")
        previous = self._previous_index()
        if previous is None:
            raise SessionError("back() at the first question: there is nothing before it")
        self._index = previous
        self._touch()

    def set_draft(self, value: Any) -> None:
        """Half-typed input for the current question: shown again if the person returns, never
        recorded."""
        self._drafts[self._need_current("set_draft").id] = value

    def finish(self) -> ResponseRecord:
        self._need_active("finish")
        if self.current is not None:
            raise SessionError(f"finish() before the end: question '{self.current.id}' is still "
                               "to be answered or skipped")
        record = self._build(abandoned=False)
        assert record is not None  # an ACTIVE session at its end has at least its start
        self._submit(record)
        self.state = SessionState.COMPLETE
        self._drafts.clear()
        return record

    def abandon(self) -> ResponseRecord | None:
        """The person walked away. Submits what they confirmed (flagged ``abandoned``), or
        nothing at all. Safe to call on a session that already ended: returns None."""
        if self.state is not SessionState.ACTIVE:
            if self.state is SessionState.READY:
                self.state = SessionState.ABANDONED
            return None
        self._drafts.clear()
        record = self._build(abandoned=True)
        if record is not None:
            self._submit(record)
        self.state = SessionState.ABANDONED
        return record

    # -- navigation

    def _visible_ids(self) -> list[str]:
        values = {qid: a.value for qid, a in self._answers.items()}
        return [q.id for q in self.survey.visible(values)]

    def _next_index(self) -> int:
        shown = set(self._visible_ids())
        questions = self.survey.questions
        for i in range(self._index + 1, len(questions)):
            if questions[i].id in shown:
                return i
        return len(questions)

    def _previous_index(self) -> int | None:
        shown = set(self._visible_ids())
        questions = self.survey.questions
        for i in range(min(self._index, len(questions)) - 1, -1, -1):
            if questions[i].id in shown:
                return i
        return None

    def _move_on(self, question: Question) -> None:
        self._drafts.pop(question.id, None)
        self._index = self._next_index()
        self._touch()

    def _touch(self) -> None:
        self._last_activity = self._clock()
        self._record = None

    def _need_active(self, action: str) -> None:
        if self.state is not SessionState.ACTIVE:
            when = "before start()" if self.state is SessionState.READY else \
                f"after the session is {self.state.value}"
            raise SessionError(f"{action}() {when}")

    def _need_current(self, action: str) -> Question:
        self._need_active(action)
        question = self.current
        if question is None:
            raise SessionError(f"{action}() at the end of the survey: call finish()")
        return question

    def _require_optional(self, question: Question, what: str) -> None:
        if question.required:
            raise SessionError(f"question '{question.id}' is required, so {what} is not allowed: "
                               f"answer it with {expected_shape(question)}")

    # -- the record

    def _build(self, *, abandoned: bool) -> ResponseRecord | None:
        if self._record is not None:
            return self._record
        answers: list[Answer] = []
        contact: dict[str, dict] = {}
        for question_id in self._visible_ids():
            answer = self._answers.get(question_id)
            if answer is None:
                continue
            if answer.kind in PERSONAL_KINDS:
                contact[answer.kind] = dict(answer.value)
                answer = Answer(answer.question_id, answer.kind, None, None)
            answers.append(answer)
        if abandoned and not answers:
            return None
        now = self._clock()
        finished_at = self._last_activity if abandoned else now
        self._record = ResponseRecord(
            record_id=new_record_id(), survey_id=self.survey.id,
            survey_version=self.survey.version, language=self.language or "",
            variant=variant_of(self.language or ""), answers=tuple(answers),
            contact=contact or None, started_at=self._started_at, finished_at=finished_at,
            device_id=self.device.device_id, site_code=self.device.site_code,
            location_code=self.device.location_code,
            flags=self._flags(abandoned, len(answers), finished_at, now))
        return self._record

    def _flags(self, abandoned: bool, answered: int, finished_at: float, now: float) -> frozenset:
        flags = set()
        if self._test:
            flags.add("test")
        if abandoned:
            flags.add("abandoned")
        if answered and finished_at - self._started_at < self._min_seconds * answered:
            flags.add("fast")
        if self._burst is not None and self._burst.record(now):
            flags.add("burst")
        return frozenset(flags)


# ---------------------------------------------------------------- answer values by kind


def expected_shape(question: Question) -> str:
    ids = ", ".join(o.id for o in question.options)
    return {
        "fft": "an int code, one of " + ", ".join(str(o.code) for o in question.options),
        "single_choice": f"one option id (str), one of: {ids}",
        "multi_choice": f"a list of option ids (str) from: {ids}",
        "yes_no": "True or False",
        "free_text": f"text (str) of at most {question.max_length} characters",
        "contact": '{"name": str, "method": "phone"|"email"|"post"|"text", "value": str, '
                   f'"needs": [ids from: {", ".join(_need_ids(question))}], "needs_other": str}}',
        "involvement": f'{{"interests": [ids from: {ids}], "name": str, "method": '
                       '"phone"|"email"|"post"|"text", "value": str, "needs": [ids from: '
                       f'{", ".join(COMMUNICATION_NEEDS)}], "needs_other": str}}',
    }[question.kind]


def check_value(question: Question, value: Any) -> tuple[Any, int | str | None]:
    """The value as recorded and its code; ``_SKIP`` for an empty optional answer."""
    kind = question.kind
    if kind == "fft" and type(value) is int:
        option = next((o for o in question.options if o.code == value), None)
        if option is not None:
            return value, option.code
    elif kind == "single_choice" and isinstance(value, str):
        option = question.option(value)
        if option is not None:
            return value, option.code
    elif kind == "multi_choice" and _ids_from(value, [o.id for o in question.options]):
        return (tuple(dict.fromkeys(value)) or _SKIP), None
    elif kind == "yes_no" and isinstance(value, bool):
        return value, None
    elif kind == "free_text" and isinstance(value, str):
        text = value.strip()
        if len(text) <= (question.max_length or 0):
            return (text or _SKIP), None
    elif kind in PERSONAL_KINDS and isinstance(value, Mapping):
        return _personal(question, value), None
    raise _wrong(question, value)


def _wrong(question: Question, value: Any, detail: str = "") -> SessionError:
    got = detail or f"got a {type(value).__name__} that does not fit"
    return SessionError(f"question '{question.id}' ({question.kind}) takes "
                        f"{expected_shape(question)}; {got}")


def _ids_from(value: Any, allowed: list[str] | tuple[str, ...]) -> bool:
    return isinstance(value, (list, tuple)) and all(isinstance(v, str) and v in allowed
                                                     for v in value)


def _need_ids(question: Question) -> tuple[str, ...]:
    """A contact question lists the needs it offers; involvement accepts any standard one."""
    if question.kind == "contact" and question.options:
        return tuple(o.id for o in question.options)
    return COMMUNICATION_NEEDS


def _personal(question: Question, value: Mapping) -> dict:
    interests = question.kind == "involvement"
    known = {"name", "method", "value", "needs", "needs_other"}
    if interests:
        known.add("interests")
    unknown = sorted(str(k) for k in value if k not in known)
    if unknown:
        raise _wrong(question, value, f"got unknown key(s) {', '.join(unknown)}")
    for key in ("name", "value", "needs_other"):
        if not isinstance(value.get(key, ""), str):
            raise _wrong(question, value, f"'{key}' is not a str")
    name, detail = value.get("name", "").strip(), value.get("value", "").strip()
    other = value.get("needs_other", "").strip()
    if value.get("method") not in CONTACT_METHODS:
        raise _wrong(question, value, "'method' is missing or not one of phone, email, post, text")
    if not detail:
        raise _wrong(question, value, "'value' (the phone number, email or address) is empty")
    if max(len(name), len(detail)) > _MAX_DETAIL or len(other) > _MAX_NEEDS_OTHER:
        raise _wrong(question, value, f"'name'/'value' over {_MAX_DETAIL} or 'needs_other' over "
                     f"{_MAX_NEEDS_OTHER} characters")
    needs = value.get("needs", [])
    if not _ids_from(needs, _need_ids(question)):
        raise _wrong(question, value, "'needs' holds an id that is not a communication need")
    out = {"name": name, "method": value["method"], "value": detail,
           "needs": list(dict.fromkeys(needs)), "needs_other": other}
    if interests:
        chosen = value.get("interests", [])
        if not _ids_from(chosen, [o.id for o in question.options]):
            raise _wrong(question, value, "'interests' holds an id that is not an option")
        out = {"interests": list(dict.fromkeys(chosen)), **out}
    return out
