"""`python -m bot care list | close N --outcome … [--retiree-died YYYY-MM-DD]`."""

from __future__ import annotations

import argparse
from datetime import date

from sqlalchemy.orm import Session

from bot import audit
from bot.care.reports import CareError, close, describe, open_reports
from bot.command_support import in_transaction
from bot.services import Services


def add_commands(sub: argparse._SubParsersAction) -> None:
    """Register `care list` and `care close`."""
    care = sub.add_parser("care", help="care reports: hospital stays, danger, deaths (重要情况报告)")
    actions = care.add_subparsers(required=True, metavar="ACTION")
    actions.add_parser("list", help="the reports not closed yet").set_defaults(run=_list)
    done = actions.add_parser("close", help="record what was done")
    done.add_argument("number", type=int)
    done.add_argument("--outcome", required=True, help="what staff did, e.g. 已电话慰问，周五上门看望")
    done.add_argument("--retiree-died", type=date.fromisoformat,
                      help="the retiree on file has died on this day (YYYY-MM-DD): greetings and pushes stop")
    done.set_defaults(run=_close)


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
