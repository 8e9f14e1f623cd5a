"""Helpers shared by the stand-in tests (named apart from conftest so imports stay unambiguous)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import requests
from wechatpy import WeChatClient

from bot.standin import StandinServer

START = datetime(2024, 5, 10, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai")).timestamp()


class FakeClock:
    """A clock that stands still until advanced."""

    def __init__(self, start: float = START) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        """Move time forward."""
        self.now += seconds


class Api:
    """Raw HTTP to the stand-in, so tests see exactly what the platform answers."""

    def __init__(self, server: StandinServer, http: requests.Session) -> None:
        self.server = server
        self.http = http

    def token(self, appid: str | None = None, secret: str | None = None) -> str:
        """A fresh access_token."""
        settings = self.server.state.settings
        return self.fetch_token(appid or settings.appid, secret or settings.secret)[
            "access_token"]

    def fetch_token(self, appid: str, secret: str,
                    grant_type: str = "client_credential") -> dict[str, Any]:
        """GET cgi-bin/token as given."""
        return self.get("cgi-bin/token", grant_type=grant_type, appid=appid, secret=secret)

    def get(self, endpoint: str, /, **params: Any) -> Any:
        """GET `endpoint`; returns the JSON answer."""
        return self.http.get(self.server.base_url + endpoint, params=params, timeout=5).json()

    def post(self, path: str, body: Any, token: str | None) -> dict[str, Any]:
        """POST `body` as wechatpy does (UTF-8 JSON, no Content-Type); returns the JSON answer."""
        params = {"access_token": token} if token is not None else {}
        raw = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode()
        return self.http.post(self.server.base_url + path, params=params, data=raw,
                              timeout=5).json()


class SandboxClient(WeChatClient):
    """wechatpy's client pointed at the stand-in (wechatpy hard-codes its token URL)."""

    def __init__(self, server: StandinServer) -> None:
        settings = server.state.settings
        super().__init__(settings.appid, settings.secret, timeout=5)
        self.API_BASE_URL = server.base_url + "cgi-bin/"

    def fetch_access_token(self) -> dict[str, Any]:
        """Fetch from the stand-in instead of api.weixin.qq.com."""
        return self._fetch_access_token(self.API_BASE_URL + "token", {
            "grant_type": "client_credential", "appid": self.appid, "secret": self.secret})
