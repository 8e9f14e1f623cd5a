"""Care reports, before anything else: 「我住院了」「我爸昨天住院了」「老伴走了」「病危」.

Compassion first, then what happens next; staff are alerted at once with who reported it, for
whom, the words and whom to call. When it is unclear whether it is the person themselves or a
relative, one short question; family and people not yet bound are asked for a number to be
called back on. A report made in the middle of a quiz or a sign-up leaves that step waiting —
but family's news of their elder's death ends what they were doing for the elder.
An emergency (「老伴晕倒了」「救命」) is told to call 120 at once, asked nothing but a number
to call back on, and its answer says nothing of the quiz or sign-up waiting. Afterwards, good
news (「已经出院了」) and a phone number sent on its own are kept with the report for staff.
"""

from __future__ import annotations

from bot.activities.signups import mine
from bot.care.detect import DEATH, CareWords, Kind, Sighting
from bot.care.intake import (
    Reporter,
    add_good_news,
    add_more,
    add_reporter_phone,
    caring_words,
    just_reported,
    learn_subject,
    open_report_without_phone,
    report_good_news_follows,
    take_report,
)
from bot.care.reports import may_be_the_retiree
from bot.conversation.context import Context
from bot.conversation.inbound import Inbound
from bot.conversation.replies import Reply, Text
from bot.conversation.router import Router
from bot.language.words import normalize, parse_choice, phone_number, phone_said_alone, short_forms
from bot.models import CareReport
from bot.policies.replies import titles
from handlers.binding import claimed
from handlers.policy import answer_question, answer_topic

WHO_STEP, PHONE_STEP, AFTER_STEP = "care.who", "care.phone", "care.after"
MORE_WORDS = 4  # characters: 「他住人民医院」 says something; 「嗯嗯」 does not


def register(router: Router) -> None:
    """Add the care-report matcher (tried before any step) and its follow-up questions."""
    router.urgent_matcher("care")(report)
    router.step(WHO_STEP, remind=lambda ctx, data: ctx.texts.get(_who_question(data)),
                urgent="answer")(answer_who)
    router.step(PHONE_STEP, remind=lambda ctx, data: ctx.texts.get("care.remind_phone"),
                otherwise=more_words, resumes=True)(take_phone)
    router.step(AFTER_STEP)(choose_related)
    router.matcher("care_phone")(phone_after_report)
    router.matcher("care_good_news")(good_news_told)


def phone_after_report(msg: Inbound, ctx: Context) -> Reply | None:
    """A phone number sent on its own soon after a report (「13800001111」, unasked): the number
    to call back on, kept with the report and passed to staff; None for anything else."""
    phone = phone_said_alone(msg.text)  # 「我的电话13800001111」, not a sentence
    if phone is None:
        return None
    record = open_report_without_phone(ctx.session, ctx.openid, ctx.now)
    if record is None:
        return None
    add_reporter_phone(ctx.session, ctx.settings, ctx.texts, ctx.now, record, phone)
    return Text(ctx.texts.get("care.phone_kept", phone=phone))


def report(msg: Inbound, ctx: Context) -> Reply | None:
    """A care report: kept, staff alerted, and a caring answer; None for anything else."""
    sighting = _words(ctx).reported(msg.text)  # a stay already over is good news (good_news_told)
    return None if sighting is None else _take(ctx, sighting, msg.text)


def good_news_told(msg: Inbound, ctx: Context) -> Reply | None:
    """「医生说问题不大，已经回家了」: kept with the report it follows and passed to staff, and a
    glad word, then the answer to a question asked with it (「出院了，想问问报销」); None when
    there is none, or it follows no report and says too little alone
    (「好多了」). A matcher, not urgent: a 留言 being written takes the words as the 留言."""
    words = _words(ctx)
    told = words.good_news_in(msg.text)
    if told is None:
        return None
    earlier = report_good_news_follows(ctx.session, ctx.openid, words.good_news.kinds, ctx.now)
    if earlier is None and not told.alone:
        return None
    asked = answer_question(msg, ctx)  # 「出院了，想问问报销」: the question is answered too
    if not isinstance(asked, Text) and words.asks_beside_good_news(msg.text):
        return None  # 「我老伴出院了，他还能去茶话会吗」: the rest of the router hears the whole message
    relative = told.relative or (earlier.relative if earlier is not None and earlier.subject == "relative"
                                 else None)
    who = words.how_to_say(relative) if relative else "您"
    if earlier is None:
        glad = ctx.texts.get("care.good_news_alone", who=who)
    else:
        add_good_news(ctx.session, ctx.settings, ctx.texts, ctx.now, earlier, _reporter(ctx), msg.text)
        glad = ctx.texts.get("care.good_news", who=who)
    return Text(glad if not isinstance(asked, Text) else f"{glad.strip()}\n\n{asked.content}")


def _take(ctx: Context, sighting: Sighting, text: str) -> Reply:
    """Keep the report, alert staff, and answer with care (the emergency's 120 first)."""
    record = take_report(ctx.session, ctx.settings, ctx.texts, ctx.now, reporter=_reporter(ctx),
                         kind=sighting.kind.name, subject=sighting.subject, relative=sighting.relative,
                         text=text)
    if sighting.kind.urgent:  # 120 first; staff call back whoever it is about
        return Text(_answer(ctx, record, sighting.kind), alone=True)
    if record.subject == "unknown":
        data = {"report": record.id, "death": sighting.kind.name == DEATH}
        ctx.conversation.expect(WHO_STEP, data)
        return Text(ctx.texts.get(_who_question(data)))
    return _caring(ctx, record, sighting.kind)


def _caring(ctx: Context, record: CareReport, kind: Kind) -> Text:
    """The caring answer to a report whose subject is known. Family telling of their elder's
    death end what they were doing for the elder (a sign-up confirmed after it, 「1」, would book
    the dead); a retiree telling of their spouse's goes on with the quiz after it, if they answer."""
    return Text(_answer(ctx, record, kind), alone=kind.alone, ends_tasks=_elder_died(ctx, record))


def _elder_died(ctx: Context, record: CareReport) -> bool:
    """Whether the report is family's news of the death of the elder they are bound to (the kin
    word not against the 性别 on file: 「我妈」 is not a father)."""
    binding = ctx.binding
    return (record.kind == DEATH and binding is not None and binding.is_agent and record.subject == "relative"
            and may_be_the_retiree(ctx.session, record, _words(ctx)))


def answer_who(msg: Inbound, ctx: Context) -> Reply | None:
    """1 or 「我自己」: it is me; 2 or 「是我老伴」: a relative. The caring answer follows.

    News of another kind (「我老伴今天摔倒了」 while asked about a hospital stay) is no answer:
    it is a report of its own.
    """
    record = ctx.session.get(CareReport, ctx.conversation.data.get("report"))
    said = _who_said(msg.text, ctx, died=bool(ctx.conversation.data.get("death")))
    other = _words(ctx).find(msg.text)
    if record is None or said is None or (other is not None and other.kind.name != record.kind):
        return None
    ctx.conversation.clear()
    learn_subject(ctx.session, ctx.settings, ctx.texts, ctx.now, record, _reporter(ctx), *said, msg.text)
    return _caring(ctx, record, _kind(ctx, record.kind))


def take_phone(msg: Inbound, ctx: Context) -> Reply | None:
    """The number staff can call the reporter back on (0 or 算了: not given); then the related
    answers by number."""
    record = ctx.session.get(CareReport, ctx.conversation.data.get("report"))
    phone = phone_number(msg.text)
    # Only a no to the number: 「不答了」 is about the quiz waiting beneath, and goes to it.
    declined = parse_choice(msg.text) == 0 or bool(
        set(short_forms(msg.text)) & ctx.texts.words("care.no_phone_words"))
    if record is not None and phone is None and not declined and ctx.texts.yes_or_no(msg.text):
        return Text(ctx.texts.get("care.phone_please"))  # 「好」: the number comes next, not a yes to a task
    if record is None or (phone is None and not declined):
        return None
    ctx.conversation.clear()
    if phone is None:
        said = ctx.texts.get("care.phone_declined")
        return Text(_with_related(ctx, [said], _kind(ctx, record.kind), record))
    add_reporter_phone(ctx.session, ctx.settings, ctx.texts, ctx.now, record, phone)
    kept = ctx.texts.get("care.phone_kept", phone=phone)
    return Text(_with_related(ctx, [kept], _kind(ctx, record.kind), record))


def register_past(router: Router) -> None:
    """Add the matcher for a loss long past (「我老伴前年就走了」): after the feelings (忌日, 孤单),
    before the policy answers, which would tell of funeral money."""
    router.matcher("care_past_death")(past_death_told)


def past_death_told(msg: Inbound, ctx: Context) -> Reply | None:
    """A relative's death told as long past, nothing asked: a warm word and the way to staff, no
    report (it is no news); None for anything else."""
    words = _words(ctx)
    relative = words.past_death(msg.text)
    if relative is None:
        return None
    return Text(ctx.texts.get("care.past_death", who=words.how_to_say(relative)), alone=True)


def register_last(router: Router) -> None:
    """Add the matcher for more said about a report just made: last before the fallback."""
    router.matcher("care_more")(more_after_report)


def more_after_report(msg: Inbound, ctx: Context) -> Reply | None:
    """Words nothing else understood, soon after a report, that tell more of it (「在人民医院心内科
    12床」「救护车来了，去人民医院了」): kept and passed to staff; None when there is no such report,
    a task waits, or the words say nothing of where or how (care.detail_words)."""
    if ctx.conversation.quiet or len(normalize(msg.text)) < MORE_WORDS:
        return None  # a task waits (a number asked for keeps such words itself: more_words)
    if not any(word in msg.text for word in ctx.texts.words("care.detail_words")):
        return None  # 「今天天气真好」 is no more about it
    record = just_reported(ctx.session, ctx.openid, ctx.now)
    if record is None:
        return None
    add_more(ctx.session, ctx.settings, ctx.texts, ctx.now, record, _reporter(ctx), msg.text)
    return Text(ctx.texts.get("care.more_kept"))


def more_words(msg: Inbound, ctx: Context) -> Reply | None:
    """What nothing else understood while a number to call back is asked for (「他住的是人民医院」
    「你们什么时候来人」): more about the report, kept and passed to staff; the number asked again."""
    record = ctx.session.get(CareReport, ctx.conversation.data.get("report"))
    if record is None or len(normalize(msg.text)) < MORE_WORDS:
        return None
    add_more(ctx.session, ctx.settings, ctx.texts, ctx.now, record, _reporter(ctx), msg.text)
    return Text("\n".join([ctx.texts.get("care.more_kept"), ctx.texts.get("care.ask_phone")]))


def choose_related(msg: Inbound, ctx: Context) -> Reply | None:
    """The related answer whose number was replied."""
    topics = ctx.conversation.data.get("topics", [])
    number = parse_choice(msg.text)
    if number is None or not 1 <= number <= len(topics):
        return None
    ctx.conversation.clear()
    return Text(answer_topic(ctx, topics[number - 1]))


def _answer(ctx: Context, record: CareReport, kind: Kind) -> str:
    """The caring words for the kind and person; then, where staff have no number to call the
    reporter back on, the request for one; else the related answers by number."""
    lines = [caring_words(ctx.texts, _words(ctx), record), *_signups_left(ctx, record),
             *_signups_not_going(ctx, record)]
    if _reporter(ctx).needs_phone and not record.reporter_phone:
        ctx.conversation.expect(PHONE_STEP, {"report": record.id})
        return "\n".join([*lines, "", ctx.texts.get("care.ask_phone")])
    return _with_related(ctx, lines, kind, record)


def _signups_left(ctx: Context, record: CareReport) -> list[str]:
    """Family telling of the retiree's death, who had signed up for activities still to come: a
    line saying staff will cancel them (the console marks them once the death is recorded). Only
    where the kin word fits the retiree's 性别 on file: 「我妈」 must not cancel a father's."""
    binding = ctx.binding
    if not _elder_died(ctx, record) or binding is None or not binding.retiree.gender:
        return []
    titles = _titles(ctx, binding.retiree_id)
    return [ctx.texts.get("care.death_signups", name=binding.retiree.name, titles=titles)] if titles else []


def _signups_not_going(ctx: Context, record: CareReport) -> list[str]:
    """News that also says the one bound will not go (「我爸去不了了，他住院了」): a line on how to
    cancel what they are signed up for."""
    binding = ctx.binding
    if binding is None or not ctx.texts.mentions(normalize(record.text), "care.not_going_words"):
        return []
    if _elder_died(ctx, record) or not _goes_for_the_one_bound(ctx, record):
        return []
    titles = _titles(ctx, binding.retiree_id)
    return [ctx.texts.get("care.not_going_signups", whose=ctx.whose(), titles=titles)] if titles else []


def _titles(ctx: Context, retiree_id: int) -> str:
    """The activities still to come the retiree is signed up for, as 【冬至茶话会】、【…】."""
    return "、".join(f"【{s.activity.title}】" for s in mine(ctx.session, retiree_id, ctx.now))


def _goes_for_the_one_bound(ctx: Context, record: CareReport) -> bool:
    """Whether 「去不了」 in a report speaks for the retiree the reporter is bound to: the retiree
    themselves, whoever is ill (「我老伴住院了，茶话会去不了了」), or family of the elder the news is
    about (as far as the kin word and 性别 on file allow)."""
    binding = ctx.binding
    if binding is None or not binding.is_agent:
        return binding is not None
    return record.subject == "relative" and may_be_the_retiree(ctx.session, record, _words(ctx))


def _with_related(ctx: Context, lines: list[str], kind: Kind, record: CareReport) -> str:
    """lines, then the kind's related answers offered by number (not while a task waits) — first
    the one the report's words also asked about (「…老伴上礼拜摔了一跤，今年体检什么时候」)."""
    if ctx.conversation.quiet or kind.urgent:  # 120 first, nothing offered beside it
        return "\n".join(lines)
    asked = ctx.policies.first_answer(record.text).topic
    offered = [asked, *kind.topics]
    if record.subject == "other":  # a neighbour's news: the kind's answers are the family's, not theirs
        offered = [t for t in offered if t not in kind.topics]
    topics = [t for t in dict.fromkeys(offered) if t in ctx.policies.topics]
    if topics and ctx.conversation.offer(AFTER_STEP, {"topics": topics}):
        lines = [*lines, "", ctx.texts.get("care.related"), *ctx.texts.numbered(titles(ctx.policies, topics))]
    return "\n".join(lines)


def _who_question(data: dict[str, object]) -> str:
    """Whom the news is about, asked: of a death, family or someone else (never 「您本人」)."""
    return "care.ask_who_died" if data.get("death") else "care.ask_who"


def _who_said(text: str, ctx: Context, died: bool = False) -> tuple[str, str | None] | None:
    """("self", None), ("relative", the word for them) or ("other", None), from the number picked
    on the question asked (_who_question) or a whole sentence."""
    choices = {1: ("relative", "家里人"), 2: ("other", None)} if died else {
        1: ("self", None), 2: ("relative", "家里人"), 3: ("other", None)}
    choice = parse_choice(text)
    if choice is not None:
        return choices.get(choice)
    binding = ctx.binding
    if binding is not None and _words(ctx).name_answered(text) == binding.retiree.name:
        # 「王德明」 from his daughter is her father; 「林秀英」 from 林秀英 is herself
        return ("relative", "家里人") if binding.is_agent else ("self", None)
    return _words(ctx).who_is(text)


def _reporter(ctx: Context) -> Reporter:
    binding = ctx.binding
    if binding is None:  # perhaps half way through binding: staff hear whom they said they are
        name, relation = claimed(ctx) or (None, None)
        return Reporter(ctx.openid, None, relation, claimed=name)
    return Reporter(ctx.openid, binding.retiree, binding.relation if binding.is_agent else None)


def _kind(ctx: Context, name: str) -> Kind:
    return next(k for k in _words(ctx).kinds if k.name == name)


def _words(ctx: Context) -> CareWords:
    return CareWords.for_dir(ctx.settings.content_dir)
