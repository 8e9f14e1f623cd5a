"""access_token: issuing one to either app (the account or the mini-program) by cgi-bin/token
or cgi-bin/stable_token (each isolated from the other), and checking the one a call brings."""

from __future__ import annotations

import secrets

from bot.standin import errors
from bot.standin.errors import ApiError
from bot.standin.protocol import ApiRequest, Reply
from bot.standin.records import Token
from bot.standin.settings import StandinSettings
from bot.standin.state import StandinState


def issue_token(state: StandinState, req: ApiRequest) -> Reply:
    """GET cgi-bin/token: a new token for the app; its older ones keep working only for the
    overlap (another app's tokens are its own business)."""
    appid = _check_credentials(state.settings, req.query)
    _supersede(state, appid, req.now)
    token = Token(secrets.token_urlsafe(96), req.now, req.now + state.settings.token_ttl, appid=appid)
    state.tokens[token.value] = token
    return Reply({"access_token": token.value, "expires_in": state.settings.token_ttl})


# https://developers.weixin.qq.com/doc/service/api/base/api_getstableaccesstoken.html
# "普通模式下平台会提前 5 分钟更新 access_token … 新旧 access_token 都可用" and "与 getAccessToken
# 获取的调用凭证完全隔离，互不影响".
STABLE_RENEW_BEFORE = 300


def issue_stable_token(state: StandinState, req: ApiRequest) -> Reply:
    """POST cgi-bin/stable_token: the app's current stable token while it has more than five
    minutes left (normal mode), else a new one, the old good until it expires; force_refresh
    ends the current one at once. Ordinary tokens are untouched, and untouching."""
    body = req.json()
    appid = _check_credentials(state.settings, {k: str(v) for k, v in body.items() if isinstance(v, str)})
    current = next((t for t in state.tokens.values()
                    if t.stable and t.appid == appid and t.superseded_at is None), None)
    if body.get("force_refresh") is True and current is not None:
        del state.tokens[current.value]
        current = None
    if current is not None and req.now < current.expires_at - STABLE_RENEW_BEFORE:
        return Reply({"access_token": current.value, "expires_in": int(current.expires_at - req.now)})
    if current is not None:
        current.superseded_at = current.expires_at - state.settings.token_overlap  # good to its end
    token = Token(secrets.token_urlsafe(96), req.now, req.now + state.settings.token_ttl, appid=appid,
                  stable=True)
    state.tokens[token.value] = token
    return Reply({"access_token": token.value, "expires_in": state.settings.token_ttl})


def verify_token(state: StandinState, value: str | None, now: float, app: str | None = None) -> None:
    """Raise the platform's errcode unless `value` is a live token (of the app `app`, if given)."""
    if not value:
        raise ApiError(errors.ACCESS_TOKEN_MISSING)
    token = state.tokens.get(value)
    if token is None or _past_overlap(state.settings, token, now):
        raise ApiError(errors.INVALID_CREDENTIAL)
    if now >= token.expires_at:
        raise ApiError(errors.ACCESS_TOKEN_EXPIRED)
    if app is not None and token.appid != app:
        raise ApiError(errors.API_UNAUTHORIZED)  # a good token, but its app has no such API


def _check_credentials(settings: StandinSettings, query: dict[str, str]) -> str:
    if query.get("grant_type") != "client_credential":
        raise ApiError(errors.INVALID_GRANT_TYPE)
    appid = query.get("appid")
    if not appid:
        raise ApiError(errors.APPID_MISSING)
    secret = settings.secret_of(appid)
    if secret is None:
        raise ApiError(errors.INVALID_APPID)
    if not query.get("secret"):
        raise ApiError(errors.APPSECRET_MISSING)
    if query["secret"] != secret:
        raise ApiError(errors.INVALID_APPSECRET)
    return appid


def _supersede(state: StandinState, appid: str, now: float) -> None:
    for value in [v for v, t in state.tokens.items() if _past_overlap(state.settings, t, now)]:
        del state.tokens[value]  # dead for good; an unknown token gets the same 40001
    for token in state.tokens.values():
        if token.appid == appid and token.superseded_at is None and not token.stable:
            token.superseded_at = now


def _past_overlap(settings: StandinSettings, token: Token, now: float) -> bool:
    return token.superseded_at is not None and now >= token.superseded_at + settings.token_overlap
