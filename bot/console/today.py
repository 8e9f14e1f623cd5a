"""今日: the first page after signing in — what needs someone today, each line linked to where
it is handled. An account scoped to a group sees its own people only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app, redirect, url_for
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from bot.activities.roster import counts
from bot.care.reports import KIND_LABELS, SUBJECTS, URGENT, open_reports
from bot.clock import SHANGHAI
from bot.console.web import console, db, now, page, services, staff
from bot.delivery.problems import LABELS, undelivered
from bot.greetings.birthday_visits import open_tasks
from bot.greetings.upcoming import birthdays
from bot.models import Group
from bot.roster.search import people_by_id, within
from bot.study.material import usable
from bot.study.report import GroupCount, count_by_group
from bot.tickets.answers import overdue, unanswered

WEEK = 7
UNDELIVERED_DAYS = 7


@console.get("/")
def home() -> Response:
    """/console/ is 今日."""
    return redirect(url_for("console.today"))


@console.get("/today")
def today() -> tuple[str, int]:
    """The day at a glance."""
    session, moment = db(), now()
    shown = within(session, staff().group_id)
    day = moment.astimezone(SHANGHAI).date()
    hours = services().settings.staff.ticket_overdue_hours
    reports = sorted((r for r in open_reports(session) if shown(r.retiree_id)),
                     key=lambda r: (r.kind not in URGENT, r.created_at))
    tickets = [t for t in unanswered(session) if shown(t.retiree_id)]
    problems = [p for p in undelivered(session, moment - timedelta(days=UNDELIVERED_DAYS))
                if shown(p.message.retiree_id)]
    people = people_by_id(session, [r.retiree_id for r in reports] + [t.retiree_id for t in tickets])
    return page("today.html", day=day, reports=reports, kinds=KIND_LABELS, subjects=SUBJECTS,
                urgent=URGENT, tickets=tickets, overdue=overdue(tickets, moment, hours),
                hours=hours, problems=problems, problem_labels=LABELS, people=people,
                birthdays=[b for b in birthdays(session, day, WEEK) if shown(b.retiree_id)],
                tasks=[(t, p) for t, p in open_tasks(session) if shown(p.id)],
                activities=[c for c in counts(session) if c.activity.starts_at >= moment][::-1],
                study=_study(session, moment, staff().group_id))


def _study(session: Session, moment: datetime, scope: int | None) -> Study | None:
    """This month's read rate per group (the scope's group only), when its material is ready;
    counted at most every STUDY_FRESH seconds in each worker."""
    month = f"{moment.astimezone(SHANGHAI):%Y-%m}"
    counted = current_app.extensions.setdefault("console.study", {})  # this app's, this worker's
    kept = counted.get((month, scope))
    if kept is not None and timedelta(0) <= moment - kept.counted_at < STUDY_FRESH:
        return kept
    material = usable(services().settings.content_dir, month)
    if material is None:
        return None
    lines = count_by_group(session, material, moment)
    if scope is not None:
        lines = [line for line in lines if line.group == session.get(Group, scope).name]
    study = Study(month, lines, moment)
    counted[(month, scope)] = study
    return study


@dataclass(frozen=True)
class Study:
    """A month's read rate per group, as counted at a moment."""

    month: str
    lines: list[GroupCount]
    counted_at: datetime


# Counting 40,000 memberships against the month's readings takes ~150 ms: a number a few
# minutes old is as good to a clerk glancing at the day.
STUDY_FRESH = timedelta(minutes=5)
