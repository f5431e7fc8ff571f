"""Contact details and involvement sign-up: one small step per screen, then a check before sending.

Steps (involvement starts with what the person would like to do):
    interests -> name -> method -> value -> needs -> review ("Send my details")
Nothing leaves this screen until "Send my details" on the review step; Back walks the steps.
Every step shows that the channel is not monitored all the time (domain.md §3).
"""
from __future__ import annotations

import re
from typing import Any

from kivy.clock import Clock
from kivy.properties import BooleanProperty, ListProperty, StringProperty

from kiosk.i18n import N_
from screens.keyboard import OnScreenKeyboard  # noqa: F401  (used in the .kv)
from screens.question import QuestionScreen, QuestionView
from screens.touch_text import TouchTextField  # noqa: F401  (used in the .kv)
from screens.widgets import app_state, fit_step, load_kv, stacked_height

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


class ContactScreen(QuestionScreen):
    steps = ListProperty([])
    step = StringProperty("")
    prompt = StringProperty("")
    error = StringProperty("")
    summary = ListProperty([])  # (label, value) pairs on the review step
    typing = BooleanProperty(False)
    notice = StringProperty(NOT_MONITORED)
    #: the line is shown where details are first asked for and again before sending; the
    #: steps between fold it away so the answers fit at "Bigger text" too
    notice_shown = BooleanProperty(True)
    first_step = BooleanProperty(True)
    #: an email address or phone number reads left to right in every language
    field_direction = StringProperty("")

    def __init__(self, **kwargs: Any) -> None:
        self.data: dict[str, Any] = {}
        self._interest_options: list[tuple[Any, str]] = []
        self._need_options: list[tuple[Any, str]] = []
        self._fit = Clock.create_trigger(self.fit_screen, -1)  # before the kv rules run
        super().__init__(**kwargs)

    def on_kv_post(self, *args: Any) -> None:
        super().on_kv_post(*args)
        review = self.ids.review
        review.fbind("height", self._fit)
        self.ids.frame.fbind("height", self._refit)  # a new size: start again from full size
        for part in (self.ids.frame.ids.header, self.ids.notice, self.ids.prompt):
            part.fbind("height", self._fit)
        self.ids.choices.fbind("options", self._fit)
        for row in self._rows():
            row.fbind("height", self._fit)
        self.fbind("summary", self._refit)
        self.fbind("step", self._refit)  # the frame's question and progress are every step's
        app = app_state()
        if app is not None:
            app.fbind("sizes", self._refit)

    def _rows(self) -> list[Any]:
        return [c for c in self.ids.review.children if c.size_hint_y is None]

    def _texts_to_fit(self) -> list[Any]:
        frame = self.ids.frame.ids
        rows = [t for r in self._rows() for t in (r.ids.a, r.ids.b)]
        return rows + [self.ids.notice, self.ids.prompt, frame.question, frame.progress,
                       frame.help]

    def _refit(self, *_: Any) -> None:
        for text in self._texts_to_fit():
            text.fit = 1.0
        self._fit()

    def fit_screen(self, *_: Any) -> None:
        """Every step on one screen. With "Bigger text" the question, its help, the prompt,
        the rows of details or the answers and the "not monitored" line outgrew it (the
        review's rows ran under the question, the involvement answers over its help), so the
        texts step down together, to no less than half (Urdu's review needs that; about the
        normal size, at which the screen is known to fit). Typing steps fold texts away."""
        if self.typing:
            return
        review, choices = self.ids.review, self.ids.choices

        def part(child: Any) -> float:  # only the step's own part takes room in the body
            if child == review:  # ids are weak proxies: == compares the widgets
                return stacked_height(review) if self.step == "review" else 0.0
            return choices.least_height() if child == choices and choices.shown else 0.0

        frame = self.ids.frame
        fit_step(self._texts_to_fit(), frame.needed(part), frame.height, floor=0.5)

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

    def _app_big(self) -> bool:
        return bool(app_state().big_text)

    def _t(self, message: str) -> str:
        return app_state().tr._(message)

    # --- moving between steps -----------------------------------------------------------------

    def go(self, step: str) -> None:
        self.step, self.error = step, ""
        self.typing = step in TEXT_STEPS
        self.first_step = step == self.steps[0]
        self.notice_shown = step == "review" or (self.typing and not self._app_big()) or \
            (self.first_step and not (self.view and self.view.help))
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
        self.help_text = (self.view.help if self.view and step == self.steps[0] else "")

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
        choices.relayout()

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
        self.step = self.prompt = self.error = ""
        self.typing = False
        self.ids.field.text = ""
        self.ids.keyboard.layout = self.ids.keyboard.home()
        choices = self.ids.choices
        choices.selected, choices.options = [], []
        choices.ids.answers.clear_widgets()


load_kv(__file__)
