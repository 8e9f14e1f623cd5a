"""A sender killed with SIGKILL in the middle of a run, then started again: nobody gets a message
twice, and every message is sent — but those WeChat was handling when the sender died, which
are left uncertain (never resent) for staff to check."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from bot import outbox
from bot.config import PROJECT_ROOT, Settings
from bot.db import transaction
from bot.models import InboundMessage, OutboxMessage, OutboxStatus
from bot.services import build_services
from bot.standin import StandinServer

PEOPLE = 300
CUSTOM = "cgi-bin/message/custom/send"


def test_a_killed_sender_restarted_sends_nobody_anything_twice(settings: Settings, tmp_path: Path,
                                                               standin: StandinServer) -> None:
    if "postgresql" in settings.database_url:
        pytest.skip("one SQLite sender here; bench/delivery runs the same on PostgreSQL")
    standin.state.settings.latency = 0.01  # WeChat takes a moment, so the kill lands mid-run
    openids = [f"o_crash_{n:04d}" for n in range(PEOPLE)]
    _queue_with_open_windows(settings, standin, openids)
    config = tmp_path / "config.toml"
    w = settings.wechat
    config.write_text(f'database_url = "{settings.database_url}"\n[wechat]\nappid = "{w.appid}"\n'
                      f'secret = "{w.secret}"\ntoken = "{w.token}"\nmode = "plain"\n'
                      f'api_base_url = "{standin.base_url}"\ntimeout = 1.0\n'
                      '[delivery]\nsends_per_minute = 100000\nclaim_lease = 2\nsend_lease = 3\n',
                      encoding="utf-8")
    env = {**os.environ, "BOT_CONFIG": str(config), "PYTHONPATH": str(PROJECT_ROOT)}
    sender = [sys.executable, "-m", "bot", "outbox", "run", "--interval", "0.1"]
    first = subprocess.Popen(sender, env=env, stderr=subprocess.DEVNULL)
    _wait_for(lambda: len(standin.calls(path=CUSTOM)) >= PEOPLE // 3 + 17)  # inside a batch
    first.send_signal(signal.SIGKILL)
    first.wait()
    killed_after = len(standin.calls(path=CUSTOM))
    assert killed_after < PEOPLE, killed_after  # it really died in the middle
    time.sleep(1.2)  # past the claim lease? no: the restarted sender must not wait for it
    second = subprocess.Popen(sender, env=env, stderr=subprocess.DEVNULL)
    try:
        _wait_for(lambda: _left(settings) == 0, timeout=60)
    finally:
        second.terminate()
        second.wait(timeout=10)
    delivered = Counter(c.body["touser"] for c in standin.calls(path=CUSTOM) if c.errcode == 0)
    statuses = _statuses(settings)
    assert max(delivered.values()) == 1  # nobody twice
    uncertain = [o for o, s in statuses.items() if s == OutboxStatus.UNCERTAIN]
    assert len(uncertain) <= settings.delivery.parallel  # at most those in flight
    assert {o for o, s in statuses.items() if s == OutboxStatus.SENT} == set(delivered) - set(uncertain)
    assert all(delivered[o] == 1 for o in openids if o not in uncertain)  # everyone else: once


def _queue_with_open_windows(settings: Settings, standin: StandinServer, openids: list[str]) -> None:
    now = datetime.now(UTC)  # the sender runs on the real clock
    services = build_services(replace(settings))
    try:
        with transaction(services.sessions) as session:
            for openid in openids:
                standin.open_window(openid)
                session.add(InboundMessage(dedupe_key=f"crash:{openid}", openid=openid, msg_type="text",
                                           sent_at=now, received_at=now, route="test"))
            outbox.enqueue_many(session, [outbox.new_row(
                recipient=o, text="明天上午九点集中学习。", dedupe_key=f"notice:crash:{o}",
                now=now - timedelta(minutes=1), kind="notice") for o in openids])
    finally:
        services.close()


def _left(settings: Settings) -> int:
    return sum(1 for s in _statuses(settings).values()
               if s in (OutboxStatus.PENDING, OutboxStatus.SENDING))


def _statuses(settings: Settings) -> dict[str, str]:
    engine = sa.create_engine(settings.database_url)
    try:
        with engine.connect() as conn:
            return dict(conn.execute(sa.select(OutboxMessage.recipient, OutboxMessage.status)).all())
    finally:
        engine.dispose()


def _wait_for(condition, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.05)
