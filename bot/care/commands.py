"""`python -m bot care …`: care reports, staff tasks (上门祝寿) and visits (慰问记录)."""

from __future__ import annotations

import argparse
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot import audit
from bot.care.reports import CareError, close, describe, open_reports
from bot.care.visits import KINDS, add_visit, finish_task, summarise
from bot.command_support import in_transaction
from bot.greetings.birthday_visits import describe as describe_task
from bot.greetings.birthday_visits import open_tasks
from bot.models import Retiree
from bot.services import Services


def add_commands(sub: argparse._SubParsersAction) -> None:
    """Register the `care` commands: reports, tasks, visits."""
    care = sub.add_parser("care", help="care reports (重要情况报告), staff tasks, visits (慰问记录)")
    actions = care.add_subparsers(required=True, metavar="ACTION")
    report = actions.add_parser("report", help="care reports: hospital stays, danger, deaths")
    reports = report.add_subparsers(required=True, metavar="ACTION")
    reports.add_parser("list", help="the reports not closed yet").set_defaults(run=_list)
    done = reports.add_parser("close", help="record what was done")
    done.add_argument("number", type=int)
    done.add_argument("--outcome", required=True, help="what staff did, e.g. 已电话慰问，周五上门看望")
    done.add_argument("--retiree-died", type=date.fromisoformat,
                      help="the retiree on file has died on this day (YYYY-MM-DD): greetings and pushes stop")
    done.set_defaults(run=_close)
    actions.add_parser("tasks", help="上门祝寿 and other tasks not done yet").set_defaults(run=_tasks)
    task_done = actions.add_parser("task-done", help="mark a task done")
    task_done.add_argument("number", type=int)
    task_done.add_argument("--by", required=True, help="who went (recorded as that day's 生日 visit)")
    task_done.set_defaults(run=_task_done)
    visit = actions.add_parser("visit", help="visits (慰问记录)")
    visit = visit.add_subparsers(required=True, metavar="ACTION").add_parser("add", help="record a visit")
    visit.add_argument("retiree", type=int, help="the retiree's 编号 id")
    visit.add_argument("--type", required=True, choices=KINDS)
    visit.add_argument("--date", type=date.fromisoformat, help="YYYY-MM-DD; default today")
    visit.add_argument("--by", required=True, help="who visited")
    visit.add_argument("--notes")
    visit.set_defaults(run=_visit)
    visits = actions.add_parser("visits", help="a year's visits, and who may need one")
    visits.add_argument("--year", type=int)
    visits.set_defaults(run=_visits)


def _list(args: argparse.Namespace) -> int:
    def show(services: Services, session: Session) -> str:
        reports = open_reports(session)
        return "\n".join([*(describe(session, r) for r in reports), f"{len(reports)} 份报告待处理"])
    return in_transaction(show, (CareError,))


def _close(args: argparse.Namespace) -> int:
    def finish(services: Services, session: Session) -> str:
        report = close(session, args.number, args.outcome, actor=audit.cli_actor(),
                       now=services.clock.now(), retiree_died=args.retiree_died)
        died = "，已登记去世日期" if report.death_confirmed_on else ""
        return f"报告 {report.id} 已处理{died}。"
    return in_transaction(finish, (CareError,))


def _tasks(args: argparse.Namespace) -> int:
    def show(services: Services, session: Session) -> str:
        tasks = open_tasks(session)
        return "\n".join([*(describe_task(t, p) for t, p in tasks), f"{len(tasks)} 项任务待办"])
    return in_transaction(show, (CareError,))


def _task_done(args: argparse.Namespace) -> int:
    def finish(services: Services, session: Session) -> str:
        task = finish_task(session, args.number, args.by, None, actor=audit.cli_actor(),
                           now=services.clock.now())
        return f"任务 {task.id} 已完成，已记下这次上门。"
    return in_transaction(finish, (CareError,))


def _visit(args: argparse.Namespace) -> int:
    def record(services: Services, session: Session) -> str:
        now = services.clock.now()
        visit = add_visit(session, args.retiree, args.type, args.date or now.date(), args.by, args.notes,
                          actor=audit.cli_actor(), now=now)
        return f"已记下 {visit.visited_on} 的{visit.kind}慰问。"
    return in_transaction(record, (CareError,))


def _visits(args: argparse.Namespace) -> int:
    def show(services: Services, session: Session) -> str:
        year = args.year or services.clock.now().year
        summary = summarise(session, year)
        lines = [f"{year} 年慰问：" + "，".join(f"{k} {n} 次" for k, n in summary.by_kind.items())
                 if summary.by_kind else f"{year} 年还没有慰问记录。"]
        names = {p.id: p.name for p in session.scalars(sa.select(Retiree).where(
            Retiree.id.in_(summary.by_retiree)))}
        lines += [f"{names.get(r, r)}：" + "，".join(f"{k} {n}" for k, n in kinds.items())
                  for r, kinds in sorted(summary.by_retiree.items())]
        lines.append(f"今年还没有慰问过、可能需要上门的 {len(summary.overlooked)} 人：")
        lines += [f"{p.id}\t{p.name}\t{why}\t{p.phone or '无电话'}\t{p.address or '无地址'}"
                  for p, why in summary.overlooked]
        return "\n".join(lines)
    return in_transaction(show, (CareError,))
