"""A death staff record, from a care report, the person's page or a roster import: the roster's
date (greetings, pushes and visits stop) and the sign-ups still to come cancelled, the waitlist
moved up and told. One place, so the console and the command line do the same."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.orm import Session

from bot.activities.notify import withdraw_on_death
from bot.config import Settings
from bot.language.texts import Texts
from bot.models import Retiree
from bot.roster.edit import record_death
from bot.roster.importer import AfterDeaths


def record(session: Session, settings: Settings, texts: Texts, retiree_id: int, died_on: date, *,
           actor: str, now: datetime) -> str:
    """Record the death and cancel the person's sign-ups to come; what staff read of those ("" for
    none). EditError when the date will not do. Audit-logged."""
    record_death(session, retiree_id, died_on, actor=actor, now=now)
    return withdraw_on_death(session, settings, texts, retiree_id, now, actor=actor)


def after_import(settings: Settings, texts: Texts) -> AfterDeaths:
    """What a roster import calls for the deaths its file recorded: each person's sign-ups to
    come cancelled as record() does; staff read one line for each person who had any."""
    def withdraw(session: Session, retiree_ids: list[int], actor: str, now: datetime) -> list[str]:
        lines = []
        for rid in retiree_ids:
            if said := withdraw_on_death(session, settings, texts, rid, now, actor=actor):
                lines.append(f"{session.get(Retiree, rid).name}：{said}")
        return lines
    return withdraw
