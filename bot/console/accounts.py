"""账号 (administrators only): staff accounts — add one (its one-time password shown once),
disable or enable it, reset its password, link it to the person's WeChat for alerts."""

from __future__ import annotations

from flask import abort, redirect, request, url_for
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from bot.console.web import actor, attempt, console, db, now, page, requires
from bot.models import Group, Role
from bot.roster.groups import all_groups
from bot.staff.accounts import StaffError, add_account, disable, enable, link_wechat, reset_password
from bot.staff.accounts import accounts as all_accounts
from bot.staff.roles import Can


@console.get("/accounts")
@requires(Can.MANAGE_ACCOUNTS)
def accounts() -> tuple[str, int]:
    """Every account, with what can be done to it."""
    groups = all_groups(db())
    return page("accounts.html", found=all_accounts(db()), groups=groups,
                group_names={g.id: g.name for g in groups}, roles=list(Role), moment=now())


@console.post("/accounts")
@requires(Can.MANAGE_ACCOUNTS)
def account_add() -> Response:
    """Add an account; its one-time password is shown once, to pass on in person or by phone."""
    form = request.form
    group = form.get("group", type=int)

    def add(session: Session) -> str:
        chosen = session.get(Group, group) if group else None
        if group and chosen is None:
            raise StaffError("所选的分组已不存在，请刷新页面后重选。")
        scope = f"{chosen.kind}:{chosen.name}" if chosen else ""
        account, password = add_account(session, form.get("username", ""), form.get("role", ""),
                                        display_name=form.get("display_name", ""), group=scope,
                                        actor=actor(), now=now())
        return (f"已新建账号 {account.username}。一次性密码：{password}"
                "（请当面或电话告诉本人，首次登录时要改密码）")
    attempt(add, StaffError)
    return redirect(url_for("console.accounts"))


@console.post("/accounts/<username>/<action>")
@requires(Can.MANAGE_ACCOUNTS)
def account_change(username: str, action: str) -> Response:
    """Disable, enable, reset or link one account."""
    if action not in ACTIONS:
        abort(404)

    def change(session: Session) -> str:
        who = {"actor": actor(), "now": now()}
        if action == "disable":
            disable(session, username, **who)
        elif action == "enable":
            enable(session, username, **who)
        elif action == "reset":
            password = reset_password(session, username, **who)
            return f"已重设 {username} 的密码并解锁。一次性密码：{password}（请告诉本人，登录后要改）"
        else:
            link_wechat(session, username, request.form.get("openid", ""), **who)
        return f"{ACTIONS[action]}：{username}。"
    attempt(change, StaffError)
    return redirect(url_for("console.accounts"))


ACTIONS = {"disable": "已停用", "enable": "已恢复", "reset": "已重设密码", "link": "已更新微信关联"}
