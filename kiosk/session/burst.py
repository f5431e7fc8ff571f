"""Bursts: someone tapping through the survey again and again on one kiosk."""
from __future__ import annotations


class BurstDetector:
    """Remembers when this kiosk submitted responses; a burst is ``threshold`` or more within
    ``window`` seconds (someone tapping through again and again). One per kiosk, shared by sessions.
    The response that completes a burst and every later one inside the window get flagged."""

    def __init__(self, *, window: float = 60.0, threshold: int = 3) -> None:
        self.window = window
        self.threshold = threshold
        self._times: list[float] = []

    def record(self, at: float) -> bool:
        """Note a response submitted at ``at``; True if it is part of a burst."""
        # Times after ``at`` are dropped too: a wall clock stepped back must not keep a burst alive.
        self._times = [t for t in self._times if at - self.window < t <= at] + [at]
        return len(self._times) >= self.threshold
