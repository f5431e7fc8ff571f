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
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import Any

from kiosk.errors import SessionError
from kiosk.record import Answer, ResponseRecord, new_record_id, variant_of
from kiosk.session.burst import BurstDetector
from kiosk.session.progress import Progress, screens_of, steps_ahead
from kiosk.session.values import SKIP, check_value, expected_shape
from kiosk.survey import PERSONAL_KINDS, Question, Survey


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
        return self.progress_at(0)

    def progress_at(self, screen: int) -> Progress:
        """Progress on the ``screen``-th screen (from 0) of the current question: contact
        details take several (``kiosk.session.progress.SCREENS_PER_KIND``)."""
        questions = self.survey.questions
        if self.state is SessionState.READY:
            ahead, exact = steps_ahead(questions, 0, {})
            return Progress(0, ahead, exact)
        index = min(self._index, len(questions))
        done = sum(self._screens_taken(q) for q in self._visible_before(index))
        current = self.current
        if current is None:
            return Progress(done, done)
        ahead, exact = steps_ahead(questions, index + 1, self._effective(index), current.id)
        number = done + 1 + max(0, min(screen, screens_of(current) - 1))
        return Progress(number, done + screens_of(current) + ahead, exact)

    def _visible_before(self, index: int) -> list[Question]:
        shown = set(self._visible_ids())
        return [q for q in self.survey.questions[:index] if q.id in shown]

    def _screens_taken(self, question: Question) -> int:
        """A question answered took all its screens; one skipped took the one it was skipped on."""
        return screens_of(question) if question.id in self._answers else 1

    def _effective(self, index: int) -> dict[str, Any]:
        """The answers that count, to the visible questions before ``index``."""
        return {q.id: self._answers[q.id].value for q in self._visible_before(index)
                if q.id in self._answers}

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
        if checked is SKIP:
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
