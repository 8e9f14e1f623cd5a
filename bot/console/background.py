"""Long work started from a page (checking or importing a 20,000-row roster takes longer than a
worker may hold a request): it runs in a thread of the worker that took the upload. That worker
reads its progress from memory; a publisher thread copies it to the shared store every few
seconds, so whichever worker the page's next poll reaches can show it. The work itself never
waits on the store: on SQLite a store write waits for the database's lock, which the import's
own transaction holds. A task whose thread stopped (the worker restarted) is seen as stopped,
never as running forever.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from bot.wechat_api.store import SharedStore

log = logging.getLogger(__name__)
KEEP = 3600  # seconds a task's progress and result stay readable
SILENT = 60  # seconds without a word from a running task before it counts as stopped
PUBLISH_EVERY = 2.0  # seconds between two copies of a running task's progress to the store


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


_RUNNING: dict[str, Task] = {}  # this worker's own running tasks, by key: their progress is live

Work = Callable[[Callable[[str, int, int], None]], dict[str, Any]]


def start(store: SharedStore, key: str, owner: int, work: Work) -> None:
    """Run work(report) in a thread; what it returns becomes the result, an error a failure."""
    task = Task(owner=owner, beat=time.time())
    _save(store, key, task)
    _RUNNING[key] = task
    finished = threading.Event()

    def report(stage: str, done: int, total: int) -> None:
        task.stage, task.done, task.total, task.beat = stage, done, total, time.time()

    def publish() -> None:
        while not finished.wait(PUBLISH_EVERY):
            _save(store, key, task)

    def run() -> None:
        publisher = threading.Thread(target=publish, name=f"progress:{key}", daemon=True)
        publisher.start()
        try:
            final = replace(task, result=work(report), state="done", beat=time.time())
        except Exception:
            log.exception("background task %s failed", key)
            final = replace(task, state="failed", beat=time.time())
        finished.set()
        publisher.join()  # its last copy lands before the final one, never after
        # The outcome reaches the store before this worker stops showing the running task: a page
        # never offers what comes next (确认导入) before every worker can see why.
        _save(store, key, final)
        if _RUNNING.get(key) is task:  # a next task under the key (the import) stays
            del _RUNNING[key]

    threading.Thread(target=run, name=f"task:{key}", daemon=True).start()


def read(store: SharedStore, key: str, owner: int) -> Task | None:
    """The task, if there is one and it is this account's: from memory while it runs here."""
    task = _RUNNING.get(key)
    if task is None:
        raw = store.get(key)
        if raw is None:
            return None
        task = Task(**json.loads(raw))
    return task if task.owner == owner else None


def _save(store: SharedStore, key: str, task: Task) -> None:
    store.set(key, json.dumps(asdict(task), ensure_ascii=False, default=str), KEEP)
