"""Free text: a large field and a docked on-screen keyboard that sits below it, never over it.

The field is a TouchTextField: typed Arabic, Urdu, Farsi, Sorani and Bengali are shown shaped
and in order (Kivy's TextInput cannot), typed with that language's own keyboard pages.

Two states. Reading: the question, its help and the field ("Tap here to type"), with Back /
Skip / Next. Typing (after tapping the field): the header folds to one line and the keyboard
takes its place, so the field stays in view at every text size.
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

    def populate(self, view: QuestionView) -> None:
        self.typing = False
        self.max_length = view.question.max_length or 0
        self.ids.field.text = view.previous or ""

    def speak_extra(self) -> list[str]:
        """Where the script cannot be typed here, read-aloud says so too (the notice)."""
        note = self.ids.no_keyboard.text
        return [note] if note else []

    def start_typing(self) -> None:
        self.typing = True
        keyboard = self.ids.keyboard
        keyboard.target = self.ids.field
        keyboard.layout = keyboard.home()

    def stop_typing(self) -> None:
        self.typing = False
        self.dispatch("on_draft", self.ids.field.text)

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
