"""Where a texture's ink is: the bounding box of its drawn pixels, as the texture is displayed.

A text's widget box says little about where its glyphs land: right-to-left words rendered by
SDL2_ttf sat to one side of a texture measured wider than them, and Nastaliq sits low in its
tall line box. Labels centre by this box (screens/labels.py), and the tour's checks judge every
frame by it (tests/screens/drawn.py).
"""
from __future__ import annotations

from collections import OrderedDict
from typing import Any

ALPHA = 96  # an ink pixel: antialiasing fringes below this do not count
_CACHE: OrderedDict[tuple, tuple[int, int, int, int] | None] = OrderedDict()
_CACHE_SIZE = 1024


def ink_box(texture: Any, key: tuple | None = None) -> tuple[int, int, int, int] | None:
    """(x0, y0, x1, y1) of the pixels with ink, in the texture's pixels with y up as drawn
    (a label's texture is stored top down and drawn flipped), or None if it has none.
    ``key`` names what the texture shows, to reuse the answer for the same words."""
    if key is not None and key in _CACHE:
        _CACHE.move_to_end(key)
        return _CACHE[key]
    box = _measure(texture)
    if key is not None and box is not None:  # an empty answer may be a texture not yet filled
        _CACHE[key] = box
        if len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return box


def _measure(texture: Any) -> tuple[int, int, int, int] | None:
    width, height = texture.size
    if width < 1 or height < 1:  # nothing drawn (Kivy cannot read an empty texture back)
        return None
    alpha = bytes(texture.pixels)[3::4]
    threshold = bytes(range(ALPHA))  # every value below ALPHA, stripped from a row's ends
    lo, hi, first, last = width, 0, -1, -1
    for y in range(height):
        row = alpha[y * width:(y + 1) * width]
        left = len(row) - len(row.lstrip(threshold))
        if left == width:
            continue
        right = len(row.rstrip(threshold))
        lo, hi = min(lo, left), max(hi, right)
        first = y if first < 0 else first
        last = y
    if first < 0:
        return None
    y0, y1 = first, last + 1
    if texture.uvsize[1] < 0:  # stored top row first, drawn flipped
        y0, y1 = height - y1, height - y0
    return lo, y0, hi, y1
