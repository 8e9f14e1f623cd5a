"""The 5-second rule: answer within the budget, or say `success` and send the reply later."""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable
from concurrent.futures import Executor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from typing import Generic, TypeVar

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass
class _Handoff(Generic[T]):
    """Who owns the result: the waiting request, or (once it gave up) the late path."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    result: T | None = None
    abandoned: bool = False


def run_within(pool: Executor, budget: float, work: Callable[[], T],
               on_late: Callable[[T], None]) -> T | None:
    """work()'s result if it is ready within budget seconds; otherwise None, and on_late
    receives the result when it comes. Exactly one of the two gets it."""
    handoff: _Handoff[T] = _Handoff()

    def job() -> None:
        result = work()
        with handoff.lock:
            if not handoff.abandoned:
                handoff.result = result
                return
        try:
            on_late(result)
        except Exception:
            log.exception("could not hand over a late reply")

    future = pool.submit(job)
    with contextlib.suppress(FutureTimeout):
        future.result(timeout=budget)
    with handoff.lock:
        if handoff.result is None:
            handoff.abandoned = True
        return handoff.result
