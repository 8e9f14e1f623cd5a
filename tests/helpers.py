"""Test helpers: a retiree talking to the bot through the real /wechat endpoint, the database the
tests run on, and servers started as processes."""

from __future__ import annotations

import os
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import requests
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.serving import make_server
from werkzeug.test import TestResponse

from bot.config import Settings
from bot.db.engine import transaction
from bot.models import InboundMessage
from bot.sandbox.wechat_side import Delivery, WeChatSide
from bot.services import Services

if TYPE_CHECKING:
    from bot.clock import FixedClock
    from bot.standin import StandinServer

OPENID = "o_test_retiree_0001"
def _worker_database(url: str) -> str:
    """Under pytest-xdist, each worker its own PostgreSQL database beside the one named (test_gw0,
    test_gw1 …, made when missing), as each test empties its database when it ends."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if not url or not worker:
        return url
    named = sa.engine.make_url(url)
    own = f"{named.database}_{worker}"
    admin = sa.create_engine(named, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if conn.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": own}) is None:
            conn.execute(sa.text(f'CREATE DATABASE "{own}"'))
    admin.dispose()
    return named.set(database=own).render_as_string(hide_password=False)


PG_URL = _worker_database(os.environ.get("BOT_TEST_DATABASE_URL", ""))  # empty: the tests run on SQLite


@dataclass
class Chat:
    """Sends messages as WeChat would and reads the bot's replies."""

    client: FlaskClient
    wechat: WeChatSide

    def post(self, delivery: Delivery) -> TestResponse:
        """POST one delivery to /wechat."""
        return self.client.post("/wechat", query_string=delivery.params, data=delivery.body)

    def send(self, xml: str, encrypted: bool | None = None) -> TestResponse:
        """Sign (and encrypt) xml as WeChat does and POST it."""
        return self.post(self.wechat.deliver(xml, encrypted=encrypted))

    def reply_to(self, xml: str) -> str | None:
        """The text the user sees in answer to xml (None when the bot answered `success`)."""
        res = self.send(xml)
        assert res.status_code == 200, res.text
        fields = self.wechat.open_reply(res.text)
        return None if fields is None else fields["Content"]

    def say(self, text: str, openid: str = OPENID) -> str | None:
        """What the bot answers when the user types text."""
        return self.reply_to(self.wechat.text(openid, text))


def user_wrote(services: Services, openid: str = OPENID, minutes_ago: float = 0) -> None:
    """Record that openid wrote to the account (opening our view of their 48-hour window)."""
    at = services.clock.now() - timedelta(minutes=minutes_ago)
    with transaction(services.sessions) as session:
        session.add(InboundMessage(dedupe_key=f"test:{openid}:{at.timestamp()}", openid=openid,
                                   msg_id=None, msg_type="text", event=None, text="你好", sent_at=at,
                                   received_at=at, route="test", reply_text=None))


def write_config(tmp_path: Path, settings: Settings, staff: str = "",
                 content_dir: Path | None = None) -> Path:
    """A config.toml for a subprocess on the test database (and content_dir, if given)."""
    w = settings.wechat
    path = tmp_path / "config.toml"
    content = f'content_dir = "{content_dir}"\n' if content_dir else ""
    path.write_text(f'database_url = "{settings.database_url}"\n'
                    f'public_url = "{settings.public_url}"\n{content}'
                    f'[wechat]\nappid = "{w.appid}"\n'
                    f'secret = "{w.secret}"\ntoken = "{w.token}"\nmode = "plain"\n'
                    f'api_base_url = "http://127.0.0.1:9/"\n{staff}', encoding="utf-8")
    return path


def wait_until_up(base: str, proc: subprocess.Popen, what: str, log: Path | None = None) -> None:
    """Wait until the server at base answers /healthz; fail with its log if it stops first."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert proc.poll() is None, f"{what} stopped: {log.read_text() if log else ''}"
        try:
            requests.get(base + "/healthz", timeout=1)
            return
        except requests.RequestException:
            time.sleep(0.05)
    raise AssertionError(f"{what} did not start")


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def served(app: Flask) -> Iterator[str]:
    """The app on a free local port (a thread per request) while the block runs; its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


@contextmanager
def reporting_standin(services: Services, clock: FixedClock) -> Iterator[tuple[StandinServer, Services]]:
    """The stand-in, posting WeChat's pushes (delivery reports, subscription events) to the app
    of `services`, served on a free port, signed for its account; on the test clock. With it,
    services for a sender that calls that stand-in (closed after)."""
    from dataclasses import replace

    from bot import create_app
    from bot.services import build_services
    from bot.standin import StandinServer, StandinSettings

    account = services.settings.wechat
    with served(create_app(services=services)) as site:
        settings = StandinSettings(appid=account.appid, secret=account.secret,
                                   now=lambda: clock.now().timestamp(), report_to=f"{site}/wechat",
                                   report_token=account.token, report_aes_key=account.encoding_aes_key)
        with StandinServer(settings) as platform:
            sender = build_services(replace(services.settings, wechat=replace(
                account, api_base_url=platform.base_url)), clock=clock)
            try:
                yield platform, sender
            finally:
                sender.close()
