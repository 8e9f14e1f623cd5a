"""Keeping one sender under its calls-per-minute limit."""

from __future__ import annotations

import time
from collections import deque


class SendPacer:
    """Counts this process's calls to WeChat's send APIs over the last minute."""

    def __init__(self, per_minute: int) -> None:
        self._per_minute = per_minute
        self._calls: deque[float] = deque()

    def room(self) -> int:
        """How many more calls fit in the current minute."""
        cutoff = time.monotonic() - 60
        while self._calls and self._calls[0] < cutoff:
            self._calls.popleft()
        return max(self._per_minute - len(self._calls), 0)

    def note(self) -> None:
        """One call made."""
        self._calls.append(time.monotonic())
