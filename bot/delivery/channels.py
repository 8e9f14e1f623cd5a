"""What each WeChat channel is sent: one message, rendered for the channel chosen at send time."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from bot.delivery.templates import link_of, render, spec_of


def custom_payload(openid: str, message: dict[str, Any]) -> dict[str, Any]:
    """A customer-service text message."""
    return {"touser": openid, "msgtype": "text", "text": {"content": message["text"]}}


def template_payload(openid: str, template: str | Mapping[str, Any], message: dict[str, Any], kind: str,
                     now: datetime, *, mini_appid: str = "", office_url: str = "") -> dict[str, Any]:
    """A template message: its fields filled as [delivery.templates] says for this kind, each
    cut to its type's limit (bot.delivery.templates). A tap opens the link in the text (the
    study page), else the template's mini-program page when a mini-program is configured, else
    the office's own page."""
    spec = spec_of(template)
    payload = {"touser": openid, "template_id": spec.id, "data": render(spec, message, kind, now)}
    if link := link_of(message):
        return payload | {"url": link}
    if spec.page and mini_appid:
        return payload | {"miniprogram": {"appid": mini_appid, "pagepath": spec.page}}
    return payload | ({"url": office_url} if office_url else {})


def subscribe_payload(openid: str, template: Mapping[str, Any], message: dict[str, Any], kind: str,
                      now: datetime) -> dict[str, Any]:
    """A subscription message (the mini-program's subscribe message, the account's 订阅通知): the
    template's typed fields as for a template message, and the page a tap opens (我的通知, say).
    https://developers.weixin.qq.com/miniprogram/dev/server/API/mp-message-management/subscribe-message/api_sendmessage.html"""
    spec = spec_of(template)
    return ({"touser": openid, "template_id": spec.id, "data": render(spec, message, kind, now),
             "miniprogram_state": "formal", "lang": "zh_CN"} | ({"page": spec.page} if spec.page else {}))
