"""A command said inside a sentence (「我想报名参加茶话会」), and thanks or goodbye.

Tried after the policy answers and before the fallback, so a policy question such as
「老年大学怎么报名」 is still answered as one. The words are in content/chat.toml [intents].
"""

from __future__ import annotations

from bot.context import Context
from bot.inbound import Inbound
from bot.replies import Reply, Text
from bot.router import Router
from bot.textnorm import normalize

PARTICLES = "啊呀啦哈了吧哦嘛!！。.～~"  # said at the end of 「好的呀」「知道了！」


def register(router: Router) -> None:
    """Add the in-a-sentence matcher."""
    router.matcher("intent")(understand)


def understand(msg: Inbound, ctx: Context) -> Reply | None:
    """The action whose words the sentence contains (first listed wins), a warm word back for
    thanks or goodbye, else None."""
    text = normalize(msg.text)
    table = ctx.texts.table("intents")
    for entry in table["actions"]:
        if _says(text, entry["words"], whole=False):
            return ctx.router.act(entry["action"], msg, ctx)
    for courtesy in table["courtesies"]:
        if _says(text, courtesy["words"], whole=courtesy.get("whole", False)):
            return Text(courtesy["reply"].strip())
    return None


def _says(text: str, words: list[str], whole: bool) -> bool:
    """Whether text is one of words (but for particles at the end), or, not whole, contains one."""
    return text.rstrip(PARTICLES) in words if whole else any(word in text for word in words)
