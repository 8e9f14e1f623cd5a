"""The HTTP under the WeChat client: what it sends, through a proxy if the office has one,
and its failures named as the sender tells them apart (refused, or sent but unanswered)."""

from __future__ import annotations

import ipaddress
import json
import socket
import ssl
import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest
import requests

from bot.services import Services
from bot.standin import StandinServer
from bot.wechat_api.client import WeChatApi
from bot.wechat_api.http import PooledHttp


class _Proxy(BaseHTTPRequestHandler):
    """An office's HTTP proxy: records each request line, answers as WeChat would."""

    seen: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        self.seen.append(f"GET {self.path}")
        self._answer({"access_token": "T_PROXIED", "expires_in": 7200})

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.seen.append(f"POST {self.path} {body.decode('utf-8')}")
        if self.path.endswith("/cgi-bin/stable_token"):
            self._answer({"access_token": "T_PROXIED", "expires_in": 7200})
        else:
            self._answer({"errcode": 0, "errmsg": "ok", "msgid": 1})

    def _answer(self, payload: dict) -> None:
        data = json.dumps(payload).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        """Keep test output quiet."""


@pytest.fixture
def proxy() -> Iterator[str]:
    _Proxy.seen = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Proxy)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def test_calls_go_through_the_proxy_the_environment_names(proxy: str, services: Services,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTP_PROXY", proxy)
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    api = WeChatApi(replace(services.settings.wechat, api_base_url="http://api.weixin.example/"),
                    services.store)
    try:
        api.message.send_text("o_proxied", "您好")
    finally:
        api.close()
    token, send = _Proxy.seen
    assert token.startswith("POST http://api.weixin.example/cgi-bin/stable_token ")
    assert json.loads(token.split(" ", 2)[2])["grant_type"] == "client_credential"
    assert send.startswith("POST http://api.weixin.example/cgi-bin/message/custom/send?access_token=T_PROXIED")
    assert json.loads(send.split(" ", 2)[2]) == {"touser": "o_proxied", "msgtype": "text",
                                                 "text": {"content": "您好"}}


def test_a_refused_connection_is_a_connection_error_not_a_timeout() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again at once: nobody listens there
    http = PooledHttp(f"http://127.0.0.1:{port}/")
    with pytest.raises(requests.ConnectionError) as caught:
        http.post(f"http://127.0.0.1:{port}/cgi-bin/x", data=b"{}", timeout=1)
    assert not isinstance(caught.value, requests.Timeout)


def test_a_server_that_takes_the_call_but_never_answers_is_a_read_timeout() -> None:
    with socket.socket() as silent:  # accepts connections (the backlog) and never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        port = silent.getsockname()[1]
        http = PooledHttp(f"http://127.0.0.1:{port}/")
        with pytest.raises(requests.ReadTimeout):
            http.post(f"http://127.0.0.1:{port}/cgi-bin/x", data=b"{}", timeout=0.2)


def test_answers_keep_status_body_and_query(standin: StandinServer) -> None:
    http = PooledHttp(standin.base_url)
    try:
        missing = http.get(standin.base_url + "cgi-bin/no-such-api", params={"a": "1 2"}, timeout=5)
        with pytest.raises(requests.HTTPError):
            missing.raise_for_status()
        token = http.get(standin.base_url + "cgi-bin/token", timeout=5, params={
            "grant_type": "client_credential", "appid": "wrong", "secret": "wrong"})
        assert token.status_code == 200 and token.json()["errcode"] == 40013
    finally:
        http.close()


def test_a_file_upload_is_refused_plainly() -> None:
    with pytest.raises(TypeError, match="files"):
        PooledHttp("http://127.0.0.1:9/").post("http://127.0.0.1:9/x", files={"media": b"x"})


def test_a_server_whose_certificate_is_not_trusted_is_refused(tmp_path: Path) -> None:
    cert, key = _self_signed(tmp_path)
    _Proxy.seen = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Proxy)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"https://127.0.0.1:{server.server_port}/"
    try:
        with pytest.raises(requests.exceptions.SSLError):
            PooledHttp(base).get(base + "cgi-bin/token", timeout=5)
    finally:
        server.shutdown()
        server.server_close()
    assert _Proxy.seen == []  # nothing was sent to it


def _self_signed(folder: Path) -> tuple[Path, Path]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.now(UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(days=1))
            .not_valid_after(now + timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path
