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


def register(router: Router) -> None:
    """Add the in-a-sentence matcher."""
    router.matcher("intent")(understand)


def understand(msg: Inbound, ctx: Context) -> Reply | None:
    """The action whose words the sentence contains (first listed wins), a warm word back for
    thanks or goodbye, else None."""
    text = normalize(msg.text)
    table = ctx.texts.table("intents")
    for entry in table["actions"]:
        if any(word in text for word in entry["words"]):
            return ctx.router.act(entry["action"], msg, ctx)
    for courtesy in table["courtesies"]:
        if any(word in text for word in courtesy["words"]):
            return Text(courtesy["reply"].strip())
    return None
