"""Key chords that would close or leave an ordinary desktop app: the kiosk notes them, nothing more.

The kiosk has no keyboard shortcuts. Escape does not close it (``lock_down``), closing from the
window manager is vetoed (``on_request_close``), and the operating system's own chords (VT
switching, Ctrl+Alt+Backspace) belong to the compositor: cage has none without ``-s``. So a
chord here changes nothing; it is logged once per press, so IT can see that someone tried and the
cage test (tests/ops/test_cage.py) can prove the keys it sends really reached the app.

Only non-character chords are ever named. A letter or digit typed on a hardware keyboard could be
free text and is never logged; a letter counts only with Ctrl held (Ctrl+Q, Ctrl+W).
"""
from __future__ import annotations

import logging
from collections.abc import Iterable

log = logging.getLogger(__name__)

#: key name (Kivy's Keyboard.keycodes) -> the modifier sets that make it a "leave" chord
_ALT, _CTRL, _CTRL_ALT = frozenset({"alt"}), frozenset({"ctrl"}), frozenset({"ctrl", "alt"})
LEAVE_CHORDS: dict[str, tuple[frozenset[str], ...]] = {
    **{f"f{n}": (_CTRL_ALT,) for n in range(1, 13)},  # VT switching
    "escape": (frozenset(),),
    "f4": (_ALT, _CTRL, _CTRL_ALT),
    "tab": (_ALT, frozenset({"meta"})),
    "backspace": (_CTRL_ALT,),
    "delete": (_CTRL_ALT,),
    "q": (_CTRL,),
    "w": (_CTRL,),
    "super": (frozenset(),),
}
_ORDER = ("ctrl", "alt", "meta")  # how a chord is written: ctrl+alt+backspace


def chord_name(key_name: str, modifiers: Iterable[str]) -> str | None:
    """``ctrl+alt+backspace`` for a leave chord, None for any other key (never logged)."""
    held = frozenset(modifiers) & set(_ORDER)
    if key_name == "super":
        held -= {"meta"}  # SDL reports the Super key as holding its own modifier
    if held not in LEAVE_CHORDS.get(key_name, ()):
        return None
    return "+".join([m for m in _ORDER if m in held] + [key_name])


def watch_leave_chords(window: object) -> None:
    """Bind to the Kivy Window: log each leave chord; never consume a key (returns None)."""
    from kivy.core.window import Keyboard

    names = {code: name for name, code in Keyboard.keycodes.items()}

    def on_key_down(_window: object, key: int, _scancode: int, _text: object,
                    modifiers: list[str]) -> None:
        chord = chord_name(names.get(key, ""), modifiers)
        if chord is not None:
            log.info("key chord %s: the kiosk has no shortcuts and stays open", chord)

    window.bind(on_key_down=on_key_down)  # type: ignore[attr-defined]
