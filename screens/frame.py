"""The question frame: progress, the question and its help, a body for the answers, and
Back / Skip / Next. Nothing in it shrinks: the body gets what the words leave, and the answers
page inside it (screens/paged.py)."""
from __future__ import annotations

from typing import Any

from kivy.clock import Clock
from kivy.graphics import Rectangle, StencilPop, StencilPush, StencilUnUse, StencilUse
from kivy.graphics.instructions import InstructionGroup
from kivy.properties import BooleanProperty, NumericProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.widget import Widget

from screens import theme
from screens.base import load_kv
from screens.boxes import MirrorBox, Panel
from screens.buttons import PVButton


class FramePart(BoxLayout):
    """The frame's own rows (header, body, navigation), as opposed to a screen's answers."""


class ScrollBox(Widget):
    """A window onto a column of words taller than the room it has, moved by buttons (no
    gestures): while typing at "Bigger text" the question and its privacy line keep their size
    and stay reachable above the keyboard. Clipped (a stencil) only while the words overflow:
    a stencil costs every frame on a software renderer."""

    offset = NumericProperty(0)  # px scrolled down from the top
    moved = False  # the person has used the arrows since these words came
    overflow = BooleanProperty(False)  # the words are taller than the window
    at_top = BooleanProperty(True)
    at_bottom = BooleanProperty(True)

    def __init__(self, **kwargs: Any) -> None:
        self._clip_in, self._clip_out = InstructionGroup(), InstructionGroup()
        super().__init__(**kwargs)
        self.canvas.before.add(self._clip_in)
        self.canvas.after.add(self._clip_out)
        for name in ("pos", "size", "offset"):
            self.fbind(name, self._place)

    def add_widget(self, widget: Any, *args: Any, **kwargs: Any) -> None:
        super().add_widget(widget, *args, **kwargs)
        widget.fbind("height", self._place)
        self._place()

    def content(self) -> Any:
        return self.children[0] if self.children else None

    def _place(self, *_: Any) -> None:
        child = self.content()
        if child is None:
            return
        spare = child.height - self.height
        self.overflow = spare > 0.5
        self.offset = max(0.0, min(self.offset, spare)) if self.overflow else 0.0
        child.width, child.x = self.width, self.x
        child.top = self.top + self.offset
        self.at_top = self.offset <= 0.5
        self.at_bottom = not self.overflow or self.offset >= spare - 0.5
        self._clip()

    def _clip(self) -> None:
        self._clip_in.clear()
        self._clip_out.clear()
        if not self.overflow:
            return
        for group, first, last in ((self._clip_in, StencilPush, StencilUse),
                                   (self._clip_out, StencilUnUse, StencilPop)):
            group.add(first())
            group.add(Rectangle(pos=self.pos, size=self.size))
            group.add(last())

    def scroll(self, lines: int) -> None:
        """Move by about ``lines`` text lines (two thirds of the window at least)."""
        step = max(self.height * 0.66, lines * theme.mm(9))
        self.moved = True
        self.offset = max(0.0, self.offset + step * (1 if lines > 0 else -1))
        self._place()

    def start_at(self, offset: float) -> None:
        """Where a new screen's words start, until the person moves them."""
        if not self.moved:
            self.offset = offset
            self._place()

    def restart(self) -> None:
        """New words: from their top, and the person has not moved them yet."""
        self.moved = False
        self.start_at(0)

    def visible_rect(self) -> tuple[float, float, float, float]:
        x, y = self.to_window(self.x, self.y)
        return x, y, x + self.width, y + self.height


class ScrollColumn(MirrorBox):
    """Words in a ScrollBox, with ▲ ▼ beside them while they overflow. Widgets declared inside
    it in kv go into the box (one: the column of words)."""

    def add_widget(self, widget: Any, *args: Any, **kwargs: Any) -> None:
        scroller = self.ids.get("scroller")
        if scroller is None or isinstance(widget, (ScrollBox, Panel)):
            return super().add_widget(widget, *args, **kwargs)
        return scroller.add_widget(widget, *args, **kwargs)


class ArrowButton(PVButton):
    """▲ (``sign`` -1) or ▼ (1), drawn."""

    sign = NumericProperty(1)


NAV_SLACK_MM = 4.0  # the progress stands between the nav buttons only with this to spare
MIN_WINDOW_MM = 14.5  # the question's window at its smallest: room for its scroll buttons


class QuestionFrame(BoxLayout):
    """Children declared inside a ``QuestionFrame`` in kv go into its body.

    The answers (and while typing the field and keyboard) get at least what they need to show
    (``least_height``); when the progress, question and help do not fit above them, those
    keep their size in a window that scrolls, with "more" buttons beside it
    (``header_room``: the window's height, 0 when the words fit)."""

    header_room = NumericProperty(0)
    nav_note = StringProperty("")  # a short line between Back and Skip/Next (typing: the count)
    #: the progress line stands between the buttons when it fits there on one line (a row
    #: saved: at "Bigger text" the FFT's six answers then stand on one page)
    progress_in_nav = BooleanProperty(False)
    nav_note_fits = BooleanProperty(False)  # else the screen shows its note in its body

    def on_kv_post(self, *args: Any) -> None:
        super().on_kv_post(*args)
        from screens.labels import PVText

        self._meter = PVText(size_role="small")
        self._place = Clock.create_trigger(self.place_progress, -1)
        self._room = Clock.create_trigger(self.fit_header, -1)
        self._watched: set[int] = set()
        ids = self.ids
        for widget in (self, ids.header, ids.nav):
            widget.fbind("height", self._room)
        for widget in (ids.nav, ids.back, ids.skip, ids.next):
            widget.fbind("width", self._place)
        for name in ("progress_text", "nav_note", "can_back", "can_skip", "next_text"):
            self.fbind(name, self._place)
        for button in (ids.back, ids.skip, ids.next):
            button.fbind("text", self._place)
        self.fbind("question_text", self._new_words)

    def _new_words(self, *_: Any) -> None:
        """A new question on this screen starts at the top of its words, not where the last
        one was scrolled to (the choice screen shows question after question)."""
        self.ids.header_area.ids.scroller.restart()
        self._room()

    def fit_header(self, *_: Any) -> None:
        """The window for the words above the answers (see the class docstring)."""
        from screens.boxes import stacked_height

        body = self.ids.body
        for child in body.children:  # the screens' parts arrive after the rules: watch late
            if id(child) not in self._watched:
                self._watched.add(id(child))
                for name in ("height", "least", "size_hint_min_y"):
                    if hasattr(child, name):
                        child.fbind(name, self._room)
        room = self.height - self.padding[1] - self.padding[3] - self.ids.nav.height - \
            stacked_height(body)
        words = self.ids.header.height
        if words <= room + 0.5:
            self.header_room = 0
            return
        # scrolling anyway: the words get up to 40 %, the answers the rest (more than the one
        # answer they need at the least: a page of one answer at a time is slow going)
        share = (self.height - self.padding[1] - self.padding[3] - self.ids.nav.height) * 0.4
        self.header_room = max(theme.mm(MIN_WINDOW_MM), min(room, share))
        # a window too short for the progress and the question starts at the question (the
        # progress is one arrow up): half a question on show is worse than no count
        # (Urdu at Bigger text cut "Who is answering these questions?" through its middle)
        progress, question = self.ids.progress, self.ids.question
        if progress.height and self.header_room < progress.height + question.height:
            self.ids.header_area.ids.scroller.start_at(progress.height)

    def place_progress(self, *_: Any) -> None:
        """The note (typing: the count) or else the progress between the buttons, if it fits
        there on one line."""
        ids = self.ids
        if ids.nav.width < 10:
            return
        spacing = ids.nav.children[0].spacing
        # with room to spare: a line measured a pixel narrower than its room still wrapped
        # (Urdu "of up to 24" ran to three lines, off the glass)
        free = ids.nav.width - self._fit_buttons(spacing) - theme.mm(NAV_SLACK_MM)
        self.nav_note_fits = bool(self.nav_note) and self._one_line(self.nav_note) <= free
        self.progress_in_nav = not self.nav_note and bool(self.progress_text) and \
            self._one_line(self.progress_text) <= free

    def _fit_buttons(self, spacing: float) -> float:
        """Back, Skip and Next on one row: the widest wraps if they cannot all stand on one
        line. Returns the width they take, with the spacings around the middle note."""
        ids = self.ids
        shown = [b for b in (ids.back, ids.skip, ids.next) if b.text]
        widths = [max(theme.mm(36), b.natural_width() + theme.mm(6)) for b in shown]
        gaps = spacing * (len(shown) + 1)
        for button in shown:
            button.cap = 0
        if shown and sum(widths) + gaps > ids.nav.width:
            widest = max(range(len(shown)), key=widths.__getitem__)
            rest = sum(widths) - widths[widest]
            cap = min(widths[widest], max(theme.mm(36), ids.nav.width - rest - gaps))
            shown[widest].cap = widths[widest] = cap
        return sum(widths) + gaps

    def _one_line(self, text: str) -> float:
        meter = self._meter
        meter.text = text
        meter.width = 10_000
        meter.refresh()
        return float(meter.content_width)

    progress_text = StringProperty("")
    question_text = StringProperty("")
    help_text = StringProperty("")
    #: a notice under the help, in the same scrolling window (Chinese: typing is not available)
    note_text = StringProperty("")
    can_back = BooleanProperty(False)
    can_skip = BooleanProperty(False)
    next_text = StringProperty("")  # empty: no Next button (answers move on when tapped)
    next_enabled = BooleanProperty(True)
    #: 0 for screens that fold parts away (a folded part would still leave its gap)
    body_spacing = NumericProperty(-1)
    __events__ = ("on_back", "on_skip", "on_next")

    def add_widget(self, widget: Any, *args: Any, **kwargs: Any) -> None:
        body = self.ids.get("body")
        if body is None or isinstance(widget, FramePart):
            return super().add_widget(widget, *args, **kwargs)
        return body.add_widget(widget, *args, **kwargs)

    def body_room(self) -> float:
        """The body's height as laid out: what the answers have."""
        return float(self.ids.body.height)

    def on_back(self) -> None:
        pass

    def on_skip(self) -> None:
        pass

    def on_next(self) -> None:
        pass


load_kv(__file__)
