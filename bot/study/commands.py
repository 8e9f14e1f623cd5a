"""`python -m bot study report YYYY-MM [--by DATE] [--visits FILE]`: reach, reading, home visits."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime, time
from pathlib import Path

from bot import audit
from bot.clock import SHANGHAI
from bot.command_support import command_services
from bot.db.engine import transaction
from bot.services import Services
from bot.study.material import MaterialError, load
from bot.study.report import GroupCount, facts, home_visits, write_visits


def add_commands(sub: argparse._SubParsersAction) -> None:
    """Register `study report`."""
    study = sub.add_parser("study", help="每月学习日")
    actions = study.add_subparsers(required=True, metavar="操作")
    report = actions.add_parser("report", help="按分组统计已送达、已学习、未学习的人数，并给出送学上门名单")
    report.add_argument("month", metavar="YYYY-MM", help="哪个月，如 2026-12")
    report.add_argument("--by", metavar="YYYY-MM-DD", help="统计到这一天为止（北京时间），默认到现在")
    report.add_argument("--visits", type=Path, metavar="文件",
                        help="把送学上门名单写入这个 .xlsx 或 .csv 文件")
    report.set_defaults(run=_report)


def _report(args: argparse.Namespace) -> int:
    with command_services(wechat=False) as services:
        try:
            return _write_report(services, args)
        except (MaterialError, ValueError) as exc:
            print(f"看不懂：{exc}", file=sys.stderr)
            return 1


def _write_report(services: Services, args: argparse.Namespace) -> int:
    material = load(services.settings.content_dir, args.month)
    by = _end_of(args.by) if args.by else services.clock.now()
    if material is None:
        print(f"{args.month} 没有学习材料（content/study/{args.month}/article.md）。", file=sys.stderr)
        return 1
    with transaction(services.sessions) as session:
        known = facts(session, material, by)
        _print(material.title, known.counts(), by)
        visits, _ = home_visits(session, known)
        print(f"送学上门：{len(visits)} 人还没学习。")
        if args.visits:
            write_visits(session, visits, args.visits, month=material.month, actor=audit.cli_actor(),
                         now=services.clock.now())
            print(f"名单已写入 {args.visits}")
    return 0


def _print(title: str, lines: list[GroupCount], by: datetime) -> None:
    print(f"《{title}》截至 {by.astimezone(SHANGHAI):%Y-%m-%d %H:%M}")
    print("分组\t人数\t已送达\t已学习\t其中家属代学\t未学习")
    for line in lines:
        print(f"{line.group}\t{line.members}\t{line.reached}\t{line.read}\t{line.by_family}\t{line.not_read}")


def _end_of(day: str) -> datetime:
    """The end of that day in Beijing time."""
    return datetime.combine(datetime.strptime(day, "%Y-%m-%d").date(), time(23, 59, 59), tzinfo=SHANGHAI)
