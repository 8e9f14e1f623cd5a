"""What a retiree sent, in one shape for every handler, whatever WeChat's message type."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from wechatpy.events import EVENT_TYPES
from wechatpy.messages import MESSAGE_TYPES, BaseMessage, UnknownMessage

from bot.clock import SHANGHAI

TEXT_LIKE = ("text", "voice")


@dataclass(frozen=True)
class Inbound:
    """One message or event from one openid.

    `text` is the typed text, or a voice message's Recognition; empty when there is none.
    """

    openid: str
    account: str
    kind: str
    sent_at: datetime
    text: str = ""
    event: str = ""
    event_key: str = ""
    msg_id: str = ""

    @property
    def is_text_like(self) -> bool:
        """True for text and voice: what the user said, to be routed by its words."""
        return self.kind in TEXT_LIKE

    @property
    def dedupe_key(self) -> str:
        """WeChat's own identity of this delivery: MsgId, or sender + CreateTime for events."""
        if self.msg_id:
            return f"msg:{self.msg_id}"
        return f"evt:{self.openid}:{int(self.sent_at.timestamp())}:{self.event}"


def wechatpy_message(fields: dict[str, Any]) -> BaseMessage:
    """wechatpy's message or event object for already-parsed fields (wechatpy's parse_message,
    minus its second XML parse); UnknownMessage for types it does not know."""
    kind = str(fields.get("MsgType", "")).lower()
    if not kind:
        raise KeyError("MsgType")
    if kind != "event":
        return MESSAGE_TYPES.get(kind, UnknownMessage)(fields)
    event = str(fields.get("Event", "")).lower()
    key = str(fields.get("EventKey") or "")
    if event == "subscribe" and key.startswith("qrscene_"):
        event = "subscribe_scan"
        fields = {**fields, "Event": event, "EventKey": key[len("qrscene_"):]}
    return EVENT_TYPES.get(event, UnknownMessage)(fields)


def from_wechatpy(message: object) -> Inbound:
    """Turn a parsed wechatpy message or event into an Inbound."""
    kind = getattr(message, "type", "unknown")
    text = getattr(message, "content", None)
    if kind == "voice":
        text = getattr(message, "recognition", None)
    create_time = getattr(message, "create_time", None)
    sent_at = create_time.astimezone(SHANGHAI) if create_time else datetime.now(SHANGHAI)
    msg_id = getattr(message, "id", 0)
    return Inbound(
        openid=str(getattr(message, "source", "")),
        account=str(getattr(message, "target", "")),
        kind="event" if getattr(message, "event", None) else kind,
        sent_at=sent_at,
        text=(text or "").strip(),
        event=(getattr(message, "event", "") or "").lower(),
        event_key=str(getattr(message, "key", "") or ""),
        msg_id=str(msg_id) if msg_id else "",
    )
