"""A touch text field for any script: what the person types, shaped and in the right order.

Kivy's TextInput cannot shape: typed Arabic comes out unjoined and reversed, Urdu loses its
Nastaliq, Bengali vowel signs land in the wrong place, digits inside RTL text flip. This field
keeps the typed text as a plain logical string and draws it with BidiLabel (directional runs,
each shaped by HarfBuzz with its own font, laid out in visual order), with a caret at the
logical end. Only the docked on-screen keyboard types into it (``insert_text`` /
``do_backspace``, as TextInput's); a kiosk has no hardware keyboard.
"""
from __future__ import annotations

from typing import Any

from kivy.properties import BooleanProperty, NumericProperty, OptionProperty, StringProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout

from screens import theme
from screens.bidi_label import BidiLabel  # noqa: F401  (used in the .kv)
from screens.widgets import HideMixin, load_kv

#: The caret: a bidi-neutral bar, so at the logical end it sits where the next letter will
#: appear (right of English text, left of Arabic, after digits typed inside Arabic).
CARET = "|"


class TouchTextField(HideMixin, ButtonBehavior, BoxLayout):
    """Tap it to type (``on_release``); ``text`` is the logical string, never reordered."""

    text = StringProperty("")
    hint_text = StringProperty("")
    max_length = NumericProperty(0)  # 0: no cap
    #: typing into it: the caret shows and the hint does not
    active = BooleanProperty(False)
    #: '' the language's direction; 'ltr' for an email address or phone number
    base_direction = OptionProperty("", options=["", "ltr", "rtl", "auto"])

    def insert_text(self, substring: str, from_undo: bool = False) -> None:
        if self.max_length:
            substring = substring[:max(0, int(self.max_length) - len(self.text))]
        self.text += substring

    def do_backspace(self, *_: Any, **__: Any) -> None:
        """Remove the last logical character (the one typed last, whatever its direction)."""
        self.text = self.text[:-1]

    def needed_height(self) -> float:
        """What the words typed so far (or the hint) take, with the padding: one line at least,
        at the chosen size."""
        label = self.ids.label
        return max(theme.mm(13), label.content_height + self.padding[1] + self.padding[3])

    def shown_text(self) -> str:
        if self.active:
            return self.text + CARET
        return self.text or self.hint_text


load_kv(__file__)
