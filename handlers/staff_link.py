"""A clerk links their own WeChat to their console account: 「关联 12345678」, the code the
console's 「关联微信」 showed them; staff alerts then reach this WeChat."""

from __future__ import annotations

import re

from bot.conversation.context import Context
from bot.conversation.inbound import Inbound
from bot.conversation.replies import Reply, Text
from bot.conversation.router import Router
from bot.staff.accounts import StaffError, link_by_code

CODE = re.compile(r"关联\s*(\d{8})")


def register(router: Router) -> None:
    """Add the 「关联 <code>」 matcher."""
    router.matcher("staff_link")(link)


def link(msg: Inbound, ctx: Context) -> Reply | None:
    """「关联 12345678」: this WeChat linked to the code's account; None for anything else."""
    found = CODE.fullmatch(msg.text.strip().replace(" ", ""))
    if found is None:
        return None
    try:
        account = link_by_code(ctx.session, found.group(1), ctx.openid, now=ctx.now)
    except StaffError as exc:
        return Text(str(exc))
    return Text(ctx.texts.get("staff_link.done", name=account.display_name or account.username,
                              username=account.username))
