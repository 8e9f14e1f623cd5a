"""deploy/nginx/yinling-proxy.conf in front of real gunicorn: slow clients never reach a worker."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from bot.config import PROJECT_ROOT, Settings
from bot.sandbox.wechat_side import WeChatSide
from tests.helpers import free_port, wait_until_up

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
PROXY_CONF = PROJECT_ROOT / "deploy" / "nginx" / "yinling-proxy.conf"


def _require_nginx() -> None:
    if Path(NGINX).exists():
        return
    if os.environ.get("CI"):
        raise RuntimeError(".ci/run installs Debian's nginx-light; it is missing")
    pytest.skip("Debian's nginx is not installed (apt-get install nginx-light; .ci/run does it)")


@pytest.fixture
def nginx(gunicorn: str, tmp_path: Path) -> Iterator[str]:
    """nginx with the shipped proxy settings, in front of gunicorn; its /wechat URL."""
    _require_nginx()
    upstream = gunicorn.removeprefix("http://").split("/")[0]
    port = free_port()
    for name in ("body", "proxy", "logs"):
        (tmp_path / name).mkdir()
        (tmp_path / name).chmod(0o777)  # nginx's workers run as another user when started by root
    # A large body waits in a file; pytest's own folders are closed to other users.
    bodies = Path(tempfile.mkdtemp(prefix="nginx-body-"))
    bodies.chmod(0o777)
    conf = tmp_path / "nginx.conf"
    conf.write_text(f"""
daemon off; worker_processes 1; pid {tmp_path}/nginx.pid; error_log {tmp_path}/logs/error.log;
events {{ worker_connections 256; }}
http {{
    access_log off;
    client_body_temp_path {bodies}; proxy_temp_path {tmp_path}/proxy;
    fastcgi_temp_path {tmp_path}/body; uwsgi_temp_path {tmp_path}/body; scgi_temp_path {tmp_path}/body;
    upstream yinling {{ server {upstream}; }}
    server {{
        listen 127.0.0.1:{port};
        include {PROXY_CONF};
    }}
}}
""", encoding="utf-8")
    proc = subprocess.Popen([NGINX, "-p", str(tmp_path), "-c", str(conf)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base, proc, "nginx")
        yield base + "/wechat"
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        shutil.rmtree(bodies, ignore_errors=True)


def _trickle(url: str, query: str, body: bytes) -> socket.socket:
    host, port = url.removeprefix("http://").split("/")[0].split(":")
    sock = socket.create_connection((host, int(port)), timeout=20)
    sock.sendall(f"POST /wechat?{query} HTTP/1.1\r\nHost: {host}\r\nContent-Type: text/xml\r\n"
                 f"Content-Length: {len(body)}\r\n\r\n".encode() + body[:10])
    return sock


def test_many_slow_signed_clients_leave_the_workers_to_the_retirees(nginx: str, settings: Settings) -> None:
    """More slow clients than gunicorn has workers, each with a genuine query string and a body
    that trickles: nginx holds them all, and a retiree's message goes straight through."""
    side = WeChatSide(settings.wechat)
    slow = []
    for n in range(6):
        delivery = side.deliver(side.text(f"o_proxy_slow_{n:02d}", "联系我们"))
        query = "&".join(f"{k}={v}" for k, v in delivery.params.items())
        slow.append(_trickle(nginx, query, delivery.body))
    try:
        started = time.monotonic()
        delivery = side.deliver(side.text("o_proxy_retiree_01", "联系我们"))
        res = requests.post(nginx, params=delivery.params, data=delivery.body, timeout=10)
        assert res.status_code == 200 and time.monotonic() - started < 2
        assert "办公时间" in side.open_reply(res.text)["Content"]
    finally:
        for sock in slow:
            sock.close()


def test_a_body_over_64_kib_is_refused_by_the_proxy(nginx: str, settings: Settings) -> None:
    side = WeChatSide(settings.wechat)
    delivery = side.deliver(side.text("o_proxy_big_01", "x"))
    res = requests.post(nginx, params=delivery.params, data=b"<xml>" + b"a" * 70_000, timeout=10)
    assert res.status_code == 413


def test_a_roster_upload_passes_the_proxy_up_to_the_consoles_own_limit(nginx: str) -> None:
    base = nginx.rsplit("/wechat", 1)[0]
    roster = {"file": ("名册.csv", b"a" * 2_000_000)}  # 2 MB: a roster of some 10,000 people
    res = requests.post(f"{base}/console/roster/import", files=roster, allow_redirects=False, timeout=10)
    # Passed on to the app, which sends a visitor not signed in to sign in (302) — or, as it
    # answers before reading the body, gunicorn may close first and nginx says 502: either way
    # the proxy itself did not refuse the size.
    assert res.status_code in (302, 502), res.text[:300]
    big = {"file": ("名册.csv", b"a" * 52 * 2**20)}
    assert requests.post(f"{base}/console/roster/import", files=big, timeout=30).status_code == 413
