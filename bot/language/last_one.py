"""A reading of a text that keeps its last result, for the one message being answered."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

_K = TypeVar("_K", bound=Hashable)
_T = TypeVar("_T")


class LastOne(Generic[_K, _T]):
    """A function that keeps its last result: asked again for the same key, it answers without
    computing. One message's words are read more than once (both stages of the policy engine,
    the care words before the database's lock and again inside it, bot.conversation.dispatch);
    only the last key is kept, so nothing grows and a repeated question is not served from a
    store. The pair is replaced whole: safe between threads."""

    __slots__ = ("_compute", "_last")

    def __init__(self, compute: Callable[[_K], _T]) -> None:
        self._compute = compute
        self._last: tuple[_K, _T] | None = None

    def __call__(self, key: _K) -> _T:
        last = self._last
        if last is None or last[0] != key:
            last = (key, self._compute(key))
            self._last = last
        return last[1]

    def holds(self, key: _K) -> bool:
        """Whether key's result is the one kept."""
        last = self._last
        return last is not None and last[0] == key
