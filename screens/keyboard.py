"""A docked on-screen keyboard made of ordinary guarded buttons.

Kivy's VKeyboard floats over the layout (and ~230 px of it can cover the field); this one is a
row of the screen's own layout, so it can never cover the text it types into, every key is a
real widget the touch-target test can measure, and tests tap keys like any other button.
Layouts are Latin (letters, numbers and signs, accented letters for Welsh, Polish, Romanian,
Portuguese); typing Arabic-script text is out of reach of Kivy's TextInput (it cannot shape).
"""
from __future__ import annotations

from typing import Any

from kivy.properties import BooleanProperty, NumericProperty, ObjectProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.textinput import TextInput

from screens import theme
from screens.keyboard_layouts import LAYOUTS
from screens.widgets import HideMixin, PVButton, load_kv


class KeyButton(PVButton):
    """One key. A short debounce: people type faster than they answer questions."""

    key = StringProperty("")
    #: Space / Delete / Done / Back are words in the person's language; letters and the
    #: layout keys (abc, 123) are Latin and must not be drawn right-to-left.
    translated = BooleanProperty(False)


class OnScreenKeyboard(HideMixin, BoxLayout):
    """Types into ``target`` (a TextInput); emits ``on_done`` for the Done key."""

    target = ObjectProperty(None, allownone=True)
    layout = StringProperty("lower")
    show_back = BooleanProperty(False)
    __events__ = ("on_done", "on_back")

    def on_kv_post(self, *_: Any) -> None:
        self.build_rows()

    def on_layout(self, *_: Any) -> None:
        self.build_rows()

    def build_rows(self) -> None:
        rows = self.ids.rows
        rows.clear_widgets()
        for line in LAYOUTS[self.layout]:
            row = BoxLayout(spacing=theme.mm(2.2))
            for ch in line.split(" "):
                key = KeyButton(text=ch, key=ch)
                key.bind(on_release=self.press)
                row.add_widget(key)
            rows.add_widget(row)

    def press(self, key: KeyButton) -> None:
        if self.target is not None:
            self.target.insert_text(key.key)

    def space(self) -> None:
        if self.target is not None:
            self.target.insert_text(" ")

    def backspace(self) -> None:
        if self.target is not None:
            self.target.do_backspace()

    def switch(self, layout: str) -> None:
        self.layout = layout

    def on_done(self) -> None:
        pass

    def on_back(self) -> None:
        pass

    def keys(self) -> list[KeyButton]:
        """Every key on the current layout (tests and the self-test type through these)."""
        out: list[KeyButton] = []
        for row in reversed(self.ids.rows.children):
            out.extend(reversed(row.children))
        return out

    def type_text(self, text: str, tap) -> None:
        """Type ``text`` by tapping keys with ``tap(widget)``, switching layouts as needed."""
        for ch in text:
            if ch == " ":
                tap(self.ids.space)
                continue
            layout = next((n for n, rows in LAYOUTS.items() if ch in " ".join(rows).split(" ")),
                          None)
            if layout is None:
                raise ValueError(f"the on-screen keyboard has no key for {ch!r}")
            if self.layout != layout:
                tap(self.ids[f"to_{layout}"])
            tap(next(k for k in self.keys() if k.key == ch))


load_kv(__file__)


class EntryField(HideMixin, TextInput):
    """The text being typed: large, never focused by the system keyboard, capped in length."""

    max_length = NumericProperty(0)  # 0: no cap

    def insert_text(self, substring: str, from_undo: bool = False) -> None:
        if self.max_length:
            room = int(self.max_length) - len(self.text)
            substring = substring[:max(0, room)]
        super().insert_text(substring, from_undo=from_undo)
