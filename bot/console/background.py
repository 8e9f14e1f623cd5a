"""Long work started from a page (checking or importing a 20,000-row roster takes longer than a
worker may hold a request): it runs in a thread of the worker that took the upload, and writes
its progress to the shared store, so whichever worker the page's next poll reaches can show it.
A task whose thread stopped (the worker restarted) is seen as stopped, never as running forever.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from bot.wechat_api.store import SharedStore

log = logging.getLogger(__name__)
KEEP = 3600  # seconds a task's progress and result stay readable
SILENT = 60  # seconds without a word from a running task before it counts as stopped


@dataclass
class Task:
    """Where a task is: running (a stage, how far), done (with its result) or failed."""

    owner: int  # the account that started it: no one else sees it
    state: str = "running"  # running, done, failed
    stage: str = ""
    done: int = 0
    total: int = 0
    result: dict[str, Any] = field(default_factory=dict)
    beat: float = 0.0  # when it last reported, for telling a stopped task

    @property
    def stopped(self) -> bool:
        """True when it says running but has not reported for a while."""
        return self.state == "running" and time.time() - self.beat > SILENT


Work = Callable[[Callable[[str, int, int], None]], dict[str, Any]]


def start(store: SharedStore, key: str, owner: int, work: Work) -> None:
    """Run work(report) in a thread; what it returns becomes the result, an error a failure."""
    task = Task(owner=owner, beat=time.time())
    _save(store, key, task)

    def report(stage: str, done: int, total: int) -> None:
        task.stage, task.done, task.total, task.beat = stage, done, total, time.time()
        _save(store, key, task)

    def run() -> None:
        try:
            task.result, task.state = work(report), "done"
        except Exception:
            log.exception("background task %s failed", key)
            task.state = "failed"
        task.beat = time.time()
        _save(store, key, task)

    threading.Thread(target=run, name=f"task:{key}", daemon=True).start()


def read(store: SharedStore, key: str, owner: int) -> Task | None:
    """The task, if there is one and it is this account's."""
    raw = store.get(key)
    if raw is None:
        return None
    task = Task(**json.loads(raw))
    return task if task.owner == owner else None


def _save(store: SharedStore, key: str, task: Task) -> None:
    store.set(key, json.dumps(asdict(task), ensure_ascii=False, default=str), KEEP)
