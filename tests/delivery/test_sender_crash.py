"""A sender killed with SIGKILL in the middle of a run, then started again: nobody gets a message
twice, and every message is sent — but those WeChat was handling when the sender died, which
are left uncertain (never resent) for staff to check, unless they are template messages and
WeChat's delivery reports settle them: then everyone gets exactly one. By 订阅通知, no grant is
spent twice."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from werkzeug.serving import make_server

from bot import create_app
from bot.accounts.grants import record_grants
from bot.config import PROJECT_ROOT, Settings
from bot.db.engine import transaction
from bot.delivery import outbox
from bot.models import InboundMessage, OutboxMessage, OutboxStatus
from bot.services import build_services
from bot.standin import StandinServer, StandinSettings

PEOPLE = 300
CUSTOM = "cgi-bin/message/custom/send"
TEMPLATE = "cgi-bin/message/template/send"
BIZSEND = "cgi-bin/message/subscribe/bizsend"


def test_a_killed_sender_restarted_sends_nobody_anything_twice(settings: Settings, tmp_path: Path,
                                                               standin: StandinServer) -> None:
    if "postgresql" in settings.database_url:
        pytest.skip("one SQLite sender here; bench/delivery runs the same on PostgreSQL")
    standin.state.settings.latency = 0.01  # WeChat takes a moment, so the kill lands mid-run
    openids = [f"o_crash_{n:04d}" for n in range(PEOPLE)]
    for openid in openids:
        standin.open_window(openid)
    _queue(settings, openids, windows_open=True)
    _kill_and_restart(_sender_env(settings, standin, tmp_path),
                      mid_run=lambda: len(standin.calls(path=CUSTOM)) >= PEOPLE // 3 + 17,
                      died_early=lambda: len(standin.calls(path=CUSTOM)) < PEOPLE,
                      done=lambda: _left(settings) == 0)
    delivered = Counter(c.body["touser"] for c in standin.calls(path=CUSTOM) if c.errcode == 0)
    statuses = _statuses(settings)
    assert max(delivered.values()) == 1  # nobody twice
    uncertain = [o for o, s in statuses.items() if s == OutboxStatus.UNCERTAIN]
    assert len(uncertain) <= settings.delivery.parallel  # at most those in flight
    assert {o for o, s in statuses.items() if s == OutboxStatus.SENT} == set(delivered) - set(uncertain)
    assert all(delivered[o] == 1 for o in openids if o not in uncertain)  # everyone else: once


def test_with_wechats_reports_a_killed_sender_leaves_everyone_exactly_one_message(
        settings: Settings, tmp_path: Path) -> None:
    gateway = build_services(settings)  # the account's server, receiving WeChat's reports
    server = make_server("127.0.0.1", 0, create_app(services=gateway), threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    w = settings.wechat
    reporting = StandinSettings(appid=w.appid, secret=w.secret, latency=0.02,  # mid-call kills
                                report_to=f"http://127.0.0.1:{server.server_port}/wechat",
                                report_token=w.token, report_aes_key=w.encoding_aes_key)
    openids = [f"o_report_{n:04d}" for n in range(PEOPLE)]
    try:
        with StandinServer(reporting) as standin:
            _queue(settings, openids)
            env = _sender_env(settings, standin, tmp_path, delivery="report_wait = 1\n",
                              templates='notice = "TPL"\n')
            _kill_and_restart(env, mid_run=lambda: len(standin.calls(path=TEMPLATE)) >= PEOPLE // 3 + 17,
                              died_early=lambda: len(standin.calls(path=TEMPLATE)) < PEOPLE,
                              done=lambda: _left(settings, OutboxStatus.UNCERTAIN) == 0)
            delivered = Counter(c.body["touser"] for c in standin.calls(path=TEMPLATE) if c.errcode == 0)
    finally:
        server.shutdown()
        gateway.close()
    assert delivered == Counter(openids)  # everyone exactly once
    assert set(_statuses(settings).values()) == {OutboxStatus.SENT}


def test_a_killed_sender_spends_no_grant_twice_and_sends_no_subscription_twice(
        settings: Settings, tmp_path: Path, standin: StandinServer) -> None:
    if "postgresql" in settings.database_url:
        pytest.skip("one SQLite sender here; the grant's single UPDATE is tested on both")
    standin.state.settings.latency = 0.01
    openids = [f"o_sub_{n:04d}" for n in range(PEOPLE)]
    _queue(settings, openids)
    services = build_services(settings)
    try:
        with transaction(services.sessions) as session:
            for openid in openids:  # each accepted notices once in a 订阅通知 panel
                record_grants(session, openid, "oa", ["SUB"], datetime.now(UTC), source="event")
                standin.grant_subscribe(openid, "SUB")
    finally:
        services.close()
    subscribing = '\n[delivery.subscribe_templates.notice]\nid = "SUB"\n'
    env = _sender_env(settings, standin, tmp_path, templates=subscribing)
    _kill_and_restart(env, mid_run=lambda: len(standin.calls(path=BIZSEND)) >= PEOPLE // 3 + 17,
                      died_early=lambda: len(standin.calls(path=BIZSEND)) < PEOPLE,
                      done=lambda: _left(settings) == 0)
    delivered = Counter(c.body["touser"] for c in standin.calls(path=BIZSEND) if c.errcode == 0)
    statuses = _statuses(settings)
    assert max(delivered.values()) == 1 and not [c for c in standin.calls(path=BIZSEND) if c.errcode]
    uncertain = {o for o, s in statuses.items() if s == OutboxStatus.UNCERTAIN}
    assert len(uncertain) <= settings.delivery.parallel
    assert {o for o, s in statuses.items() if s == OutboxStatus.SENT} == set(delivered) - uncertain


def _sender_env(settings: Settings, standin: StandinServer, tmp_path: Path, delivery: str = "",
                templates: str = "") -> dict[str, str]:
    """The environment of a sender process on the test database, talking to standin; delivery
    and templates: more lines for [delivery] and [delivery.templates]."""
    config = tmp_path / "config.toml"
    w = settings.wechat
    config.write_text(f'database_url = "{settings.database_url}"\n[wechat]\nappid = "{w.appid}"\n'
                      f'secret = "{w.secret}"\ntoken = "{w.token}"\nmode = "plain"\n'
                      f'api_base_url = "{standin.base_url}"\ntimeout = 1.0\n'
                      '[delivery]\nsends_per_minute = 100000\nclaim_lease = 2\nsend_lease = 3\n'
                      f'{delivery}[delivery.templates]\n{templates}', encoding="utf-8")
    return {**os.environ, "BOT_CONFIG": str(config), "PYTHONPATH": str(PROJECT_ROOT)}


def _kill_and_restart(env: dict[str, str], *, mid_run: Callable[[], bool],
                      died_early: Callable[[], bool], done: Callable[[], bool]) -> None:
    """Start a sender, SIGKILL it once mid_run holds, start another and let it run until done."""
    sender = [sys.executable, "-m", "bot", "outbox", "run", "--interval", "0.1"]
    first = subprocess.Popen(sender, env=env, stderr=subprocess.DEVNULL)
    _wait_for(mid_run)
    first.send_signal(signal.SIGKILL)
    first.wait()
    assert died_early()  # it really died in the middle
    time.sleep(1.2)  # past the claim lease? no: the restarted sender must not wait for it
    second = subprocess.Popen(sender, env=env, stderr=subprocess.DEVNULL)
    try:
        _wait_for(done, timeout=60)
    finally:
        second.terminate()
        second.wait(timeout=10)


def _queue(settings: Settings, openids: list[str], windows_open: bool = False) -> None:
    """A notice for each of openids; windows_open: each has just written to the account."""
    now = datetime.now(UTC)  # the sender runs on the real clock
    services = build_services(replace(settings))
    try:
        with transaction(services.sessions) as session:
            for openid in openids if windows_open else ():
                session.add(InboundMessage(dedupe_key=f"crash:{openid}", openid=openid, msg_type="text",
                                           sent_at=now, received_at=now, route="test"))
            outbox.enqueue_many(session, [outbox.new_row(
                recipient=o, text="明天上午九点集中学习。", dedupe_key=f"notice:crash:{o}",
                now=now - timedelta(minutes=1), kind="notice") for o in openids])
    finally:
        services.close()


def _left(settings: Settings, *also: OutboxStatus) -> int:
    """Messages still to send (pending or sending, or in one of the `also` statuses)."""
    return sum(1 for s in _statuses(settings).values()
               if s in (OutboxStatus.PENDING, OutboxStatus.SENDING, *also))


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
