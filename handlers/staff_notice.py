"""Staff send a notice from WeChat: 「通知 第一支部 …」, then confirm how many it will reach."""

from __future__ import annotations

from bot.conversation.context import Context
from bot.conversation.inbound import Inbound
from bot.conversation.replies import Reply, Text
from bot.conversation.router import Router
from bot.delivery.audience import AudienceError, group_names
from bot.delivery.staff_alerts import staff_openids
from bot.logs import mask
from bot.notices.sending import plan, send
from bot.roster.groups import EVERYONE_WORDS

STEP = "staff_notice_confirm"


def register(router: Router) -> None:
    """Add the 「通知 …」 matcher for staff, and its confirmation step."""
    router.matcher("staff_notice")(draft_notice)
    router.step(STEP, remind=lambda ctx, data: ctx.texts.get("staff_notice.remind"))(confirm_notice)


def draft_notice(msg: Inbound, ctx: Context) -> Reply | None:
    """For staff only: show whom 「通知 <分组> <内容>」 would reach and ask to confirm."""
    if not msg.text.strip().startswith("通知") or ctx.openid not in staff_openids(ctx.session, ctx.settings):
        return None
    parts = msg.text.strip()[2:].strip().split(maxsplit=1)
    if len(parts) < 2:
        return Text(_usage(ctx))
    target, text = parts
    audience = "all" if target.lower() in EVERYONE_WORDS else f"group:{target}"
    try:
        reach = plan(ctx.session, ctx.settings, audience, preview=False)
    except AudienceError as exc:  # it names the groups there are
        return Text(f"{exc}\n{_usage(ctx, with_groups=False)}")
    if not reach.recipients:  # said before, not after a confirmation that sends nothing
        return Text(ctx.texts.get("staff_notice.nobody", target=target, not_bound=len(reach.not_bound),
                                  unfollowed=len(reach.unfollowed)))
    ctx.conversation.expect(STEP, {"audience": audience, "text": text})
    return Text(ctx.texts.get("staff_notice.confirm", people=reach.people, text=text,
                              accounts=len(reach.recipients), not_bound=len(reach.not_bound),
                              unfollowed=len(reach.unfollowed)))


def _usage(ctx: Context, with_groups: bool = True) -> str:
    """How to write a notice, its example naming a group the office really has."""
    names = group_names(ctx.session)
    groups = "、".join(names) or "还没有（请在工作台「分组」里添加）"
    return ctx.texts.get("staff_notice.usage", example=names[0] if names else "某某分组",
                         groups=f"\n现有的分组：{groups}" if with_groups else "")


def confirm_notice(msg: Inbound, ctx: Context) -> Reply | None:
    """1 sends the drafted notice (audit-logged), 0 drops it; anything else is not an answer."""
    choice = ctx.texts.choice(msg.text, yes=1, no=0, firm=True)
    if choice not in (0, 1):
        return None
    draft = ctx.conversation.data
    ctx.conversation.clear()
    if choice == 0:
        return Text(ctx.texts.get("staff_notice.cancelled"))
    try:
        notice, _ = send(ctx.session, ctx.settings, text=draft["text"], audience=draft["audience"],
                         actor=f"wechat:{mask(ctx.openid)}", now=ctx.now)
    except AudienceError as exc:
        return Text(str(exc))
    return Text(ctx.texts.get("staff_notice.sent", number=notice.id))
