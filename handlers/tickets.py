"""留言: a message for staff, in the user's own words, with a receipt number."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from bot.clock import SHANGHAI
from bot.conversation.context import Context
from bot.conversation.inbound import Inbound
from bot.conversation.replies import Reply, Text
from bot.conversation.router import Router
from bot.language.words import normalize, parse_choice, phone_number, short_forms
from bot.models import Ticket
from bot.tickets.answers import left_by
from bot.tickets.leaving import add_to, just_said, leave, said_before, says_something

STEP = "ticket"
EARLIER = "earlier"  # the step's data: the recorded message offered as the 留言
ABOUT = "about"  # the step's data: what the 留言 answers (「我爸的电话换号了」), kept before it
DETAILS = "details"  # the step's data: it waits for a new phone or address (details_changed)
# A new address given: 「新地址是和平路5号3单元」「搬到女儿家了」「阳光花园」 — a place's word, a house's
# number, a road or street named (「在路上」 is none), or the move said; a new number, or its promise.
_ADDRESS = ("小区", "花园", "家园", "新村", "公寓", "大厦", "胡同", "大院", "家属院", "宿舍", "社区",
            "单元", "养老院", "敬老院", "老家", "女儿家", "儿子家", "闺女家", "孩子家", "搬到", "搬去",
            "住到", "地址是", "住址是", "新家在", "号码是", "手机是", "发给你们", "告诉你们")
_HOUSE = re.compile(r"\d+ *[号栋幢楼室]|(?<![在上走赶马过一])[路街巷苑](?![上边口过])")
WORDS = ("留言", "我要留言", "转人工", "人工", "人工服务", "找工作人员", "找人工")
MATTER = 4  # characters beside 「留言」 and its fillers: 「暖气不热」 is a matter, 「一下」 is not
JUST_LEFT = "ticket_just_left"  # remembered: the 留言 just left, which words not understood add to
ADD_WITHIN = timedelta(minutes=10)
WANTED_AT_MOST = 16  # characters: 「我要找王主任」 asks for someone; a longer story says its matter


def register(router: Router) -> None:
    """Add 「留言」, the step that takes the message, and 「我的留言」."""
    router.action("ticket", words=WORDS, event_keys=("TICKET",))(ask_for_message)
    router.action("my_tickets", words=("我的留言", "留言回了吗", "留言回复了吗", "留言有回复吗", "查留言",
                                       "查看留言"))(my_tickets)
    # A report said at the prompt (「我老伴住院了」) goes to staff as a care report: the 留言 is done.
    router.step(STEP, remind=_remind, urgent="end", resumes=True)(take_message)
    router.matcher("details_changed")(details_changed)
    router.matcher("someone_wanted")(someone_wanted)
    router.matcher("staff_request")(staff_request)
    router.matcher("message_with_matter")(message_with_matter)


def message_with_matter(msg: Inbound, ctx: Context) -> Reply | None:
    """「我要留言我家暖气不热能不能找人来看看」「帮我爸留个言说他想申请护理费」: a 留言 asked for
    with its matter said, kept at once (before any policy answer to the matter); None when
    「留言」 comes without one, or is about 留言 already left (「我的留言回了吗」)."""
    plain = normalize(msg.text)
    asked = [w for w in ctx.texts.words("ticket.asking_words") if w in plain]
    if not asked or ctx.texts.mentions(plain, "ticket.about_left_words"):
        return None
    matter = _without_addressee(plain, ctx.texts.words("ticket.wanted_titles"))  # 「给王主任」 is no matter
    addressed = len(matter) < len(plain)
    for word in sorted([*asked, *ctx.texts.words("ticket.filler_words")], key=len, reverse=True):
        matter = matter.replace(word, "")
    if len(matter) < MATTER:
        if not addressed:
            return None
        ctx.conversation.expect(STEP, {ABOUT: msg.text})  # 「我想给王主任留个言」: for whom, kept with it
        return Text(ctx.texts.get("ticket.ask"))
    ticket = leave(ctx.session, ctx.settings, ctx.texts, openid=ctx.openid, binding=ctx.binding,
                   text=msg.text, now=ctx.now)
    return _received(ctx, ticket)


def _without_addressee(plain: str, titles: frozenset[str]) -> str:
    """plain without whom a 留言 is for (「给王主任」「跟支部书记」): who is not what about."""
    for title in titles:
        plain = re.sub(f"[给跟和向][^给跟和向]{{0,3}}?{re.escape(title)}", "", plain)
    return plain


def details_changed(msg: Inbound, ctx: Context) -> Reply | None:
    """「我的电话换了，新号码是13512345678」: passed to staff as a 留言 at once, not answered with
    the 个人信息变更 page telling them to 留言 it; without the new details, they are asked for."""
    plain = normalize(msg.text)
    said = max((w for w in ctx.texts.words("ticket.changed_words") if w in plain), key=len, default=None)
    if said is None:  # the longest word said: 「电话换了号」 is 换了号, whatever order a set gives
        return None
    whose, rest = plain.split(said, 1)
    if ctx.texts.mentions(whose, "ticket.changed_others"):
        return None  # 「我孙子搬家了」「楼下邻居搬新家了」: someone else's news
    if not _gives_details(rest):
        if ctx.texts.mentions(plain, "ticket.changed_asking"):
            return None  # 「电话换了去哪里改」: the policy answer says how
        ctx.conversation.expect(STEP, {ABOUT: msg.text, DETAILS: True})  # the number alone tells staff little
        return Text(ctx.texts.get("ticket.changed_ask"))
    ticket = leave(ctx.session, ctx.settings, ctx.texts, openid=ctx.openid, binding=ctx.binding,
                   text=msg.text, now=ctx.now)
    return _received(ctx, ticket, "ticket.changed_received")


def someone_wanted(msg: Inbound, ctx: Context) -> Reply | None:
    """「我要找王主任」「支部书记是谁」: someone at the office or the branch asked for by title — the
    bot keeps no such names: what they want is taken as a 留言 for staff (the office's phone for
    haste); None for anything else, for 反映/投诉 (the 信访 answer says how) and for what a policy
    answer tells (开证明, the office's phone)."""
    plain = normalize(msg.text)
    texts = ctx.texts
    if len(plain) > WANTED_AT_MOST or not texts.mentions(plain, "ticket.wanted_titles") \
            or texts.mentions(plain, "ticket.wanted_not_with"):
        return None
    title = next(t for t in texts.words("ticket.wanted_titles") if t in plain)
    before, _, after = plain.partition(title)
    if "找" not in before and not texts.mentions(after, "ticket.wanted_who"):
        return None
    if ctx.policies.decide(msg.text).topic is not None:
        return None  # 「找社区书记开证明」「你们领导电话是多少」: the policy answer says how
    ctx.conversation.expect(STEP, {ABOUT: msg.text})
    return Text(texts.get("ticket.wanted_ask"))


def _gives_details(text: str) -> bool:
    """Whether text holds new details to change: a phone number, an address (_ADDRESS, _HOUSE)."""
    plain = normalize(text)
    return (phone_number(text) is not None or _HOUSE.search(plain) is not None
            or any(w in plain for w in _ADDRESS))


def staff_request(msg: Inbound, ctx: Context) -> Reply | None:
    """「我要申请送学上门，我住幸福小区5号楼」「能不能给我打个电话」「跟支部请个假」: something only
    staff can do, passed to them as a 留言 at once (a page saying 「请留言」 would lose it); None
    for anything else: a question the policy answers (「认证可以上门办吗」), a sign-up given up
    (「茶话会我去不了，请个假」: cancelled as one), a doubt about a scam."""
    plain = normalize(msg.text)
    texts = ctx.texts
    visit = texts.mentions(plain, "ticket.request_visit")  # 「能不能请人去看看」, however asked
    if not (visit or texts.mentions(plain, "ticket.request_words")) \
            or texts.mentions(plain, "ticket.request_not_with") \
            or texts.mentions(plain, "activity.kind_words"):
        return None
    if not visit and texts.mentions(plain, "ticket.request_asking") and ctx.policies.decide(msg.text).topic:
        return None  # 「认证可以上门办吗」: the policy answer says how
    ticket = leave(ctx.session, ctx.settings, ctx.texts, openid=ctx.openid, binding=ctx.binding,
                   text=msg.text, now=ctx.now)
    return _received(ctx, ticket, "ticket.request_received")


def ask_for_message(msg: Inbound, ctx: Context) -> Reply:
    """Ask what the message is; the next text or voice message is it. Right after a question
    or words the bot could not act on, those words are offered (回复 1) instead of retyped."""
    earlier = just_said(ctx.session, ctx.openid, ctx.now)
    if earlier is None:
        ctx.conversation.expect(STEP)
        return Text(ctx.texts.get("ticket.ask"))
    ctx.conversation.expect(STEP, {EARLIER: earlier.id})
    return Text(ctx.texts.get("ticket.ask_earlier", said=_start(earlier.text or "", 60, "……")))


def take_message(msg: Inbound, ctx: Context) -> Reply | None:
    """Keep the message as a ticket, alert staff, and give the receipt number (0 or 算了 cancels;
    1 or 「好的」 takes the words offered). Asked for new details (details_changed), words
    without any (「今天天气真冷」) are not them: answered as anything else, the question waits."""
    said = ctx.texts.yes_or_no(msg.text)
    if said is False or parse_choice(msg.text) == 0:
        ctx.conversation.clear()
        return Text(ctx.texts.get("ticket.cancelled"))
    if ctx.conversation.data.get(DETAILS) and not _gives_details(msg.text):
        return None
    text: str | None = msg.text
    if (said or parse_choice(msg.text) == 1) and EARLIER in ctx.conversation.data:
        text = said_before(ctx.session, ctx.openid, ctx.conversation.data[EARLIER])  # None: gone since
    elif not says_something(ctx.texts, msg.text):
        text = None  # 「好的」「你好」 are not yet the message
    if not text:  # what was offered is gone: they say it again (what it answers kept)
        kept = {key: value for key, value in ctx.conversation.data.items() if key in (ABOUT, DETAILS)}
        ctx.conversation.expect(STEP, kept)
        return Text(ctx.texts.get("ticket.too_short"))
    if about := ctx.conversation.data.get(ABOUT):
        text = f"{about}\n{text}"
    ticket = leave(ctx.session, ctx.settings, ctx.texts, openid=ctx.openid, binding=ctx.binding, text=text,
                   now=ctx.now)
    details = ctx.conversation.data.get(DETAILS)
    ctx.conversation.clear()
    return _received(ctx, ticket, "ticket.changed_received" if details else "ticket.received")


def _received(ctx: Context, ticket: Ticket, reply: str = "ticket.received") -> Reply:
    """The receipt; the 留言 is remembered, for words that follow it (added_to_last)."""
    ctx.conversation.remember(JUST_LEFT, {"id": ticket.id, "at": ctx.now.isoformat()})
    return Text(ctx.texts.get(reply, number=ticket.id))


def added_to_last(msg: Inbound, ctx: Context) -> Reply | None:
    """Words the bot could not act on, soon after a 留言 (「哦对了，还有我的医保卡丢了」): added to
    it, not lost; None otherwise."""
    left = ctx.conversation.recall(JUST_LEFT)
    if not left or not msg.is_text_like or ctx.now - datetime.fromisoformat(left["at"]) > ADD_WITHIN \
            or not says_something(ctx.texts, msg.text):
        return None
    if any(form in ctx.texts.words("ticket.done_words") for form in short_forms(msg.text)):  # 「就这些吧」
        ctx.conversation.forget(JUST_LEFT)
        return Text(ctx.texts.get("ticket.all_passed"))
    ticket = add_to(ctx.session, ctx.settings, ctx.texts, left["id"], openid=ctx.openid, binding=ctx.binding,
                    text=msg.text, now=ctx.now)
    if ticket.id != left["id"]:  # answered meanwhile: a 留言 of its own
        return _received(ctx, ticket)
    ctx.conversation.remember(JUST_LEFT, {"id": ticket.id, "at": ctx.now.isoformat()})
    return Text(ctx.texts.get("ticket.added", number=ticket.id))


def _remind(ctx: Context, data: dict[str, object]) -> str:
    if data.get(DETAILS):
        return ctx.texts.get("ticket.changed_remind")
    return ctx.texts.get("ticket.remind_earlier" if EARLIER in data else "ticket.remind")


def my_tickets(msg: Inbound, ctx: Context) -> Reply:
    """The user's latest 留言, each with the start of its answer, or that it still waits."""
    tickets = left_by(ctx.session, ctx.openid)
    if not tickets:
        return Text(ctx.texts.get("ticket.mine_none"))
    lines = [ctx.texts.get("ticket.mine_title")]
    for ticket in tickets:
        said = _start(ticket.text.replace("\n", "，"), 20, "……")  # words added later on one line
        when = f"{ticket.created_at.astimezone(SHANGHAI):%m月%d日}"
        if ticket.state == "replied":  # the reply's start: five in full could pass WeChat's limit for one
            answer = _start(ticket.answer or "", 40, ctx.texts.get("ticket.mine_answer_more"))
            lines.append(ctx.texts.get("ticket.mine_answered", number=ticket.id, when=when, said=said,
                                       answer=answer))
        else:
            lines.append(ctx.texts.get(f"ticket.mine_{ticket.state}", number=ticket.id, when=when, said=said))
    lines.append(ctx.texts.get("ticket.mine_footer"))
    return Text("\n".join(lines))


def _start(text: str, length: int, more: str) -> str:
    """text, or its first length characters and more."""
    return text if len(text) <= length else text[:length] + more

