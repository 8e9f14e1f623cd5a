"""Care reports, before policy answers: 「我住院了」「我爸昨天住院了」「老伴走了」「病危」.

Compassion first, then what happens next; staff are alerted at once with who reported it,
for whom, and the words. When it is unclear whether it is the person themselves or a
relative, one short question.
"""

from __future__ import annotations

from bot.care.detect import CareWords, Sighting
from bot.context import Context
from bot.inbound import Inbound
from bot.models import CareReport, Retiree
from bot.policies.replies import titles
from bot.replies import Reply, Text
from bot.router import Router
from bot.staff_alerts import alert_staff
from bot.textnorm import parse_choice
from handlers.policy import STEP as POLICY_STEP

WHO_STEP = "care.who"


def register(router: Router) -> None:
    """Add the care-report matcher (registered before the policy matcher) and its question."""
    router.matcher("care")(report)
    router.step(WHO_STEP)(answer_who)


def report(msg: Inbound, ctx: Context) -> Reply | None:
    """A care report: kept, staff alerted, and a caring answer; None for anything else."""
    sighting = CareWords.for_dir(ctx.settings.content_dir).find(msg.text)
    if sighting is None:
        return None
    record = _keep(msg, ctx, sighting)
    if sighting.subject == "unknown":
        ctx.conversation.expect(WHO_STEP, {"report": record.id})
        return Text(ctx.texts.get("care.ask_who"))
    return Text(_answer(ctx, record, sighting.kind.topics))


def answer_who(msg: Inbound, ctx: Context) -> Reply | None:
    """1: it is me; 2: a relative. The report is updated and the caring answer follows."""
    choice = parse_choice(msg.text)
    if choice not in (1, 2):
        return None
    record = ctx.session.get(CareReport, ctx.conversation.data.get("report"))
    ctx.conversation.clear()
    if record is None:
        return None
    record.subject = "self" if choice == 1 else "relative"
    record.relative = None if choice == 1 else "家里人"
    kind = next(k for k in CareWords.for_dir(ctx.settings.content_dir).kinds if k.name == record.kind)
    return Text(_answer(ctx, record, kind.topics))


def _keep(msg: Inbound, ctx: Context, sighting: Sighting) -> CareReport:
    binding = ctx.binding
    record = CareReport(openid=ctx.openid, retiree_id=binding.retiree_id if binding else None,
                        kind=sighting.kind.name, subject=sighting.subject, relative=sighting.relative,
                        text=msg.text.strip(), created_at=ctx.now)
    ctx.session.add(record)
    ctx.session.flush()
    subject = ctx.texts.get(f"care.subject_{sighting.subject}", relative=sighting.relative or "")
    text = ctx.texts.get("care.staff", number=record.id, who=_reporter(ctx), kind=sighting.kind.label,
                         subject=subject, text=record.text, phone=_phone(ctx, record))
    alert_staff(ctx.session, ctx.settings, ctx.now, key=f"care:{record.id}", text=text)
    return record


def _answer(ctx: Context, record: CareReport, topics: tuple[str, ...]) -> str:
    """The caring words for the kind and person, then the related answers by number."""
    words = CareWords.for_dir(ctx.settings.content_dir)
    who = "您" if record.subject == "self" else words.how_to_say(record.relative or "家里人")
    key = "death_self" if record.kind == "death" and record.subject == "self" else record.kind
    lines = [ctx.texts.get(f"care.{key}", who=who)]
    known = [t for t in topics if t in ctx.policies.topics]
    if known:
        ctx.conversation.expect(POLICY_STEP, {"topics": known})
        lines += ["", ctx.texts.get("care.related"), *ctx.texts.numbered(titles(ctx.policies, known))]
    return "\n".join(lines)


def _reporter(ctx: Context) -> str:
    binding = ctx.binding
    if binding is None:
        return "未绑定的用户"
    name = binding.retiree.name
    return f"{name}的家属（{binding.relation}）" if binding.is_agent else f"{name}本人"


def _phone(ctx: Context, record: CareReport) -> str:
    person = ctx.session.get(Retiree, record.retiree_id) if record.retiree_id else None
    return f"，电话 {person.phone}" if person and person.phone else ""
