"""One-to-one messages: customer-service (custom) and template."""

from __future__ import annotations

import re
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
    shown = phone_view(body.get("data"))
    msgid = state.next_id("msgid")
    if state.reports is not None:
        state.reports.push(touser, msgid)
    return Reply(ok(msgid=msgid), delivered=[touser], shown=shown)


def send_subscribe(state: StandinState, req: ApiRequest) -> Reply:
    """POST cgi-bin/message/subscribe/send (the mini-program's) and cgi-bin/message/subscribe/
    bizsend (the account's 订阅通知): one of the user's grants for the template is spent, none
    left is 43101; the same typed-field limits as a category template. After a bizsend WeChat
    posts subscribe_msg_sent_event to the account's server URL.
    https://developers.weixin.qq.com/miniprogram/dev/server/API/mp-message-management/subscribe-message/api_sendmessage.html
    https://developers.weixin.qq.com/doc/service/api/notify/notify/api_sendnewsubscribemsg.html"""
    body = req.json()
    touser = _touser(body)
    template_id = body.get("template_id")
    if not isinstance(template_id, str) or not template_id:
        raise ApiError(errors.INVALID_TEMPLATE_ID)
    key = (touser, template_id)
    if state.subscribe_grants.get(key, 0) <= 0:
        raise ApiError(errors.SUBSCRIBE_REFUSED)
    shown = phone_view(body.get("data"))
    state.subscribe_grants[key] -= 1
    msgid = state.next_id("msgid")
    if req.path.endswith("bizsend") and state.reports is not None:  # the account's server hears of it
        state.reports.push_event(f"subscription {msgid} sent",
                                 state.reports.side.subscription_sent(touser, template_id, msgid))
    return Reply(ok(msgid=msgid), delivered=[touser], shown=shown)


# Since 2023 (《关于规范公众号模板消息的再次公告》) the phone shows no `first` or `remark`, and an
# old template's keyword values only to 20 characters; a category template's typed field over
# its limit is refused (47003). Limits: 类目模板消息参数值内容限制,
# https://developers.weixin.qq.com/doc/offiaccount/Message_Management/Template_Message_Interface.html
FIELD_LIMITS = {"thing": 20, "short_thing": 5, "character_string": 32, "number": 32, "letter": 32,
                "symbol": 5, "phrase": 5, "name": 10, "const": 20, "phone_number": 17, "car_number": 8,
                "amount": 11}
OLD_KEYWORD_SHOWN = 20
_FIELD = re.compile(r"^([a-z_]+?)\d*$")


def phone_view(data: Any) -> list[str]:
    """The template's lines as the phone shows them; ApiError(47003) for a field over its limit."""
    lines = []
    for name, item in (data or {}).items() if isinstance(data, dict) else ():
        value = str(item.get("value", "")) if isinstance(item, dict) else ""
        kind = _FIELD.match(name).group(1) if _FIELD.match(name) else name
        if kind in ("first", "remark"):
            continue
        if kind == "keyword":
            lines.append(value if len(value) <= OLD_KEYWORD_SHOWN else value[:OLD_KEYWORD_SHOWN] + "…")
            continue
        if kind in FIELD_LIMITS and len(value) > FIELD_LIMITS[kind]:
            raise ApiError(errors.ARGUMENT_INVALID)
        lines.append(value)
    return lines


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
