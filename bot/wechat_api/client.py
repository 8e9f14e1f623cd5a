"""The one WeChat API client: configurable base URL, shared access_token, timeouts everywhere."""

from __future__ import annotations

import logging
import time
from typing import Any

from wechatpy import WeChatClient
from wechatpy.exceptions import WeChatClientException
from wechatpy.session import SessionStorage

from bot.config import WeChatSettings
from bot.wechat_api.http import PooledHttp
from bot.wechat_api.store import SharedStore, held_lock

log = logging.getLogger(__name__)

# The token is refreshed this long before WeChat says it expires, so no call races the expiry.
TOKEN_MARGIN = 300
TOKEN_ERRORS = (40001, 40014, 42001)
# Seconds a process keeps using the token it last read before reading the shared store again.
# Short: when another process refreshes it, ours is refused (40001) and read afresh at once.
LOCAL_HOLD = 20.0


class _StoreSession(SessionStorage):
    """wechatpy's session storage backed by our shared store."""

    def __init__(self, store: SharedStore) -> None:
        self._store = store

    def get(self, key: str, default: Any = None) -> Any:
        return self._store.get(f"wechat:{key}") or default

    def set(self, key: str, value: Any, ttl: int | None = None) -> None:
        self._store.set(f"wechat:{key}", str(value), ttl or 7200)

    def delete(self, key: str) -> None:
        self._store.delete(f"wechat:{key}")


class WeChatApi(WeChatClient):
    """wechatpy's client, pointed at `api_base_url`, with the token shared by every process.

    Exactly one process fetches a token at a time (a lock in the shared store); a call rejected
    for its token (40001/40014/42001) refreshes once and is retried once.
    """

    def __init__(self, settings: WeChatSettings, store: SharedStore) -> None:
        super().__init__(settings.appid, settings.secret, session=_StoreSession(store),
                         timeout=settings.timeout, auto_retry=False)
        self.API_BASE_URL = settings.api_base_url.rstrip("/") + "/cgi-bin/"
        self._store = store
        self._http.close()
        self._http = PooledHttp(self.API_BASE_URL)  # requests' own session costs twice the CPU
        self._recent: tuple[str, float] | None = None  # the token as last read, and until when

    def close(self) -> None:
        """Close the kept-alive connections to WeChat."""
        self._http.close()

    @property
    def access_token(self) -> str:
        """The shared token (held a few seconds in this process), fetched if no process has one."""
        if self._recent and self._recent[1] > time.monotonic():
            return self._recent[0]
        token = self.session.get(self.access_token_key) or self._refresh(stale=None)
        self._recent = (token, time.monotonic() + LOCAL_HOLD)
        return token

    def fetch_access_token(self) -> dict[str, Any]:
        """Fetch a new token now (wechatpy's name for it)."""
        self._refresh(stale=self.session.get(self.access_token_key))
        return {"access_token": self.session.get(self.access_token_key)}

    def _refresh(self, stale: str | None) -> str:
        with held_lock(self._store, f"wechat-token:{self.appid}", ttl=self.timeout * 3):
            current = self.session.get(self.access_token_key)
            if current and current != stale:
                return current  # another process refreshed it while we waited
            result = self._fetch_token()
        return result

    def _fetch_token(self) -> str:
        res = self._http.get(self.API_BASE_URL + "token", timeout=self.timeout, params={
            "grant_type": "client_credential", "appid": self.appid, "secret": self.secret})
        result = self._handle_result(res)
        ttl = max(int(result.get("expires_in", 7200)) - TOKEN_MARGIN, 60)
        self.session.set(self.access_token_key, result["access_token"], ttl)
        log.info("fetched a new access_token (valid %ss)", ttl)
        return result["access_token"]

    def _request(self, method: str, url_or_endpoint: str, **kwargs: Any) -> Any:
        params = dict(kwargs.pop("params", None) or {})
        token = params.pop("access_token", None) or self.access_token
        try:
            return super()._request(method, url_or_endpoint,
                                    params={**params, "access_token": token}, **kwargs)
        except WeChatClientException as exc:
            if exc.errcode not in TOKEN_ERRORS:
                raise
            log.info("access_token rejected (%s); refreshing once", exc.errcode)
            self._recent = None
            fresh = self._refresh(stale=token)
            return super()._request(method, url_or_endpoint,
                                    params={**params, "access_token": fresh}, **kwargs)
