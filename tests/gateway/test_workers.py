"""Real gunicorn, two worker processes, one database: retries are answered once across them."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa

from bot.config import PROJECT_ROOT, Settings
from bot.db import make_engine
from bot.models import InboundMessage
from bot.sandbox.wechat_side import Delivery, WeChatSide


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def gunicorn(settings: Settings, tmp_path: Path) -> Iterator[str]:
    """gunicorn with 2 workers on the test database; yields its /wechat URL."""
    w = settings.wechat
    config = tmp_path / "config.toml"
    config.write_text(f'database_url = "{settings.database_url}"\npublic_url = "{settings.public_url}"\n'
                      '[wechat]\n'
                      f'appid = "{w.appid}"\nsecret = "{w.secret}"\ntoken = "{w.token}"\n'
                      f'encoding_aes_key = "{w.encoding_aes_key}"\nmode = "{w.mode}"\n'
                      f'[office]\nphone = "{settings.office.phone}"\nhours = "工作日"\n',
                      encoding="utf-8")
    port = _free_port()
    log = (tmp_path / "gunicorn.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", str(PROJECT_ROOT / "gunicorn.conf.py"),
         "-b", f"127.0.0.1:{port}", "-w", "2", "bot:create_app()"],
        cwd=PROJECT_ROOT, env={**os.environ, "BOT_CONFIG": str(config)},
        stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base, proc, tmp_path / "gunicorn.log")
        yield base + "/wechat"
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        log.close()


def _wait_until_up(base: str, proc: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert proc.poll() is None, log.read_text()
        try:
            requests.get(base + "/healthz", timeout=1)
            return
        except requests.RequestException:
            time.sleep(0.1)
    raise AssertionError("gunicorn did not start")


def _post(url: str, delivery: Delivery) -> str:
    res = requests.post(url, params=delivery.params, data=delivery.body, timeout=10)
    assert res.status_code == 200
    return res.text


def _records(settings: Settings) -> list[tuple[str, str]]:
    engine = make_engine(settings.database_url)
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(
                sa.select(InboundMessage.dedupe_key, InboundMessage.route))]
    finally:
        engine.dispose()


def test_one_delivery_retried_at_once_on_both_workers_runs_once(gunicorn: str,
                                                                settings: Settings) -> None:
    side = WeChatSide(settings.wechat)  # the real clock: the server runs on it
    delivery = side.deliver(side.text("o_worker_test_01", "联系我们"))
    with ThreadPoolExecutor(max_workers=12) as pool:
        bodies = list(pool.map(lambda _: _post(gunicorn, delivery), range(12)))
    contents = {side.open_reply(b)["Content"] for b in bodies}
    assert len(contents) == 1 and "办公时间" in contents.pop()
    assert len(_records(settings)) == 1


def test_many_users_at_once_are_each_answered_and_recorded(gunicorn: str,
                                                           settings: Settings) -> None:
    side = WeChatSide(settings.wechat)
    deliveries = [side.deliver(side.text(f"o_worker_user_{n:02d}", "菜单")) for n in range(40)]
    with ThreadPoolExecutor(max_workers=20) as pool:
        bodies = list(pool.map(lambda d: _post(gunicorn, d), deliveries))
    assert all("回复 1" in side.open_reply(b)["Content"] for b in bodies)
    assert sorted(route for _, route in _records(settings)) == ["command:menu"] * 40
