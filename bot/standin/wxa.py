"""The mini-program's own APIs: login (a wx.login() code for the user's openid, and unionid
when linked) and the user's phone number (a getPhoneNumber code for it)."""

from __future__ import annotations

import base64
import secrets

from bot.standin import errors
from bot.standin.errors import ApiError, ok
from bot.standin.protocol import ApiRequest, Reply
from bot.standin.state import StandinState

# The mainland's calling code; the stand-in's phone codes are for mainland numbers only.
CHINA = "86"


def code_to_session(state: StandinState, req: ApiRequest) -> Reply:
    """GET sns/jscode2session: each code works once, and only while fresh; "unionid" comes too
    when the user has one ("若当前小程序已绑定到微信开放平台账号下会返回",
    https://developers.weixin.qq.com/miniprogram/dev/OpenApiDoc/user-login/code2Session.html)."""
    _check_app(state, req.query)
    code = req.query.get("js_code")
    if not code:
        raise ApiError(errors.CODE_MISSING)
    minted = state.wxa_codes.get(code)
    if minted is None or req.now >= minted.minted_at + state.settings.wxa_code_ttl:
        raise ApiError(errors.INVALID_CODE)
    if minted.used:
        raise ApiError(errors.CODE_BEEN_USED)
    if minted.openid in state.wxa_blocked:
        raise ApiError(errors.USER_BLOCKED)
    minted.used = True
    state.visit_wxa(minted.openid, at=req.now)  # logging in is opening the mini-program
    session_key = base64.b64encode(secrets.token_bytes(16)).decode()
    answer = {"openid": minted.openid, "session_key": session_key}
    if minted.openid in state.unionids:
        answer["unionid"] = state.unionids[minted.openid]
    return Reply(answer, openids=[minted.openid])


def phone_number(state: StandinState, req: ApiRequest) -> Reply:
    """POST wxa/business/getuserphonenumber: each code once, and only while fresh.

    https://developers.weixin.qq.com/miniprogram/dev/server/API/user-info/phone-number/api_getphonenumber.html
    lists one errcode for a bad code, 40029 ("code 无效"): unknown, stale and used alike.
    """
    code = req.json().get("code")
    minted = state.phone_codes.get(code) if isinstance(code, str) else None
    if minted is None or minted.used or req.now >= minted.minted_at + state.settings.phone_code_ttl:
        raise ApiError(errors.INVALID_CODE)
    minted.used = True
    # phoneNumber carries a calling code only for numbers abroad; countryCode is a string in
    # the docs' field table (their example shows a bare 86). The watermark's timestamp is when
    # the user tapped the button, i.e. when the code was minted.
    return Reply(ok(phone_info={
        "phoneNumber": minted.phone, "purePhoneNumber": minted.phone, "countryCode": CHINA,
        "watermark": {"timestamp": int(minted.minted_at), "appid": state.settings.mini_app[0]},
    }))


def _check_app(state: StandinState, query: dict[str, str]) -> None:
    appid, secret = state.settings.mini_app
    if query.get("appid") != appid:
        raise ApiError(errors.INVALID_APPID)
    if query.get("secret") != secret:
        raise ApiError(errors.INVALID_APPSECRET)
    if query.get("grant_type") != "authorization_code":
        raise ApiError(errors.INVALID_GRANT_TYPE)
