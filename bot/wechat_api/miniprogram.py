"""The mini-program's own app at WeChat: exchanging a wx.login() code for the user (code2session)."""

from __future__ import annotations

import logging
from typing import Any

import requests
from wechatpy import WeChatClient
from wechatpy.exceptions import WeChatClientException

from bot.config import Settings

# code2session needs no access_token; one given keeps wechatpy from fetching one, which would
# cut short the token every other process of this app holds.
NO_TOKEN = "code2session-needs-none"
# urllib3 logs each request's address at DEBUG; code2session's holds the AppSecret.
logging.getLogger("urllib3.connectionpool").setLevel(logging.INFO)


def code_to_session(settings: Settings, code: str) -> dict[str, Any]:
    """openid, session_key (and unionid when WeChat gives one) for a login code; WeChat's
    refusal as wechatpy's WeChatClientException (40029 a bad or old code, 40163 one used,
    45011 too many logins, 40226 a user barred). The request's address holds the AppSecret:
    nothing here logs it."""
    mini = settings.miniprogram
    client = WeChatClient(mini.appid, mini.secret, access_token=NO_TOKEN, timeout=settings.wechat.timeout)
    client.wxa.API_BASE_URL = settings.wechat.api_base_url.rstrip("/") + "/"
    try:
        return client.wxa.code_to_session(code)
    except requests.RequestException:  # its text names the address, AppSecret and all
        raise WeChatClientException(errcode=None, errmsg="WeChat could not be reached") from None
