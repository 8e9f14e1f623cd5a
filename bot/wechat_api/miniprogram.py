"""The mini-program's own app at WeChat: exchanging a wx.login() code for the user (code2session),
a getPhoneNumber code for the user's phone number, and WeChat's content check of what a user
wrote. The last two need the mini-program's own access_token, shared by every process as the
account's is (MiniProgramApi: WeChatApi under keys of its own)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

from wechatpy import WeChatClient
from wechatpy.exceptions import WeChatClientException

from bot.config import Settings
from bot.wechat_api.client import WeChatApi, unreachable_as_refusal
from bot.wechat_api.store import SharedStore

log = logging.getLogger(__name__)

# code2session needs no access_token; one given keeps wechatpy from fetching one, which would
# cut short the token every other process of this app holds.
NO_TOKEN = "code2session-needs-none"

# https://developers.weixin.qq.com/miniprogram/dev/server/API/user-info/phone-number/api_getphonenumber.html
PHONE_NUMBER = "wxa/business/getuserphonenumber"
# https://developers.weixin.qq.com/miniprogram/dev/server/API/sec-center/sec-check/api_msgseccheck.html
MSG_SEC_CHECK = "wxa/msg_sec_check"
SEC_CHECK_VERSION = 2  # "接口版本号，2.0版本为固定值2" (version 1 stopped being updated in 2021)
# The scenes are "1 资料；2 评论；3 论坛；4 社交日志"; none is "a message to the office". WeChat's
# answer on the docs' forum is to take the one closest to the business
# (https://developers.weixin.qq.com/community/minihome/doc/00004e236740a8c51dd03487262800).
# A message left for staff is a user's short text addressed to others, seen by a few: a comment
# (2) — not a profile (1), not a public forum post (3), not a diary (4).
COMMENT_SCENE = 2
MAX_CHECK_CHARS = 2500  # "文本字数的上限为2500字": longer text is checked in pieces
SUGGESTS = ("pass", "review", "risky")  # "建议，有risky、pass、review三种值", mildest first


class MiniProgramApi(WeChatApi):
    """WeChatApi for the mini-program's app: the same token sharing (one fetch at a time across
    processes, refreshed once on 40001/40014/42001), under a store key and lock of its own."""

    def __init__(self, settings: Settings, store: SharedStore) -> None:
        mini = settings.miniprogram
        super().__init__(replace(settings.wechat, appid=mini.appid, secret=mini.secret), store)
        self.wxa_base_url = settings.wechat.api_base_url.rstrip("/") + "/"

    @property
    def access_token_key(self) -> str:
        """The shared store's key for the mini-program's token."""
        # Never the account's "<appid>_access_token", even were one appid set for both (as the
        # sandbox did): a token must not be taken for the other app's.
        return f"miniprogram:{self.appid}_access_token"

    def _token_lock(self) -> str:
        return f"wechat-token:miniprogram:{self.appid}"

    def call(self, endpoint: str, body: dict[str, Any]) -> dict[str, Any]:
        """POST `body` as JSON to `endpoint` (e.g. "wxa/msg_sec_check"), with the token; WeChat's
        answer, or its refusal as WeChatClientException."""
        answer = self.post(self.wxa_base_url + endpoint, data=body)
        if not isinstance(answer, dict):  # wechatpy hands back what is not JSON as it came
            raise WeChatClientException(errcode=None, errmsg="WeChat's answer was not JSON")
        return answer


@contextmanager
def mini_program_api(settings: Settings, store: SharedStore) -> Iterator[MiniProgramApi]:
    """A MiniProgramApi for a few calls, closed after; unreachable raised as
    WeChatClientException(errcode=None)."""
    # A client per use, not per process: these calls are few (a phone number once per user, a
    # check per message), and the token comes from the shared store all the same.
    api = MiniProgramApi(settings, store)
    try:
        with unreachable_as_refusal():
            yield api
    finally:
        api.close()


def code_to_session(settings: Settings, code: str) -> dict[str, Any]:
    """openid, session_key (and unionid when WeChat gives one) for a login code; WeChat's
    refusal as wechatpy's WeChatClientException (40029 a bad or old code, 40163 one used,
    45011 too many logins, 40226 a user barred). The request's address holds the AppSecret:
    nothing here logs it."""
    mini = settings.miniprogram
    client = WeChatClient(mini.appid, mini.secret, access_token=NO_TOKEN, timeout=settings.wechat.timeout)
    client.wxa.API_BASE_URL = settings.wechat.api_base_url.rstrip("/") + "/"
    with unreachable_as_refusal():  # requests' text names the address, AppSecret and all
        return client.wxa.code_to_session(code)


def phone_number(settings: Settings, store: SharedStore, code: str) -> str:
    """The user's phone number, without country code (purePhoneNumber), for the code the
    getPhoneNumber button gave; each code works once, for 5 minutes. WeChat's refusal as
    WeChatClientException (40029: a code unknown, stale or used); unreachable as one with
    errcode None."""
    with mini_program_api(settings, store) as api:
        answer = api.call(PHONE_NUMBER, {"code": code})
    info = answer.get("phone_info")
    phone = info.get("purePhoneNumber") if isinstance(info, dict) else None
    if not isinstance(phone, str) or not phone:
        raise WeChatClientException(errcode=None, errmsg="WeChat's answer carried no phone number")
    return phone


def content_check(settings: Settings, store: SharedStore, openid: str, text: str) -> str:
    """WeChat's word on text the mini-program user `openid` wrote for staff: "pass", "review" or
    "risky" (the gravest over its 2,500-character pieces). WeChat's refusal as
    WeChatClientException (40003 a bad openid; 61010 the user has not opened the mini-program
    in two hours); unreachable as one with errcode None."""
    if not text.strip():
        return "pass"  # nothing anyone could object to: no call, no token spent
    verdicts: list[str] = []
    with mini_program_api(settings, store) as api:
        for start in range(0, len(text), MAX_CHECK_CHARS):
            answer = api.call(MSG_SEC_CHECK, {
                "content": text[start:start + MAX_CHECK_CHARS], "version": SEC_CHECK_VERSION,
                "scene": COMMENT_SCENE, "openid": openid})
            verdicts.append(_suggest(answer))
            if verdicts[-1] == "risky":
                break  # nothing graver can follow
    return max(verdicts, key=SUGGESTS.index)


def _suggest(answer: dict[str, Any]) -> str:
    result = answer.get("result")
    suggest = result.get("suggest") if isinstance(result, dict) else None
    if suggest in SUGGESTS:
        return str(suggest)
    # A verdict we cannot read is put before a person, never passed unseen.
    log.warning("msg_sec_check gave no suggest we know (%r, trace %s): held for review",
                suggest, answer.get("trace_id"))
    return "review"
