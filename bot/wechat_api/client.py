"""The one WeChat API client: configurable base URL, shared access_token, timeouts everywhere."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import requests
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
# cgi-bin/user/info/batchget: "最多支持一次拉取100条"
# https://developers.weixin.qq.com/doc/service/api/usermanage/userinfo/api_batchuserinfo.html
USER_INFO_BATCH = 100


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

    def _token_lock(self) -> str:
        """The name of the shared lock held while fetching this app's token."""
        return f"wechat-token:{self.appid}"

    def _refresh(self, stale: str | None) -> str:
        with held_lock(self._store, self._token_lock(), ttl=self.timeout * 3):
            current = self.session.get(self.access_token_key)
            if current and current != stale:
                return current  # another process refreshed it while we waited
            result = self._fetch_token()
        return result

    def _fetch_token(self) -> str:
        # The stable token (normal mode, never force_refresh: 20 a day): another system of the
        # office fetching a token of its own, by either route, no longer cuts ours short.
        # https://developers.weixin.qq.com/doc/service/api/base/api_getstableaccesstoken.html
        body = json.dumps({"grant_type": "client_credential", "appid": self.appid, "secret": self.secret})
        res = self._http.post(self.API_BASE_URL + "stable_token", timeout=self.timeout, data=body,
                              headers={"Content-Type": "application/json"})
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


@contextmanager
def unreachable_as_refusal() -> Iterator[None]:
    """requests' errors inside as wechatpy's WeChatClientException(errcode=None): one exception
    for callers, and none that carries requests' text, which can name the address (a token
    request's holds the AppSecret)."""
    try:
        yield
    except requests.RequestException:
        raise WeChatClientException(errcode=None, errmsg="WeChat could not be reached") from None


def unionids(client: WeChatApi, openids: list[str]) -> dict[str, str]:
    """The unionid of each of the account's `openids` that has one, asked in batches of 100;
    WeChat's refusal as WeChatClientException, unreachable as one with errcode None.

    WeChat gives a unionid only for a follower ("subscribe" 1) of an account bound to the open
    platform; openids it gives none for are left out.
    """
    wanted = list(dict.fromkeys(openids))
    found: dict[str, str] = {}
    for start in range(0, len(wanted), USER_INFO_BATCH):
        batch = [{"openid": openid, "lang": "zh_CN"} for openid in wanted[start:start + USER_INFO_BATCH]]
        with unreachable_as_refusal():
            users = client.user.get_batch(batch)
        found.update({user["openid"]: user["unionid"] for user in users
                      if isinstance(user, dict) and user.get("openid") and user.get("unionid")})
    return found
