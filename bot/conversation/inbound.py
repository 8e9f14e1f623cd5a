"""What a retiree sent, in one shape for every handler, whatever WeChat's message type."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from wechatpy.events import EVENT_TYPES
from wechatpy.messages import MESSAGE_TYPES, BaseMessage, UnknownMessage

from bot.clock import SHANGHAI
from bot.logs import mask

TEXT_LIKE = ("text", "voice")
# A sticker (表情包), which the API does not pass on, reaches an official account as a text
# message with one of these contents instead (wechatpy issue #656, 2021–2022:
# https://github.com/wechatpy/wechatpy/issues/656). It is not something said: its kind is
# "sticker", so it is answered as a picture is, never as a question nobody could answer.
STICKER_PLACEHOLDERS = frozenset(("【收到不支持的消息类型，暂无法显示】",
                                  "[收到不支持的消息类型，暂无法显示]", "[Unsupported Message]"))


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
    request: str = ""  # the signed query's timestamp:nonce, one delivery's alone (bot.conversation.record)

    @property
    def is_text_like(self) -> bool:
        """True for text and voice: what the user said, to be routed by its words."""
        return self.kind in TEXT_LIKE

    @property
    def dedupe_key(self) -> str:
        """WeChat's own identity of this delivery: sender + MsgId, or sender + CreateTime +
        event for events. The sender too: a MsgId is only WeChat's word, and another account
        sending the same one must never be taken for a retry and handed the first one's reply."""
        if self.msg_id:
            return f"msg:{self.openid}:{self.msg_id}"
        # The EventKey tells two taps in one second apart; a VIEW key is a whole URL, so hash it.
        key = hashlib.sha1(self.event_key.encode()).hexdigest()[:12] if self.event_key else ""
        return f"evt:{self.openid}:{int(self.sent_at.timestamp())}:{self.event}:{key}"

    @property
    def log_ref(self) -> str:
        """How log lines name this delivery: the openid masked, then MsgId or CreateTime."""
        return f"{mask(self.openid)}/{self.msg_id or int(self.sent_at.timestamp())}"


class MalformedMessage(ValueError):
    """Signed by WeChat's token but not shaped like a WeChat message."""


_DIGITS = re.compile(r"^\d{1,20}$")
_TEXT_FIELDS = ("ToUserName", "FromUserName", "MsgType", "Content", "Recognition", "Event",
                "EventKey")
# What the record can hold (bot.models.inbound); WeChat's own ids are far shorter (28 for openids).
_LONGEST = {"ToUserName": 64, "FromUserName": 64, "MsgType": 32, "Event": 50, "EventKey": 2048}


def check_fields(fields: dict[str, Any]) -> None:
    """Raise MalformedMessage unless the fields a handler relies on are there and well-formed."""
    for name in _TEXT_FIELDS:
        if not isinstance(fields.get(name, ""), str):
            raise MalformedMessage(f"{name} is not text")
    for name in ("ToUserName", "FromUserName", "MsgType"):
        if not fields.get(name, "").strip():
            raise MalformedMessage(f"no {name}")
    for name, longest in _LONGEST.items():
        if len(fields.get(name, "")) > longest:
            raise MalformedMessage(f"{name} longer than {longest}")
    if not _DIGITS.match(str(fields.get("CreateTime", ""))) or len(fields["CreateTime"]) > 11:
        raise MalformedMessage("CreateTime is not a timestamp")
    if "MsgId" in fields and not _DIGITS.match(str(fields["MsgId"])):
        raise MalformedMessage("MsgId is not a number")


def wechatpy_message(fields: dict[str, Any]) -> BaseMessage:
    """wechatpy's message or event object for already-parsed fields (wechatpy's parse_message,
    minus its second XML parse); UnknownMessage for types it does not know."""
    check_fields(fields)
    kind = fields["MsgType"].lower()
    if kind != "event":
        return MESSAGE_TYPES.get(kind, UnknownMessage)(fields)
    event = str(fields.get("Event", "")).lower()
    key = str(fields.get("EventKey") or "")
    if event == "subscribe" and key.startswith("qrscene_"):
        event = "subscribe_scan"
        fields = {**fields, "Event": event, "EventKey": key[len("qrscene_"):]}
    return EVENT_TYPES.get(event, UnknownMessage)(fields)


def from_wechatpy(message: Any, fields: dict[str, Any] | None = None) -> Inbound:
    """Turn a parsed wechatpy message or event into an Inbound (a type wechatpy does not know
    keeps its own MsgType and Event from fields, so the record says what it was)."""
    kind = getattr(message, "type", "unknown")
    if isinstance(message, UnknownMessage) and fields is not None:
        return _unknown(message, fields)
    text = getattr(message, "content", None)
    if kind == "voice":
        text = getattr(message, "recognition", None)
    if kind == "text" and (text or "").strip() in STICKER_PLACEHOLDERS:
        kind = "sticker"
    sent_at = message.create_time.astimezone(SHANGHAI)  # check_fields made sure it is there
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


def _unknown(message: Any, fields: dict[str, Any]) -> Inbound:
    event = str(fields.get("Event", "")).lower()
    return Inbound(openid=str(message.source), account=str(message.target),
                   kind=f"unknown:{fields['MsgType'][:20]}" if not event else "event",
                   sent_at=message.create_time.astimezone(SHANGHAI),
                   event=f"unknown:{event[:50]}" if event else "", msg_id=str(message.id or ""))
