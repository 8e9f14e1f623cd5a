"""One-to-one messages: customer-service (custom) and template."""

from __future__ import annotations

from typing import Any

from bot.standin import errors
from bot.standin.errors import ApiError, ok
from bot.standin.protocol import ApiRequest, Reply
from bot.standin.state import StandinState

CUSTOM_TYPES = frozenset({"text", "image", "voice", "video", "music", "news", "mpnews",
                          "mpnewsarticle", "msgmenu", "wxcard", "miniprogrampage"})


def send_custom(state: StandinState, req: ApiRequest) -> Reply:
    """POST cgi-bin/message/custom/send: only inside the user's window, within its quota."""
    body = req.json()
    touser = _touser(body)
    _check_custom_content(body)
    window = state.windows.get(touser)
    if window is None or req.now >= window.expires_at:
        raise ApiError(errors.OUT_OF_WINDOW)
    if window.used >= state.settings.custom_quota:
        raise ApiError(errors.OUT_OF_RESPONSE_COUNT)
    window.used += 1
    return Reply(ok(), delivered=[touser])


def send_template(state: StandinState, req: ApiRequest) -> Reply:
    """POST cgi-bin/message/template/send: needs a known template id, no window; reported later."""
    body = req.json()
    touser = _touser(body)
    template_id = body.get("template_id")
    allowed = state.settings.template_ids
    if not template_id or (allowed is not None and template_id not in allowed):
        raise ApiError(errors.INVALID_TEMPLATE_ID)
    msgid = state.next_id("msgid")
    if state.reports is not None:
        state.reports.push(touser, msgid)
    return Reply(ok(msgid=msgid), delivered=[touser])


def _touser(body: dict[str, Any]) -> str:
    touser = body.get("touser")
    if not isinstance(touser, str) or not touser:
        raise ApiError(errors.INVALID_OPENID)
    return touser


def _check_custom_content(body: dict[str, Any]) -> None:
    msgtype = body.get("msgtype")
    if msgtype not in CUSTOM_TYPES or not isinstance(body.get(msgtype), dict):
        raise ApiError(errors.INVALID_MESSAGE_TYPE)
    if msgtype == "text" and not body["text"].get("content"):
        raise ApiError(errors.EMPTY_CONTENT)
