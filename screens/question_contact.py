"""Contact details and involvement sign-up: one small step per screen, then a check before sending.

Steps (involvement starts with what the person would like to do):
    intro|interests -> name -> method -> value -> needs -> review ("Send my details")
Nothing leaves this screen until "Send my details" on the review step; Back walks the steps.
Each step is one screen of the progress count (kiosk.session.SCREENS_PER_KIND). Where details
are asked for and before sending, the screen says the channel is not monitored all the time
(domain.md §3). Nothing shrinks: at "Bigger text" the review pages and, while typing, the
words above the keyboard scroll in their window.
"""
from __future__ import annotations

import re
from typing import Any

from kivy.properties import BooleanProperty, ListProperty, StringProperty

from kiosk.i18n import N_
from screens.boxes import MirrorBox
from screens.keyboard import OnScreenKeyboard  # noqa: F401  (used in the .kv)
from screens.question import QuestionScreen, QuestionView
from screens.touch_text import TouchTextField  # noqa: F401  (used in the .kv)
from screens.widgets import app_state, load_kv

METHODS = (("phone", N_("Phone call")), ("email", N_("Email")), ("text", N_("Text message")),
           ("post", N_("Letter by post")))
VALUE_PROMPTS = {"phone": N_("Your phone number"), "email": N_("Your email address"),
                 "text": N_("Your mobile phone number"), "post": N_("Your postal address")}
#: Accessible Information Standard needs, for involvement (the contact question lists its own).
NEEDS = (("large_print", N_("Large print")), ("easy_read", N_("Easy Read")),
         ("braille", N_("Braille")), ("audio", N_("Audio")),
         ("bsl_interpreter", N_("A British Sign Language (BSL) interpreter")),
         ("interpreter", N_("An interpreter for another language")),
         ("email_or_text_instead_of_phone", N_("Email or text message instead of a phone call")),
         ("someone_to_help", N_("Someone to help me")), ("none", N_("I do not need any of these")))
NOT_MONITORED = N_("This is not monitored all the time. If you need help now, please speak to "
                   "a member of staff.")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
TEXT_STEPS = ("name", "value")
INSTRUCTIONS = {"name": N_("Type your name with the keyboard below, then tap Next."),
                "value": N_("Type it with the keyboard below, then tap Next.")}


class SummaryRow(MirrorBox):
    """What it is, then what was given, in reading order (label on the right in Arabic)."""

    label = StringProperty("")
    value = StringProperty("")

    def needed_height(self, width: float) -> float:
        if not (self.label or self.value):
            return 0.0
        share = width - self.spacing
        return max(self.ids.a.needed_height(share * 0.45), self.ids.b.needed_height(share * 0.55))


class ContactScreen(QuestionScreen):
    steps = ListProperty([])
    step = StringProperty("")
    prompt = StringProperty("")
    error = StringProperty("")
    summary = ListProperty([])  # (label, value) pairs on the review step
    typing = BooleanProperty(False)
    notice = StringProperty(NOT_MONITORED)
    #: the "not monitored" line: on the first step, while typing details and before sending
    notice_shown = BooleanProperty(True)
    first_step = BooleanProperty(True)
    heading = StringProperty("")  # the frame's question line for this step
    step_help = StringProperty("")  # and its help line
    #: an email address or phone number reads left to right in every language
    field_direction = StringProperty("")

    def __init__(self, **kwargs: Any) -> None:
        self.data: dict[str, Any] = {}
        self._interest_options: list[tuple[Any, str]] = []
        self._need_options: list[tuple[Any, str]] = []
        super().__init__(**kwargs)

    def populate(self, view: QuestionView) -> None:
        self._interest_options = list(view.options) if view.question.kind == "involvement" else []
        self._need_options = (list(view.options) if view.question.kind == "contact" else
                              [(k, self._t(t)) for k, t in NEEDS])
        # contact opens with the question and its help alone (who reads it, that it is not
        # monitored); involvement opens with what the person would like to do
        first = ["interests"] if view.question.kind == "involvement" else ["intro"]
        self.steps = first + ["name", "method", "value", "needs", "review"]
        self.data: dict[str, Any] = dict(view.previous or {})
        self.go(self.steps[0])

    def _t(self, message: str) -> str:
        return app_state().tr._(message)

    # --- moving between steps -----------------------------------------------------------------

    def go(self, step: str) -> None:
        self.step, self.error = step, ""
        self.typing = step in TEXT_STEPS
        self.first_step = step == self.steps[0]
        self.notice_shown = step in ("intro", "review")
        view = self.view
        index = self.steps.index(step)
        if view is not None and index < len(view.progress_steps):
            self.progress_text = view.progress_steps[index]
        field = self.ids.field
        if self.typing:
            key = "name" if step == "name" else "value"
            field.text = str(self.data.get(key, ""))
            self._ready_keyboard(key)
            self.prompt = self._t("Your name") if step == "name" else \
                self._t(VALUE_PROMPTS[self.data.get("method", "phone")])
        elif step == "intro":
            self.prompt = ""
        elif step == "review":
            self.prompt = self._t("Please check your details before you send them")
            self.summary = self._summary()
        else:
            self._fill_choices(step)
        self._words_for(step)

    def _words_for(self, step: str) -> None:
        """The frame's question and help lines for ``step``."""
        view = self.view
        if self.first_step and view is not None:
            self.heading = view.text
            self.step_help = view.help or (self.prompt if step == "interests" else "")
        elif step in TEXT_STEPS:
            self.heading = self.prompt
            self.step_help = f"{self._t(INSTRUCTIONS[step])} {self._t(NOT_MONITORED)}"
        else:
            self.heading, self.step_help = self.prompt, ""

    def _ready_keyboard(self, key: str) -> None:
        """The page to start on: digits for a phone number, Latin letters for an email address,
        the person's own letters for a name or a postal address."""
        keyboard, method = self.ids.keyboard, self.data.get("method")
        keyboard.target = self.ids.field
        latin = key == "value" and method in ("phone", "text", "email")
        self.field_direction = "ltr" if latin else ""
        if not latin:
            keyboard.layout = keyboard.home()
        else:
            keyboard.layout = "lower" if method == "email" else "numbers"

    def _fill_choices(self, step: str) -> None:
        choices = self.ids.choices
        if step == "interests":
            self.prompt = self._t("What would you like to do? Choose as many as you like.")
            opts, chosen, multi = self._interest_options, self.data.get("interests", []), True
        elif step == "method":
            self.prompt = self._t("How should we contact you?")
            opts = [(k, self._t(t)) for k, t in METHODS]
            chosen, multi = [self.data["method"]] if "method" in self.data else [], False
        else:
            self.prompt = self._t("Do you need information from us in a particular way? "
                                  "Choose all that apply.")
            opts, chosen, multi = self._need_options, self.data.get("needs", []), True
        choices.multi = multi
        choices.reset_page()
        choices.selected = list(chosen)
        choices.options = opts

    def next_step(self) -> None:
        if not self._store_step():
            return
        i = self.steps.index(self.step)
        self.go(self.steps[i + 1])

    def back_step(self) -> None:
        if self.step in TEXT_STEPS:
            self._keep_text()
        i = self.steps.index(self.step)
        if i == 0:
            self.dispatch("on_back")
        else:
            self.go(self.steps[i - 1])

    def chosen(self, value: Any) -> None:
        if self.step == "method":  # one answer: move on at once, like any single choice
            self.next_step()

    # --- keeping what was typed ---------------------------------------------------------------

    def _keep_text(self) -> None:
        self.data["name" if self.step == "name" else "value"] = self.ids.field.text.strip()

    def _store_step(self) -> bool:
        step, choices = self.step, self.ids.choices
        if step in TEXT_STEPS:
            self._keep_text()
            problem = self._check_text(step)
            if problem:
                self.error = self._t(problem)
                return False
        elif step == "method":
            if not choices.selected:
                return False
            if self.data.get("method") != choices.selected[0]:
                self.data["value"] = ""  # a phone number is no use as an email address
            self.data["method"] = choices.selected[0]
        elif step in ("interests", "needs"):
            if step == "interests" and not choices.selected:
                self.error = self._t("Please choose at least one.")
                return False
            self.data[step] = list(choices.selected)
        return True

    def _check_text(self, step: str) -> str | None:
        text = self.data.get("name" if step == "name" else "value", "")
        if not text:
            return N_("Please type your name.") if step == "name" else \
                N_("Please type how we can contact you.")
        method = self.data.get("method")
        if step == "value" and method == "email" and not _EMAIL.match(text):
            return N_("This does not look like an email address. Please check it.")
        if step == "value" and method in ("phone", "text") and \
                sum(c.isdigit() for c in text) < 7:
            return N_("This does not look like a phone number. Please check it.")
        return None

    def _summary(self) -> list[tuple[str, str]]:
        methods, needs = dict(METHODS), dict(self._need_options)
        rows = []
        if self._interest_options:
            interests = dict(self._interest_options)
            rows.append((self._t("You would like to help by"),
                         ", ".join(interests[i] for i in self.data.get("interests", []))))
        method = self.data.get("method", "phone")
        rows += [(self._t("Name"), self.data.get("name", "")),
                 (self._t("Contact by"), self._t(methods[method])),
                 (self._t(VALUE_PROMPTS[method]), self.data.get("value", "")),
                 (self._t("How you need information"),
                  ", ".join(needs[n] for n in self.data.get("needs", []) if n in needs)
                  or self._t("None chosen"))]
        return rows

    def send(self) -> None:
        value = {"name": self.data.get("name", ""), "method": self.data.get("method", "phone"),
                 "value": self.data.get("value", ""), "needs": list(self.data.get("needs", []))}
        if self._interest_options:
            value = {"interests": list(self.data.get("interests", [])), **value}
        else:
            value["needs_other"] = ""
        self.dispatch("on_answer", value)

    def speak_text(self) -> list[str]:
        """The prompts only: a person's name, number or address is never read out loud."""
        if self.step == "intro" and self.view is not None:
            return [line for line in (self.view.text, self.view.help) if line]
        lines = [self.prompt, self._t(NOT_MONITORED)]
        if not self.typing and self.step not in ("review",):
            lines += [words for _, words in self.ids.choices.options]
        return [line for line in lines if line]

    def clear_answers(self) -> None:
        self.data = {}
        self.summary, self.steps = [], []
        self.step = self.prompt = self.error = self.heading = self.step_help = ""
        self.typing = False
        self.ids.field.text = ""
        self.ids.keyboard.layout = self.ids.keyboard.home()
        choices = self.ids.choices
        choices.selected, choices.options = [], []


load_kv(__file__)
