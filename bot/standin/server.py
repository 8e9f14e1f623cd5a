"""Serving the stand-in on a free local port in a background thread."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from types import TracebackType
from typing import Any

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from bot.standin.app import create_standin_app
from bot.standin.records import Call, Window
from bot.standin.settings import StandinSettings
from bot.standin.state import StandinState

# How often the serving thread checks for stop(); short, so tests don't wait on shutdown.
POLL_INTERVAL = 0.05


class _QuietHandler(WSGIRequestHandler):
    """Request handler that keeps test output free of access-log lines."""

    def log_request(self, *args: Any, **kwargs: Any) -> None:
        """Log nothing."""


class StandinServer:
    """The stand-in WeChat API on 127.0.0.1; use as a context manager or start()/stop()."""

    def __init__(self, settings: StandinSettings | None = None) -> None:
        self.app = create_standin_app(settings)
        self.state: StandinState = self.app.extensions["standin"]
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        """The API root, e.g. "http://127.0.0.1:PORT/"; append "cgi-bin/token" and so on."""
        if self._server is None:
            raise RuntimeError("the stand-in server is not running")
        return f"http://127.0.0.1:{self._server.server_port}/"

    def start(self) -> StandinServer:
        """Start serving in a daemon thread."""
        if self._server is None:
            self._server = make_server("127.0.0.1", 0, self.app, threaded=True,
                                       request_handler=_QuietHandler)
            self._thread = threading.Thread(target=self._server.serve_forever,
                                            kwargs={"poll_interval": POLL_INTERVAL},
                                            name="standin-server", daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and release the port."""
        if self._server is None:
            return
        if self.state.reports is not None:
            self.state.reports.close()
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = self._thread = None

    def __enter__(self) -> StandinServer:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    def calls(self, path: str | None = None, openid: str | None = None) -> list[Call]:
        """Logged calls, optionally only to `path` or addressing `openid`."""
        return self.state.calls(path=path, openid=openid)

    def open_window(self, openid: str, at: float | None = None) -> Window:
        """The user just messaged the account (opens the window, resets its quota)."""
        return self.state.open_window(openid, at=at)

    def expire_tokens(self) -> int:
        """Make every issued token expire now."""
        return self.state.expire_tokens()

    def grant_subscribe(self, openid: str, template_id: str, count: int = 1) -> None:
        """The user accepted `template_id` in a subscribe panel `count` times."""
        self.state.grant_subscribe(openid, template_id, count)

    def subscribe_panel(self, openid: str, choices: dict[str, str], count: int = 1) -> None:
        """A follower chose in a 订阅通知 panel; WeChat posts the choices to the server URL."""
        self.state.subscribe_panel(openid, choices, count)

    def change_subscriptions(self, openid: str, choices: dict[str, str]) -> None:
        """A follower switched 订阅通知 templates in the settings; WeChat posts the change."""
        self.state.change_subscriptions(openid, choices)

    def mint_wxa_code(self, openid: str) -> str:
        """A one-time wx.login() code for `openid`."""
        return self.state.mint_wxa_code(openid)

    def mint_phone_code(self, phone: str) -> str:
        """A one-time getPhoneNumber code for `phone`."""
        return self.state.mint_phone_code(phone)

    def set_sec_words(self, words: Mapping[str, str]) -> None:
        """The words msg_sec_check reacts to: word -> "review" or "risky"."""
        self.state.set_sec_words(words)

    def link_unionid(self, openid: str, unionid: str) -> None:
        """Give `openid` (of either app) the open-platform `unionid`."""
        self.state.link_unionid(openid, unionid)

    def visit_wxa(self, openid: str, at: float | None = None) -> None:
        """`openid` opened the mini-program."""
        self.state.visit_wxa(openid, at=at)

    def reset(self) -> None:
        """Forget everything the platform holds."""
        self.state.reset()
