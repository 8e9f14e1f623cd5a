"""账号 (administrators only): staff accounts — add one (its one-time password shown once),
change its role or group, disable or enable it, reset its password, give a code that links the
person's WeChat for alerts or unlink it; and 关联微信, where anyone signed in links their own
WeChat by such a code."""

from __future__ import annotations

from collections.abc import Mapping

from flask import abort, redirect, request, url_for
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from bot.console.web import actor, attempt, attempt_or_again, console, db, form_id, now, page, requires, staff
from bot.models import Group, Role
from bot.roster.groups import all_groups
from bot.staff.accounts import (
    LINK_MINUTES,
    StaffError,
    add_account,
    change_role,
    disable,
    enable,
    link_wechat,
    new_link_code,
    reset_password,
    same_login,
)
from bot.staff.accounts import accounts as all_accounts
from bot.staff.roles import Can


@console.get("/accounts")
@requires(Can.MANAGE_ACCOUNTS)
def accounts() -> tuple[str, int]:
    """Every account, with what can be done to it."""
    return _accounts_page()


def _accounts_page(typed: Mapping[str, str] | None = None, problem: str = "",
                   status: int = 200) -> tuple[str, int]:
    """The accounts room; `typed`: a new account as typed, shown again with what stopped it."""
    groups = all_groups(db())
    return page("accounts.html", status, found=all_accounts(db()), groups=groups, typed=typed or {},
                problem=problem, group_names={g.id: g.name for g in groups}, roles=list(Role), moment=now())


@console.post("/accounts")
@requires(Can.MANAGE_ACCOUNTS)
def account_add() -> Response | tuple[str, int]:
    """Add an account; its one-time password is shown once, to pass on in person or by phone.
    Refused, the form comes back as typed."""
    form = request.form

    def add(session: Session) -> str:
        account, password = add_account(session, form.get("username", ""), form.get("role", ""),
                                        display_name=form.get("display_name", ""),
                                        group=_scope(session), actor=actor(), now=now())
        return (f"已新建账号 {account.username}。一次性密码：{password}"
                "（请当面或电话告诉本人，首次登录时要改密码）")
    if again := attempt_or_again(add, StaffError, lambda why: _accounts_page(form, why, 400)):
        return again
    return redirect(url_for("console.accounts"))


def _scope(session: Session) -> str:
    """The group the form chose, as the accounts' rules name it (「党支部:第一支部」); '' for 全部
    (the field left empty). A value naming no group is refused: read as 全部 it would widen a scope."""
    if not request.form.get("group", "").strip():
        return ""
    group = form_id("group")
    chosen = session.get(Group, group) if group else None
    if chosen is None:
        raise StaffError("所选的分组已不存在，请刷新页面后重选。")
    return f"{chosen.kind}:{chosen.name}"


def _is_me(username: str) -> bool:
    """Whether username is the signed-in account's, in whatever capitals it is typed."""
    return same_login(username, staff())


@console.post("/accounts/<username>/role")
@requires(Can.MANAGE_ACCOUNTS)
def account_role(username: str) -> Response:
    """Give an account another role or scope (the rules of a new one; the last administrator stays)."""
    def change(session: Session) -> str:
        if _is_me(username):
            # A slip here takes the accounts page, or the whole office, from the one changing it.
            raise StaffError("不能在这里改自己的角色或能看的人：请另一位管理员来改。")
        changes = change_role(session, username, request.form.get("role", ""),
                              _scope(session), actor=actor(), now=now())
        said = "；".join(f"{title}由「{pair[0]}」改为「{pair[1]}」" for title, pair in changes.items())
        return f"已修改 {username}：{said}。" if changes else f"{username} 的角色和能看的人没有变化。"
    attempt(change, StaffError)
    return redirect(url_for("console.accounts"))


@console.post("/accounts/<username>/<action>")
@requires(Can.MANAGE_ACCOUNTS)
def account_change(username: str, action: str) -> Response:
    """Disable, enable, reset or link one account."""
    if action not in ACTIONS:
        abort(404)

    def change(session: Session) -> str:
        who = {"actor": actor(), "now": now()}
        if action in ("disable", "reset") and _is_me(username):
            # It would end this very session, the new password unseen: the office locked out.
            raise StaffError("不能在这里停用或重设自己的账号：改自己的密码请点右上角的「改密码」。")
        if action == "disable":
            disable(session, username, **who)
        elif action == "enable":
            enable(session, username, **who)
        elif action == "reset":
            password = reset_password(session, username, **who)
            return f"已重设 {username} 的密码并解锁。一次性密码：{password}（请告诉本人，登录后要改）"
        elif action == "link_code":
            return _how_to_link(new_link_code(session, username, **who), f"请{username}本人")
        else:
            link_wechat(session, username, None, **who)
        return f"{ACTIONS[action]}：{username}。"
    attempt(change, StaffError)
    return redirect(url_for("console.accounts"))


ACTIONS = {"disable": "已停用", "enable": "已恢复", "reset": "已重设密码", "link_code": "已生成关联码",
           "unlink": "已取消微信关联"}


@console.get("/wechat")
def my_wechat() -> tuple[str, int]:
    """关联微信: whether one's own WeChat gets staff alerts, and the code to link it."""
    me = staff()
    pending = me.link_code if me.link_code_until is not None and me.link_code_until > now() else None
    alerted = me.role != Role.VIEWER and me.group_id is None  # as StaffAccount.on_duty has it
    return page("wechat.html", code=pending, minutes=LINK_MINUTES, alerted=alerted)


@console.post("/wechat/<action>")
def my_wechat_change(action: str) -> Response:
    """A new code to link one's own WeChat, or unlinking it."""
    if action not in ("link_code", "unlink"):
        abort(404)

    def change(session: Session) -> str:
        if action == "link_code":
            new_link_code(session, staff().username, actor=actor(), now=now())
            return "已生成关联码。"
        link_wechat(session, staff().username, None, actor=actor(), now=now())
        return "已取消关联：提醒不再发到那个微信。"
    attempt(change, StaffError)
    return redirect(url_for("console.my_wechat"))


def _how_to_link(code: str, who: str) -> str:
    """What the holder does with a code."""
    return f"关联码 {code}（{LINK_MINUTES} 分钟内有效）：{who}用自己的微信给公众号发送「关联 {code}」。"
