"""Staff commands: `python -m bot roster import|export …` and `python -m bot groups add|list`."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.audit import cli_actor
from bot.command_support import command_services, in_transaction
from bot.config import Settings
from bot.language.texts import Texts
from bot.models import GROUP_KINDS, Retiree
from bot.roster.export import export_file
from bot.roster.groups import GroupError, create_group, groups_by_kind
from bot.roster.importer import AfterDeaths, ImportPlan, cleared_text, import_file, new_line
from bot.roster.privacy import ForgetError, forget
from bot.roster.tags import sync_tags
from bot.services import Services

MAX_PROBLEMS_SHOWN = 200
LISTED = 30  # people named in a summary; the rest are counted
DeathsFor = Callable[[Settings, Texts], AfterDeaths]  # bot.care.deaths.after_import, given by bot.cli


def add_commands(sub: argparse._SubParsersAction, after_deaths: DeathsFor) -> None:
    """Register the roster and groups commands on the main parser; an import passes the deaths
    its file records to what after_deaths makes (sign-ups are beyond the roster's reach)."""
    roster = sub.add_parser("roster", help="名册：导入或导出离退休干部名册")
    actions = roster.add_subparsers(required=True, metavar="操作")
    imp = actions.add_parser("import", help="导入 .xlsx 或 .csv 名册（有一处不对就全部不导入）")
    imp.add_argument("file", type=Path, metavar="文件", help="名册文件，.xlsx 或 .csv")
    imp.add_argument("--dry-run", action="store_true", help="只报告会有哪些变化，不改动任何数据")
    imp.set_defaults(run=run_import, after_deaths=after_deaths)
    exp = actions.add_parser("export", help="把名册导出为 .xlsx 或 .csv 文件（记入操作日志）")
    exp.add_argument("file", type=Path, metavar="文件", help="写入的文件，.xlsx 或 .csv")
    exp.set_defaults(run=run_export)
    actions.add_parser("columns", help="列出导入时认得的列名，以及每列还可以怎么写"
                       ).set_defaults(run=run_columns)
    forget = actions.add_parser("forget", help="应本人要求匿名化一位老同志（清除个人信息，统计人数不变）")
    who = forget.add_mutually_exclusive_group(required=True)
    who.add_argument("number", nargs="?", metavar="编号", help="名册里的编号")
    who.add_argument("--id", type=int, metavar="内部编号",
                     help="没有名册编号的人：工作台人员页地址里的数字，和别的命令用的一样")
    forget.add_argument("--yes", action="store_true", help="确认执行（不能撤销）；不加只显示是谁")
    forget.set_defaults(run=run_forget)

    groups = sub.add_parser("groups", help="分组：党支部、老年大学班级、居住片区等")
    gactions = groups.add_subparsers(required=True, metavar="操作")
    add = gactions.add_parser("add", help=f"新建分组；类型为 {'、'.join(GROUP_KINDS)} 之一")
    add.add_argument("kind", metavar="类型", help="、".join(GROUP_KINDS))
    add.add_argument("name", metavar="名称", help="分组名称，如 第一党支部")
    add.set_defaults(run=run_group_add)
    gactions.add_parser("list", help="列出所有分组和各组人数").set_defaults(
        run=run_group_list)
    gactions.add_parser("sync", help="为各分组建微信标签，并给组里的人打上标签"
                        ).set_defaults(run=run_group_sync)


def run_import(args: argparse.Namespace) -> int:
    """Import a roster file, printing the per-row report; exit 1 when nothing was imported."""
    with command_services() as services, services.sessions() as session:
        plan = import_file(session, args.file, actor=cli_actor(), now=services.clock.now(),
                           after_deaths=args.after_deaths(services.settings, services.texts))
        if plan.ok and not args.dry_run:
            session.commit()  # otherwise closing the session undoes it all
    print(report(plan, args.file.name, dry_run=args.dry_run))
    return 0 if plan.ok else 1


def report(plan: ImportPlan, name: str, *, dry_run: bool) -> str:
    """The staff-facing summary of an import (or of why nothing was imported)."""
    if not plan.ok:
        lines = [f"{name}：发现 {len(plan.problems)} 处问题，没有导入任何数据。请改正后重新导入："]
        lines += [f"  {p}" for p in plan.problems[:MAX_PROBLEMS_SHOWN]]
        if len(plan.problems) > MAX_PROBLEMS_SHOWN:
            lines.append(f"  ……另有 {len(plan.problems) - MAX_PROBLEMS_SHOWN} 处未列出")
        if any(p.column in GROUP_KINDS for p in plan.problems):
            lines.append("新设的分组先建好：python -m bot groups add 类型 名称（或在工作台「分组」里添加）")
        return "\n".join(lines)
    verb = "将会" if dry_run else "已"
    lines = [f"{name}：共 {plan.rows} 行，{verb}新增 {len(plan.creates)} 人，"
             f"{verb}更新 {plan.updated} 人，{plan.unchanged} 人没有变化。"
             + ("（试运行：没有改动任何数据）" if dry_run else "")]
    if plan.ignored:
        lines.append(f"这几列不认识，没有导入：{'、'.join(plan.ignored)}")
    if plan.cleared:
        lines.append(f"注意：空着的格子{'会' if dry_run else '已'}清空原有内容：{cleared_text(plan)}。")
    lines += [f"新增：{new_line(record)}" for record in plan.creates[:LISTED]]
    if len(plan.creates) > LISTED:
        lines.append(f"……另有 {len(plan.creates) - LISTED} 人新增")
    lines += [f"更新：{change}" for change in plan.changes[:LISTED]]
    if len(plan.changes) > LISTED:
        lines.append(f"……另有 {len(plan.changes) - LISTED} 人更新")
    lines += [f"去世{'（导入后会这样）' if dry_run else ''}：{line}" for line in plan.after_deaths]
    return "\n".join(lines)


def run_export(args: argparse.Namespace) -> int:
    """Write the roster to a file (audit-logged)."""
    with command_services() as services:
        count = export_file(services.sessions, args.file, actor=cli_actor(), now=services.clock.now())
    print(f"已导出 {count} 人到 {args.file}。文件含个人信息，请妥善保管。")
    return 0


def run_columns(args: argparse.Namespace) -> int:
    """Print every roster column import reads: its header, the variants accepted, required."""
    from bot.roster.fields import COLUMNS

    for column in COLUMNS:
        mark = "（必填）" if column.required else ""
        variants = "、".join(column.aliases) or "—"
        print(f"{column.title}{mark}：也可写作 {variants}")
    print("日期可写 1938-05-06、1938/5/6、1938.5.6、1938年5月6日、1938年5月、1938.5、1938；"
          "是否类写 是/否。党支部、老年大学班级、居住片区须先用 groups add 建好，多个用“、”隔开。")
    return 0


def _change(action: Callable[[Session, datetime], object], done: str) -> int:
    """Run one staff change in a transaction: print done, or the reason it was refused (exit 1)."""
    def change(services: Services, session: Session) -> str:
        action(session, services.clock.now())
        return done
    return in_transaction(change, (ForgetError, GroupError))


def run_forget(args: argparse.Namespace) -> int:
    """Anonymise one retiree by 编号, or by the internal id every other command takes (one imported
    without a 编号 has only that); audit-logged; without --yes, only say who it would be."""
    with command_services() as services, services.sessions() as session:
        if args.id is not None:
            person, asked = session.get(Retiree, args.id), f"内部编号为 {args.id}"
        else:
            person, asked = session.scalar(sa.select(Retiree).where(Retiree.number == args.number)), \
                f"编号为 {args.number}"
        if person is None:
            print(f"名册里没有{asked}的人。")
            return 1
        number = f"编号 {person.number}" if person.number else f"内部编号 {person.id}"
        who = f"{person.name}（{number}，{person.birth_date.year} 年出生）"
        person_id = person.id
    if not args.yes:
        print(f"将匿名化：{who}。此操作不能撤销。确认无误请加 --yes 再运行一次。")
        return 1
    return _change(lambda session, now: forget(session, person_id, actor=cli_actor(), now=now),
                   f"已匿名化：{who}。姓名、电话、住址、联系人等已清除，统计人数不变。")


def run_group_add(args: argparse.Namespace) -> int:
    """Create one group."""
    def add(session: Session, now: datetime) -> object:
        return create_group(session, args.kind, args.name, actor=cli_actor(), now=now)
    return _change(add, f"已添加{args.kind}“{args.name}”。")


def run_group_list(args: argparse.Namespace) -> int:
    """Print every group by kind, with its member count."""
    with command_services() as services, services.sessions() as session:
        for kind, groups in groups_by_kind(session).items():
            names = "、".join(f"{n}（{len(g.members)} 人）" for n, g in groups.items()) or "（无）"
            print(f"{kind}：{names}")
    return 0


def run_group_sync(args: argparse.Namespace) -> int:
    """Sync groups to WeChat user tags; exit 1 when any group could not be synced."""
    with command_services() as services:
        report = sync_tags(services, actor=cli_actor())
    created = "、".join(report.created) or "无"
    print(f"新建标签：{created}；打上标签 {report.tagged} 人次，取消 {report.untagged} 人次"
          f"（调用微信接口 {report.calls} 次）。")
    for problem in report.problems:
        print(problem)
    return 1 if report.problems else 0
