"""Shared widgets: themed labels and buttons, the tap guard, FFT faces, paged choice lists.

Every tappable control is a ``PVButton``: it draws itself from the App's palette, honours the
active language's font and direction, and goes through ``TAP_GUARD`` so that a second finger, a
palm or a bouncing contact never answers twice (Kivy gives one ``on_press`` per finger, #5609).
"""
from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from kivy.app import App
from kivy.clock import Clock
from kivy.core.text import Label as CoreLabel
from kivy.lang import Builder
from kivy.properties import (
    BooleanProperty,
    ListProperty,
    NumericProperty,
    ObjectProperty,
    OptionProperty,
    StringProperty,
)
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.label import Label

from kiosk.text import for_rtl_label
from screens import theme
from screens.bidi_label import BidiLabel


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


def app_state() -> Any:
    return App.get_running_app()


class PVLabel(Label):
    """A label in the active language's font, direction and alignment, wrapping to its width.

    ``text`` stays the logical string (what tests find, what read-aloud speaks). In a
    right-to-left language the string drawn is ``kiosk.text.for_rtl_label(text)``: HarfBuzz lays
    a whole label out right to left, which turned an answer "16-24" into "42-61" and "NHS" into
    "SHN"; given the reversed left-to-right runs, it draws them in the reader's order.
    (One font per label: each language's face carries Latin letters and digits too.)
    """

    role = StringProperty("text")  # palette role for the colour
    size_role = StringProperty("body")  # TextSizes field
    #: Set when a label must keep its own language (a language's own name on the welcome screen).
    lang = StringProperty("")
    #: Where the text sits along the reading direction: 'start' is left in English, right in Arabic.
    align = OptionProperty("start", options=["start", "center", "end"])
    st = ObjectProperty(None, allownone=True)  # the LanguageStyle in force for this label
    #: Wrap the words to the widget's width; False: the widget takes the words' own width.
    wrap = BooleanProperty(True)
    #: Scale on the role's size; only FitLabel changes it.
    fit = NumericProperty(1.0)

    def text_box(self, size: Sequence[float], wrap: bool, _style: Any) -> tuple:
        """The label's text_size: one kv rule calls this, so no two bindings fight over it."""
        return (size[0], None) if wrap else (None, None)

    @property
    def drawn_text(self) -> str:
        """The string handed to the text renderer (see the class docstring)."""
        st = self.st
        return for_rtl_label(self.text) if self.text and st is not None and st.rtl else self.text

    def _create_label(self) -> None:
        super()._create_label()
        self._label.text = self.drawn_text

    def _trigger_texture_update(self, name: Any = None, source: Any = None,
                                value: Any = None) -> None:
        if source and name == "text":
            value = self.drawn_text
        super()._trigger_texture_update(name, source, value)

    def on_st(self, *_: Any) -> None:
        core = getattr(self, "_label", None)  # kv rules run before Label makes its renderer
        if core is not None and core.text != self.drawn_text:
            core.text = self.drawn_text
            self._trigger_texture()


class FitMixin:
    """Words that must fit a fixed box: if they do not, their size steps down (to ``min_fit``
    of the role's size, never smaller). A new text, language or size starts again from full
    size. ``fits()`` says what fitting means for the widget."""

    min_fit = NumericProperty(0.6)

    def on_kv_post(self, *args: Any) -> None:
        super().on_kv_post(*args)  # type: ignore[misc]
        self._refit_later = Clock.create_trigger(self._refit, -1)
        self.fbind("texture_size", self._refit_later)  # type: ignore[attr-defined]
        for name in ("text", "size", "st"):
            self.fbind(name, self._restart)  # type: ignore[attr-defined]
        app = app_state()
        if app is not None:
            app.fbind("sizes", self._restart)

    def ratios(self) -> tuple[float, float]:
        """Room over need, across and down, for the words alone (padding excluded)."""
        left, top, right, bottom = self.padding  # type: ignore[attr-defined]
        width, height = self.texture_size  # type: ignore[attr-defined]
        across = (self.width - left - right) / max(1.0, width - left - right)  # type: ignore[attr-defined]
        down = (self.height - top - bottom) / max(1.0, height - top - bottom)  # type: ignore[attr-defined]
        return across, down

    def fits(self) -> bool:
        return min(self.ratios()) >= 0.999

    def shrink(self) -> float:
        """The factor to try next: straight to the room across; wrapping makes the height
        jump, so downwards it steps."""
        across, down = self.ratios()
        return min(across, 0.92 if down < 1 else 1.0)

    def _restart(self, *_: Any) -> None:
        self.fit = 1.0
        self._refit_later()

    def _refit(self, *_: Any) -> None:
        if not self.fits() and self.fit > self.min_fit:
            self.fit = max(self.min_fit, round(self.fit * min(0.99, self.shrink()), 3))


class FitLabel(FitMixin, PVLabel):
    """The top bar's organisation name and "Patient feedback": wrapped to two lines at most
    and smaller if need be, in whatever room the three buttons leave."""


class PVText(BidiLabel):
    """Display text (questions, help, notices) in any language and direction.

    Drawn by helper E's BidiLabel: runs of digits or Latin inside Arabic or Urdu keep their
    order, and Nastaliq/Bengali are measured as shaped. Buttons are PVLabels: one font, with
    mixed runs put in order by ``PVLabel.drawn_text``.
    """

    role = StringProperty("text")
    size_role = StringProperty("body")
    align = OptionProperty("start", options=["start", "center", "end"])

    #: Scale on the role's size, for a screen that must shrink one text to fit (welcome).
    fit = NumericProperty(1.0)

    def on_kv_post(self, *_: Any) -> None:
        # BidiLabel's rule keeps its minimum height at one line even when empty; a folded
        # PVText (no text, or hidden) must fold to nothing. Runs after that rule.
        self._fold = Clock.create_trigger(self._fold_min, -1)
        self.fbind("content_height", self._fold)
        self.fbind("text", self._fold)
        self.fbind("opacity", self._fold)
        self._fold()

    def _fold_min(self, *_: Any) -> None:
        self.size_hint_min_y = self.content_height if self.text and self.opacity else 0


def least_height(child: Any) -> float:
    """The least room a stretchy child of a vertical box can live with: what it says
    (``ChoiceList.least_height``), else its laid-out minimum, else nothing."""
    if hasattr(child, "least_height"):
        return float(child.least_height())
    return float(getattr(child, "minimum_height", 0.0))


def stacked_height(box: Any, flexible: Callable[[Any], float] = least_height) -> float:
    """The height a vertical BoxLayout needs, counted as Kivy lays it out: fixed children at
    their height, stretchy ones at ``flexible(child)``, a spacing between every two children
    (folded ones too), and the padding."""
    kids = box.children
    inner = sum(c.height if c.size_hint_y is None else flexible(c) for c in kids)
    return inner + box.spacing * max(0, len(kids) - 1) + box.padding[1] + box.padding[3]


def fit_step(texts: Sequence[Any], need: float, room: float, floor: float = 0.6) -> None:
    """Shrink ``texts`` (PVText) together by one step when what they need exceeds the room
    they have; call again after the next layout until it fits or reaches ``floor``. Wrapped
    text's height grows with the square of its size (more lines, each taller)."""
    current = min((t.fit for t in texts), default=1.0)
    if need - room <= 0.5 or current <= floor or need <= 0:
        return
    share = max(0.25, room / need)
    new = max(floor, round(current * min(0.97, share ** 0.5), 3))
    for text in texts:
        text.fit = new


class PVButton(ButtonBehavior, PVLabel):
    """A themed, guarded button. Bind ``on_release`` for the action (once per accepted tap)."""

    kind = OptionProperty("secondary", options=["primary", "secondary", "choice", "key", "bar"])
    selected = BooleanProperty(False)
    debounce = NumericProperty(0.35)
    #: What a screen reader / read-aloud says for this control (defaults to its text).
    spoken = StringProperty("")
    def text_box(self, size: Sequence[float], wrap: bool, _style: Any) -> tuple:
        # text_size includes the label's padding (the padding keeps the words off the edges)
        return (size[0], None) if wrap else (None, None)

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


class LanguageButton(FitMixin, PVButton):
    """A language in its own name on the welcome screen: one line, smaller if it is long
    ("Easy Read English"). Only the width counts: a Nastaliq line box is taller than the
    button although its letters are not."""

    def fits(self) -> bool:
        return self.ratios()[0] >= 0.999

    def shrink(self) -> float:
        return self.ratios()[0]


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



#: Mouth per FFT code: (arc start, arc end, vertical offset as a share of the radius) or None
#: for a straight mouth. Kivy's ellipse angles start at 12 o'clock and run clockwise.
_MOUTHS = {1: (105, 255, -0.05), 2: (130, 230, -0.15), 3: None, 4: (310, 410, -0.65),
           5: (290, 430, -0.75)}


class FaceButton(PVButton):
    """One FFT answer: a drawn face (or a question mark for "Don't know") above its words.

    The face only repeats the words: colour and face are never the only cue (domain.md §2).
    """

    code = NumericProperty(1)
    side = BooleanProperty(False)  # face beside the words instead of above them
    _words = 0.0

    def on_kv_post(self, *_: Any) -> None:
        self.bind(pos=self.redraw, size=self.redraw, state=self.redraw, selected=self.redraw,
                  text=self.redraw, side=self.redraw, code=self.redraw)
        app = app_state()
        if app is not None:
            app.bind(palette=self.redraw, sizes=self.redraw, style=self.redraw)
        self.redraw()

    def _face_width(self, size: Sequence[float]) -> float:
        return 2 * min(size[1] / 2 - theme.mm(3), theme.mm(7)) + theme.mm(4)

    def face_geometry(self) -> tuple[float, float, float]:
        """The face takes what the words leave: words never shrink, the face does."""
        app = app_state()
        if self.side:  # "Bigger text": the face beside the words, at the reading start
            r = max(theme.mm(3.5), min(self.height / 2 - theme.mm(3), theme.mm(7)))
            rtl = app.style.rtl
            cx = self.right - theme.mm(4) - r if rtl else self.x + theme.mm(4) + r
            return cx, self.center_y, r
        words = text_height(self.text, self.width - 2 * theme.mm(3) - 2,
                            theme.size_for(app.sizes, "button"), app.style.font_name,
                            app.style.script, app.style.direction) if self.text else 0
        room = self.height - words - theme.mm(8)
        r = max(theme.mm(3.5), min(room / 2, self.width * 0.2, theme.mm(9)))
        self._words = words
        return self.center_x, self.top - theme.mm(3) - r, r

    def redraw(self, *_: Any) -> None:
        from kivy.graphics import Color, Ellipse, Line
        app = app_state()
        if app is None or self.width < 10:
            return
        bg, border, fg = self.colours(app.palette, self.state, self.selected, self.kind)
        cx, cy, r = self.face_geometry()
        if self.side:
            face = self._face_width(self.size) + theme.mm(4)
            rtl = app.style.rtl
            self.padding = [theme.mm(2), 0, face, 0] if rtl else [face, 0, theme.mm(2), 0]
        else:
            # The label's texture is centred on the button: padding it to the button's full
            # height puts the words at the bottom, under the face.
            top = max(0.0, self.height - self._words - theme.mm(3) * 2)
            self.padding = [theme.mm(3), top, theme.mm(3), theme.mm(3)]
        self.canvas.after.clear()
        with self.canvas.after:
            Color(*fg)
            Line(circle=(cx, cy, r), width=theme.mm(0.5))
            if self.code == 6:  # "Don't know": a question mark inside the circle
                q = r * 0.32
                Line(ellipse=(cx - q, cy, 2 * q, 2 * q, 270, 540), width=theme.mm(0.5))
                Line(points=[cx, cy, cx, cy - r * 0.25], width=theme.mm(0.5))
                Ellipse(pos=(cx - r * 0.08, cy - r * 0.55), size=(r * 0.16, r * 0.16))
                return
            for dx in (-0.35, 0.35):
                Ellipse(pos=(cx + dx * r - r * 0.1, cy + r * 0.2), size=(r * 0.2, r * 0.22))
            mouth = _MOUTHS.get(int(self.code))
            if mouth is None:
                Line(points=[cx - r * 0.45, cy - r * 0.4, cx + r * 0.45, cy - r * 0.4],
                     width=theme.mm(0.5))
            else:
                start, end, dy = mouth
                mr = r * 0.6
                Line(ellipse=(cx - mr, cy + dy * r - mr, 2 * mr, 2 * mr, start, end),
                     width=theme.mm(0.5))


class HideMixin:
    """``shown: False`` folds a part away: invisible and deaf to touches.

    A part folded to height 0 can still have children sticking out of it; Kivy lets a disabled
    widget swallow touches, so folding by ``disabled`` would block the buttons underneath.
    """

    shown = BooleanProperty(True)

    def on_touch_down(self, touch: Any) -> bool:
        return super().on_touch_down(touch) if self.shown else False  # type: ignore[misc]

    def on_touch_move(self, touch: Any) -> bool:
        return super().on_touch_move(touch) if self.shown else False  # type: ignore[misc]

    def on_touch_up(self, touch: Any) -> bool:
        return super().on_touch_up(touch) if self.shown else False  # type: ignore[misc]


class Panel(HideMixin, BoxLayout):
    """A part of a screen shown in some states only (see HideMixin)."""


class MirrorBox(BoxLayout):
    """A horizontal row that reverses its children's order for right-to-left languages."""

    rtl = BooleanProperty(False)

    def on_rtl(self, *_: Any) -> None:
        kids = list(self.children)
        self.clear_widgets()
        for w in kids:  # children are stored last-first; re-adding in this order reverses them
            self.add_widget(w)


class FramePart(BoxLayout):
    """The frame's own rows (header, body, navigation), as opposed to a screen's answers."""


class QuestionFrame(BoxLayout):
    """Progress, question text, help line, a body for the answers, and Back / Skip / Next.

    Children declared inside a ``QuestionFrame`` in kv go into its body.
    """

    progress_text = StringProperty("")
    question_text = StringProperty("")
    help_text = StringProperty("")
    can_back = BooleanProperty(False)
    can_skip = BooleanProperty(False)
    next_text = StringProperty("")  # empty: no Next button (answers move on when tapped)
    next_enabled = BooleanProperty(True)
    #: 0 for screens that fold parts away (a folded part would still leave its gap)
    body_spacing = NumericProperty(-1)
    #: shrink the texts together when the screen overflows (ContactScreen fits its own steps)
    auto_fit = BooleanProperty(True)
    __events__ = ("on_back", "on_skip", "on_next")

    def __init__(self, **kwargs: Any) -> None:
        self._fit = Clock.create_trigger(self.fit_texts, -1)  # before the kv rules run
        self._bound: set[int] = set()
        super().__init__(**kwargs)

    def on_kv_post(self, *args: Any) -> None:
        super().on_kv_post(*args)
        self.fbind("height", self.refit)  # a new frame size: start again from full size
        for part in (self.ids.header, self.ids.nav, self.ids.body):
            part.fbind("height", self._fit)
        for name in ("question_text", "help_text", "progress_text"):
            self.fbind(name, self.refit)
        app = app_state()
        if app is not None:
            app.fbind("sizes", self.refit)

    def texts(self) -> list[Any]:
        body = [c for c in self.ids.body.children if isinstance(c, PVText)]
        return [self.ids.progress, self.ids.question, self.ids.help, *body]

    def refit(self, *_: Any) -> None:
        for text in self.texts():
            text.fit = 1.0
        self._fit()

    def fit_texts(self, *_: Any) -> None:
        """The frame's texts step down together (to 60 %) when, with "Bigger text" in a wordy
        language, the question, its help and notes leave the answers no room and run over
        each other: the screen is known to fit at about the normal size."""
        if not self.auto_fit:
            return
        body = self.ids.body
        for child in body.children:
            if id(child) not in self._bound:  # children arrive after the rules: bind late
                self._bound.add(id(child))
                child.fbind("height", self._fit)
        fit_step(self.texts(), self.needed(), self.height)

    def needed(self, body: Callable[[Any], float] = least_height) -> float:
        """The height the frame needs, the body's stretchy parts counted by ``body``."""
        return stacked_height(
            # ids are weak proxies: == (not `is`) compares the widgets they stand for
            self, lambda part: stacked_height(part, body) if part == self.ids.body else 0.0)

    def add_widget(self, widget: Any, *args: Any, **kwargs: Any) -> None:
        body = self.ids.get("body")
        if body is None or isinstance(widget, FramePart):
            return super().add_widget(widget, *args, **kwargs)
        return body.add_widget(widget, *args, **kwargs)

    def on_back(self) -> None:
        pass

    def on_skip(self) -> None:
        pass

    def on_next(self) -> None:
        pass


@lru_cache(maxsize=4096)  # the same answers are measured for every person: measure once
def text_height(text: str, width: float, font_size: float, font_name: str,
                script: str = "Latn", direction: str = "ltr", line_height: float = 1.0) -> float:
    """Height a wrapped label needs: used to page long answer lists without scrolling.

    Measured on one unwrapped line and divided by the width: Kivy's wrapping measures complex
    scripts (Nastaliq, Bengali) unshaped, which made one-word Urdu answers page-tall.
    """
    label = CoreLabel(text=text, font_size=font_size, font_name=font_name,
                      font_script_name=script, font_direction=direction)
    label.refresh()
    one_line = float(label.content_height)
    lines = max(1, math.ceil(label.content_width / max(1.0, width * 0.95)))
    return one_line * (1 + (lines - 1) * line_height)


def paginate(heights: Sequence[float], available: float, gap: float) -> list[list[int]]:
    """Greedy pages of item indexes whose heights plus gaps fit ``available``."""
    pages: list[list[int]] = [[]]
    used = 0.0
    for i, h in enumerate(heights):
        need = h if not pages[-1] else h + gap
        if pages[-1] and used + need > available:
            pages.append([])
            need, used = h, 0.0
        pages[-1].append(i)
        used += need
    return pages


class ChoiceList(HideMixin, BoxLayout):
    """Answer buttons for a question, paged ("More answers") instead of scrolled: no gestures.

    ``options`` are ``(value, text)`` pairs. ``selected`` holds the chosen values. Emits
    ``on_choose(value)`` when an answer is tapped.
    """

    options = ListProperty([])
    selected = ListProperty([])
    multi = BooleanProperty(False)
    page = NumericProperty(0)
    page_count = NumericProperty(1)
    __events__ = ("on_choose",)

    def __init__(self, **kwargs: Any) -> None:
        self._pages: list[list[int]] = [[]]
        self._pool: list[ChoiceButton] = []
        self._wanted = 0  # the page the person turned to, kept while the layout settles
        super().__init__(**kwargs)

    def reset_page(self) -> None:
        self.page = self._wanted = 0

    def least_height(self) -> float:
        """The least room that still shows an answer: the tallest one, and the page buttons
        when there are more answers than that."""
        app = app_state()
        if app is None or not self.options:
            return 0.0
        size = theme.size_for(app.sizes, "button") * app.style.size_factor
        style, pad = app.style, theme.mm(3)
        width = max(10.0, self.width - theme.mm(15))
        tallest = max(max(theme.mm(theme.MIN_TARGET_MM) + theme.mm(1),
                          text_height(t, width, size, style.font_name, style.script,
                                      style.direction, style.line_height) + 2 * pad)
                      for _, t in self.options)
        gap = theme.mm(theme.MIN_GAP_MM) + theme.mm(0.5)
        pager = theme.mm(theme.MIN_TARGET_MM) + gap if len(self.options) > 1 else 0.0
        return tallest + pager + self.spacing

    def on_choose(self, value: Any) -> None:
        pass

    def relayout(self, *_: Any) -> None:
        """Rebuild the visible page from options, size, text size and language."""
        app = app_state()
        if app is None or self.width < 10 or self.height < 10:
            return
        size = theme.size_for(app.sizes, "button")
        pad = theme.mm(3)
        min_h = theme.mm(theme.MIN_TARGET_MM) + theme.mm(1)
        width = self.width - theme.mm(15)  # ChoiceButton's padding: the mark eats into it
        style = app.style
        size *= style.size_factor
        heights = [max(min_h, text_height(t, width, size, style.font_name, style.script,
                                          style.direction, style.line_height) + 2 * pad)
                   for _, t in self.options]
        gap = theme.mm(theme.MIN_GAP_MM) + theme.mm(0.5)
        pager_h = theme.mm(theme.MIN_TARGET_MM) + gap
        self._pages = paginate(heights, self.height, gap)
        if len(self._pages) > 1:
            self._pages = paginate(heights, self.height - pager_h, gap)
        self.page_count = len(self._pages)
        self.page = min(self._wanted, self.page_count - 1)
        self._fill(heights, gap)

    def _fill(self, heights: list[float], gap: float) -> None:
        """Show the current page, reusing buttons: building a button (its kv rules and canvas)
        costs more than the rest of a screen change."""
        box = self.ids.answers
        box.spacing = gap
        page = self._pages[self.page]
        while len(self._pool) < len(page):
            btn = ChoiceButton(kind="choice", size_hint_y=None)
            btn.bind(on_release=self._tapped)
            self._pool.append(btn)
        shown = self._pool[:len(page)]
        if list(reversed(box.children)) != shown:
            box.clear_widgets()
            for btn in shown:
                box.add_widget(btn)
        for btn, i in zip(shown, page, strict=True):
            value, text = self.options[i]
            btn.text, btn.value, btn.height = text, value, heights[i]
            btn.mark = "check" if self.multi else "radio"
            btn.selected = value in self.selected
            btn.state = "normal"

    def _tapped(self, btn: ChoiceButton) -> None:
        if self.multi:
            chosen = list(self.selected)
            if btn.value in chosen:
                chosen.remove(btn.value)
            else:
                chosen.append(btn.value)
            self.selected = chosen
        else:
            self.selected = [btn.value]
        for w in self.ids.answers.children:
            w.selected = w.value in self.selected
        self.dispatch("on_choose", btn.value)

    def turn(self, step: int) -> None:
        self.page = self._wanted = max(0, min(self.page_count - 1, self.page + step))
        self.relayout()

    def buttons(self) -> list[ChoiceButton]:
        return list(reversed(self.ids.answers.children))


def load_kv(py_file: str) -> None:
    """Load the .kv beside a module once (one screen = one .py + one .kv of the same stem)."""
    path = str(Path(py_file).with_suffix(".kv"))
    if path not in Builder.files:
        Builder.load_file(path)


load_kv(__file__)
