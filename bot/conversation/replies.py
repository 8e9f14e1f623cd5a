"""Reply objects: what a handler answers, explicit rather than guessed from a return value."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Text:
    """A text message to the user; alone: nothing is added to it (an emergency's call for 120
    is not followed by a waiting quiz's question); ends_tasks: the tasks waiting are dropped
    (after news of a death in the family, a sign-up or a quiz is not taken up again)."""

    content: str
    alone: bool = False
    ends_tasks: bool = False


@dataclass(frozen=True)
class Silence:
    """Nothing to say (WeChat still gets `success`, so the user never sees an error)."""


Reply = Text | Silence

SUCCESS = "success"


def render_passive(reply: Reply, *, openid: str, account: str, now: datetime) -> str:
    """The XML body of a passive reply, or `success` when there is nothing to say.

    Any text is safe in it: 「]]>」 in a notice a member of staff typed cannot end its CDATA.
    """
    if isinstance(reply, Silence):
        return SUCCESS
    return (f"<xml><ToUserName>{cdata(openid)}</ToUserName><FromUserName>{cdata(account)}</FromUserName>"
            f"<CreateTime>{int(now.timestamp())}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
            f"<Content>{cdata(reply.content)}</Content></xml>")


def cdata(text: str) -> str:
    """text as XML character data; a 「]]>」 inside is split across two sections."""
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"
