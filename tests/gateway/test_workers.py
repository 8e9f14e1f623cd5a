"""Real gunicorn, two worker processes, one database: retries are answered once across them."""

from __future__ import annotations

import socket
import time
from concurrent.futures import ThreadPoolExecutor

import requests
import sqlalchemy as sa

from bot.config import Settings
from bot.db.engine import make_engine
from bot.models import InboundMessage
from bot.sandbox.wechat_side import Delivery, WeChatSide


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


def _slow_client(url: str, query: str, declared: int, sent: bytes) -> socket.socket:
    """A client that declares a body of `declared` bytes, sends `sent`, and then waits."""
    host, port = url.removeprefix("http://").split("/")[0].split(":")
    sock = socket.create_connection((host, int(port)), timeout=10)
    sock.sendall(f"POST /wechat?{query} HTTP/1.1\r\nHost: {host}\r\nContent-Type: text/xml\r\n"
                 f"Content-Length: {declared}\r\n\r\n".encode() + sent)
    return sock


def _status_of(sock: socket.socket) -> int:
    with sock:
        return int(sock.recv(4096).split(b" ", 2)[1])


def test_strangers_slow_bodies_do_not_hold_the_workers(gunicorn: str, settings: Settings) -> None:
    """Both workers' slots taken by unsigned requests whose bodies never come: they are refused
    before their bodies are read, and a retiree is answered at once."""
    strangers = [_slow_client(gunicorn, "signature=x&timestamp=1&nonce=2", 1000, b"<xml>")
                 for _ in range(2)]
    side = WeChatSide(settings.wechat)
    started = time.monotonic()
    reply = _post(gunicorn, side.deliver(side.text("o_worker_slow_01", "联系我们")))
    assert time.monotonic() - started < 3 and "办公时间" in side.open_reply(reply)["Content"]
    assert [_status_of(s) for s in strangers] == [403, 403]


def test_a_signed_body_that_never_finishes_is_cut_off(gunicorn: str, settings: Settings) -> None:
    side = WeChatSide(settings.wechat)
    delivery = side.deliver(side.text("o_worker_slow_02", "联系我们"))
    query = "&".join(f"{k}={v}" for k, v in delivery.params.items())
    started = time.monotonic()
    slow = _slow_client(gunicorn, query, len(delivery.body), delivery.body[:20])
    assert _status_of(slow) == 408 and time.monotonic() - started < 5
