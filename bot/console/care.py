"""关怀: the open care reports (病危 and 去世 first) with who reported, for whom, their words and a
phone to call back; closing one with what was done and, for a death, the date (which stops
every greeting and push to them); the 上门祝寿 tasks, done with who went; a year's visits and the
overlooked living (alone, in poor health or hardship, and not visited this year); a visit
recorded. The rules are the care feature's; a branch's account sees its own people only."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

import sqlalchemy as sa
from flask import abort, flash, redirect, request, url_for
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from bot.care.detect import CareWords
from bot.care.reports import KIND_LABELS, SUBJECTS, URGENT, CareError, close, may_be_the_retiree, open_reports
from bot.care.visits import KINDS, add_visit, finish_task, summarise
from bot.clock import SHANGHAI
from bot.console.web import (
    actor,
    allowed,
    attempt,
    attempt_or_again,
    console,
    db,
    now,
    page,
    requires,
    saving,
    services,
    staff,
)
from bot.greetings.birthday_visits import open_tasks
from bot.models import CareReport, CareTask, Retiree
from bot.roster.search import named, people_by_id, within
from bot.staff.roles import Can

CLOSED_SHOWN = 20
OVERLOOKED_SHOWN = 200  # the overlooked listed by name; all are counted


@console.get("/care")
def care() -> tuple[str, int]:
    """Reports to handle, tasks to do, and this year's visits with who may need one."""
    return _care_page()


def _care_page(visit: Mapping[str, str] | None = None, problem: str = "",
               status: int = 200) -> tuple[str, int]:
    """The 关怀 room; `visit`: a visit as typed, shown again with the `problem` that stopped it."""
    session, shown = db(), within(db(), staff().group_id)
    reports = [r for r in open_reports(session) if shown(r.retiree_id)]
    reports.sort(key=lambda r: (r.kind not in URGENT, r.created_at))
    closed = [r for r in session.scalars(sa.select(CareReport).where(CareReport.closed_at.is_not(None))
                                         .order_by(CareReport.closed_at.desc()).limit(CLOSED_SHOWN))
              if shown(r.retiree_id)]
    year = request.args.get("year", type=int) or now().year
    year = year if 2000 <= year <= 2100 else now().year  # a year typed wrong: this year
    summary = summarise(session, year, scope=staff().group_id, limit=OVERLOOKED_SHOWN)
    return page("care.html", status, visit=visit or {}, problem=problem,
                reports=reports, closed=closed, urgent=URGENT, kinds=KIND_LABELS,
                subjects=SUBJECTS, people=people_by_id(session, [r.retiree_id for r in reports + closed]),
                tasks=[(t, p) for t, p in open_tasks(session) if shown(p.id)], year=year,
                overlooked=summary.overlooked, overlooked_total=summary.overlooked_total,
                by_kind=summary.by_kind, visited=sum(1 for r in summary.by_retiree if shown(r)),
                visit_kinds=KINDS, now_date=now().astimezone(SHANGHAI).date().isoformat())


@console.route("/care/<int:number>", methods=["GET", "POST"])
def care_report(number: int) -> Response | tuple[str, int]:
    """One report; staff who edit close it here (for a death, with the date)."""
    found = db().get(CareReport, number)
    if found is None or not within(db(), staff().group_id)(found.retiree_id):
        abort(404)
    form, problem = request.form, ""
    if request.method == "POST":
        if not allowed(Can.EDIT):
            abort(403)
        try:
            died = date.fromisoformat(form["died_on"]) if form.get("died") else None
        except ValueError:
            problem = "去世日期请写成 2026-11-20 这样。"
        else:
            try:
                with saving() as session:
                    closed = close(session, services().settings, services().texts, number,
                                   form.get("outcome", ""), actor=actor(), now=now(), words=_words(),
                                   retiree_died=died)
            except CareError as exc:
                problem = str(exc)
            else:
                stopped = f"，已登记去世日期，祝福和推送都已停止。{closed.withdrawn}" if died else "。"
                flash(f"报告 {number} 已处理{stopped}")
                return redirect(url_for("console.care"))
    person = db().get(Retiree, found.retiree_id) if found.retiree_id else None
    # The person a death was told of by name, only to an account that may see them.
    named = found.named if found.named and within(db(), staff().group_id)(found.named.id) else None
    return page("care_report.html", 400 if problem else 200, report=found, person=person, form=form,
                problem=problem, kinds=KIND_LABELS, subjects=SUBJECTS, named=named,
                may_record_death=may_be_the_retiree(db(), found, _words()))


def _words() -> CareWords:
    return CareWords.for_dir(services().settings.content_dir)


@console.post("/care/tasks/<int:number>/done")
@requires(Can.EDIT)
def care_task_done(number: int) -> Response:
    """A 上门祝寿 task done, with who went (recorded as that day's visit)."""
    task = db().get(CareTask, number)
    if task is None or not within(db(), staff().group_id)(task.retiree_id):
        abort(404)
    attempt(lambda session: finish_task(session, number, request.form.get("visitor", ""),
                                        request.form.get("notes"), actor=actor(), now=now()),
            CareError, "已记下这次上门祝寿。")
    return redirect(url_for("console.care"))


@console.post("/care/visits")
@requires(Can.EDIT)
def care_visit() -> Response | tuple[str, int]:
    """Record a visit to one person (by name or 编号); refused, the form comes back as typed."""
    def record(session: Session) -> str:
        people, problems = named(session, request.form.get("person", ""), scope=staff().group_id)
        if problems or len(people) != 1:
            raise CareError(" ".join(problems) or "请写一位老同志的姓名或编号。")
        try:
            visited = date.fromisoformat(request.form.get("visited_on", ""))
        except ValueError as exc:
            raise CareError("慰问日期请写成 2026-11-20 这样。") from exc
        add_visit(session, people[0].id, request.form.get("kind", ""), visited,
                  request.form.get("visitor", ""), request.form.get("notes"), actor=actor(), now=now())
        return f"已记下对{people[0].name}的{request.form.get('kind')}慰问。"
    if again := attempt_or_again(record, CareError, lambda why: _care_page(request.form, why, 400)):
        return again
    return redirect(url_for("console.care"))
