"""Inactivity: when to ask "Do you need more time?" and when to clear (WCAG 2.2.1 / 2.2.6).

Plain Python with an injected clock: tests move the clock and call ``tick()``; the App calls
``tick()`` from a Kivy interval. No Kivy import.
"""
from __future__ import annotations

import math
import time
from collections.abc import Callable


class IdleWatcher:
    """After ``idle_seconds`` without a touch, warn; ``warning_seconds`` later, expire.

    Extensions are unlimited: each "Yes" restarts the full idle period.
    """

    def __init__(self, idle_seconds: float, warning_seconds: float, *,
                 on_warn: Callable[[int], None], on_countdown: Callable[[int], None],
                 on_expire: Callable[[], None], clock: Callable[[], float] = time.monotonic
                 ) -> None:
        if warning_seconds < 20:
            raise ValueError("the warning must give at least 20 seconds (WCAG 2.2.1)")
        self.idle_seconds, self.warning_seconds = idle_seconds, warning_seconds
        self.on_warn, self.on_countdown, self.on_expire = on_warn, on_countdown, on_expire
        self.clock = clock
        self.watching = False
        self.warning = False
        self.extensions = 0
        self._last = self._warned_at = 0.0

    def start(self) -> None:
        """A person is answering: start counting."""
        self.watching, self.warning, self.extensions = True, False, 0
        self._last = self.clock()

    def stop(self) -> None:
        self.watching = self.warning = False

    def activity(self) -> None:
        """Any touch. During the warning only "Yes" extends, so a stray touch can't hide it."""
        if self.watching and not self.warning:
            self._last = self.clock()

    def extend(self) -> None:
        if self.watching:
            self.warning = False
            self.extensions += 1
            self._last = self.clock()

    def seconds_left(self) -> int:
        if not self.warning:
            return int(self.warning_seconds)
        return max(0, math.ceil(self.warning_seconds - (self.clock() - self._warned_at)))

    def tick(self) -> None:
        if not self.watching:
            return
        now = self.clock()
        if not self.warning:
            if now - self._last >= self.idle_seconds:
                self.warning, self._warned_at = True, now
                self.on_warn(self.seconds_left())
            return
        left = self.seconds_left()
        if left <= 0:
            self.stop()
            self.on_expire()
        else:
            self.on_countdown(left)
