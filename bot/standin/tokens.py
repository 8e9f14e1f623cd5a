"""access_token: issuing one, and checking the one a call brings."""

from __future__ import annotations

import secrets

from bot.standin import errors
from bot.standin.errors import ApiError
from bot.standin.protocol import ApiRequest, Reply
from bot.standin.records import Token
from bot.standin.settings import StandinSettings
from bot.standin.state import StandinState


def issue_token(state: StandinState, req: ApiRequest) -> Reply:
    """GET cgi-bin/token: a new token; older ones keep working only for the overlap."""
    _check_credentials(state.settings, req.query)
    _supersede_all(state, req.now)
    token = Token(secrets.token_urlsafe(96), req.now, req.now + state.settings.token_ttl)
    state.tokens[token.value] = token
    return Reply({"access_token": token.value, "expires_in": state.settings.token_ttl})


def verify_token(state: StandinState, value: str | None, now: float) -> None:
    """Raise the platform's errcode unless `value` is a live token."""
    if not value:
        raise ApiError(errors.ACCESS_TOKEN_MISSING)
    token = state.tokens.get(value)
    if token is None or _past_overlap(state.settings, token, now):
        raise ApiError(errors.INVALID_CREDENTIAL)
    if now >= token.expires_at:
        raise ApiError(errors.ACCESS_TOKEN_EXPIRED)


def _check_credentials(settings: StandinSettings, query: dict[str, str]) -> None:
    if query.get("grant_type") != "client_credential":
        raise ApiError(errors.INVALID_GRANT_TYPE)
    if not query.get("appid"):
        raise ApiError(errors.APPID_MISSING)
    if query["appid"] != settings.appid:
        raise ApiError(errors.INVALID_APPID)
    if not query.get("secret"):
        raise ApiError(errors.APPSECRET_MISSING)
    if query["secret"] != settings.secret:
        raise ApiError(errors.INVALID_APPSECRET)


def _supersede_all(state: StandinState, now: float) -> None:
    for value in [v for v, t in state.tokens.items() if _past_overlap(state.settings, t, now)]:
        del state.tokens[value]  # dead for good; an unknown token gets the same 40001
    for token in state.tokens.values():
        if token.superseded_at is None:
            token.superseded_at = now


def _past_overlap(settings: StandinSettings, token: Token, now: float) -> bool:
    return token.superseded_at is not None and now >= token.superseded_at + settings.token_overlap
