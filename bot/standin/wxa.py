"""Mini-program login: exchanging a wx.login() code for the user's openid."""

from __future__ import annotations

import base64
import secrets

from bot.standin import errors
from bot.standin.errors import ApiError
from bot.standin.protocol import ApiRequest, Reply
from bot.standin.state import StandinState


def code_to_session(state: StandinState, req: ApiRequest) -> Reply:
    """GET sns/jscode2session: each code works once, and only while fresh."""
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
    session_key = base64.b64encode(secrets.token_bytes(16)).decode()
    return Reply({"openid": minted.openid, "session_key": session_key}, openids=[minted.openid])


def _check_app(state: StandinState, query: dict[str, str]) -> None:
    if query.get("appid") != state.settings.appid:
        raise ApiError(errors.INVALID_APPID)
    if query.get("secret") != state.settings.secret:
        raise ApiError(errors.INVALID_APPSECRET)
    if query.get("grant_type") != "authorization_code":
        raise ApiError(errors.INVALID_GRANT_TYPE)
