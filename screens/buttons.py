"""Every tappable control: PVButton and its kinds (answer, language, speaker), and the tap guard.

Each draws itself from the App's palette, honours the active language's font and direction, and
goes through ``TAP_GUARD`` so that a second finger, a palm or a bouncing contact never answers
twice (Kivy gives one ``on_press`` per finger, #5609). A button grows to hold its words at the
size the person chose (``grow``): its words never run over its border.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from kivy.clock import Clock
from kivy.properties import (
    BooleanProperty,
    NumericProperty,
    ObjectProperty,
    OptionProperty,
    StringProperty,
)
from kivy.uix.behaviors import ButtonBehavior

from screens import theme
from screens.base import app_state, load_kv
from screens.labels import PVLabel

BORDER_MM = 0.7  # outline of every control
BORDER_SELECTED_MM = 1.0  # a chosen answer or a finger down


class TapGuard:
    """Accept one finger at a time, and ignore a contact that lands just after a release.

    ``clock`` is injectable so tests can tap at machine speed without waiting out the debounce.
    """

    STALE_SECONDS = 10.0  # a touch-up lost by the driver must not lock the screen for ever

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.active: Any = None
        self.active_since = 0.0
        self.last_release = -1e9

    def accept(self, touch: Any, debounce: float) -> bool:
        now = self.clock()
        if self.active is not None and self.active is not touch:
            if now - self.active_since < self.STALE_SECONDS:
                return False
        if now - self.last_release < debounce:
            return False
        self.active, self.active_since = touch, now
        return True

    def release(self, touch: Any) -> None:
        if touch is self.active:
            self.active = None
            self.last_release = self.clock()

    def reset(self) -> None:
        self.active = None
        self.last_release = -1e9


TAP_GUARD = TapGuard()


class PVButton(ButtonBehavior, PVLabel):
    """A themed, guarded button. Bind ``on_release`` for the action (once per accepted tap).

    ``grow``: 'height' (the words wrap to the width and the button is as tall as they need),
    'width' (one line, as wide as the words), or 'none' (a layout sizes it: then it must ask
    ``needed_height``)."""

    kind = OptionProperty("secondary", options=["primary", "secondary", "choice", "key", "bar"])
    selected = BooleanProperty(False)
    debounce = NumericProperty(0.35)
    #: What a screen reader / read-aloud says for this control (defaults to its text).
    spoken = StringProperty("")
    grow = OptionProperty("none", options=["none", "height", "width"])
    #: the least width when growing to the words (a short "OK" still makes a wide target)
    min_width = NumericProperty(0)
    min_height_mm = NumericProperty(theme.MIN_TARGET_MM + 1)

    def on_texture_size(self, *_: Any) -> None:
        if self.grow == "height":
            self.height = max(theme.mm(self.min_height_mm), self.drawn_height())
        elif self.grow == "width":
            self.width = max(self.min_width, theme.mm(theme.MIN_TARGET_MM), self.texture_size[0])

    def needed_height(self, width: float) -> float:
        """How tall this button must be at ``width`` for its words (laid out now)."""
        if self.width != width:
            self.width = width
        self.texture_update()
        return max(theme.mm(self.min_height_mm), self.drawn_height())

    def natural_width(self) -> float:
        """The words' width on one line, padding included, without laying them out."""
        core = self._label
        if self._complex():
            from screens.bidi_label import prime_font
            prime_font(core)
        left, _, right, _ = self.padding
        return float(core.get_extents(self.drawn_text)[0]) + left + right

    def on_touch_down(self, touch: Any) -> bool:
        if self.disabled or not self.collide_point(*touch.pos):
            return super().on_touch_down(touch)
        if not TAP_GUARD.accept(touch, self.debounce):
            return True  # swallowed: a second finger or a bounce
        return super().on_touch_down(touch)

    def on_touch_up(self, touch: Any) -> bool:
        handled = super().on_touch_up(touch)
        TAP_GUARD.release(touch)
        return handled

    def border_width(self, state: str, selected: bool) -> float:
        return theme.mm(BORDER_SELECTED_MM if state == "down" or selected else BORDER_MM)

    def colours(self, palette: theme.Palette, state: str, selected: bool,
                kind: str) -> tuple[tuple, tuple, tuple]:
        """(background, border, text) RGBA for the current state."""
        p = palette
        if state == "down":
            names = (p.pressed, p.pressed_border, p.on_pressed)
        elif kind == "bar":  # the tick box shows the state; the button keeps its outline
            names = (p.bar, p.on_bar, p.on_bar)
        elif selected or kind == "primary":
            names = (p.selected if selected else p.primary, p.border if p.name == "high_contrast"
                     else p.selected, p.on_selected if selected else p.on_primary)
        else:
            names = (p.surface, p.border, p.text)
        return tuple(theme.hex_rgba(c) for c in names)  # type: ignore[return-value]


class LanguageButton(PVButton):
    """A language in its own name, in its own script (``lang``), on the welcome screen."""

    tag = StringProperty("")


class ChoiceButton(PVButton):
    """A full-width answer: a radio circle (single) or a tick box (multi) and the words."""

    mark = OptionProperty("radio", options=["radio", "check", "none"])
    value = ObjectProperty(None, allownone=True)

    def on_kv_post(self, *args: Any) -> None:
        super().on_kv_post(*args)
        from kivy.graphics import InstructionGroup

        self._mark = InstructionGroup()
        self.canvas.after.add(self._mark)
        redraw = Clock.create_trigger(self.draw_mark, -1)
        self.fbind("pos", redraw)
        self.fbind("size", redraw)
        for name in ("mark", "selected", "state", "kind", "st"):
            self.fbind(name, redraw)
        app = app_state()
        if app is not None:
            app.fbind("palette", redraw)
        self.draw_mark()

    def draw_mark(self, *_: Any) -> None:
        """The radio circle or tick box, on the reading-start side; nothing at all for "none".

        Drawn from Python so that no invisible mark is ever drawn: Kivy draws a wide Line in a
        see-through colour through a stencil, which clears the whole screen's stencil buffer
        each time (several milliseconds a frame on a software renderer)."""
        from kivy.graphics import Color, Ellipse, Line

        self._mark.clear()
        app = app_state()
        if self.mark == "none" or app is None:
            return
        fg = self.colours(app.palette, self.state, self.selected, self.kind)[2]
        rtl = self.st is not None and self.st.rtl
        mm = theme.mm
        self._mark.add(Color(*fg))
        if self.mark == "radio":
            cx = self.right - mm(7) if rtl else self.x + mm(7)
            self._mark.add(Line(circle=(cx, self.center_y, mm(3)), width=mm(0.5)))
            if self.selected:
                self._mark.add(Ellipse(pos=(cx - mm(2), self.center_y - mm(2)),
                                       size=(mm(4), mm(4))))
            return
        x = self.right - mm(10) if rtl else self.x + mm(4)
        self._mark.add(Line(rectangle=(x, self.center_y - mm(3), mm(6), mm(6)), width=mm(0.5)))
        if self.selected:
            cy = self.center_y
            self._mark.add(Line(points=[x + mm(1.2), cy, x + mm(2.6), cy - mm(1.6),
                                        x + mm(5), cy + mm(2)], width=mm(0.7)))


class SpeakerButton(ChoiceButton):
    """The read-aloud button: a drawn speaker on the reading-start side, then its words
    ("Read aloud", "Stop", "Repeat"), so it is recognised without reading and named by meaning."""

    icon_x = NumericProperty(0)  # the speaker drawing's left edge (reading-start side)

    def colours(self, palette: theme.Palette, state: str, selected: bool,
                kind: str) -> tuple[tuple, tuple, tuple]:
        """In the top bar, "Stop" (reading) is drawn inverted so the state shows at a glance."""
        if kind == "bar" and selected and state != "down":
            p = palette
            return tuple(theme.hex_rgba(c) for c in (p.on_bar, p.on_bar, p.bar))  # type: ignore[return-value]
        return super().colours(palette, state, selected, kind)


load_kv(__file__)
