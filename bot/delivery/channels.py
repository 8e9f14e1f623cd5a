"""What each WeChat channel is sent: one message, rendered for the channel chosen at send time."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from bot.clock import SHANGHAI

TEMPLATE_SUMMARY = 20  # characters a template keyword shows before WeChat cuts it
TEMPLATE_REMARK = "全文请给公众号发任意一句话查看。"
TEMPLATE_LINK_REMARK = "点这里打开阅读。"
_LINK = re.compile(r"https?://[^\s，。）)]+")


def custom_payload(openid: str, message: dict[str, Any]) -> dict[str, Any]:
    """A customer-service text message."""
    return {"touser": openid, "msgtype": "text", "text": {"content": message["text"]}}


def template_payload(openid: str, template_id: str, message: dict[str, Any],
                     now: datetime) -> dict[str, Any]:
    """A template message: the title, the start of the text, the date, where to read it all.

    A link in the text (the study page) becomes the template's own link, so a tap opens it.
    """
    text = message["text"]
    summary = text if len(text) <= TEMPLATE_SUMMARY else text[:TEMPLATE_SUMMARY - 1] + "…"
    link = _LINK.search(text)
    return {"touser": openid, "template_id": template_id, "data": {
        "first": {"value": message.get("title") or "您有一条新通知"},
        "keyword1": {"value": summary},
        "keyword2": {"value": f"{now.astimezone(SHANGHAI):%Y年%m月%d日}"},
        "remark": {"value": TEMPLATE_LINK_REMARK if link else TEMPLATE_REMARK},
    }} | ({"url": link.group(0)} if link else {})
