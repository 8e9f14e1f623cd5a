"""Staff follow care reports up: list the open ones, record the outcome, confirm a death."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot import audit
from bot.clock import SHANGHAI
from bot.models import CareReport, Retiree
from bot.roster.edit import EditError, record_death

KIND_LABELS = {"death": "去世", "critical": "病危", "hospital": "住院", "fall": "摔倒受伤",
               "emergency": "急症", "missing": "走失", "despair": "轻生念头", "gas": "煤气泄漏"}
# Listed first for staff, before any other report: a death, or a life at risk.
URGENT = ("death", "critical", "emergency", "missing", "despair", "gas")
SUBJECTS = {"self": "本人", "relative": "家属", "unknown": "未说明"}


class CareError(ValueError):
    """The command cannot be carried out; the message says why."""


def open_reports(session: Session) -> list[CareReport]:
    """Reports not closed yet, oldest first."""
    return list(session.scalars(sa.select(CareReport).where(CareReport.closed_at.is_(None))
                                .order_by(CareReport.id)))


def describe(session: Session, report: CareReport) -> str:
    """One line for staff: number, when, what, about whom, who to call."""
    person = session.get(Retiree, report.retiree_id) if report.retiree_id else None
    who = f"{person.name} {person.phone or '无电话'}" if person else "未绑定"
    about = SUBJECTS[report.subject] + (f"（{report.relative}）" if report.relative else "")
    return (f"{report.id}\t{report.created_at.astimezone(SHANGHAI):%Y-%m-%d %H:%M}\t"
            f"{KIND_LABELS.get(report.kind, report.kind)}\t{about}\t{who}\t{report.text}")


def close(session: Session, number: int, outcome: str, *, actor: str, now: datetime,
          retiree_died: date | None = None) -> CareReport:
    """Record what was done; with retiree_died, the retiree on file is recorded as deceased
    (which stops every greeting and push to them). Audit-logged."""
    report = session.get(CareReport, number)
    if report is None:
        raise CareError(f"没有编号为 {number} 的重要情况报告。")
    if report.closed_at is not None:
        raise CareError(f"报告 {number} 已经处理过了（{report.outcome}）。")
    if not outcome.strip():
        raise CareError("请写明处理情况。")
    if retiree_died is not None:
        _record_death(session, report, retiree_died, actor=actor, now=now)
    report.closed_at, report.outcome = now, outcome.strip()
    audit.record(session, actor=actor, action="care.close", at=now, target=f"care:{number}",
                 retiree_died=retiree_died.isoformat() if retiree_died else None)
    return report


def _record_death(session: Session, report: CareReport, died_on: date, *, actor: str, now: datetime) -> None:
    if report.retiree_id is None:
        raise CareError("这份报告没有对应的老同志（报告人没有绑定），无法登记去世日期。")
    try:
        record_death(session, report.retiree_id, died_on, actor=actor, now=now)
    except EditError as exc:
        raise CareError(str(exc)) from exc
    report.death_confirmed_on = died_on
