"""The one layout rule for what may not fit (docs/ui.md, "Bigger text"): page, never shrink.

Text keeps the size the person chose; a button is as tall as its words. When a screen's
answers or words outgrow it, they go on pages, each filled with all that fits before the next
begins, turned with full-size buttons ("More answers") and a "Page 1 of 3" line: no gestures.

- ``PagedGrid``: buttons in one or more columns (answers, FFT faces, languages). As many
  columns as let every label stand on one line, up to ``max_cols``; each row as tall as its
  tallest label; ``pinned`` items ("Prefer not to say") on every page.
- ``PagedColumn`` (screens/paged_column.py): blocks of text in reading order (thank you,
  the contact review).
- ``Pager``: the row that turns the pages, mirrored for right-to-left languages.
"""
from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

from kivy.clock import Clock
from kivy.properties import (
    BooleanProperty,
    ListProperty,
    NumericProperty,
    StringProperty,
)
from kivy.uix.boxlayout import BoxLayout

from kiosk.i18n import N_
from screens import theme
from screens.base import app_state, load_kv
from screens.boxes import HideMixin, MirrorBox
from screens.buttons import ChoiceButton, PVButton

#: Answers every page shows, last: the way out of a long list is never three pages away.
PINNED_IDS = ("prefer_not_to_say",)
_MEASURED: OrderedDict[tuple, float] = OrderedDict()


def _cached(key: tuple, measure: Any) -> float:
    if key in _MEASURED:
        _MEASURED.move_to_end(key)
        return _MEASURED[key]
    value = _MEASURED[key] = float(measure())
    if len(_MEASURED) > 4096:
        _MEASURED.popitem(last=False)
    return value


def paginate(heights: Sequence[float], available: float, gap: float) -> list[list[int]]:
    """Greedy pages of item indexes whose heights plus gaps fit ``available``."""
    pages: list[list[int]] = [[]]
    used = 0.0
    for i, h in enumerate(heights):
        need = h if not pages[-1] else h + gap
        if pages[-1] and used + need > available + 0.5:
            pages.append([])
            need, used = h, 0.0
        pages[-1].append(i)
        used += need
    return pages


class Pager(MirrorBox):
    """Previous / "Page 2 of 3" / More. Emits ``on_turn(step)``."""

    page = NumericProperty(0)
    page_count = NumericProperty(1)
    prev_words = StringProperty(N_("Previous answers"))
    next_words = StringProperty(N_("More answers"))
    row_height = NumericProperty(0)  # read-only: what the buttons and the page line need
    __events__ = ("on_turn",)

    def on_kv_post(self, *args: Any) -> None:
        super().on_kv_post(*args)
        self._measure = Clock.create_trigger(self.measure, -1)
        ids = self.ids
        for widget in (self, ids.prev_page, ids.next_page):
            widget.fbind("width", self._measure)
        for widget in (ids.prev_page, ids.next_page, ids.where):
            widget.fbind("text", self._measure)
        self.measure()

    def measure(self, *_: Any) -> None:
        ids = self.ids
        line = self.width - ids.prev_page.width - ids.next_page.width - 2 * self.spacing
        words = ids.where.needed_height(line) if line > 10 and ids.where.text else 0.0
        self.row_height = max(theme.mm(theme.MIN_TARGET_MM + 1), ids.prev_page.drawn_height(),
                              ids.next_page.drawn_height(), words)

    def needed_height(self) -> float:
        return float(self.row_height) if self.row_height else theme.mm(theme.MIN_TARGET_MM + 1)

    def on_turn(self, step: int) -> None:
        pass


class PagedGrid(HideMixin, BoxLayout):
    """Items ``(value, words)`` as buttons, paged (see the module docstring). Subclasses say
    which button (``make_item``) and how it shows an item (``dress``); a tap emits
    ``on_item(button)``."""

    items = ListProperty([])
    pinned = ListProperty([])  # values shown on every page
    max_cols = NumericProperty(1)
    fixed_cols = NumericProperty(0)  # exactly this many columns (the FFT's 3, or 2 when big)
    min_col_mm = NumericProperty(40)
    stretch = BooleanProperty(False)  # rows share the room left over (the FFT fills its body)
    gap_mm = NumericProperty(theme.MIN_GAP_MM + 0.5)
    prev_words = StringProperty(N_("Previous answers"))
    next_words = StringProperty(N_("More answers"))
    cols = NumericProperty(1)  # read-only: the columns in use
    #: read-only: the least height that still shows an answer (the tallest, and the pager);
    #: the question frame gives the answers at least this and scrolls the question instead
    least = NumericProperty(0)
    page = NumericProperty(0)
    page_count = NumericProperty(1)
    __events__ = ("on_item",)

    def __init__(self, **kwargs: Any) -> None:
        self._pages: list[list[int]] = [[]]
        self._room, self._heights = 0.0, []  # the room the pages had, each item's height
        self._pool: list[Any] = []
        self._meter: Any = None
        self._wanted = 0  # the page the person turned to, kept while the layout settles
        self._relayout = Clock.create_trigger(self.relayout, -1)
        super().__init__(**kwargs)

    def on_kv_post(self, *args: Any) -> None:
        super().on_kv_post(*args)
        app = app_state()
        if app is not None:  # a new text size or language: measure again
            app.fbind("sizes", self._relayout)
            app.fbind("style", self._relayout)
        self.ids.pager.fbind("row_height", self._relayout)

    # --- what subclasses say -----------------------------------------------------------------

    def make_item(self) -> Any:
        return ChoiceButton()

    def dress(self, button: Any, value: Any, words: str) -> None:
        button.text = words

    # --- measuring ---------------------------------------------------------------------------

    def gap(self) -> float:
        return theme.mm(self.gap_mm)

    def _meter_for(self) -> Any:
        if self._meter is None:
            self._meter = self.make_item()
        return self._meter

    def _key(self, words: str, *extra: Any) -> tuple:
        app = app_state()
        return (type(self).__name__, words, app.sizes, app.style.tag, *extra)

    def item_height(self, value: Any, words: str, width: float) -> float:
        meter = self._meter_for()

        def measure() -> float:
            self.dress(meter, value, words)
            return meter.needed_height(width)
        return _cached(self._key(words, "h", round(width), self.cols), measure)

    def widths(self, gap: float) -> list[int]:
        """The column counts worth trying: each column at least ``min_col_mm`` wide."""
        if self.fixed_cols:
            return [int(self.fixed_cols)]
        return [c for c in range(1, int(self.max_cols) + 1)
                if c == 1 or (self.width - (c - 1) * gap) / c >= theme.mm(self.min_col_mm)]

    # --- paging ------------------------------------------------------------------------------

    def relayout(self, *_: Any) -> None:
        """Rebuild the shown page from the items, the room, the text size and the language:
        in as many columns as give the fewest pages (the fewer columns when equal)."""
        app = app_state()
        if app is None or self.width < 10:
            return
        gap = self.gap()
        pager = self.ids.pager.needed_height() + gap
        self.least = self.least_for(self.width, gap, pager)
        if self.height < 10 or not self.items:  # folded away or empty: show nothing
            self._pages, self._heights, self.page_count = [[]], [], 1
            self.ids.grid.clear_widgets()
            return
        best: tuple | None = None
        alone: list[float] = []
        for cols in self.widths(gap):
            self.cols = cols
            width = (self.width - (cols - 1) * gap) / cols
            heights = [self.item_height(v, t, width) for v, t in self.items]
            alone = alone or heights
            if best is not None and not self._readable(heights, alone, self.height - pager):
                continue
            pages = self._paginate(heights, self.height, gap)
            if len(pages) > 1:
                pages = self._paginate(heights, self.height - pager, gap)
            if best is None or len(pages) < len(best[1]):
                best = (cols, pages, heights)
        assert best is not None
        self.cols, self._pages, self._heights = best
        self.page_count = len(self._pages)
        self.page = min(self._wanted, self.page_count - 1)
        self._room = self.height - (pager if self.page_count > 1 else 0)
        self._fill(self._heights, gap, self._room)

    def least_for(self, width: float, gap: float, pager: float) -> float:
        """The tallest answer at full width with the pinned ones, and the pager if there is
        more than one page's worth."""
        self.cols = 1
        pinned = set(self.pinned)
        heights = [self.item_height(v, t, width) for v, t in self.items]
        mine = [h for h, (v, _) in zip(heights, self.items, strict=True) if v not in pinned]
        pins = [h for h, (v, _) in zip(heights, self.items, strict=True) if v in pinned]
        if not heights:
            return 0.0
        least = max(mine, default=0.0) + sum(h + gap for h in pins)
        return least + (pager if len(heights) > 1 else 0.0)

    def least_height(self) -> float:
        return float(self.least)

    @staticmethod
    def _readable(heights: list[float], alone: list[float], room: float) -> bool:
        """Columns only while no answer wraps to much more than it does across the whole
        width (a line more at most), and every row fits a page."""
        return all(h <= a * 1.7 + 0.5 and h <= room for h, a in zip(heights, alone, strict=True))

    def _rows(self, order: list[int]) -> list[list[int]]:
        cols = int(self.cols)
        return [order[i:i + cols] for i in range(0, len(order), cols)]

    def _paginate(self, heights: list[float], room: float, gap: float) -> list[list[int]]:
        """Greedy pages of whole rows, pinned items closing every page (``_fits`` decides)."""
        pinned = set(self.pinned)
        order = [i for i, (v, _) in enumerate(self.items) if v not in pinned]
        pins = [i for i, (v, _) in enumerate(self.items) if v in pinned]
        pages: list[list[int]] = [[]]
        for row in self._rows(order):
            if pages[-1] and not self._fits([*pages[-1], *row], heights, room, gap):
                pages.append([])
            pages[-1].extend(row)
        return [page + pins for page in pages]

    def could_hold_more(self) -> list[int]:
        """Pages (from 1) that end while the next item would still have fitted on them, judged
        from the pages as shown and the room they had: the tour's check that answers are not
        paged needlessly at "Bigger text"."""
        pinned = set(self.pinned)
        out = []
        for n, page in enumerate(self._pages[:-1]):
            nxt = [i for i in self._pages[n + 1] if self.items[i][0] not in pinned]
            row = nxt[:int(self.cols)]  # the next row, the unit a page takes
            if row and self._fits([*page, *row], self._heights, self._room, self.gap()):
                out.append(n + 1)
        return out

    def _fits(self, indexes: list[int], heights: list[float], room: float, gap: float) -> bool:
        """Whether these items (and the pinned ones, last) stand on one page of ``room``."""
        pinned = set(self.pinned)
        mine = [i for i in indexes if self.items[i][0] not in pinned]
        pins = [i for i, (v, _) in enumerate(self.items) if v in pinned]
        rows = self._rows(mine) + self._rows(pins)
        used = sum(max(heights[i] for i in r) for r in rows)
        return used + gap * (len(rows) - 1) <= room + 0.5

    def _fill(self, heights: list[float], gap: float, room: float) -> None:
        """Show the current page, reusing buttons: building one (its kv rules and canvas)
        costs more than the rest of a screen change."""
        grid = self.ids.grid
        grid.cols, grid.spacing = int(self.cols), gap
        app = app_state()
        grid.orientation = "rl-tb" if app.style.rtl else "lr-tb"
        page = self._pages[self.page]
        while len(self._pool) < len(page):
            button = self.make_item()
            button.size_hint_y = None
            button.bind(on_release=lambda b: self.dispatch("on_item", b))
            self._pool.append(button)
        shown = self._pool[:len(page)]
        if list(reversed(grid.children)) != shown:
            grid.clear_widgets()
            for button in shown:
                grid.add_widget(button)
        rows = self._rows(list(range(len(page))))
        tall = [max(heights[page[i]] for i in r) for r in rows]
        extra = 0.0
        if self.stretch and rows:
            extra = max(0.0, (room - sum(tall) - gap * (len(rows) - 1)) / len(rows))
        for r, row in enumerate(rows):
            for i in row:
                value, words = self.items[page[i]]
                button = shown[i]
                self.dress(button, value, words)
                button.height = tall[r] + extra
                button.state = "normal"

    def turn(self, step: int) -> None:
        self.page = self._wanted = max(0, min(self.page_count - 1, self.page + step))
        self.relayout()

    def reset_page(self) -> None:
        self.page = self._wanted = 0

    def buttons(self) -> list[Any]:
        """The buttons shown, in reading order."""
        return self._pool[:len(self._pages[self.page])] if self._pages else []

    def on_item(self, button: Any) -> None:
        pass


class ChoiceList(PagedGrid):
    """Answer buttons for a question, paged ("More answers") instead of scrolled.

    ``options`` are ``(value, text)`` pairs. ``selected`` holds the chosen values. Emits
    ``on_choose(value)`` when an answer is tapped. Short answers ("16-24") stand in two or
    three columns."""

    options = ListProperty([])
    selected = ListProperty([])
    multi = BooleanProperty(False)
    __events__ = ("on_choose",)

    def on_options(self, *_: Any) -> None:
        values = [v for v, _ in self.options]
        self.pinned = [v for v in values if v in PINNED_IDS] if len(values) > 3 else []
        self.items = list(self.options)

    def on_items(self, *_: Any) -> None:
        self._relayout()

    def make_item(self) -> Any:
        return ChoiceButton(kind="choice")

    def dress(self, button: Any, value: Any, words: str) -> None:
        button.text, button.value = words, value
        button.mark = "check" if self.multi else "radio"
        button.selected = value in self.selected

    def on_item(self, button: Any) -> None:
        if self.multi:
            chosen = list(self.selected)
            if button.value in chosen:
                chosen.remove(button.value)
            else:
                chosen.append(button.value)
            self.selected = chosen
        else:
            self.selected = [button.value]
        for b in self.buttons():
            b.selected = b.value in self.selected
        self.dispatch("on_choose", button.value)

    def on_choose(self, value: Any) -> None:
        pass


class PagerButton(PVButton):
    """A page-turning button: one line, as wide as its words."""


load_kv(__file__)
