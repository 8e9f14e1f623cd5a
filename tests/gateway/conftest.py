"""Fixtures for the gateway's tests: real gunicorn on the test database."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from bot.config import PROJECT_ROOT, Settings


def free_port() -> int:
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
    port = free_port()
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
