"""The journey: turns screen events into session calls and shows what the session says is next.

The session (kiosk.session) holds every answer; this object only knows which screen shows
which kind of question, and how to clear everything when a person is done or walks away.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from kiosk.i18n import N_
from kiosk.languages import format_number
from kiosk.session import SCREENS_PER_KIND, RespondentSession
from screens.question import QuestionView

log = logging.getLogger(__name__)

KIND_SCREENS = {"fft": "fft", "single_choice": "choice", "multi_choice": "choice",
                "yes_no": "yes_no", "free_text": "free_text", "contact": "contact",
                "involvement": "contact"}
QUESTION_SCREENS = tuple(dict.fromkeys(KIND_SCREENS.values()))


class Journey:
    def __init__(self, app: Any, make_session: Callable[[], RespondentSession]) -> None:
        self.app = app
        self.make_session = make_session
        self.session: RespondentSession | None = None
        self.last_record: Any = None

    # --- from the welcome screen ---------------------------------------------------------------

    def start(self) -> None:
        self.session = self.make_session()
        self.session.start(self.app.language)
        self.app.idle.start()
        self.show_current()

    # --- from the question screens -------------------------------------------------------------

    def answer(self, value: Any) -> None:
        session = self._active()
        question = session.current
        if question is not None and question.kind == "free_text" and not value \
                and not question.required:
            session.skip()
        else:
            session.answer(value)
        self.show_current()

    def skip(self) -> None:
        self._active().skip()
        self.show_current()

    def back(self) -> None:
        """The previous question; from the first one, back to the welcome screen (to choose
        another language), keeping the person's language and text size."""
        session = self._active()
        if session.can_go_back:
            session.back()
            self.show_current()
        else:
            self.leave_to_welcome()

    def leave_to_welcome(self) -> None:
        session = self._active()
        self.last_record = session.abandon()  # nothing was confirmed: nothing is submitted
        self.session = None
        self.app.idle.stop()
        self.app.back_to_welcome()

    def draft(self, value: Any) -> None:
        self._active().set_draft(value)

    def show_current(self) -> None:
        session = self._active()
        question = session.current
        if question is None:
            self.finish()
            return
        name = KIND_SCREENS[question.kind]
        screen = self.app.screen(name)
        screen.show(self.view(session, question))
        self.app.show_screen(name)

    def progress_line(self, session: RespondentSession, screen: int = 0) -> str:
        """ "Question 3 of 9", or "Question 3 of up to 25" while a branch ahead is open
        (kiosk.session.progress: the total never grows and the number never goes back)."""
        lang, tr = session.language or "en", self.app.tr
        progress = session.progress_at(screen)
        words = (N_("Question {number} of {total}") if progress.exact else
                 N_("Question {number} of up to {total}"))
        return tr._(words).format(number=format_number(progress.number, lang),
                                  total=format_number(progress.total, lang))

    def view(self, session: RespondentSession, question: Any) -> QuestionView:
        survey, lang = session.survey, session.language or "en"
        text = self.progress_line(session)
        steps = tuple(self.progress_line(session, i)
                      for i in range(SCREENS_PER_KIND.get(question.kind, 1)))
        options = tuple((o.code if question.kind == "fft" else o.id, survey.text(o, lang))
                        for o in question.options)
        previous = session.answer_of(question.id)
        if previous is None:
            previous = session.draft_of(question.id)
        return QuestionView(
            question=question, language=lang, text=survey.text(question, lang),
            help=survey.text(question.help, lang) if question.help else "", progress=text,
            options=options, can_back=True, can_skip=not question.required,
            previous=previous, progress_steps=steps)

    # --- endings --------------------------------------------------------------------------------

    def finish(self) -> None:
        session = self._active()
        self.app.idle.stop()
        record = session.finish()  # submit runs the store off the UI thread
        self.last_record = record
        contact = record.contact or {}
        self.app.show_thank_you(contact_requested="contact" in contact,
                                involvement_requested="involvement" in contact)

    def expire(self) -> None:
        """Nobody answered "Do you need more time?": keep what was confirmed, clear the rest."""
        if self.session is not None:
            self.last_record = self.session.abandon()
        self.reset()

    def reset(self) -> None:
        self.session = None
        self.app.idle.stop()
        self.app.clear_everything()

    def _active(self) -> RespondentSession:
        if self.session is None:
            raise RuntimeError("no respondent session is running")  # a wiring bug, not a person
        return self.session
