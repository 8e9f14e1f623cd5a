"""The HTTP underneath the WeChat client: urllib3's keep-alive pool, answering as requests does.

wechatpy talks to WeChat through a requests Session. requests spends about twice as long as
urllib3, which it wraps, on each call (merging settings, hooks, cookies, runtime protocol
checks); a sender making hundreds of calls a second is bound by that. This session-like object
keeps what wechatpy relies on — `request()`/`get()`/`post()` returning a `requests.Response`,
and requests' errors (ConnectionError, ConnectTimeout, ReadTimeout), which the sender tells
apart — and sends through one thread-safe urllib3 pool. It carries the encoded JSON bodies
wechatpy makes, which is all the product sends; a file upload is refused with a TypeError.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlencode

import requests
import urllib3
from requests import certs
from requests.structures import CaseInsensitiveDict
from requests.utils import get_environ_proxies, select_proxy
from urllib3.exceptions import (
    ConnectTimeoutError,
    HTTPError,
    NewConnectionError,
    ReadTimeoutError,
    SSLError,
)

# Keep-alive connections kept per host: more than any sender keeps in flight (beyond it urllib3
# opens extra ones and warns as it drops them).
POOL_SIZE = 64
HEADERS = {"User-Agent": "yinling-bot", "Accept": "application/json"}
_HANDLED = {"params", "data", "timeout", "headers"}
# urllib3 logs each request's address, query and all, at DEBUG; a token request's holds the
# AppSecret (of the account or the mini-program), so that logger never goes below INFO.
logging.getLogger("urllib3.connectionpool").setLevel(logging.INFO)


class PooledHttp:
    """A thread-safe stand-in for `requests.Session` in wechatpy, over one urllib3 pool.

    The proxy, if the environment names one for `base_url`, is read once, here.
    """

    def __init__(self, base_url: str) -> None:
        proxy = select_proxy(base_url, get_environ_proxies(base_url))
        # Certificates checked against the same bundle requests uses (certifi), not whatever
        # the host happens to have.
        options = {"maxsize": POOL_SIZE, "cert_reqs": "CERT_REQUIRED", "ca_certs": certs.where()}
        self._pool: urllib3.PoolManager = (urllib3.ProxyManager(proxy, **options) if proxy
                                           else urllib3.PoolManager(**options))

    def request(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        """Send one request; the answer and the errors as requests gives them."""
        if unknown := set(kwargs) - _HANDLED:
            raise TypeError(f"PooledHttp does not send {sorted(unknown)}; only encoded bodies")
        body, headers = _body(kwargs.get("data")), {**HEADERS, **(kwargs.get("headers") or {})}
        timeout = kwargs.get("timeout")
        try:
            answer = self._pool.request(method, _with_query(url, kwargs.get("params")), body=body,
                                        headers=headers, retries=False, preload_content=True,
                                        timeout=urllib3.Timeout(connect=timeout, read=timeout))
        except HTTPError as exc:
            raise _as_requests_error(exc) from exc
        return _response(answer, url)

    def get(self, url: str, **kwargs: Any) -> requests.Response:
        """GET, as `requests.Session.get`."""
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> requests.Response:
        """POST, as `requests.Session.post`."""
        return self.request("POST", url, **kwargs)

    def close(self) -> None:
        """Close every pooled connection."""
        self._pool.clear()


def _with_query(url: str, params: dict[str, Any] | None) -> str:
    if not params:
        return url
    return url + ("&" if "?" in url else "?") + urlencode(params, doseq=True)


def _body(data: bytes | str | None) -> bytes | None:
    if data is not None and not isinstance(data, bytes | str):
        raise TypeError("PooledHttp sends bodies already encoded, as wechatpy gives them")
    return data.encode("utf-8") if isinstance(data, str) else data


def _response(answer: urllib3.BaseHTTPResponse, url: str) -> requests.Response:
    response = requests.Response()
    response.status_code = answer.status
    response.reason = answer.reason or ""
    response.headers = CaseInsensitiveDict(answer.headers)
    response._content = answer.data
    response.url = url
    response.encoding = "utf-8"
    return response


def _as_requests_error(exc: HTTPError) -> requests.RequestException:
    """urllib3's error as the requests error the callers catch (the same mapping requests makes)."""
    if isinstance(exc, ConnectTimeoutError) and not isinstance(exc, NewConnectionError):
        return requests.ConnectTimeout(str(exc))  # (urllib3 counts a refused connection as one)
    if isinstance(exc, ReadTimeoutError):
        return requests.ReadTimeout(str(exc))  # sent, but no answer in time
    if isinstance(exc, SSLError):
        return requests.exceptions.SSLError(str(exc))  # not WeChat's certificate: never sent
    return requests.ConnectionError(str(exc))  # refused, reset, or dropped mid-answer
