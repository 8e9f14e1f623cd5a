"""What a retiree sent, in one shape for every handler, whatever WeChat's message type."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from wechatpy.events import EVENT_TYPES
from wechatpy.messages import MESSAGE_TYPES

from bot.clock import SHANGHAI
from bot.logs import mask

TEXT_LIKE = ("text", "voice")
UNKNOWN = "unknown:"  # before the name of a type wechatpy does not know
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
    def is_unknown(self) -> bool:
        """True for a message or event type wechatpy does not know: recorded, never handled."""
        return self.kind.startswith(UNKNOWN) or self.event.startswith(UNKNOWN)

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
                "EventKey", "CreateTime", "MsgId", "MsgID", "Status")
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
    for name in ("MsgId", "MsgID"):  # a message's; a send job's report (template or mass send)
        if name in fields and not _DIGITS.match(str(fields[name])):
            raise MalformedMessage(f"{name} is not a number")


def read_inbound(fields: dict[str, Any]) -> Inbound:
    """The Inbound for a message's parsed fields, MalformedMessage unless they are well-formed.
    Read straight from the fields, the types named as wechatpy names them (its message and event
    registries); a type it does not know keeps its own name after 「unknown:」, so the record says
    what it was."""
    check_fields(fields)
    kind = fields["MsgType"].lower()
    openid, account = fields["FromUserName"], fields["ToUserName"]
    sent_at = datetime.fromtimestamp(int(fields["CreateTime"]), SHANGHAI)
    number = int(fields.get("MsgId") or fields.get("MsgID") or 0)  # MsgID: a send job's report
    msg_id = str(number) if number else ""
    if kind == "event":
        event, key = _event(fields)
        return Inbound(openid=openid, account=account, kind="event", sent_at=sent_at, event=event,
                       event_key=key, msg_id=msg_id)
    if kind not in MESSAGE_TYPES:
        return Inbound(openid=openid, account=account, kind=f"{UNKNOWN}{fields['MsgType'][:20]}",
                       sent_at=sent_at, msg_id=msg_id)
    # What was said: the typed text, or what WeChat recognised in a voice message.
    text = (fields.get({"text": "Content", "voice": "Recognition"}.get(kind, "")) or "").strip()
    if kind == "text" and text in STICKER_PLACEHOLDERS:
        kind = "sticker"
    return Inbound(openid=openid, account=account, kind=kind, sent_at=sent_at, text=text, msg_id=msg_id)


def _event(fields: dict[str, Any]) -> tuple[str, str]:
    """An event's name as wechatpy gives it, and its key (a QR code's scene without 「qrscene_」)."""
    event = fields.get("Event", "").lower()
    key = fields.get("EventKey", "")
    if event == "subscribe" and key.startswith("qrscene_"):
        event, key = "subscribe_scan", key[len("qrscene_"):]
    known = EVENT_TYPES.get(event)
    return (known.event if known is not None else f"{UNKNOWN}{event[:50]}"), key
