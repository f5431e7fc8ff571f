"""Blocks of text in reading order, paged (the thank-you words, the contact review): the same
layout rule as the answers (screens/paged.py): filled pages, turned with full-size buttons."""
from __future__ import annotations

from typing import Any

from kivy.clock import Clock
from kivy.properties import NumericProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.widget import Widget

from kiosk.i18n import N_
from screens.base import app_state
from screens.boxes import HideMixin, place_in
from screens.paged import Pager, paginate


class PagedColumn(HideMixin, BoxLayout):
    """Blocks (the widgets declared inside it in kv) in reading order, as many as fit a page.
    A block says its height at a width with ``needed_height(width)``; one with no words (or
    a height of 0) is left out."""

    page = NumericProperty(0)
    page_count = NumericProperty(1)
    block_spacing = NumericProperty(0)
    prev_words = StringProperty(N_("Previous"))
    next_words = StringProperty(N_("More"))
    __events__ = ("on_turn",)

    def __init__(self, **kwargs: Any) -> None:
        self._blocks: list[Any] = []
        self._pages: list[list[Any]] = [[]]
        self._relayout = Clock.create_trigger(self.relayout, -1)
        self._ready = False
        super().__init__(**kwargs)
        self.orientation = "vertical"
        self.box = BoxLayout(orientation="vertical", size_hint_y=None)
        self.box.bind(minimum_height=self.box.setter("height"))
        self.pager = Pager()
        self.pager.bind(on_turn=lambda _p, step: self.turn(step), row_height=self._relayout)
        self._ready = True
        for widget in (self.box, Widget(), self.pager):
            super().add_widget(widget)
        self.fbind("size", self._relayout)
        self.fbind("page", self._sync_pager)
        self.fbind("page_count", self._sync_pager)

    def on_kv_post(self, *args: Any) -> None:
        super().on_kv_post(*args)
        self.pager.prev_words, self.pager.next_words = self.prev_words, self.next_words
        app = app_state()
        if app is not None:
            app.fbind("sizes", self._relayout)
            app.fbind("style", self._relayout)

    def add_widget(self, widget: Any, *args: Any, **kwargs: Any) -> None:
        if not self._ready:
            raise RuntimeError("PagedColumn builds its own rows first")
        self._blocks.append(widget)
        if hasattr(widget, "text"):
            widget.fbind("text", self._relayout)
        self._relayout()

    def blocks(self) -> list[Any]:
        return list(self._blocks)

    def _sync_pager(self, *_: Any) -> None:
        self.pager.page, self.pager.page_count = self.page, self.page_count

    def relayout(self, *_: Any) -> None:
        if self.width < 10 or self.height < 10:
            return
        gap = self.block_spacing
        blocks = [b for b in self._blocks if self._height(b) > 0]
        heights = [self._height(b) for b in blocks]
        pages = paginate(heights, self.height, gap) if blocks else [[]]
        if len(pages) > 1:
            pages = paginate(heights, self.height - self.pager.needed_height() - gap, gap)
        self._pages = [[blocks[i] for i in page] for page in pages]
        self.page_count = len(self._pages)
        self.page = min(self.page, self.page_count - 1)
        self._show()

    def least_height(self) -> float:
        """The tallest block, and the pager: the least room that still shows something."""
        heights = [self._height(b) for b in self._blocks] if self.width >= 10 else []
        heights = [h for h in heights if h > 0]
        if not heights:
            return 0.0
        return max(heights) + (self.pager.needed_height() + self.block_spacing
                               if len(heights) > 1 else 0.0)

    def _height(self, block: Any) -> float:
        if hasattr(block, "needed_height"):
            return float(block.needed_height(self.width))
        return float(block.height)

    def _show(self) -> None:
        box = self.box
        box.spacing = self.block_spacing
        place_in(box, self._pages[self.page])

    def shown_blocks(self) -> list[Any]:
        return list(self._pages[self.page])

    def turn(self, step: int) -> None:
        self.page = max(0, min(self.page_count - 1, self.page + step))
        self._show()
        self.dispatch("on_turn", step)

    def on_turn(self, step: int) -> None:
        pass
