"""Layout pieces every screen uses: parts that fold away, rows that mirror for right-to-left."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kivy.properties import BooleanProperty
from kivy.uix.boxlayout import BoxLayout


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


class NavRow(HideMixin, MirrorBox):
    """A row of buttons shown in some states only."""


def least_height(child: Any) -> float:
    """The least room a stretchy child of a vertical box can live with: what it says
    (``least_height()``), else its laid-out minimum, else nothing."""
    if hasattr(child, "least_height"):
        return float(child.least_height())
    if getattr(child, "size_hint_min_y", None):
        return float(child.size_hint_min_y)
    return float(getattr(child, "minimum_height", 0.0))


def stacked_height(box: Any, flexible: Callable[[Any], float] = least_height) -> float:
    """The height a vertical BoxLayout needs, counted as Kivy lays it out: fixed children at
    their height, stretchy ones at ``flexible(child)``, a spacing between every two children
    (folded ones too), and the padding."""
    kids = box.children
    inner = sum(c.height if c.size_hint_y is None else flexible(c) for c in kids)
    return inner + box.spacing * max(0, len(kids) - 1) + box.padding[1] + box.padding[3]


def place_in(box: Any, widgets: list[Any]) -> None:
    """Make ``widgets`` the children of ``box``, in this order, taking each from wherever it
    stands now; nothing is done when they are already there (no relayout, no flicker)."""
    if list(reversed(box.children)) == widgets:
        return
    box.clear_widgets()
    for widget in widgets:
        if widget.parent is not None:
            widget.parent.remove_widget(widget)
        box.add_widget(widget)
