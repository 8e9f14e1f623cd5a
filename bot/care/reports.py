"""Staff follow care reports up: list the open ones, record the outcome, confirm a death."""

from __future__ import annotations

from datetime import date, datetime
from typing import NamedTuple

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot import audit
from bot.care import deaths
from bot.care.detect import CareWords
from bot.clock import SHANGHAI
from bot.config import Settings
from bot.language.texts import Texts
from bot.models import Binding, CareReport, Retiree
from bot.roster.edit import EditError

KIND_LABELS = {"death": "去世", "critical": "病危", "hospital": "住院", "fall": "摔倒受伤", "serious": "重病",
               "emergency": "急症", "missing": "走失", "despair": "轻生念头", "gas": "煤气泄漏",
               "scam": "被骗", "fire": "火灾", "alone_ill": "独自在家身体不适", "not_eating": "不吃不喝",
               "theft": "被盗"}
# Listed first for staff, before any other report: a death, or a life at risk.
URGENT = ("death", "critical", "emergency", "missing", "despair", "gas", "fire", "scam")
SUBJECTS = {"self": "本人", "relative": "家属", "other": "别人（不是本人和家里人）", "unknown": "未说明"}


class CareError(ValueError):
    """The command cannot be carried out; the message says why."""


class Closed(NamedTuple):
    """A report closed, and what staff read of the sign-ups a death recorded with it cancelled."""

    report: CareReport
    withdrawn: str = ""


def open_reports(session: Session) -> list[CareReport]:
    """Reports not closed yet, oldest first."""
    return list(session.scalars(sa.select(CareReport).where(CareReport.closed_at.is_(None))
                                .order_by(CareReport.id)))


def describe(session: Session, report: CareReport) -> str:
    """One line for staff: number, when, what, about whom, who to call."""
    person = session.get(Retiree, report.retiree_id) if report.retiree_id else None
    who = f"{person.name} {person.phone or '无电话'}" if person else report.claimed or "未绑定"
    about = SUBJECTS[report.subject] + (f"（{report.relative}）" if report.relative else "")
    return (f"{report.id}\t{report.created_at.astimezone(SHANGHAI):%Y-%m-%d %H:%M}\t"
            f"{KIND_LABELS.get(report.kind, report.kind)}\t{about}\t{who}\t{report.text}")


def close(session: Session, settings: Settings, texts: Texts, number: int, outcome: str, *, actor: str,
          now: datetime, words: CareWords, retiree_died: date | None = None) -> Closed:
    """Record what was done; with retiree_died, the retiree on file is recorded as deceased
    (bot.care.deaths: every greeting and push to them stops, their sign-ups to come are
    cancelled). Audit-logged."""
    report = session.get(CareReport, number)
    if report is None:
        raise CareError(f"没有编号为 {number} 的重要情况报告。")
    if report.closed_at is not None:
        raise CareError(f"报告 {number} 已经处理过了（{report.outcome}）。")
    if not outcome.strip():
        raise CareError("请写明处理情况。")
    if retiree_died is not None and not may_be_the_retiree(session, report, words):
        raise CareError("这份报告说的是报告人家里人的事，不是名册上这位老同志本人，不能给他登记去世。"
                        "确实是他本人去世，请到名册他的页面上登记。")
    withdrawn = _record_death(session, settings, texts, report, retiree_died, actor=actor, now=now) \
        if retiree_died is not None else ""
    report.closed_at, report.outcome = now, outcome.strip()
    audit.record(session, actor=actor, action="care.close", at=now, target=f"care:{number}",
                 retiree_died=retiree_died.isoformat() if retiree_died else None)
    return Closed(report, withdrawn)


def may_be_the_retiree(session: Session, report: CareReport, words: CareWords) -> bool:
    """Whether the report may be about the retiree on file: the retiree speaking of themselves,
    or family of 「我爸」 (a father's, not a mother's); not the retiree's news of their 老伴, nor
    family's of themselves."""
    if report.retiree_id is None or report.subject in ("unknown", "other"):
        return report.retiree_id is not None and report.subject == "unknown"
    role = session.scalar(sa.select(Binding.role).where(
        Binding.openid == report.openid, Binding.retiree_id == report.retiree_id).order_by(Binding.id.desc()))
    retiree = session.get(Retiree, report.retiree_id)
    if report.relative and retiree is not None and words.cannot_be(report.relative, retiree.gender):
        return False
    return role is None or (report.subject == "self") == (role == "self")


def _record_death(session: Session, settings: Settings, texts: Texts, report: CareReport, died_on: date, *,
                  actor: str, now: datetime) -> str:
    if report.retiree_id is None:
        raise CareError("这份报告没有对应的老同志（报告人没有绑定），无法登记去世日期。")
    try:
        withdrawn = deaths.record(session, settings, texts, report.retiree_id, died_on, actor=actor, now=now)
    except EditError as exc:
        raise CareError(str(exc)) from exc
    report.death_confirmed_on = died_on
    return withdrawn
