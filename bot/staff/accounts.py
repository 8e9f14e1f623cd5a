"""Staff accounts: add, list, disable, reset, link to WeChat, sign in and change a password.

Every change is audit-logged. A sign-in's outcome (a failure counted, a lockout, a success) is
the caller's to commit whatever it says: the count of wrong passwords lives in the database, so
several web workers keep one count.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from bot import audit
from bot.config import ConsoleSettings
from bot.db.engine import transaction
from bot.models import ROLE_NAMES, Group, Role, StaffAccount
from bot.staff.passwords import hash_password, matches, one_time_password, weakness

USERNAME_LENGTH = 40
LINK_CODE_LIFE = timedelta(minutes=15)
LINK_MINUTES = int(LINK_CODE_LIFE.total_seconds() // 60)  # as clerks read it


class StaffError(ValueError):
    """An account change that cannot be made as asked; the message says why, in Chinese."""


@dataclass(frozen=True)
class SignIn:
    """A sign-in's outcome: the account, or the sentence to show instead."""

    account: StaffAccount | None
    refusal: str = ""


def add_account(session: Session, username: str, role: str, *, actor: str, now: datetime,
                display_name: str = "", group: str = "") -> tuple[StaffAccount, str]:
    """A new account with a one-time password (changed at the first sign-in); both returned."""
    username = username.strip()
    if not username or len(username) > USERNAME_LENGTH or any(c.isspace() for c in username):
        raise StaffError(f"登录名不能为空、不能有空格，最多 {USERNAME_LENGTH} 个字。")
    if session.scalar(sa.select(StaffAccount.id).where(_called(username))):
        raise StaffError(f"登录名“{username}”已经有人用了。")
    password = one_time_password()
    new_role, new_group = _role_and_scope(session, role, group)
    account = StaffAccount(username=username, display_name=display_name.strip() or username,
                           role=new_role, group_id=new_group,
                           password_hash=hash_password(password), must_change_password=True,
                           session_epoch=0, failed_sign_ins=0, created_at=now)
    session.add(account)
    session.flush()
    audit.record(session, actor=actor, action="staff.add", at=now, target=f"staff:{username}",
                 role=account.role, group=group or None)
    return account, password


def change_role(session: Session, username: str, role: str, group: str, *, actor: str,
                now: datetime) -> dict[str, list[str]]:
    """Give an account another role or group scope, by the rules a new account is made with;
    the last administrator keeps the role. What changed, before and after in words (audit-logged;
    empty when nothing did)."""
    account = find_account(session, username)
    new_role, new_group = _role_and_scope(session, role, group)
    if (account.role == Role.ADMIN and new_role != Role.ADMIN and account.disabled_at is None
            and _other_admins(session, account) == 0):
        raise StaffError("这是最后一个管理员账号，改成别的角色就没人能管理账号了。请先添加另一个管理员。")
    changes = {title: [before, after] for title, before, after in (
        ("角色", ROLE_NAMES[Role(account.role)], ROLE_NAMES[new_role]),
        ("能看的人", _scope_words(session, account.group_id), _scope_words(session, new_group)))
        if before != after}
    account.role, account.group_id = new_role, new_group
    if changes:
        audit.record(session, actor=actor, action="staff.role", at=now, target=f"staff:{account.username}",
                     changes=changes)
    return changes


def _scope_words(session: Session, group_id: int | None) -> str:
    """An account's scope as the accounts page says it: 「全部」 or 「只看 党支部：第一支部」."""
    chosen = session.get(Group, group_id) if group_id is not None else None
    return f"只看 {chosen.kind}：{chosen.name}" if chosen else "全部"


def _called(username: str) -> sa.ColumnElement[bool]:
    """The account of this login name, in capitals or not: a phone capitalises 「Zhibu1」 by
    itself, and 「ZHIBU1」 beside 「zhibu1」 would be two accounts nobody could tell apart."""
    return sa.func.lower(StaffAccount.username) == _login(username)


def same_login(typed: str, account: StaffAccount) -> bool:
    """Whether a login name as typed is this account's, by the rule _called finds accounts by."""
    return _login(typed) == account.username.lower()


def _login(username: str) -> str:
    """A login name as accounts are told apart by: without spaces around, in small letters."""
    return username.strip().lower()


def _exact_first(username: str) -> tuple[sa.ColumnElement[int], ...]:
    """The account spelt exactly so before one differing only in capitals (two such made before
    names were one in any capitals: each still signs in as spelt)."""
    return (sa.case((StaffAccount.username == username.strip(), 0), else_=1), StaffAccount.id)


def accounts(session: Session) -> list[StaffAccount]:
    """Every account, enabled first, by name."""
    return list(session.scalars(sa.select(StaffAccount).order_by(
        StaffAccount.disabled_at.is_not(None), StaffAccount.username)))


def find_account(session: Session, username: str) -> StaffAccount:
    """The account signing in as username; StaffError when there is none."""
    account = session.scalar(sa.select(StaffAccount).where(_called(username))
                             .order_by(*_exact_first(username)))
    if account is None:
        raise StaffError(f"没有登录名为“{username}”的账号。")
    return account


def disable(session: Session, username: str, *, actor: str, now: datetime) -> StaffAccount:
    """Stop an account signing in; its open sessions end at once. The last administrator stays."""
    account = find_account(session, username)
    if account.disabled_at is not None:
        raise StaffError(f"“{username}”已经停用了。")
    if account.role == Role.ADMIN and _other_admins(session, account) == 0:
        raise StaffError("这是最后一个管理员账号，停用了就没人能管理账号了。请先添加另一个管理员。")
    account.disabled_at = now
    account.session_epoch += 1
    audit.record(session, actor=actor, action="staff.disable", at=now, target=f"staff:{username}")
    return account


def enable(session: Session, username: str, *, actor: str, now: datetime) -> StaffAccount:
    """Let a disabled account sign in again."""
    account = find_account(session, username)
    if account.disabled_at is None:
        raise StaffError(f"“{username}”没有停用。")
    account.disabled_at = None
    audit.record(session, actor=actor, action="staff.enable", at=now, target=f"staff:{username}")
    return account


def reset_password(session: Session, username: str, *, actor: str, now: datetime) -> str:
    """A new one-time password (which also unlocks the account); its sessions end."""
    account = find_account(session, username)
    password = one_time_password()
    account.password_hash = hash_password(password)
    account.must_change_password = True
    account.failed_sign_ins, account.locked_until = 0, None
    account.session_epoch += 1
    audit.record(session, actor=actor, action="staff.reset", at=now, target=f"staff:{username}")
    return password


def new_link_code(session: Session, username: str, *, actor: str, now: datetime) -> str:
    """A code for the account's holder to send from their own WeChat (「关联 12345678」), which
    links that WeChat: nobody has to find an openid. Valid LINK_CODE_LIFE; a new one replaces it."""
    account = find_account(session, username)
    if account.disabled_at is not None:
        raise StaffError(f"账号“{username}”已停用，不能关联微信。")
    while True:  # eight digits: one in a hundred million to guess within its quarter of an hour
        code = f"{secrets.randbelow(10 ** 8):08d}"
        if session.scalar(sa.select(StaffAccount.id).where(StaffAccount.link_code == code)) is None:
            break
    account.link_code, account.link_code_until = code, now + LINK_CODE_LIFE
    audit.record(session, actor=actor, action="staff.link_code", at=now, target=f"staff:{username}")
    return code


def link_by_code(session: Session, code: str, openid: str, *, now: datetime) -> StaffAccount:
    """Link the WeChat that sent a valid code to the code's account (audit-logged as its holder)."""
    account = session.scalar(sa.select(StaffAccount).where(
        StaffAccount.link_code == code, StaffAccount.link_code_until > now,
        StaffAccount.disabled_at.is_(None)))
    if account is None:
        raise StaffError(f"关联码不对，或者已经过期（生成后 {LINK_MINUTES} 分钟内有效）。"
                         "请在工作台「关联微信」里重新生成。")
    account.link_code = account.link_code_until = None
    return link_wechat(session, account.username, openid, actor=f"console:{account.username}", now=now)


def link_wechat(session: Session, username: str, openid: str | None, *, actor: str,
                now: datetime) -> StaffAccount:
    """Link an account to its WeChat openid (None unlinks): staff alerts then reach it."""
    account = find_account(session, username)
    openid = (openid or "").strip() or None
    if openid is not None:
        owner = session.scalar(sa.select(StaffAccount.username).where(StaffAccount.openid == openid,
                                                                      StaffAccount.id != account.id))
        if owner is not None:
            raise StaffError(f"这个微信已经关联了账号“{owner}”。")
    account.openid = openid
    audit.record(session, actor=actor, action="staff.link", at=now, target=f"staff:{username}",
                 linked=openid is not None)
    return account


def sign_in(sessions: sessionmaker[Session], username: str, password: str, *, now: datetime,
            rules: ConsoleSettings) -> SignIn:
    """Check a password; count a wrong one and lock the account after rules.lockout_after.

    The check (argon2: tens of ms and 64 MiB) runs between two short transactions, never inside
    one: on SQLite a transaction holds the database's lock, which the chat waits for. Each wrong
    try is counted by the database itself, so tries on several workers at once all count."""
    with sessions() as session:
        known = session.execute(sa.select(StaffAccount.id, StaffAccount.password_hash)
                                .where(_called(username)).order_by(*_exact_first(username))).first()
    right = matches(known.password_hash if known else None, password) and known is not None
    with transaction(sessions) as session:
        account = session.get(StaffAccount, known.id) if known else None
        if account is not None and account.locked_until is not None and account.locked_until > now:
            minutes = max(1, round((account.locked_until - now).total_seconds() / 60))
            return SignIn(None, f"密码错误次数太多，账号已暂时锁定。请 {minutes} 分钟后再试，"
                                "或请管理员重设密码。")
        if account is None or not right:
            if account is not None:
                _count_failure(session, account, now, rules)
            return SignIn(None, "登录名或密码不对，请再试一次。")
        if account.disabled_at is not None:
            return SignIn(None, "这个账号已停用。如有疑问请找管理员。")
        account.failed_sign_ins, account.locked_until = 0, None
        account.last_sign_in_at = now
        return SignIn(account)


def change_password(session: Session, account: StaffAccount, old: str, new: str, *,
                    now: datetime) -> None:
    """Replace the password after checking the old one; other sessions of the account end."""
    if not matches(account.password_hash, old):
        raise StaffError("原密码不对。")
    if (why := weakness(new, account.username)) is not None:
        raise StaffError(why)
    if matches(account.password_hash, new):
        raise StaffError("新密码不能和原密码一样。")
    account.password_hash = hash_password(new)
    account.must_change_password = False
    account.session_epoch += 1
    audit.record(session, actor=f"console:{account.username}", action="staff.password", at=now,
                 target=f"staff:{account.username}")


def _count_failure(session: Session, account: StaffAccount, now: datetime, rules: ConsoleSettings) -> None:
    table = StaffAccount.__table__
    failed = session.execute(sa.update(table).where(table.c.id == account.id)
                             .values(failed_sign_ins=table.c.failed_sign_ins + 1)
                             .returning(table.c.failed_sign_ins)).scalar_one()
    if failed >= rules.lockout_after:
        until = now + timedelta(minutes=rules.lockout_minutes)
        session.execute(sa.update(table).where(table.c.id == account.id)
                        .values(locked_until=until, failed_sign_ins=0))


def _role(role: str) -> Role:
    by_name = {**{r.value: r for r in Role}, **{name: r for r, name in ROLE_NAMES.items()}}
    if role not in by_name:
        raise StaffError(f"不认识的角色“{role}”：可选 admin（管理员）、staff（工作人员）、viewer（查看）。")
    return by_name[role]


def _role_and_scope(session: Session, role: str, group: str) -> tuple[Role, int | None]:
    """The role and group scope asked for; an administrator's scope is the whole office
    (bot.staff.roles.OFFICE_WIDE_ONLY: one scoped to a group could manage no account)."""
    new_role, new_group = _role(role), _group_id(session, group)
    if new_role == Role.ADMIN and new_group is not None:
        raise StaffError("管理员管所有账号，能看的人只能是「全部」；"
                         "只管一个分组的，请选「工作人员」或「查看」。")
    return new_role, new_group


def _group_id(session: Session, name: str) -> int | None:
    """The group an account is scoped to, by name (「党支部:第一支部」 when two kinds share it)."""
    if not name.strip():
        return None
    kind, _, plain = name.strip().rpartition(":")
    query = sa.select(Group.id).where(Group.name == plain)
    found = session.scalars(query.where(Group.kind == kind) if kind else query).all()
    if len(found) != 1:
        raise StaffError(f"没有叫“{plain}”的分组。" if not found
                         else f"有 {len(found)} 个叫“{plain}”的分组，请写成「类型:名称」，"
                              f"如「党支部:{plain}」。")
    return found[0]


def _other_admins(session: Session, account: StaffAccount) -> int:
    """Administrators besides account who can manage accounts: enabled and over the whole office
    (bot.staff.roles.OFFICE_WIDE_ONLY; one scoped to a group before that rule manages none)."""
    return session.scalar(sa.select(sa.func.count()).select_from(StaffAccount).where(
        StaffAccount.role == Role.ADMIN, StaffAccount.disabled_at.is_(None), StaffAccount.group_id.is_(None),
        StaffAccount.id != account.id)) or 0
