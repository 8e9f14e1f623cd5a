"""The one source of "now", so tests can stand on any date."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


class Clock(Protocol):
    """Anything that tells the current time in Asia/Shanghai."""

    def now(self) -> datetime: ...


class SystemClock:
    """The real wall clock."""

    def now(self) -> datetime:
        """The current time in Asia/Shanghai."""
        return datetime.now(SHANGHAI)


class FixedClock:
    """A clock that stands still until moved; for tests and benchmarks."""

    def __init__(self, at: datetime) -> None:
        self._at = at if at.tzinfo else at.replace(tzinfo=SHANGHAI)

    def now(self) -> datetime:
        """The time the clock was set to."""
        return self._at

    def advance(self, **delta: float) -> None:
        """Move the clock forward, e.g. advance(hours=49)."""
        self._at += timedelta(**delta)
