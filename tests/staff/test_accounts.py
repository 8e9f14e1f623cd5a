"""Staff accounts: one-time passwords, the lockout kept in the database, roles, scope, WeChat links."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from bot.clock import FixedClock
from bot.config import ConsoleSettings
from bot.db.engine import transaction
from bot.delivery.staff_alerts import alert_staff, staff_openids
from bot.models import AuditEntry, Group, OutboxMessage, Role, StaffAccount
from bot.services import Services
from bot.staff.accounts import (
    StaffError,
    add_account,
    change_password,
    disable,
    link_wechat,
    reset_password,
    sign_in,
)
from tests.office_fixtures import Branch

RULES = ConsoleSettings(lockout_after=3, lockout_minutes=15)


def add(services: Services, username: str = "wangli", role: str = "staff", **options: str) -> str:
    with transaction(services.sessions) as session:
        _, password = add_account(session, username, role, actor="cli:test", now=services.clock.now(),
                                  **options)
    return password


def attempt(services: Services, username: str, password: str) -> str:
    """Sign in; the refusal ('' when it worked), committed as the console commits it."""
    return sign_in(services.sessions, username, password, now=services.clock.now(), rules=RULES).refusal


def test_a_new_account_signs_in_once_with_its_one_time_password_then_must_choose_its_own(
        services: Services) -> None:
    password = add(services, display_name="王丽")
    assert len(password) == 14 and password.count("-") == 2
    signed_in = sign_in(services.sessions, "wangli", password, now=services.clock.now(), rules=RULES)
    with transaction(services.sessions) as session:
        account = session.merge(signed_in.account)
        assert account is not None and account.must_change_password and account.display_name == "王丽"
        with pytest.raises(StaffError, match="至少 8 位"):
            change_password(session, account, password, "short", now=services.clock.now())
        with pytest.raises(StaffError, match="原密码不对"):
            change_password(session, account, "wrong-old", "a-long-passphrase", now=services.clock.now())
        change_password(session, account, password, "a-long-passphrase", now=services.clock.now())
    assert attempt(services, "wangli", password) == "登录名或密码不对，请再试一次。"
    assert attempt(services, "wangli", "a-long-passphrase") == ""
    with services.sessions() as session:
        assert [e.action for e in session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id))] == [
            "staff.add", "staff.password"]


def test_a_login_name_is_one_in_capitals_or_not_and_guessable_passwords_are_refused(
        services: Services) -> None:
    """A phone writes 「Wangli」 by itself, which had been 「no such account」; 「WANGLI」 could be
    made beside wangli, with another role. 「12345678」 had been taken as a password."""
    password = add(services)
    with transaction(services.sessions) as session, pytest.raises(StaffError, match="已经有人用了"):
        add_account(session, "WANGLI", "admin", actor="cli:test", now=services.clock.now())
    assert attempt(services, "Wangli", password) == ""
    signed_in = sign_in(services.sessions, " WangLi ", password, now=services.clock.now(), rules=RULES)
    with transaction(services.sessions) as session:
        account = session.merge(signed_in.account)
        for guessable in ("12345678", "87654321", "abcdefgh", "Password", "qwerty123"):
            with pytest.raises(StaffError, match="太容易猜到"):
                change_password(session, account, password, guessable, now=services.clock.now())
        change_password(session, account, password, "早上好2026年", now=services.clock.now())
    # Two made before names were one in any capitals: each still signs in as spelt.
    other = add(services, "wangli-2")
    with transaction(services.sessions) as session:
        session.execute(sa.update(StaffAccount).where(StaffAccount.username == "wangli-2")
                        .values(username="WangLi"))
    assert attempt(services, "WangLi", other) == "" and attempt(services, "wangli", "早上好2026年") == ""


def test_wrong_passwords_lock_the_account_for_a_while_even_against_the_right_one(
        services: Services, clock: FixedClock) -> None:
    password = add(services)
    for _ in range(3):
        assert "不对" in attempt(services, "wangli", "guess")
    refusal = attempt(services, "wangli", password)
    assert "已暂时锁定" in refusal and "15 分钟" in refusal
    clock.advance(minutes=16)
    assert attempt(services, "wangli", password) == ""


def test_a_reset_unlocks_gives_a_new_one_time_password_and_ends_sessions(services: Services) -> None:
    add(services)
    for _ in range(3):
        attempt(services, "wangli", "guess")
    with transaction(services.sessions) as session:
        fresh = reset_password(session, "wangli", actor="cli:admin", now=services.clock.now())
    assert attempt(services, "wangli", fresh) == ""
    with services.sessions() as session:
        account = session.scalar(sa.select(StaffAccount))
        assert account.session_epoch == 1 and account.must_change_password


def test_an_unknown_name_and_a_wrong_password_get_the_same_answer(services: Services) -> None:
    add(services)
    assert attempt(services, "nobody", "guess") == attempt(services, "wangli", "guess")


def test_a_disabled_account_cannot_sign_in_and_the_last_admin_cannot_be_disabled(
        services: Services) -> None:
    add(services, "boss", "admin")
    password = add(services, "wangli", "工作人员")
    with transaction(services.sessions) as session, pytest.raises(StaffError, match="最后一个管理员"):
        disable(session, "boss", actor="cli:test", now=services.clock.now())
    with transaction(services.sessions) as session:
        disable(session, "wangli", actor="cli:test", now=services.clock.now())
    assert attempt(services, "wangli", password) == "这个账号已停用。如有疑问请找管理员。"


@pytest.mark.parametrize(("username", "role", "group", "why"), [
    ("", "staff", "", "登录名不能为空"),
    ("wang li", "staff", "", "不能有空格"),
    ("wangli", "boss", "", "不认识的角色"),
    ("wangli", "staff", "第九支部", "没有叫“第九支部”的分组"),
])
def test_an_account_that_cannot_be_made_is_refused_with_the_reason(
        office: Services, branch: Branch, username: str, role: str, group: str, why: str) -> None:
    with transaction(office.sessions) as session, pytest.raises(StaffError, match=why):
        add_account(session, username, role, group=group, actor="cli:test", now=office.clock.now())
    with office.sessions() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(StaffAccount)) == 0


def test_a_branch_secretary_is_scoped_to_their_branch(office: Services, branch: Branch) -> None:
    add(office, "secretary", "viewer", group="第一支部")
    with office.sessions() as session:
        account = session.scalar(sa.select(StaffAccount))
        assert account.role == Role.VIEWER and account.group_id is not None


def test_a_linked_account_on_duty_gets_staff_alerts_beside_the_config_openids(office: Services) -> None:
    add(office, "wangli", "staff")
    add(office, "viewer", "viewer")
    with transaction(office.sessions) as session:
        session.add(Group(kind="党支部", name="第二支部"))
    add(office, "shuji", "staff", group="第二支部")
    with transaction(office.sessions) as session:
        link_wechat(session, "wangli", "o_wangli", actor="cli:test", now=office.clock.now())
        link_wechat(session, "viewer", "o_viewer", actor="cli:test", now=office.clock.now())
        link_wechat(session, "shuji", "o_shuji", actor="cli:test", now=office.clock.now())
        with pytest.raises(StaffError, match="已经关联了账号“wangli”"):
            link_wechat(session, "viewer", "o_wangli", actor="cli:test", now=office.clock.now())
        assert staff_openids(session, office.settings) == [*office.settings.staff.openids, "o_wangli"]
        alert_staff(session, office.settings, office.clock.now(), "【测试】提醒", key="test")
    with office.sessions() as session:
        recipients = set(session.scalars(sa.select(OutboxMessage.recipient)))
    assert recipients == {*office.settings.staff.openids, "o_wangli"}  # not 查看, not a branch's
