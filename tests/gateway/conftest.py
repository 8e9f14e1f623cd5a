"""Fixtures for the gateway's tests: real gunicorn on the test database."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.config import PROJECT_ROOT, Settings
from tests.helpers import free_port, wait_until_up


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
        wait_until_up(base, proc, "gunicorn", tmp_path / "gunicorn.log")
        yield base + "/wechat"
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        log.close()


