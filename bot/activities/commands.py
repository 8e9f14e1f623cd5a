"""`python -m bot activity …`: staff create, edit, close, cancel and follow up activities."""

from __future__ import annotations

import argparse
from pathlib import Path

from sqlalchemy.orm import Session

from bot import audit
from bot.activities import catalog, notify, roster
from bot.activities.catalog import CatalogError
from bot.activities.wording import when
from bot.command_support import RollBack, in_transaction
from bot.services import Services


def add_commands(sub: argparse._SubParsersAction) -> None:
    """Register the `activity` commands."""
    activity = sub.add_parser("activity", help="活动和报名（参观、体检、茶话会……）")
    actions = activity.add_subparsers(required=True, metavar="操作")
    load = actions.add_parser("load", help="按 TOML 文件新建或修改活动（有一处不对就全部不保存）")
    load.add_argument("file", type=Path, metavar="文件", help="活动的 TOML 文件")
    load.add_argument("--dry-run", action="store_true", help="只检查并显示结果，什么都不保存")
    load.add_argument("--announce", action="store_true", help="新建的活动同时通知它面向的分组（或全体）")
    load.set_defaults(run=_load)
    actions.add_parser("list", help="列出全部活动和名额").set_defaults(run=_list)
    for name, run, text in (("announce", _announce, "通知活动面向的分组（或全体）：可以报名了"),
                            ("close", _close, "停止报名（活动照常举行）"),
                            ("cancel", _cancel, "取消活动；已报名和候补的老同志都会收到通知")):
        one = actions.add_parser(name, help=text)
        one.add_argument("id", type=int, metavar="活动编号", help="见 activity list 第一列")
        one.set_defaults(run=run)
    export = actions.add_parser("roster", help="把报名名单导出为 .xlsx 或 .csv 文件（记入操作日志）")
    export.add_argument("id", type=int, metavar="活动编号", help="见 activity list 第一列")
    export.add_argument("file", type=Path, metavar="文件", help="写入的文件，.xlsx 或 .csv")
    export.set_defaults(run=_roster)
    attend = actions.add_parser("attend", help="登记到场的人（只能登记报上名的）")
    attend.add_argument("id", type=int, metavar="活动编号", help="见 activity list 第一列")
    attend.add_argument("retirees", type=int, nargs="+", metavar="编号", help="到场老同志的编号，可写多个")
    attend.set_defaults(run=_attend)
    actions.add_parser("stats", help="各活动的报名、候补、取消和到场人数"
                       ).set_defaults(run=_stats)


def _load(args: argparse.Namespace) -> int:
    return in_transaction(lambda services, session: _load_in(services, session, args), (CatalogError,))


def _load_in(services: Services, session: Session, args: argparse.Namespace) -> str:
    now = services.clock.now()
    report = catalog.load_file(session, args.file, now)
    lines = [f"新建 {a.title}（{when(a.starts_at)}，{a.capacity} 个名额）" for a in report.created]
    lines += [f"修改 {a.id} {a.title}" for a in report.updated]
    if args.dry_run:
        raise RollBack("\n".join([*lines, "（试运行，没有保存）"]))
    for activity in report.created if args.announce else []:
        notify.announce(session, services.texts, activity, now)
    unreached = notify.tell_promoted(session, services.settings, services.texts, report.promoted, now)
    if report.promoted:
        lines.append(f"名额增加：{notify.promoted_for_staff(report.promoted, unreached)}")
    for activity in report.moved:
        if said := notify.moved_for_staff(*notify.tell_moved(session, services.settings, services.texts,
                                                            activity, now)):
            lines.append(f"{activity.title}：{said}")
    audit.record(session, actor=audit.cli_actor(), action="activity.load", at=now,
                 target=str(args.file.resolve()), created=[a.id for a in report.created],
                 updated=[a.id for a in report.updated])
    return "\n".join([*lines, f"已保存：新建 {len(report.created)} 个，修改 {len(report.updated)} 个。"])


def _list(args: argparse.Namespace) -> int:
    def show(services: Services, session: Session) -> str:
        lines = [f"{c.activity.id}\t{c.activity.status}\t{when(c.activity.starts_at)}\t{c.activity.title}\t"
                 f"{c.seats}/{c.activity.capacity} 座，候补 {c.waiting}" for c in roster.counts(session)]
        return "\n".join(lines) or "还没有活动。"
    return in_transaction(show, (CatalogError,))


def _announce(args: argparse.Namespace) -> int:
    def announce(services: Services, session: Session) -> str:
        activity = catalog.get(session, args.id)
        queued = notify.announce(session, services.texts, activity, services.clock.now())
        return f"活动 {activity.id}：通知已排队，{queued} 个微信（发过的不会再发）。"
    return in_transaction(announce, (CatalogError,))


def _close(args: argparse.Namespace) -> int:
    def close(services: Services, session: Session) -> str:
        activity = catalog.close(session, args.id, services.clock.now())
        return f"活动 {activity.id}「{activity.title}」已停止报名。"
    return in_transaction(close, (CatalogError,))


def _cancel(args: argparse.Namespace) -> int:
    def cancel(services: Services, session: Session) -> str:
        now = services.clock.now()
        activity = catalog.get(session, args.id)
        told, unreached = notify.cancel_activity(session, services.settings, services.texts, activity, now)
        audit.record(session, actor=audit.cli_actor(), action="activity.cancel", at=now,
                     target=f"activity:{activity.id}", told=told)
        return (f"活动 {activity.id}「{activity.title}」已取消，将通知 {told} 位报名或候补的老同志。"
                + notify.phone_these(unreached))
    return in_transaction(cancel, (CatalogError,))


def _roster(args: argparse.Namespace) -> int:
    def export(services: Services, session: Session) -> str:
        rows = roster.export_roster(session, args.id, args.file, actor=audit.cli_actor(),
                                    now=services.clock.now())
        return f"已写入 {args.file}：{rows} 人。"
    return in_transaction(export, (CatalogError,))


def _attend(args: argparse.Namespace) -> int:
    def attend(services: Services, session: Session) -> str:
        marked = roster.mark_attended(session, args.id, args.retirees)
        return f"活动 {args.id}：记下 {marked} 人到场。"
    return in_transaction(attend, (CatalogError,))


def _stats(args: argparse.Namespace) -> int:
    def stats(services: Services, session: Session) -> str:
        lines = ["编号\t活动\t报上（人/座）\t候补\t取消\t到场"]
        lines += [f"{c.activity.id}\t{c.activity.title}\t{c.confirmed}/{c.seats}\t{c.waiting}\t"
                  f"{c.cancelled}\t{c.attended}" for c in roster.counts(session)]
        return "\n".join(lines)
    return in_transaction(stats, (CatalogError,))
