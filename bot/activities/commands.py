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
    activity = sub.add_parser("activity", help="activities and sign-ups (参观, 体检, 茶话会 …)")
    actions = activity.add_subparsers(required=True, metavar="ACTION")
    load = actions.add_parser("load", help="create or edit activities from a TOML file (all or nothing)")
    load.add_argument("file", type=Path)
    load.add_argument("--dry-run", action="store_true", help="check and show, save nothing")
    load.add_argument("--announce", action="store_true", help="tell the groups of each new activity")
    load.set_defaults(run=_load)
    actions.add_parser("list", help="every activity with its seats").set_defaults(run=_list)
    for name, run, text in (("announce", _announce, "tell the activity's groups it is open"),
                            ("close", _close, "stop sign-ups (it still takes place)"),
                            ("cancel", _cancel, "cancel it; everyone signed up or waiting is told")):
        one = actions.add_parser(name, help=text)
        one.add_argument("id", type=int)
        one.set_defaults(run=run)
    export = actions.add_parser("roster", help="the sign-up list as .xlsx/.csv (audit-logged)")
    export.add_argument("id", type=int)
    export.add_argument("file", type=Path)
    export.set_defaults(run=_roster)
    attend = actions.add_parser("attend", help="mark who came (retiree 编号 ids)")
    attend.add_argument("id", type=int)
    attend.add_argument("retirees", type=int, nargs="+")
    attend.set_defaults(run=_attend)
    actions.add_parser("stats", help="per activity: signed up, waiting, cancelled, attended"
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
    notify.tell_promoted(session, services.texts, report.promoted, now)
    if report.promoted:
        lines.append(f"名额增加：{len(report.promoted)} 位候补的老同志补上了，会收到通知。")
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
        told = notify.cancel_activity(session, services.texts, activity, now)
        audit.record(session, actor=audit.cli_actor(), action="activity.cancel", at=now,
                     target=f"activity:{activity.id}", told=told)
        return f"活动 {activity.id}「{activity.title}」已取消，将通知 {told} 位报名或候补的老同志。"
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
