"""Staff notices (群发通知): one text to everyone, a group or one retiree, delivered by the outbox."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot import audit
from bot.config import Settings
from bot.delivery.audience import AudienceError, Reach, Recipient, resolve
from bot.delivery.queue import queue_reach
from bot.delivery.staff_alerts import staff_openids
from bot.models import Notice, OutboxMessage, OutboxStatus, Retiree

MAX_TEXT = 600  # characters: one customer-service message, readable on a phone
NOT_REACHED = (OutboxStatus.MAILBOX, OutboxStatus.DEAD, OutboxStatus.UNCERTAIN,
               OutboxStatus.CANCELLED)


@dataclass(frozen=True)
class NoticeReport:
    """Where a notice's copies are, and who it has not reached."""

    notice: Notice
    by_status: dict[str, int]
    by_channel: dict[str, int]
    not_reached: list[tuple[Retiree, str]]  # the person and why


def plan(session: Session, settings: Settings, audience: str, preview: bool) -> Reach:
    """Whom a notice would reach (staff only, for a preview)."""
    if not preview:
        return resolve(session, audience)
    staff = staff_openids(session, settings)
    if not staff:
        raise AudienceError("config.toml [staff] openids 还没填，也没有账号关联微信：预览发给谁？")
    return Reach(recipients=[Recipient(None, openid) for openid in staff])


def send(session: Session, settings: Settings, *, text: str, audience: str, actor: str,
         now: datetime, send_at: datetime | None = None, preview: bool = False) -> tuple[Notice, Reach]:
    """Record a notice and queue one copy per account it reaches; audit-logged."""
    text = text.strip()
    if not text:
        raise AudienceError("通知内容是空的。")
    if len(text) > MAX_TEXT:
        raise AudienceError(f"通知太长（{len(text)} 字），请控制在 {MAX_TEXT} 字以内。")
    reach = plan(session, settings, audience, preview)
    notice = Notice(text=text, audience="staff" if preview else audience, preview=preview,
                    created_by=actor, created_at=now, send_at=send_at or now,
                    skipped=reach.skipped())
    session.add(notice)
    session.flush()
    queue_reach(session, reach, key=f"notice:{notice.id}", text=text, title="通知", kind="notice",
                now=now, due_at=notice.send_at, notice_id=notice.id)
    audit.record(session, actor=actor, action="notice.send", at=now, target=f"notice:{notice.id}",
                 audience=notice.audience, accounts=len(reach.recipients), people=reach.people,
                 send_at=notice.send_at.isoformat(), preview=preview)
    return notice, reach


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


def report(session: Session, notice_id: int) -> NoticeReport:
    """Counts by status and channel, and who has not been reached (with the reason)."""
    notice = _get(session, notice_id)
    rows = session.execute(sa.select(OutboxMessage.retiree_id, OutboxMessage.status,
                                     OutboxMessage.channel)
                           .where(OutboxMessage.notice_id == notice_id)).all()
    by_status = Counter(r.status for r in rows)
    by_channel = Counter(r.channel or "-" for r in rows if r.status == OutboxStatus.SENT)
    reached = {r.retiree_id for r in rows if r.status in (OutboxStatus.SENT, OutboxStatus.SHOWN)}
    why: dict[int, str] = {}
    for r in rows:
        if r.retiree_id and r.status in NOT_REACHED and r.retiree_id not in reached:
            why[r.retiree_id] = {"mailbox": "微信暂时发不到，等本人下次发消息",
                                 "dead": "发送失败", "uncertain": "发送中断，未确认",
                                 "cancelled": "已取消"}[r.status]
    for reason, label in (("not_bound", "未绑定微信"), ("unfollowed", "已取消关注")):
        for retiree_id in notice.skipped.get(reason, []):
            why[retiree_id] = label
    people = session.scalars(sa.select(Retiree).where(Retiree.id.in_(why)).order_by(Retiree.id)).all()
    return NoticeReport(notice, dict(by_status), dict(by_channel), [(p, why[p.id]) for p in people])


def _get(session: Session, notice_id: int) -> Notice:
    notice = session.get(Notice, notice_id)
    if notice is None:
        raise AudienceError(f"没有编号为 {notice_id} 的通知。")
    return notice
