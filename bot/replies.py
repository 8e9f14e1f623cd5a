"""Reply objects: what a handler answers, explicit rather than guessed from a return value."""

from __future__ import annotations

import time
from dataclasses import dataclass

from wechatpy.replies import TextReply


@dataclass(frozen=True)
class Text:
    """A text message to the user."""

    content: str


@dataclass(frozen=True)
class Silence:
    """Nothing to say (WeChat still gets `success`, so the user never sees an error)."""


Reply = Text | Silence

WECHAT_TEXT_LIMIT = 2000  # bytes; WeChat refuses passive text replies much over 2 KB
SUCCESS = "success"


def render_passive(reply: Reply, *, openid: str, account: str) -> str:
    """The XML body of a passive reply, or `success` when there is nothing to say."""
    if isinstance(reply, Silence):
        return SUCCESS
    return TextReply(source=account, target=openid, content=reply.content,
                     time=int(time.time())).render()
