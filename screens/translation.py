"""The Kivy side of kiosk.i18n: what kv binds to so text re-renders on a live language switch.

kv writes ``text: app.tr._("Back")``. ``app.tr`` is a ``Lookup`` for one language; switching
language puts a new ``Lookup`` in the App's ``tr`` property, and Kivy re-evaluates every kv
expression that read ``app.tr``. (The kivy-gettext-example pattern instead keeps a list of every
kv callback on one Observable, which grows each time a widget is rebuilt.)

``LanguageStyle`` is what a label needs to draw a language: font file, HarfBuzz script,
direction. It comes from kiosk.languages, read once per language.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from kivy.core.text import LabelBase

from kiosk.i18n import Translator
from kiosk.languages import get_language


@dataclass(frozen=True)
class LanguageStyle:
    tag: str
    font_name: str  # a registered font name (regular + bold faces from the assets folder)
    bold_font_name: str
    script: str  # Kivy font_script_name: Latn, Arab, Beng, Hani
    direction: str  # 'ltr' | 'rtl'
    native_name: str  # the language's name in itself, for the language picker
    #: Nastaliq's lines are 2.5 em tall (Noto Sans: 1.36 em): tighter lines and a slightly
    #: smaller size keep Urdu screens the same height as the others.
    line_height: float = 1.0
    size_factor: float = 1.0

    @property
    def rtl(self) -> bool:
        return self.direction == "rtl"


@cache
def style_for(tag: str) -> LanguageStyle:
    lang = get_language(tag)
    regular = str(lang.font)
    bold = str(lang.bold or lang.font)
    # Registered by absolute path (resource_find would otherwise prefer a system font), under a
    # name of our own: BidiLabel registers the bare path with no bold face.
    name = f"pv-{lang.font.stem}"
    LabelBase.register(name=name, fn_regular=regular, fn_bold=bold)
    tall = _line_extent(regular)
    return LanguageStyle(tag=lang.tag, font_name=name, bold_font_name=bold,
                         script=lang.script, direction=lang.direction,
                         native_name=lang.native_name,
                         line_height=min(1.0, 1.75 / tall), size_factor=0.85 if tall > 2 else 1.0)


def _line_extent(path: str) -> float:  # noqa: D103
    """Ascent + descent in em: how tall one line of this font is."""
    from fontTools.ttLib import TTFont

    font = TTFont(path, lazy=True)
    hhea = font["hhea"]
    return (hhea.ascent - hhea.descent) / font["head"].unitsPerEm


class Lookup:
    """Translations for one language. A new object per switch, so kv sees a changed value."""

    def __init__(self, translator: Translator, tag: str) -> None:
        self._translator = translator
        self.tag = tag

    def _(self, message: str) -> str:
        return self._translator.translate(message, self.tag)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self._translator.catalogue(self.tag).ngettext(singular, plural, n)
