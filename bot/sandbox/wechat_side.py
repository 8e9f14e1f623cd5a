"""WeChat's side of the webhook: signed (and encrypted) deliveries, as the real servers send them.

The sandbox chat terminal and the tests both use it, so what they send is exactly what the
gateway gets from WeChat.
"""

from __future__ import annotations

import itertools
import re
import time
from collections.abc import Callable
from dataclasses import dataclass

from wechatpy.crypto import PrpCrypto, WeChatCrypto
from wechatpy.utils import random_string

from bot.config import WeChatSettings
from bot.conversation.replies import cdata
from bot.gateway.wire import parse_xml, sign

ACCOUNT = "gh_sandbox_account"
_ids = itertools.count(int(time.time() * 1000))


@dataclass(frozen=True)
class Delivery:
    """One POST to /wechat: its query string and body."""

    params: dict[str, str]
    body: bytes


def _xml(fields: dict[str, str | int]) -> str:
    parts = [f"<{k}>{v}</{k}>" if isinstance(v, int) else f"<{k}>{cdata(v)}</{k}>"
             for k, v in fields.items()]
    return "<xml>" + "".join(parts) + "</xml>"


class WeChatSide:
    """Builds the messages a user's phone causes WeChat to send, signed for one account."""

    def __init__(self, settings: WeChatSettings, now: Callable[[], float] = time.time) -> None:
        self.settings = settings
        self.now = now
        self._crypto = (WeChatCrypto(settings.token, settings.encoding_aes_key, settings.appid)
                        if settings.encoding_aes_key else None)

    def text(self, openid: str, content: str, msg_id: int | None = None) -> str:
        """A text message's XML."""
        return self._message(openid, "text", msg_id, Content=content)

    def voice(self, openid: str, recognition: str | None, msg_id: int | None = None) -> str:
        """A voice message's XML; recognition None leaves the field out, as WeChat may."""
        extra = {"MediaId": "media_" + random_string(8), "Format": "amr"}
        if recognition is not None:
            extra["Recognition"] = recognition
        return self._message(openid, "voice", msg_id, **extra)

    def image(self, openid: str, msg_id: int | None = None) -> str:
        """An image message's XML."""
        return self._message(openid, "image", msg_id, PicUrl="http://example.invalid/p.jpg",
                             MediaId="media_" + random_string(8))

    def event(self, openid: str, event: str, key: str = "", at: int | None = None) -> str:
        """An event's XML (subscribe, unsubscribe, CLICK …)."""
        fields: dict[str, str | int] = {"ToUserName": ACCOUNT, "FromUserName": openid,
                                        "CreateTime": at or int(self.now()), "MsgType": "event",
                                        "Event": event}
        if key:
            fields["EventKey"] = key
        return _xml(fields)

    def template_finished(self, openid: str, msgid: int, status: str = "success") -> str:
        """WeChat's report that a template message reached openid (or why not)."""
        return _xml({"ToUserName": ACCOUNT, "FromUserName": openid, "CreateTime": int(self.now()),
                     "MsgType": "event", "Event": "TEMPLATESENDJOBFINISH", "MsgID": msgid,
                     "Status": status})

    def subscribe_panel(self, openid: str, choices: dict[str, str], *, changed: bool = False) -> str:
        """WeChat's event for what openid chose in a subscribe panel (template id → accept or
        reject), or, `changed`, for turning templates off later in the settings."""
        event, holder = (("subscribe_msg_change_event", "SubscribeMsgChangeEvent") if changed
                         else ("subscribe_msg_popup_event", "SubscribeMsgPopupEvent"))
        entries = "".join(f"<List><TemplateId>{cdata(t)}</TemplateId><SubscribeStatusString>{cdata(c)}"
                          f"</SubscribeStatusString><PopupScene>2</PopupScene></List>"
                          for t, c in choices.items())
        head = _xml({"ToUserName": ACCOUNT, "FromUserName": openid, "CreateTime": int(self.now()),
                     "MsgType": "event", "Event": event})
        return head.removesuffix("</xml>") + f"<{holder}>{entries}</{holder}></xml>"

    def subscription_sent(self, openid: str, template_id: str, msg_id: int) -> str:
        """WeChat's note, after a bizsend, that the 订阅通知 reached openid (subscribe_msg_sent_event)."""
        head = _xml({"ToUserName": ACCOUNT, "FromUserName": openid, "CreateTime": int(self.now()),
                     "MsgType": "event", "Event": "subscribe_msg_sent_event"})
        entry = (f"<List><TemplateId>{cdata(template_id)}</TemplateId><MsgID>{msg_id}</MsgID>"
                 f"<ErrorCode>0</ErrorCode><ErrorStatus>{cdata('success')}</ErrorStatus></List>")
        return head.removesuffix("</xml>") + f"<SubscribeMsgSentEvent>{entry}</SubscribeMsgSentEvent></xml>"

    def _message(self, openid: str, kind: str, msg_id: int | None, **extra: str) -> str:
        fields: dict[str, str | int] = {"ToUserName": ACCOUNT, "FromUserName": openid,
                                        "CreateTime": int(self.now()), "MsgType": kind}
        fields.update(extra)
        fields["MsgId"] = msg_id or next(_ids)
        return _xml(fields)

    def deliver(self, xml: str, *, encrypted: bool | None = None) -> Delivery:
        """The signed POST WeChat makes for xml; encrypted per the account's mode by default."""
        if encrypted is None:
            encrypted = self.settings.mode == "safe"
        timestamp, nonce = str(int(self.now())), random_string(10)
        params = {"signature": sign(self.settings.token, timestamp, nonce),
                  "timestamp": timestamp, "nonce": nonce, "openid": _openid_of(xml)}
        if not encrypted:
            return Delivery(params, xml.encode())
        assert self._crypto is not None, "encrypted delivery needs an EncodingAESKey"
        encrypt = PrpCrypto(self._crypto.key).encrypt(xml, self.settings.appid).decode()
        params |= {"encrypt_type": "aes",
                   "msg_signature": sign(self.settings.token, timestamp, nonce, encrypt)}
        body = _xml({"ToUserName": ACCOUNT, "Encrypt": encrypt})
        return Delivery(params, body.encode())

    def handshake(self, echostr: str) -> dict[str, str]:
        """The query string of the server-URL check."""
        timestamp, nonce = str(int(self.now())), random_string(10)
        return {"signature": sign(self.settings.token, timestamp, nonce),
                "timestamp": timestamp, "nonce": nonce, "echostr": echostr}

    def open_reply(self, body: str) -> dict[str, str] | None:
        """The reply's fields (decrypted if need be), or None for `success` or an empty body."""
        if body in ("", "success"):
            return None
        fields = parse_xml(body.encode())
        if "Encrypt" in fields:
            assert self._crypto is not None
            expected = sign(self.settings.token, fields["TimeStamp"], fields["Nonce"],
                            fields["Encrypt"])
            if expected != fields["MsgSignature"]:
                raise ValueError("reply signature does not match")
            inner = PrpCrypto(self._crypto.key).decrypt(fields["Encrypt"], self.settings.appid)
            fields = parse_xml(inner.encode())
        return fields


def _openid_of(xml: str) -> str:
    # A regex, not a parser: tests hand this hostile XML that the gateway must be the one to refuse.
    match = re.search(r"<FromUserName>(?:<!\[CDATA\[)?([^<\]]*)", xml)
    return match.group(1) if match else ""
