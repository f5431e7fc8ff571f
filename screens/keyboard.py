"""A docked on-screen keyboard made of ordinary guarded buttons.

Kivy's VKeyboard floats over the layout (and ~230 px of it can cover the field); this one is a
row of the screen's own layout, so it can never cover the text it types into, every key is a
real widget the touch-target test can measure, and tests tap keys like any other button.
Pages (screens.keyboard_layouts): Latin letters, numbers and signs, accented letters (Welsh,
Polish, Romanian, Portuguese), and for Arabic, Urdu, Farsi, Sorani and Bengali their own
letters and signs, shown first in that language. It types into a TouchTextField (any script,
shaped, screens/touch_text.py) or, on the staff screen, an English TextInput.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kivy.properties import (
    BooleanProperty,
    ListProperty,
    NumericProperty,
    ObjectProperty,
    StringProperty,
)
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.textinput import TextInput

from screens import theme
from screens.boxes import place_in
from screens.keyboard_layouts import LAYOUTS, NATIVE, RTL_PAGES, keys, page_language
from screens.widgets import HideMixin, PVButton, load_kv


class KeyButton(PVButton):
    """One key. A short debounce: people type faster than they answer questions."""

    key = StringProperty("")
    #: Space / Delete / Done / Back are words in the person's language; Latin letters and the
    #: layout keys (abc, 123) are Latin and must not be drawn right-to-left.
    translated = BooleanProperty(False)
    #: the language a native page's key is drawn in (its font, script and direction)
    key_lang = StringProperty("")


class OnScreenKeyboard(HideMixin, BoxLayout):
    """Types into ``target`` (``insert_text`` / ``do_backspace``); emits ``on_done``."""

    KEY_MM = 12.2  # a key's height: a full target (12 mm), no more: at Bigger text it is room
    GAP_MM = 2.0
    target = ObjectProperty(None, allownone=True)
    layout = StringProperty("lower")
    #: the person's language: its own letters come first, if it has a page here
    language = StringProperty("en")
    #: that language's own pages: (letters, signs), or empty
    native_pages = ListProperty([])
    __events__ = ("on_done",)

    def full_height(self) -> float:
        return 4 * theme.mm(self.KEY_MM) + 3 * theme.mm(self.GAP_MM)

    def add_widget(self, widget: Any, *args: Any, **kwargs: Any) -> None:
        if isinstance(widget, KeyButton):  # a bottom-row key from the kv: arrange() places it
            self.__dict__.setdefault("_controls", []).append(widget)  # ids are weak references
            return
        super().add_widget(widget, *args, **kwargs)

    def on_kv_post(self, *_: Any) -> None:
        self.build_rows()
        self.fbind("native_pages", self.arrange)
        self.arrange()

    def on_layout(self, *_: Any) -> None:
        self.build_rows()
        self.arrange()

    def bottom_keys(self) -> list[str]:
        """The bottom row on this page, in order: page switches, Space, Delete, Done."""
        layout, native = self.layout, self.native_pages
        keys = []
        if layout != "lower":
            keys.append("to_lower")
        if layout in ("lower", "accents"):
            keys.append("to_upper")
        if layout != "numbers":
            keys.append("to_numbers")
        if not native and layout != "accents":
            keys.append("to_accents")
        if native:
            keys.append("to_signs" if layout == native[0] else "to_native")
        return [*keys, "space", "backspace", "done"]

    def arrange(self, *_: Any) -> None:
        place_in(self.ids.bottom, [self.ids[name] for name in self.bottom_keys()])

    def on_language(self, *_: Any) -> None:
        self.native_pages = list(self.native())
        self.layout = self.home()

    def home(self) -> str:
        """The first page for this language: its own letters, else Latin."""
        return NATIVE[self.language][0] if self.language in NATIVE else "lower"

    def native(self) -> tuple[str, ...]:
        return NATIVE.get(self.language, ())

    def sample(self, page: str) -> str:
        """A switch key's label: the first keys of ``page`` (e.g. "ابت", "১২৩")."""
        if page not in LAYOUTS:
            return ""
        label = "".join(shown for shown, _ in keys(page)[0][:3])
        if page in RTL_PAGES and label.isdigit():
            # the key is drawn right-to-left and HarfBuzz does no bidi: digits would read 321
            label = label[::-1]
        return label

    def build_rows(self) -> None:
        """Show the current page's keys. Each page's rows are made once and kept: making some
        forty keys again at every switch of page cost 0.1 s a time (their sizes and colours
        follow the app's text size and palette through their kv rules)."""
        cache = self.__dict__.setdefault("_pages", {})
        if self.layout not in cache:
            cache[self.layout] = self._make_rows(self.layout)
        place_in(self.ids.rows, cache[self.layout])

    def _make_rows(self, layout: str) -> list[BoxLayout]:
        lang = page_language(layout)
        made = []
        for line in keys(layout):
            row = BoxLayout(spacing=theme.mm(2.2))
            # right-to-left pages start at the right, as the script is read
            for shown, typed in reversed(line) if layout in RTL_PAGES else line:
                key = KeyButton(text=shown, key=typed, key_lang="" if lang == "en" else lang)
                key.bind(on_release=self.press)
                row.add_widget(key)
            made.append(row)
        return made

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

    def keys(self) -> list[KeyButton]:
        """Every key on the current layout (tests and the self-test type through these)."""
        out: list[KeyButton] = []
        for row in reversed(self.ids.rows.children):
            out.extend(reversed(row.children))
        return out

    def type_text(self, text: str, tap: Callable[[Any], None]) -> None:
        """Type ``text`` by tapping keys with ``tap(widget)``, switching layouts as needed.
        A key may type two code points (Bengali য় is য + nukta): the longest match wins."""
        i = 0
        while i < len(text):
            if text[i] == " ":
                tap(self.ids.space)
                i += 1
                continue
            page, typed = self._page_for(text[i:])
            for switch in self._path_to(page):
                tap(self.ids[switch])
            key = next((k for k in self.keys() if k.key == typed), None)
            if key is None:
                raise AssertionError(f"no key {typed!r} on the {self.layout!r} page "
                                     f"(wanted {page!r}; keys {[k.key for k in self.keys()][:12]})")
            tap(key)
            i += len(typed)

    def _page_for(self, rest: str) -> tuple[str, str]:
        order = [self.layout, *self.native(), *(p for p in LAYOUTS if p not in NATIVE_PAGES)]
        found = [(len(typed), -n, page, typed) for n, page in enumerate(order)
                 for row in keys(page) for _, typed in row if rest.startswith(typed)]
        if not found:
            raise ValueError(f"the on-screen keyboard has no key for {rest[0]!r}")
        _, _, page, typed = max(found)
        return page, typed

    def _path_to(self, page: str) -> list[str]:
        """The switch keys to tap, in order, from the current page to ``page``."""
        if page == self.layout:
            return []
        native = self.native()
        if page in native:
            to_letters = [] if self.layout == native[0] else ["to_native"]
            return to_letters + ([] if page == native[0] else ["to_signs"])
        if page == "upper":
            return ([] if self.layout == "lower" else ["to_lower"]) + ["to_upper"]
        if page == "accents_upper":
            return ([] if self.layout == "accents" else ["to_accents"]) + ["to_upper"]
        return [f"to_{page}"]


NATIVE_PAGES = frozenset(page for pages in NATIVE.values() for page in pages)


load_kv(__file__)


class EntryField(HideMixin, TextInput):
    """The text being typed: large, never focused by the system keyboard, capped in length."""

    max_length = NumericProperty(0)  # 0: no cap

    def insert_text(self, substring: str, from_undo: bool = False) -> None:
        if self.max_length:
            room = int(self.max_length) - len(self.text)
            substring = substring[:max(0, room)]
        super().insert_text(substring, from_undo=from_undo)
