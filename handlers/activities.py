"""Activities in chat: 报名 (pick, then confirm), 我的报名, 取消报名 — for oneself or as family."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from bot.activities.notify import tell_promoted
from bot.activities.signups import (
    Outcome,
    Refusal,
    SignupRefused,
    change_companion,
    eligible,
    live_signup,
    mine,
    open_now,
    places,
    places_and_mine,
    sign_up,
    upcoming,
    waiting_position,
    withdraw,
)
from bot.activities.wording import describe, facts, when
from bot.conversation.context import Context
from bot.conversation.inbound import Inbound
from bot.conversation.replies import Reply, Text
from bot.conversation.router import Router
from bot.language.words import PARTICLES, POINTING, named_choice, named_in, normalize, parse_choice
from bot.models import Activity, Signup, SignupStatus
from handlers.binding import someone_else

PICK, CONFIRM, CANCEL = "activity.pick", "activity.confirm", "activity.cancel"
JUST_CANCELLED = "activity_just_cancelled"  # remembered: the activity whose sign-up was just cancelled
UNDO_WITHIN = timedelta(minutes=10)  # 「点错了」 this soon after cancelling takes it back (undo_cancel)
WITHDRAW_WORDS = ("取消报名", "不去了", "退出报名", "取消")
# What may stand beside a name picked to cancel: 「茶话会不去了」 cancels it, 「我要去茶话会」 does not.
CANCELLING = frozenset("我那个这的就选吧呀啊了一取消不去退报名")
ASKING = ("吗", "？", "?", "能不能", "可不可以", "行不行", "可以带")  # 「能带家属吗」 asks, changes nothing


def register(router: Router) -> None:
    """Add 报名, 我的报名, 取消报名 and their steps."""
    router.action("signup", words=("报名", "我要报名", "活动报名", "参加活动", "有什么活动"),
                  event_keys=("SIGNUP",), needs_binding=True)(list_open)
    router.action("my_signups", words=("我的报名", "报名情况", "我报了什么"), needs_binding=True)(list_mine)
    router.action("withdraw", words=WITHDRAW_WORDS, needs_binding=True)(ask_which)
    router.step(PICK, remind=remind_pick)(pick)
    router.step(CONFIRM, remind=remind_confirm, answers=("报名", "我要报名", "参加活动"))(confirm)
    router.step(CANCEL)(cancel)
    router.matcher("cancel_undo")(undo_cancel)
    router.matcher("companion_change")(companion_change)
    router.matcher("waitlist_asked")(waitlist_asked)


def register_by_name(router: Router) -> None:
    """Add the matcher for an activity spoken of by name (「茶话会还有名额吗」): tried after the
    commands, keywords and intents, so only what they did not understand reads the open activities."""
    router.matcher("activity_named")(named_activity)


def named_activity(msg: Inbound, ctx: Context) -> Reply | None:
    """「帮我爸报个冬至茶话会，我陪他去」「冬至茶话会在哪里开」: that activity in full, with what to
    reply to sign up; None when no open activity is named (or the person is not bound). Whom it
    is open to is read only once one is named: most messages that come here name none."""
    if not ctx.bound:  # (asked without attaching the binding: most messages here name none)
        return None
    to_come = upcoming(ctx.session, ctx.now)  # open and closed ones, read together
    # (each title alone: two branches' 茶话会 tie, and whom each is open to tells them apart)
    if not any(_named(ctx, msg.text, [a.title]) for a in to_come.open):
        return _closed_named(msg, ctx, to_come.closed)
    activities = eligible(ctx.session, _retiree_id(ctx), ctx.now, to_come.open)
    number = _named(ctx, msg.text, [a.title for a in activities])
    if number is None:
        return None
    activity = activities[number - 1]
    if _not_going(ctx, msg.text):  # 「我爸明天去不了茶话会了」: never answered with a sign-up offer
        if (other := someone_else("withdraw", msg, ctx)) is not None:
            return other
        if live_signup(ctx.session, activity.id, _retiree_id(ctx)):
            return ask_which(msg, ctx)
        return Text(ctx.texts.get("activity.cancel_not_signed", title=activity.title, whose=ctx.whose()))
    return someone_else("signup", msg, ctx) or _show(ctx, activity, msg.text)


def _not_going(ctx: Context, text: str) -> bool:
    """Whether text says one will not go (「明天去不了茶话会了」), and asks nothing (「茶话会取消了吗」)."""
    return _says(ctx, normalize(text), "refuse_words") and not any(q in text for q in ASKING)


def _closed_named(msg: Inbound, ctx: Context, closed: list[Activity]) -> Reply | None:
    """「冬至那个茶话会还能报吗」 once its sign-ups closed (closed: closed_to_come's): said so, with
    the day it closed; to someone signed up for it (「茶话会在哪」), their sign-up and its details;
    None when no such activity is named."""
    number = _named(ctx, msg.text, [a.title for a in closed])
    if number is None:
        return None
    activity = closed[number - 1]  # stopped by staff before its deadline: no date to name
    if (signup := live_signup(ctx.session, activity.id, _retiree_id(ctx))) is not None:
        if _not_going(ctx, msg.text):
            return None  # 「茶话会我去不了了」: 取消报名's to answer
        return Text(_already(ctx, activity, signup, msg.text))
    said = "closed_named" if activity.deadline <= ctx.now else "stopped_named"
    return Text(describe(ctx.texts, said, activity))


def _named(ctx: Context, text: str, titles: list[str]) -> int | None:
    """The number (from 1) of the one title a sentence speaks of: by three characters of it or
    more (named_in), or by the kind of activity it ends in (「讲座还有名额吗」 for 健康知识讲座),
    when no other title ends in that kind; None otherwise."""
    if (number := named_in(text, titles)) is not None:
        return number
    said = normalize(text)
    kinds = [kind for kind in ctx.texts.words("activity.kind_words") if _unqualified(said, kind)]
    ending = [n for n, title in enumerate(titles, start=1)
              if any(normalize(title).endswith(kind) for kind in kinds)]
    return ending[0] if len(ending) == 1 else None


def _unqualified(said: str, kind: str) -> bool:
    """Whether said speaks of the kind alone: at its start or after words that only point
    (「讲座还有名额吗」「报名那个讲座」), not after a word that names which (「党史讲座」)."""
    at = said.find(kind)
    return at == 0 or (at > 0 and said[at - 1] in POINTING)


def list_open(msg: Inbound, ctx: Context) -> Reply:
    """The open activities this person may join, numbered, two short lines each; the one the
    sentence names in full (「我要报名那个冬至的茶话会」)."""
    activities = eligible(ctx.session, _retiree_id(ctx), ctx.now)
    if not activities:
        died = ctx.binding is not None and ctx.binding.retiree.died_on is not None
        return Text(ctx.texts.get("activity.refused_deceased" if died else "activity.none",
                                  name=ctx.binding.retiree.name if died else ""))
    if (number := _named(ctx, msg.text, [a.title for a in activities])) is not None:
        return _show(ctx, activities[number - 1], msg.text)
    ctx.conversation.expect(PICK, {"ids": [a.id for a in activities]})
    lines = [describe(ctx.texts, "list_item", a, number=n) for n, a in enumerate(activities, start=1)]
    return _listing(ctx, "list", lines)


def pick(msg: Inbound, ctx: Context) -> Reply | None:
    """The chosen activity in full, and what to reply to sign up (or to wait for a place)."""
    ids = ctx.conversation.data.get("ids", [])
    choice = parse_choice(msg.text)
    if choice is None:  # 「茶话会」「我要报冬至那个」: picked by name; 「取消」「不报了」: none
        choice = named_choice(msg.text, _titles(ctx, ids)) or _sentence_choice(ctx, msg.text, only_no=True)
    if choice == 0:
        ctx.conversation.clear()
        return Text(ctx.texts.get("activity.stopped"))
    if choice is None or not 1 <= choice <= len(ids):
        return None
    activity = ctx.session.get(Activity, ids[choice - 1])
    if activity is None:
        ctx.conversation.clear()
        return Text(ctx.texts.get("activity.refused_cancelled"))
    return _show(ctx, activity)


def _show(ctx: Context, activity: Activity, said: str = "") -> Reply:
    """One activity in full, and what to reply to sign up (or to wait for a place); one's own
    sign-up for it, where already signed up."""
    (left, waiting), held = places_and_mine(ctx.session, activity, _retiree_id(ctx))
    if held is not None and (signup := ctx.session.get(Signup, held)) is not None:
        ctx.conversation.clear()
        return Text(_already(ctx, activity, signup, said))
    if left == 0 or waiting:
        ctx.conversation.expect(CONFIRM, {"id": activity.id, "offered_waitlist": True})
        return Text(describe(ctx.texts, "full", activity, position=waiting + 1, whose=ctx.whose()))
    # 「冬至茶话会我陪我爸一起去」: the companion said already; 1 or 「好的」 books them both.
    together = (0 < activity.companion_seats < left and _sentence_choice(ctx, said) == 2
                and not any(q in said for q in ASKING))  # 「能带家属吗」 asks, decides nothing
    ctx.conversation.expect(CONFIRM, {"id": activity.id, "offered_waitlist": False, "together": together})
    detail = describe(ctx.texts, "detail", activity, left=left)
    return Text("\n".join([detail, _choices(ctx, activity, left, together)]))


def _already(ctx: Context, activity: Activity, signup: Signup, said: str) -> str:
    """One's sign-up for the activity named, where it stands, with the activity's details; asked
    about a companion (「冬至茶话会能带家属吗」), whether one may come, and how to bring one."""
    lines = [describe(ctx.texts, "already", activity, state=_state(ctx, signup))]
    if not signup.companion and _says(ctx, normalize(said), "companion_topic_words"):
        lines.append(ctx.texts.get("activity.companion_may" if activity.companion_seats
                                   else "activity.companion_not_here"))
    lines.append(ctx.texts.get("activity.already_footer"))
    return "\n".join(lines)


def remind_pick(ctx: Context, data: dict[str, Any]) -> str:
    """The list still waiting for a pick, in one line."""
    titles = _titles(ctx, data.get("ids", []), gone="已取消")
    choices = "，".join(ctx.texts.get("activity.remind_pick_item", number=n, title=title)
                       for n, title in enumerate(titles, start=1))
    return ctx.texts.get("activity.remind_pick", choices=choices)


def _titles(ctx: Context, ids: list[int], gone: str = "") -> list[str]:
    """The titles of the activities listed; `gone` for one no longer there (nothing to pick by name).
    One small query for them all, not an ORM object each (asked of every message while a list
    waits: a question in between, and the list's reminder after it)."""
    titles = dict(ctx.connection.execute(_TITLES, {"ids": list(ids)}).all()) if ids else {}
    return [titles.get(i, gone) for i in ids]


_TITLES = sa.select(Activity.id, Activity.title).where(Activity.id.in_(sa.bindparam("ids", expanding=True)))


def remind_confirm(ctx: Context, data: dict[str, Any]) -> str:
    """The sign-up still waiting for its answer, and the numbers to give it."""
    activity = ctx.session.get(Activity, data.get("id"))
    if activity is None:
        return ctx.texts.get("activity.refused_cancelled")
    if data.get("offered_waitlist"):
        return ctx.texts.get("activity.remind_waitlist", title=activity.title)
    left = places(ctx.session, activity).left
    return ctx.texts.get("activity.remind_confirm", title=activity.title) + _choices(
        ctx, activity, left, bool(data.get("together")))


def _choices(ctx: Context, activity: Activity, left: int, together: bool = False) -> str:
    """1 to sign up, 2 with a companion (said to wait when the seats left are too few for two),
    0 not this time; together (the companion said already): 1 books both."""
    if together:
        return ctx.texts.get("activity.choices_together")
    companion = ""
    if activity.companion_seats:
        short = left < 1 + activity.companion_seats
        companion = ctx.texts.get(f"activity.choices_companion{'_waits' if short else ''}")
    return ctx.texts.get("activity.choices") + companion + ctx.texts.get("activity.choices_end")


def confirm(msg: Inbound, ctx: Context) -> Reply | None:
    """1 (or 好的, 确认 …): sign up; 2 (or 带家属): with a companion; 0 (or 算了 …): not this time."""
    data = ctx.conversation.data
    choice = ctx.texts.choice(msg.text, yes=1, no=0)
    if choice == 1 and data.get("together"):
        choice = 2  # the companion said with the activity's name, confirmed
    if choice is None:
        choice = _sentence_choice(ctx, msg.text)
    if choice is None and _says(ctx, normalize(msg.text), "another_words"):
        return _another(msg, ctx)  # 「换一个」; 「不对，我要带老伴一起去」 answered above
    if choice is None and _says(ctx, normalize(msg.text), "detail_words"):
        return _details(ctx, data)  # 「要带啥东西不」: the facts on screen, said again, and the question
    if choice == 0:
        ctx.conversation.clear()
        return Text(ctx.texts.get("activity.stopped"))
    if choice not in (1, 2) or (choice == 2 and data.get("offered_waitlist")):
        return None
    retiree_id, by_agent = ctx.on_behalf()
    assert retiree_id is not None  # needs_binding
    # Family's answer names the person: read before signing up, through the binding, which holds
    # it, so the sign-up's own check of the person finds it in the session and reads it no more.
    for_family = ctx.binding.retiree.name if by_agent else ""
    try:
        outcome = sign_up(ctx.session, data["id"], retiree_id, openid=ctx.openid,
                          by_agent=by_agent, companion=choice == 2, now=ctx.now)
    except SignupRefused as refused:
        return _refused(ctx, refused, keep_step=choice == 2)
    ctx.conversation.clear()
    return Text(_signed_up(ctx, outcome, offered_waitlist=bool(data.get("offered_waitlist")),
                           for_family=for_family))


def _details(ctx: Context, data: dict[str, Any]) -> Reply | None:
    """What to bring, when and where, asked while the sign-up waits for its answer: the activity's
    facts, then the question again (nothing signed up)."""
    activity = ctx.session.get(Activity, data.get("id"))
    if activity is None:
        return None
    return Text("\n".join([f"【{activity.title}】", facts(ctx.texts, activity), remind_confirm(ctx, data)]))


def _another(msg: Inbound, ctx: Context) -> Reply:
    """「换一个」「不对，我要第二个」 when asked to confirm: nothing signed up; the list again, or
    the one of it picked in the same breath (a number then would be no answer to the old step)."""
    listed = list_open(replace(msg, text=""), ctx)
    rest = normalize(msg.text)
    for word in sorted(ctx.texts.words("activity.another_words"), key=len, reverse=True):
        rest = rest.replace(word, "")
    rest = rest.removeprefix("我").removeprefix("要").removeprefix("想")
    if rest and ctx.conversation.step == PICK and (picked := pick(replace(msg, text=rest), ctx)) is not None:
        return picked
    return listed


def list_mine(msg: Inbound, ctx: Context) -> Reply:
    """This person's sign-ups still to come, with where each stands."""
    signups = mine(ctx.session, _retiree_id(ctx), ctx.now)
    if not signups:
        return Text(ctx.texts.get("activity.mine_none", whose=ctx.whose()))
    lines = [ctx.texts.get("activity.mine_item", number=n, title=s.activity.title,
                           when=when(s.activity.starts_at), state=_state(ctx, s))
             for n, s in enumerate(signups, start=1)]
    return _listing(ctx, "mine", lines, whose=ctx.whose())


def ask_which(msg: Inbound, ctx: Context) -> Reply:
    """Which sign-up to cancel, numbered; 「茶话会取消了吗」 asks about the activity, and is told
    how changes reach them (cancelling nothing)."""
    plain = normalize(msg.text)
    asks = plain.endswith(("吗", "么", "没", "没有")) or any(q in msg.text for q in "?？")
    if "取消了" in plain and asks:
        return Text(ctx.texts.get("activity.asked_if_cancelled"))
    signups = mine(ctx.session, _retiree_id(ctx), ctx.now)
    if not signups:
        return Text(ctx.texts.get("activity.mine_none", whose=ctx.whose()))
    titles = [s.activity.title for s in signups]
    others = [a.title for a in open_now(ctx.session, ctx.now) if a.title not in titles]
    if (named := _named(ctx, msg.text, titles + others)) is not None:  # 「茶话会我去不了了」: that one only
        if named > len(titles):
            return Text(ctx.texts.get("activity.cancel_not_signed", title=others[named - len(titles) - 1],
                                      whose=ctx.whose()))
        signups = [signups[named - 1]]
    ctx.conversation.expect(CANCEL, {"ids": [s.id for s in signups]})
    if len(signups) == 1:  # nothing to choose between: asked whether, not which
        only = signups[0].activity
        return Text(ctx.texts.get("activity.cancel_one", title=only.title, when=when(only.starts_at)))
    lines = [ctx.texts.get("activity.cancel_item", number=n, title=s.activity.title,
                           when=when(s.activity.starts_at)) for n, s in enumerate(signups, start=1)]
    return _listing(ctx, "cancel", lines)


def _sentence_choice(ctx: Context, text: str, only_no: bool = False) -> int | None:
    """The answer said in a sentence: 0 for 「我们都不去了」, 1 for 「不用带家属」, 2 for
    「带老伴一起去」 (only_no: 0 or None); the words are [activity] in chat.toml."""
    plain = normalize(text)
    if _says(ctx, plain, "refuse_words"):
        return 0
    if only_no:
        return None
    if _says(ctx, plain, "companion_words"):
        return 1 if _says(ctx, plain, "no_companion_words") else 2
    return 1 if _says(ctx, plain, "alone_words") else None


def _which_to_cancel(ctx: Context, text: str, count: int) -> int | None:
    """The number picked; with a single sign-up listed, 「好的」 or 「不去了」 pick it, 「算了」 keeps it."""
    choice = parse_choice(text)
    said = ctx.texts.yes_or_no(text)
    if choice is not None or said is None:
        return choice
    if count == 1 and (said or normalize(text) in WITHDRAW_WORDS):
        return 1
    return None if said else 0


def cancel(msg: Inbound, ctx: Context) -> Reply | None:
    """Cancel the chosen sign-up; the first on the waitlist takes the place and is told."""
    ids = ctx.conversation.data.get("ids", [])
    choice = _which_to_cancel(ctx, msg.text, len(ids))
    if choice is None:  # 「讲座」「讲座不去了」: the one named (「我要去茶话会」 cancels nothing)
        titles = [ctx.session.get(Signup, i).activity.title for i in ids]
        choice = named_choice(msg.text, titles, pointing=CANCELLING)
    if choice == 0:
        ctx.conversation.clear()
        return Text(ctx.texts.get("activity.cancel_kept"))
    if choice is None or not 1 <= choice <= len(ids):
        return None
    ctx.conversation.clear()
    try:
        promoted = withdraw(ctx.session, ids[choice - 1], _retiree_id(ctx), ctx.now)
    except SignupRefused as refused:
        return _refused(ctx, refused)
    tell_promoted(ctx.session, ctx.settings, ctx.texts, promoted, ctx.now)
    signup = ctx.session.get(Signup, ids[choice - 1])
    ctx.conversation.remember(JUST_CANCELLED, {"id": signup.activity_id, "at": ctx.now.isoformat()})
    whose = ctx.whose()
    return Text(ctx.texts.get("activity.cancelled", title=signup.activity.title,
                              whose="" if whose == "您" else whose))


def undo_cancel(msg: Inbound, ctx: Context) -> Reply | None:
    """「哎呀点错了，我还要去的」 soon after cancelling: that activity again, to sign up once more
    (its seat may have gone to the waitlist meanwhile: then a place in it is offered); None
    otherwise."""
    cancelled = ctx.conversation.recall(JUST_CANCELLED)
    # Whether one was cancelled lately first: asking ctx.binding opens the message's ORM session,
    # and nearly every message passes this matcher (it comes before the policy questions).
    if not cancelled or not ctx.bound or not _says(ctx, normalize(msg.text), "undo_cancel_words"):
        return None
    ctx.conversation.forget(JUST_CANCELLED)
    activity = ctx.session.get(Activity, cancelled["id"])
    if activity is None or ctx.now - datetime.fromisoformat(cancelled["at"]) > UNDO_WITHIN:
        return None
    titles = [a.title for a in open_now(ctx.session, ctx.now)]
    if (number := _named(ctx, msg.text, titles)) is not None and titles[number - 1] != activity.title:
        return None  # 「我还要去讲座」: another one, for the matchers after this
    return Text(f"{ctx.texts.get('activity.undo_cancel')}\n{_show(ctx, activity).content}")


def companion_change(msg: Inbound, ctx: Context) -> Reply | None:
    """After signing up, 「我不带家属了」「算了还是一个人去吧」 or 「我想带老伴一起去」: the sign-up it
    can change (the one named, or the only one), changed; a freed seat goes to the waitlist,
    who are told. None when the words say neither, or there is no sign-up to change."""
    bring = _companion_wish(ctx, msg.text)
    if bring is None or ctx.binding is None:
        return None
    retiree_id = _retiree_id(ctx)
    live = mine(ctx.session, retiree_id, ctx.now)
    signups = [s for s in live if s.companion != bring]
    if (number := _named(ctx, msg.text, [s.activity.title for s in signups])) is not None:
        signups = [signups[number - 1]]
    if not signups and live:  # 「老伴不去了就我自己」 where it was one seat already: nothing to cancel
        return Text(ctx.texts.get(f"activity.companion_already_{'added' if bring else 'dropped'}",
                                  titles="、".join(f"【{s.activity.title}】" for s in live)))
    if not signups:
        return None
    if len(signups) > 1:
        return Text(ctx.texts.get("activity.companion_which",
                                  titles="、".join(f"「{s.activity.title}」" for s in signups)))
    signup = signups[0]
    try:
        promoted = change_companion(ctx.session, signup.id, retiree_id, bring, ctx.now)
    except SignupRefused as refused:
        if refused.reason == Refusal.NO_COMPANION:  # signed up already: no numbers to reply with
            texts = ctx.texts
            return Text(texts.get("activity.companion_not_here") + texts.get("activity.own_unchanged"))
        return _refused(ctx, refused, keep_step=True)
    tell_promoted(ctx.session, ctx.settings, ctx.texts, promoted, ctx.now)
    return Text(ctx.texts.get(f"activity.companion_{'added' if bring else 'dropped'}",
                              title=signup.activity.title, state=_state(ctx, signup)))


def waitlist_asked(msg: Inbound, ctx: Context) -> Reply | None:
    """「候补能补上不」「我排第几了」: where each place on a waitlist stands, and how a place comes
    (before the policy answers, which took 补上 for 补发); None for anything else."""
    plain = normalize(msg.text)  # 「离退休证丢了能补上吗」「体检排第几」: no waitlist named
    asked = _says(ctx, plain, "waitlist_asked_words") and _says(ctx, plain, "waitlist_needs")
    if not ctx.bound or not asked:
        return None
    waiting = [s for s in mine(ctx.session, _retiree_id(ctx), ctx.now) if s.status == SignupStatus.WAITING]
    if not waiting:
        return Text(ctx.texts.get("activity.waitlist_none", whose=ctx.whose()))
    lines = [ctx.texts.get("activity.waitlist_item", title=s.activity.title, when=when(s.activity.starts_at),
                           state=_state(ctx, s)) for s in waiting]
    return Text("\n".join([*lines, ctx.texts.get("activity.waitlist_how")]))


def _companion_wish(ctx: Context, text: str) -> bool | None:
    """True for bringing a companion after all, False for no longer, None for neither — nor for
    a question (「能带家属吗」 asks) or for not going at all (「我们俩都不去了」)."""
    plain = normalize(text).replace("算了还是", "还是")  # 「算了还是带老伴去吧」: a change of mind, not 算了
    if any(q in text for q in ASKING):
        return None
    if _says(ctx, plain, "solo_words") or _bare_solo(ctx, plain) or (_says(ctx, plain, "companion_words")
                                           and _says(ctx, plain, "no_companion_words")):
        return False
    return True if _says(ctx, plain, "companion_words") and not _says(ctx, plain, "refuse_words") else None


def _bare_solo(ctx: Context, plain: str) -> bool:
    """「不带了」「算了不带了就我一个」: a bare solo word said as the whole message or with 家属/就我一个
    (「雨伞不带了」 drops no companion)."""
    for word in ctx.texts.words("activity.solo_bare_words"):
        if word in plain and (_says(ctx, plain, "solo_bare_with")
                              or set(plain.replace(word, "", 1)) <= _BARE_FILLER):
            return True
    return False


_BARE_FILLER = frozenset("算了那就还是我们吧啊呀嗯哦好") | frozenset(PARTICLES)


def _says(ctx: Context, plain: str, key: str) -> bool:
    """Whether plain holds one of the [activity] words named key (chat.toml)."""
    return ctx.texts.mentions(plain, f"activity.{key}")


def _listing(ctx: Context, name: str, lines: list[str], **values: str) -> Reply:
    """A title, numbered lines and a footer, from the [activity] texts named `name`_title/_footer."""
    return Text("\n".join([ctx.texts.get(f"activity.{name}_title", **values), *lines,
                           ctx.texts.get(f"activity.{name}_footer")]))


def _signed_up(ctx: Context, outcome: Outcome, *, offered_waitlist: bool, for_family: str) -> str:
    signup = outcome.signup
    who = ""
    if signup.by_agent:
        who += ctx.texts.get("activity.for_family", name=for_family)
    if signup.companion:
        who += ctx.texts.get("activity.with_companion")
    if signup.status == SignupStatus.WAITING:
        # Waiting though a seat is left: it is not two (the wait is not put down to it filling up).
        short = not offered_waitlist and signup.companion and places(ctx.session, signup.activity).left > 0
        reason = "activity.short_for_two" if short else "activity.became_full"
        why = "" if offered_waitlist else ctx.texts.get(reason)
        waiting = ctx.texts.get("activity.waiting", position=outcome.position, who=who, became_full=why)
        return "\n".join([waiting, ctx.texts.get("activity.alone_instead")]) if short else waiting
    return describe(ctx.texts, "confirmed", signup.activity, who=who)


def _refused(ctx: Context, refused: SignupRefused, keep_step: bool = False) -> Reply:
    if not keep_step:
        ctx.conversation.clear()
    return Text(ctx.texts.get(f"activity.refused_{refused.reason}",
                              name=ctx.binding.retiree.name if ctx.binding else ""))


def _state(ctx: Context, signup: Signup) -> str:
    """Where a sign-up stands, and that a companion is booked with it (「已报上（带一位家属）」)."""
    companion = ctx.texts.get("activity.with_companion") if signup.companion else ""
    if signup.status == SignupStatus.WAITING:
        position = waiting_position(ctx.session, signup)
        return ctx.texts.get("activity.state_waiting", position=position) + companion
    return ctx.texts.get("activity.state_confirmed") + companion


def _retiree_id(ctx: Context) -> int:
    """Whom the user speaks for, as the claim read it (no Binding object needed for it)."""
    retiree_id, _ = ctx.on_behalf()
    assert retiree_id is not None  # every action here needs_binding
    return retiree_id
