"""Per-API call-rate limits (45011)."""

from __future__ import annotations

from collections import deque

from bot.standin import errors
from bot.standin.errors import ApiError
from bot.standin.state import StandinState

MINUTE = 60.0


def count_call(state: StandinState, path: str, now: float) -> None:
    """Count a call to `path`, or raise 45011 if the rolling minute is already full."""
    hits = state.minute_hits.setdefault(path, deque())
    while hits and hits[0] <= now - MINUTE:
        hits.popleft()
    if len(hits) >= state.settings.minute_limit(path):
        raise ApiError(errors.MINUTE_QUOTA)
    hits.append(now)
