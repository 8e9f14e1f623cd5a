"""Staff commands: `python -m bot staff add|list|disable|enable|reset|link …`."""

from __future__ import annotations

import argparse
from collections.abc import Callable

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.audit import cli_actor
from bot.command_support import command_services, in_transaction
from bot.models import ROLE_NAMES, Group
from bot.services import Services
from bot.staff.accounts import (
    StaffError,
    accounts,
    add_account,
    disable,
    enable,
    link_wechat,
    reset_password,
)


def add_commands(sub: argparse._SubParsersAction) -> None:
    """Register the `staff` commands."""
    staff = sub.add_parser("staff", help="控制台的工作人员账号")
    actions = staff.add_subparsers(required=True, metavar="操作")
    add = actions.add_parser("add", help="新建账号，打印一次性密码（首次登录时修改）")
    add.add_argument("username", metavar="登录名", help="登录名")
    add.add_argument("--role", required=True, metavar="角色",
                     help="admin（管理员）、staff（工作人员）或 viewer（查看）")
    add.add_argument("--name", default="", metavar="名字", help="显示的名字，如 王丽（默认同登录名）")
    add.add_argument("--group", default="", metavar="分组",
                     help="只能看这个分组的人（如 第一党支部，或 党支部:第一党支部）")
    add.set_defaults(run=_add)
    actions.add_parser("list", help="列出所有账号").set_defaults(run=_list)
    for name, run, text in (("disable", _disable, "停用账号（已登录的立即失效）"),
                            ("enable", _enable, "恢复停用的账号"),
                            ("reset", _reset, "重设密码并解锁，打印新的一次性密码")):
        action = actions.add_parser(name, help=text)
        action.add_argument("username", metavar="登录名", help="登录名")
        action.set_defaults(run=run)
    link = actions.add_parser("link", help="关联账号本人的微信，重要情况提醒会发给他")
    link.add_argument("username", metavar="登录名", help="登录名")
    link.add_argument("openid", nargs="?", default="", metavar="openid",
                      help="他的微信 openid；不写则取消关联")
    link.set_defaults(run=_link)


def _add(args: argparse.Namespace) -> int:
    def add(services: Services, session: Session) -> str:
        account, password = add_account(session, args.username, args.role, display_name=args.name,
                                         group=args.group, actor=cli_actor(), now=services.clock.now())
        return (f"已新建账号 {account.username}（{ROLE_NAMES[account.role]}）。一次性密码：{password}\n"
                "请当面或电话告诉本人；首次登录时要改成自己的密码。")
    return in_transaction(add, (StaffError,))


def _list(args: argparse.Namespace) -> int:
    with command_services(wechat=False) as services, services.sessions() as session:
        groups = {gid: name for gid, name in session.execute(sa.select(Group.id, Group.name))}
        found = accounts(session)
        for a in found:
            locked = a.locked_until is not None and a.locked_until > services.clock.now()
            state = "已停用" if a.disabled_at else ("已锁定" if locked else "正常")
            print(f"{a.username}\t{a.display_name}\t{ROLE_NAMES[a.role]}\t"
                  f"{groups.get(a.group_id, '全部')}\t{state}\t"
                  f"{'已关联微信' if a.openid else '未关联微信'}")
    print(f"共 {len(found)} 个账号。" if found else "还没有账号：python -m bot staff add 登录名 --role admin")
    return 0


def _change(action: Callable[..., object], args: argparse.Namespace, done: str) -> int:
    def change(services: Services, session: Session) -> str:
        result = action(session, args.username, actor=cli_actor(), now=services.clock.now())
        return done.format(username=args.username, result=result)
    return in_transaction(change, (StaffError,))


def _disable(args: argparse.Namespace) -> int:
    return _change(disable, args, "已停用 {username}。")


def _enable(args: argparse.Namespace) -> int:
    return _change(enable, args, "已恢复 {username}。")


def _reset(args: argparse.Namespace) -> int:
    return _change(reset_password, args, "已重设 {username} 的密码并解锁。一次性密码：{result}")


def _link(args: argparse.Namespace) -> int:
    def link(services: Services, session: Session) -> str:
        link_wechat(session, args.username, args.openid, actor=cli_actor(), now=services.clock.now())
        return f"已关联 {args.username} 的微信。" if args.openid else f"已取消 {args.username} 的微信关联。"
    return in_transaction(link, (StaffError,))
