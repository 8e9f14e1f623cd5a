"""The 5-second rule: the waiting request or the late path delivers a reply, never both."""

from __future__ import annotations

import threading
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout


class Handoff:
    """Decides, exactly once, who delivers a reply: the request still waiting for it, or (once
    the request has given up at the budget) the late path through the outbox."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._body: str | None = None
        self._abandoned = False

    def offer(self, body: str) -> bool:
        """From the handler, before it commits: True when the waiting request will send body."""
        with self._lock:
            if self._abandoned:
                return False
            self._body = body
            return True

    def wait(self, future: Future[None], budget: float) -> str | None:
        """From the request: the offered body within budget seconds, else None (gave up)."""
        try:
            future.result(timeout=budget)
        except FutureTimeout:
            with self._lock:
                if self._body is None:
                    self._abandoned = True
                    return None
            future.result()  # offered just now: let its transaction commit before answering
        return self._body

    @property
    def abandoned(self) -> bool:
        """True once the waiting request has given up (the reply, if any, goes out later)."""
        return self._abandoned

    @property
    def body(self) -> str | None:
        """The body offered so far, if any."""
        return self._body
