"""`python -m bot care …`: care reports, staff tasks (上门祝寿) and visits (慰问记录)."""

from __future__ import annotations

import argparse
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot import audit
from bot.care.detect import CareWords
from bot.care.reports import CareError, close, describe, open_reports
from bot.care.visits import KINDS, add_visit, finish_task, summarise
from bot.command_support import in_transaction
from bot.greetings.birthday_visits import describe as describe_task
from bot.greetings.birthday_visits import open_tasks
from bot.models import Retiree
from bot.services import Services


def add_commands(sub: argparse._SubParsersAction) -> None:
    """Register the `care` commands: reports, tasks, visits."""
    care = sub.add_parser("care", help="关怀：重要情况报告、待办任务（上门祝寿等）、慰问记录")
    actions = care.add_subparsers(required=True, metavar="操作")
    report = actions.add_parser("report", help="重要情况报告：住院、病危、摔倒受伤、去世等")
    reports = report.add_subparsers(required=True, metavar="操作")
    reports.add_parser("list", help="列出还没处理完的报告").set_defaults(run=_list)
    done = reports.add_parser("close", help="登记处理结果，这份报告就算处理完了")
    done.add_argument("number", type=int, metavar="报告编号", help="见 care report list")
    done.add_argument("--outcome", required=True, metavar="结果",
                      help="做了什么，如 已电话慰问，周五上门看望")
    done.add_argument("--retiree-died", type=date.fromisoformat, metavar="YYYY-MM-DD",
                      help="报告所说的老同志已于这一天去世：登记后不再给他发问候和推送")
    done.set_defaults(run=_close)
    actions.add_parser("tasks", help="列出上门祝寿等还没完成的任务").set_defaults(run=_tasks)
    task_done = actions.add_parser("task-done", help="标记任务已完成")
    task_done.add_argument("number", type=int, metavar="任务编号", help="见 care tasks")
    task_done.add_argument("--by", required=True, metavar="姓名",
                           help="谁去的（记为当天的一次生日慰问）")
    task_done.set_defaults(run=_task_done)
    visit = actions.add_parser("visit", help="慰问记录")
    visit = visit.add_subparsers(required=True, metavar="操作").add_parser("add", help="登记一次慰问")
    visit.add_argument("retiree", type=int, metavar="编号", help="老同志的编号")
    visit.add_argument("--type", required=True, choices=KINDS, help="慰问类型")
    visit.add_argument("--date", type=date.fromisoformat, metavar="YYYY-MM-DD", help="慰问日期，默认今天")
    visit.add_argument("--by", required=True, metavar="姓名", help="谁去慰问的")
    visit.add_argument("--notes", metavar="备注", help="备注")
    visit.set_defaults(run=_visit)
    visits = actions.add_parser("visits", help="一年的慰问次数，以及还没慰问过、可能需要上门的人")
    visits.add_argument("--year", type=int, metavar="年份", help="哪一年，默认今年")
    visits.set_defaults(run=_visits)


def _list(args: argparse.Namespace) -> int:
    def show(services: Services, session: Session) -> str:
        reports = open_reports(session)
        return "\n".join([*(describe(session, r) for r in reports), f"{len(reports)} 份报告待处理"])
    return in_transaction(show, (CareError,))


def _close(args: argparse.Namespace) -> int:
    def finish(services: Services, session: Session) -> str:
        report, withdrawn = close(session, services.settings, services.texts, args.number, args.outcome,
                                  actor=audit.cli_actor(), now=services.clock.now(),
                                  words=CareWords.for_dir(services.settings.content_dir),
                                  retiree_died=args.retiree_died)
        died = "，已登记去世日期" if report.death_confirmed_on else ""
        return f"报告 {report.id} 已处理{died}。{withdrawn}"
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
