"""The embedded SQLite database: its write-ahead log is copied back without stalling writers."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import sqlalchemy as sa

from bot.db.engine import CHECKPOINT_EVERY, make_engine


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


def test_the_log_stays_small_while_writers_queue_back_to_back(notes: tuple[sa.Engine, Path]) -> None:
    engine, path = notes
    # Four writers always waiting for the lock: the next one begins before a checkpoint that ran
    # after the lock was released can finish, so only the pass under the lock lets the log restart.
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda _: _write(engine, 3 * CHECKPOINT_EVERY), range(4)))
    # Growing with the commits it would reach about 20 MB; restarting, it stays a few MB.
    size = path.with_name("bot.db-wal").stat().st_size
    assert size < 10 * 2**20


def test_a_writer_waits_its_turn_and_gives_up_with_a_clear_error(notes: tuple[sa.Engine, Path],
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    engine, _ = notes
    monkeypatch.setattr("bot.db.engine.LOCK_WAIT", 0.3)
    with engine.begin() as holder:
        holder.exec_driver_sql("INSERT INTO notes (text) VALUES ('先来的')")
        with ThreadPoolExecutor(1) as pool:
            late = pool.submit(_write, engine, 1)
            with pytest.raises(sqlite3.OperationalError, match=r"database is locked: waited 0\.3s"):
                late.result(timeout=10)
    _write(engine, 1)  # once the first lets go, the next gets in at once
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM notes").scalar() == 2
