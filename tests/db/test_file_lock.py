"""The SQLite write lock: one holder, the next waiter let in on release, a time limit kept."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

from bot.db.file_lock import FileLock


def _locks(tmp_path: Path, count: int) -> list[FileLock]:
    """count locks on one file, as count connections would hold them."""
    return [FileLock(str(tmp_path / "db.lock")) for _ in range(count)]


def test_a_waiter_gets_in_when_the_holder_lets_go(tmp_path: Path) -> None:
    holder, waiter = _locks(tmp_path, 2)
    assert holder.acquire(timeout=1)
    got: list[bool] = []
    thread = threading.Thread(target=lambda: got.append(waiter.acquire(timeout=10)))
    thread.start()
    thread.join(0.3)
    assert thread.is_alive() and not got  # still waiting while the lock is held
    holder.release()
    thread.join(10)
    assert got == [True] and waiter.held
    assert not holder.acquire(timeout=0.1)  # now the waiter holds it
    waiter.release()
    assert holder.acquire(timeout=1)


def test_a_waiter_that_gave_up_holds_nothing_after(tmp_path: Path) -> None:
    holder, impatient, later = _locks(tmp_path, 3)
    assert holder.acquire(timeout=1)
    assert not impatient.acquire(timeout=0.1) and not impatient.held
    holder.release()
    # The thread that was waiting for the impatient one takes the lock and lets it go at once.
    assert later.acquire(timeout=5)
    later.release()
    assert impatient.acquire(timeout=1)  # and the impatient one can come back later
    impatient.close()
    impatient.close()  # closing twice is harmless
    assert holder.acquire(timeout=1)


def test_a_process_that_dies_holding_the_lock_frees_it(tmp_path: Path) -> None:
    path = str(tmp_path / "db.lock")
    script = ("import sys, time\nfrom bot.db.file_lock import FileLock\n"
              f"assert FileLock({path!r}).acquire(timeout=5)\nprint('held', flush=True)\ntime.sleep(60)\n")
    with subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True) as dying:
        try:
            assert dying.stdout is not None and dying.stdout.readline().strip() == "held"
            waiter = FileLock(path)
            assert not waiter.acquire(timeout=0.1)
            dying.kill()
            assert waiter.acquire(timeout=10)
        finally:
            dying.kill()


def test_taking_it_again_while_holding_it_changes_nothing(tmp_path: Path) -> None:
    holder, waiter = _locks(tmp_path, 2)
    assert holder.acquire(timeout=1)
    thread = threading.Thread(target=waiter.acquire, kwargs={"timeout": 10})
    thread.start()
    holder.release()
    thread.join(10)
    assert waiter.held and waiter.acquire(timeout=0.1)  # held through a wait: again is a no-op
    waiter.release()  # one release frees it
    assert holder.acquire(timeout=1) and holder.acquire(timeout=0.1)
    holder.release()
    assert waiter.acquire(timeout=1)


def test_closing_during_a_wait_leaves_the_lock_free(tmp_path: Path) -> None:
    holder, closing, later = _locks(tmp_path, 3)
    assert holder.acquire(timeout=1)
    got: list[bool] = []
    thread = threading.Thread(target=lambda: got.append(closing.acquire(timeout=1)))
    thread.start()
    thread.join(0.2)  # waiting by now
    closing.close()
    holder.release()
    thread.join(10)
    assert got == [False] and not closing.held
    assert later.acquire(timeout=5)
    assert not closing.acquire(timeout=0.1)  # a closed lock is never taken
