"""Staff notices (群发通知): one text to everyone, a group or one retiree, delivered by the outbox."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot import audit
from bot.clock import SHANGHAI
from bot.config import Settings
from bot.delivery import outbox
from bot.delivery.audience import AudienceError, Reach, Recipient, resolve
from bot.delivery.queue import addressed_copies, queue_reach
from bot.delivery.staff_alerts import staff_openids
from bot.models import MiniUser, Notice, OutboxMessage, OutboxStatus, Retiree
from bot.notices.links import Link

MAX_TEXT = outbox.STAFF_TEXT_LIMIT
MAX_TITLE = 20   # a title that fits one line of a phone
# A stopped copy is no one to phone: staff stopped it (or the person has died).
NOT_REACHED_WHY = {OutboxStatus.MAILBOX: "微信暂时发不到，等本人下次发消息",
                   OutboxStatus.DEAD: "发送失败", OutboxStatus.UNCERTAIN: "发送中断，未确认"}
NOT_REACHED = tuple(NOT_REACHED_WHY)


@dataclass(frozen=True)
class NoticeReport:
    """Where a notice's copies are, and who it has not reached (the first `shown` of them)."""

    notice: Notice
    by_status: dict[str, int]
    by_channel: dict[str, int]
    not_reached: list[tuple[Retiree, str]]  # the person and why
    not_reached_total: int = 0
    scheduled: bool = False  # its time has not come: nothing has been tried yet

    @property
    def in_flight(self) -> int:
        """Copies still waiting to go or going now: the page refreshes itself while there are any
        (a scheduled notice's too, so it fills in when its time comes)."""
        return self.by_status.get(OutboxStatus.PENDING, 0) + self.by_status.get(OutboxStatus.SENDING, 0)


def plan(session: Session, settings: Settings, audience: str, preview: bool) -> Reach:
    """Whom a notice would reach (staff only, for a preview: the audience must exist all the same)."""
    reach = resolve(session, audience)  # AudienceError for a group or person there is not
    if not preview:
        return reach
    staff = staff_openids(session, settings)
    if not staff:
        raise AudienceError("config.toml [staff] openids 还没填，也没有账号关联微信：预览发给谁？")
    return Reach(recipients=[Recipient(None, openid) for openid in staff])


def send(session: Session, settings: Settings, *, text: str, audience: str, actor: str,
         now: datetime, send_at: datetime | None = None, preview: bool = False, title: str = "",
         link: Link | None = None, form_key: str | None = None) -> tuple[Notice, Reach]:
    """Record a notice and queue one copy per account it reaches; audit-logged.

    title heads the text; link adds a line pointing to a study month (each person's own
    reading link) or an activity. A form_key already used returns that notice, sending nothing
    again (the same form submitted twice).
    """
    if form_key and (earlier := _by_form_key(session, form_key)) is not None:
        return earlier, Reach()
    text, title = text.strip(), title.strip()
    if problems := text_problems(text, title):
        raise AudienceError(" ".join(problems.values()))
    if send_at is not None and (problem := time_problem(send_at, now)):
        raise AudienceError(problem)  # a year typed wrong would otherwise go out to everyone at once
    reach = plan(session, settings, audience, preview)
    if not reach.recipients:
        raise AudienceError(f"这个范围里没有能收到微信的人（未绑定 {len(reach.not_bound)} 人，已取消关注 "
                            f"{len(reach.unfollowed)} 人），通知没有发。请换一个范围，或直接打电话。")
    notice = Notice(text=text, title=title or None, audience="staff" if preview else audience,
                    preview=preview, created_by=actor, created_at=now, send_at=send_at or now,
                    skipped=reach.skipped(), link=link.value if link else None, form_key=form_key)
    try:
        with session.begin_nested():  # the same form sent twice at once: the second finds the first
            session.add(notice)
    except IntegrityError:
        return _by_form_key(session, form_key or "") or notice, Reach()
    words = link.words(_headed(text, title)) if link else _headed(text, title)
    queue_reach(session, reach, key=f"notice:{notice.id}", text=addressed_copies(session, reach, words),
                title=title or "通知",
                kind="notice", now=now, due_at=notice.send_at, notice_id=notice.id)
    audit.record(session, actor=actor, action="notice.send", at=now, target=f"notice:{notice.id}",
                 audience=notice.audience, accounts=len(reach.recipients), people=reach.people,
                 send_at=notice.send_at.isoformat(), preview=preview, link=link.label if link else None)
    return notice, reach


SCHEDULE_AHEAD = timedelta(days=90)  # further ahead is a year or month typed wrong
DAYTIME = (7, 21)  # a scheduled notice goes between 07:00 and 21:00: none wakes an old person


def time_problem(send_at: datetime, now: datetime) -> str | None:
    """What is wrong with sending a notice at send_at, or None: a time already past, one more
    than three months ahead (2027 typed for 2026), or one at night."""
    if send_at <= now:
        return "这个时间已经过去了：请填以后的时间，或现在就发。"
    if send_at - now > SCHEDULE_AHEAD:
        days = (send_at - now).days
        return (f"发送时间是 {send_time_text(send_at, now)}，在 {days} 天以后：年份或月份是不是填错了？"
                f"定时发最多提前 {SCHEDULE_AHEAD.days} 天。")
    if not DAYTIME[0] <= send_at.astimezone(SHANGHAI).hour < DAYTIME[1]:
        return (f"晚上 {DAYTIME[1] - 12} 点到早上 {DAYTIME[0]} 点不定时发通知，免得吵醒老同志："
                "请改到白天的时间。")
    return None


def send_time_text(send_at: datetime, now: datetime) -> str:
    """「12月30日 09:00」, with the year when it is not this one (「2027年1月4日 09:00」)."""
    at, today = send_at.astimezone(SHANGHAI), now.astimezone(SHANGHAI)
    return f"{at:%Y年}{at.month}月{at.day}日 {at:%H:%M}" if at.year != today.year else \
        f"{at.month}月{at.day}日 {at:%H:%M}"


def text_problems(text: str, title: str = "") -> dict[str, str]:
    """What is wrong with a notice's words, by field (text, title): it must say something, fit
    one message and have a title of one line."""
    text, title = text.strip(), title.strip()
    problems = {}
    if not text:
        problems["text"] = "通知内容是空的。"
    elif len(text) > MAX_TEXT:
        problems["text"] = f"通知太长（{len(text)} 字），请控制在 {MAX_TEXT} 字以内。"
    if len(title) > MAX_TITLE:
        problems["title"] = f"标题太长（{len(title)} 字），请控制在 {MAX_TITLE} 字以内。"
    return problems


def progress(session: Session, notice_ids: list[int]) -> dict[int, dict[str, int]]:
    """How many copies of each notice are in each status, in one query (for a list of them)."""
    rows = session.execute(sa.select(OutboxMessage.notice_id, OutboxMessage.status, sa.func.count())
                           .where(OutboxMessage.notice_id.in_(notice_ids))
                           .group_by(OutboxMessage.notice_id, OutboxMessage.status)).all()
    found: dict[int, dict[str, int]] = {i: {} for i in notice_ids}
    for notice_id, status, count in rows:
        found[notice_id][status] = count
    return found


def _headed(text: str, title: str) -> str:
    return f"【{title}】\n{text}" if title else text


def _by_form_key(session: Session, form_key: str) -> Notice | None:
    return session.scalar(sa.select(Notice).where(Notice.form_key == form_key))


def cancel(session: Session, notice_id: int, *, actor: str, now: datetime) -> int:
    """Stop the copies not yet sent; how many were stopped. Audit-logged."""
    notice = _get(session, notice_id)
    stopped = session.execute(sa.update(OutboxMessage).where(
        OutboxMessage.notice_id == notice_id, OutboxMessage.status == OutboxStatus.PENDING,
    ).values(status=OutboxStatus.CANCELLED, last_error="cancelled by staff")).rowcount
    notice.cancelled_at = now
    audit.record(session, actor=actor, action="notice.cancel", at=now, target=f"notice:{notice_id}",
                 stopped=stopped)
    return stopped


def report(session: Session, notice_id: int, *, now: datetime, shown: int | None = None,
           scope: Callable[[int | None], bool] | None = None) -> NoticeReport:
    """Counts by status and channel, and who has not been reached (with the reason): the first
    `shown` of them by id (all by default), of those `scope` admits (everyone by default). A
    notice not due yet lists whom it will not reach; a stopped one, only copies that failed."""
    notice = _get(session, notice_id)
    copies = sa.select(OutboxMessage.status, sa.func.count()).where(OutboxMessage.notice_id == notice_id)
    by_status = dict(session.execute(copies.group_by(OutboxMessage.status)).all())
    by_channel = dict(session.execute(
        sa.select(sa.func.coalesce(OutboxMessage.channel, "-"), sa.func.count())
        .where(OutboxMessage.notice_id == notice_id, OutboxMessage.status == OutboxStatus.SENT)
        .group_by(OutboxMessage.channel)).all())
    why = _not_reached(session, notice)
    ids = sorted(i for i in why if scope is None or scope(i))
    people = session.scalars(sa.select(Retiree).where(Retiree.id.in_(ids[:shown]))
                             .order_by(Retiree.id)).all()
    scheduled = notice.cancelled_at is None and notice.send_at > now
    return NoticeReport(notice, by_status, by_channel, [(p, why[p.id]) for p in people], len(ids), scheduled)


def _not_reached(session: Session, notice: Notice) -> dict[int, str]:
    """Why each person the notice has not reached was not: by their copies, or left out."""
    # A mini-program user's copy goes to its mailbox, 我的通知, which the app shows: it got there.
    in_app = sa.and_(OutboxMessage.status == OutboxStatus.MAILBOX,
                     OutboxMessage.recipient.in_(sa.select(MiniUser.openid)))
    reached = sa.select(OutboxMessage.retiree_id).where(
        OutboxMessage.notice_id == notice.id, OutboxMessage.retiree_id.is_not(None),
        sa.or_(OutboxMessage.status.in_((OutboxStatus.SENT, OutboxStatus.SHOWN)), in_app))
    rows = session.execute(sa.select(OutboxMessage.retiree_id, OutboxMessage.status).where(
        OutboxMessage.notice_id == notice.id, OutboxMessage.status.in_(NOT_REACHED),
        OutboxMessage.retiree_id.is_not(None), OutboxMessage.retiree_id.not_in(reached))).all()
    why = {r.retiree_id: NOT_REACHED_WHY[r.status] for r in rows}
    if notice.cancelled_at is not None:  # stopped: those it was never for need no call
        return why
    for reason, label in (("not_bound", "未绑定微信"), ("unfollowed", "已取消关注")):
        for retiree_id in notice.skipped.get(reason, []):
            why[retiree_id] = label
    return why


def _get(session: Session, notice_id: int) -> Notice:
    notice = session.get(Notice, notice_id)
    if notice is None:
        raise AudienceError(f"没有编号为 {notice_id} 的通知。")
    return notice
