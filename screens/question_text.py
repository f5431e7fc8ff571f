"""Free text: a large field and a docked on-screen keyboard that sits below it, never over it.

The field is a TouchTextField: typed Arabic, Urdu, Farsi, Sorani and Bengali are shown shaped
and in order (Kivy's TextInput cannot), typed with that language's own keyboard pages.

Two states. Reading: the question, its help and the field ("Tap here to type"). Typing (after
tapping the field): the keyboard opens under the field. In both the progress, the question,
its privacy line and Back / Skip / Next stay. When they, the field and the keyboard outgrow the
screen (Bigger text), the words keep their size and scroll in their window, with buttons.
"""
from __future__ import annotations

from typing import Any

from kivy.properties import BooleanProperty, NumericProperty, ObjectProperty, StringProperty

from screens.keyboard import OnScreenKeyboard  # noqa: F401  (used in the .kv)
from screens.keyboard_layouts import NO_KEYBOARD
from screens.question import QuestionScreen, QuestionView
from screens.touch_text import TouchTextField  # noqa: F401  (used in the .kv)
from screens.widgets import load_kv


class FreeTextScreen(QuestionScreen):
    typing = BooleanProperty(False)
    max_length = NumericProperty(0)
    text = StringProperty("")
    no_keyboard_languages = ObjectProperty(NO_KEYBOARD)
    #: within this many characters of the limit the count is shown even where it costs a line
    near_limit = BooleanProperty(False)
    #: something (not only spaces) is typed. A property of its own: kv does not re-evaluate
    #: ``root.text.strip()`` when ``text`` changes (a method call at the end of the chain)
    typed = BooleanProperty(False)

    def on_text(self, *_: Any) -> None:
        self.typed = bool(self.text.strip())
        left = self.max_length - len(self.text) if self.max_length else 10 ** 6
        self.near_limit = left <= max(50, self.max_length // 10)

    def populate(self, view: QuestionView) -> None:
        self.typing = False
        self.max_length = view.question.max_length or 0
        self.ids.field.text = view.previous or ""

    def speak_extra(self) -> list[str]:
        """Where the script cannot be typed here, read-aloud says so too (the notice)."""
        note = self.ids.frame.note_text
        return [note] if note else []

    def start_typing(self) -> None:
        self.typing = True
        keyboard = self.ids.keyboard
        keyboard.target = self.ids.field
        keyboard.layout = keyboard.home()

    def stop_typing(self) -> None:
        self.typing = False
        self.dispatch("on_draft", self.ids.field.text)

    def go_back(self) -> None:
        if self.typing:
            self.stop_typing()
        self.dispatch("on_back")

    def skip(self) -> None:
        self.typing = False
        self.dispatch("on_skip")

    def next(self) -> None:
        self.typing = False
        self.dispatch("on_answer", self.ids.field.text.strip())

    def clear_answers(self) -> None:
        self.typing = False
        self.ids.field.text = ""
        self.ids.keyboard.layout = self.ids.keyboard.home()

    def on_answer(self, value: Any) -> None:
        pass


load_kv(__file__)
