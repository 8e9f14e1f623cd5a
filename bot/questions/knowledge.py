"""The knowledge base as every worker answers from it: content/ with staff's changes from the
database on top, picked up without a restart."""

from __future__ import annotations

import logging
import threading
import time
import weakref
from pathlib import Path

import sqlalchemy as sa

from bot.care.detect import CareWords
from bot.config import ConfigError
from bot.models import PolicyOverride
from bot.policies import PolicyEngine, load_engine
from bot.policies.topics import NOT_OURS
from bot.services import Services

log = logging.getLogger(__name__)

# How often a worker asks the database whether staff changed anything: a change reaches every
# worker within this many seconds, at the cost of one small query per worker in that time.
CHECK_SECONDS = 3.0

_VERSION = (sa.select(sa.func.max(PolicyOverride.id), sa.func.count())
            .where(PolicyOverride.exported_at.is_(None)))
_PENDING = (sa.select(PolicyOverride.topic, PolicyOverride.kind, PolicyOverride.text)
            .where(PolicyOverride.exported_at.is_(None)).order_by(PolicyOverride.id))


class Knowledge:
    """One per process: the engine to answer with, rebuilt when staff's changes change."""

    def __init__(self, content_dir: Path, check_every: float = CHECK_SECONDS) -> None:
        self._content_dir = content_dir
        self._check_every = check_every
        self._lock = threading.Lock()
        self._version: tuple | None = None
        self._engine: PolicyEngine | None = None
        self._checked = float("-inf")

    def engine(self, conn: sa.Connection) -> PolicyEngine:
        """The engine with every change not yet written into content/ (read on conn)."""
        with self._lock:
            # Between checks nothing is looked at: no query, and none of the stat() calls with
            # which load_engine notices an edited content/ (a message's hot path).
            if self._engine is None or time.monotonic() - self._checked >= self._check_every:
                try:
                    base = load_engine(self._content_dir)  # rebuilt by itself when content/ changes
                except (ConfigError, OSError) as exc:
                    if self._engine is None:
                        raise
                    # A hand edit half done, or a file being written: keep answering as before.
                    log.error("content/ cannot be read, still answering from the last good one: %s", exc)
                    self._checked = time.monotonic()
                    return self._engine
                version = (id(base), *conn.execute(_VERSION).one())
                if version != self._version or self._engine is None:
                    self._engine = with_changes(base, conn)
                    self._version = version
                self._checked = time.monotonic()
            return self._engine

    def read_ahead(self, text: str) -> None:
        """Read a message's words, with the engine last handed out and the care words, before its
        transaction begins. On SQLite a message holds the one write lock from its claim to its
        commit (bot.db.engine), and what these make of a text depends on the text alone: read
        outside the lock, it is read while the other worker's message holds it. Each keeps its
        last reading (LastOne), so the handler finds it done. No engine before the first message."""
        engine = self._engine
        if engine is not None:
            engine.read_ahead(text)
        CareWords.for_dir(self._content_dir).read_ahead(text)

    def changed(self) -> None:
        """Staff changed something in this process: look again on the next question."""
        with self._lock:
            self._checked = float("-inf")


# One per database engine: the process's services have one, shared by the chat, the API and the
# console (a test's services, each with its own database, get their own).
_knowledge: weakref.WeakKeyDictionary[sa.Engine, Knowledge] = weakref.WeakKeyDictionary()
_knowledge_lock = threading.Lock()


def knowledge_for(services: Services) -> Knowledge:
    """The Knowledge of these services (their content/ and database)."""
    with _knowledge_lock:
        if services.engine not in _knowledge:
            _knowledge[services.engine] = Knowledge(services.settings.content_dir)
        return _knowledge[services.engine]


def with_changes(base: PolicyEngine, conn: sa.Connection) -> PolicyEngine:
    """base with the changes staff made that content/ does not hold yet."""
    taught: list[tuple[str, str]] = []
    answers: dict[str, str] = {}
    for topic, kind, text in conn.execute(_PENDING):  # in the order they were made
        if topic not in base.topics and topic != NOT_OURS:
            continue  # a topic content/ no longer has
        if kind == "example":
            taught.append((topic, text))
        else:
            answers[topic] = text  # the latest answer counts
    return base.with_changes(taught, answers) if taught or answers else base
