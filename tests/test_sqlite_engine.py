"""The embedded SQLite database: its write-ahead log is copied back without stalling writers."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from bot.db import CHECKPOINT_EVERY, make_engine


@pytest.fixture
def notes(tmp_path: Path) -> Iterator[tuple[sa.Engine, Path]]:
    """An engine on a fresh file with one table."""
    path = tmp_path / "bot.db"
    engine = make_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)")
    yield engine, path
    engine.dispose()


def _write(engine: sa.Engine, commits: int) -> None:
    for n in range(commits):
        with engine.begin() as conn:
            conn.exec_driver_sql("INSERT INTO notes (text) VALUES (?)", (f"留言 {n}" * 200,))


def test_the_log_stays_small_however_many_commits(notes: tuple[sa.Engine, Path]) -> None:
    engine, path = notes
    _write(engine, 6 * CHECKPOINT_EVERY)
    wal = path.with_name("bot.db-wal")
    # Each commit adds a page or more; copied back every CHECKPOINT_EVERY commits, the log is
    # reused from its start instead of growing with every message ever received.
    assert wal.stat().st_size < 3 * CHECKPOINT_EVERY * 2 * 4096

