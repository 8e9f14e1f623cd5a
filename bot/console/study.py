"""学习: the months' material and each month's report — per group (reached, read, read by family,
not read), per person within a group, and the 送学上门 list (address, phone, health, why) as a
page and as Excel, each visit given to a staff member and recorded done. The rules are the
study feature's (report, visits); a branch's account sees its own branch only."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import abort, redirect, request, url_for
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from bot.console import files
from bot.console.web import (
    actor,
    attempt,
    console,
    db,
    now,
    page,
    page_number,
    record_ids,
    requires,
    saving,
    services,
    staff,
)
from bot.models import Group, GroupMember
from bot.roster.search import within
from bot.staff.roles import Can
from bot.study.material import Material, months, usable
from bot.study.report import MonthFacts, facts, group_readings, home_visits, write_visits
from bot.study.visits import VisitError, assign, assigned, record_done, visitors

VISITS_SHOWN = 200  # 送学上门 lines on the page; the Excel file has them all
PEOPLE_SHOWN = 300  # a group's members listed at once, a page at a time


@console.get("/study")
def study() -> tuple[str, int]:
    """The months that have material, newest first."""
    found = [(month, usable(services().settings.content_dir, month))
             for month in months(services().settings.content_dir)]
    return page("study.html", months=found)


@console.get("/study/<month>")
def study_month(month: str) -> tuple[str, int]:
    """A month's report: the groups' counts, a group's people, and whom to visit."""
    material, group = _material(month), _group()
    known = _facts(material)
    counts = [c for c in known.counts() if staff().group_id is None or c.group == group]
    visits, total = home_visits(db(), known, group=group, limit=VISITS_SHOWN)
    number = page_number()
    people, members = (group_readings(db(), known, group, limit=PEOPLE_SHOWN,
                                      offset=(number - 1) * PEOPLE_SHOWN) if group else ([], 0))
    staff_names = visitors(db(), staff().group_id)
    return page("study_month.html", material=material, counts=counts, group=group, visits=visits,
                total=total, shown=VISITS_SHOWN, given=assigned(db(), month, [v.retiree.id for v in visits]),
                people=people, members=members, page_number=number,
                pages=-(-members // PEOPLE_SHOWN), staff_names=staff_names)


@console.post("/study/<month>/visits")
@requires(Can.EDIT)
def study_assign(month: str) -> Response:
    """Give the ticked people's visits to one staff member."""
    material, to = _material(month), request.form.get("to", "")
    ticked = set(record_ids(request.form.getlist("retiree")))
    known = _facts(material)
    visitable = known.wanted(_group()) - known.read  # not read, and within the account's groups

    def give(session: Session) -> str:
        given = assign(session, month, sorted(ticked & visitable), to, actor=actor(), now=now())
        return f"已安排 {given} 位由{to}送学上门。"
    attempt(give, VisitError)
    return redirect(url_for("console.study_month", month=month, group=request.args.get("group") or None))


@console.post("/study/<month>/visits/<int:retiree_id>/done")
@requires(Can.EDIT)
def study_visit_done(month: str, retiree_id: int) -> Response:
    """The material was brought and studied: recorded, with a note."""
    _material(month)
    if not within(db(), staff().group_id)(retiree_id):
        abort(404)

    def done(session: Session) -> str:
        record_done(session, month, retiree_id, request.form.get("notes", ""), actor=actor(), now=now())
        return "已记下送学上门，这位算作已学习。"
    attempt(done, VisitError)
    return redirect(url_for("console.study_month", month=month, group=request.args.get("group") or None))


@console.get("/study/<month>/visits.xlsx")
@requires(Can.EXPORT)
def study_visits_export(month: str) -> Response:
    """The whole 送学上门 list as Excel (audit-logged by the export itself)."""
    material, group = _material(month), _group()

    def write(path: Any) -> None:
        with saving() as session:
            visits, _ = home_visits(session, _facts(material), group=group)
            write_visits(session, visits, path, month=month, actor=actor(), now=now())
    return files.download(f"送学上门-{month}{'-' + group if group else ''}.xlsx", write)


def _facts(material: Material) -> MonthFacts:
    """The month's facts now; for a branch's account, about its own people only (a group of
    another kind may share its name)."""
    known = facts(db(), material, now())
    return known if staff().group_id is None else known.within(
        set(db().scalars(sa.select(GroupMember.retiree_id).where(GroupMember.group_id == staff().group_id))))


def _material(month: str) -> Material:
    found = usable(services().settings.content_dir, month)
    if found is None:
        abort(404)
    return found


def _group() -> str | None:
    """The group asked for; a branch's account always its own."""
    if staff().group_id is not None:
        return db().scalar(sa.select(Group.name).where(Group.id == staff().group_id))
    return request.args.get("group") or None
