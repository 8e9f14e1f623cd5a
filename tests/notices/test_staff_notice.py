"""Staff send a notice from WeChat: 「通知 第一支部 …」, a confirmation with the reach, then 1."""

from __future__ import annotations

import sqlalchemy as sa

from bot import create_app
from bot.models import AuditEntry, Notice, OutboxMessage
from bot.sandbox.wechat_side import WeChatSide
from bot.services import Services
from tests.helpers import Chat
from tests.office_fixtures import Branch

STAFF = "o_staff_1"


def staff_chat(office: Services, wechat: WeChatSide) -> Chat:
    """A staff member talking to the office's bot."""
    return Chat(create_app(services=office).test_client(), wechat)


def notices(office: Services) -> list[Notice]:
    with office.sessions() as session:
        return list(session.scalars(sa.select(Notice)))


def test_staff_see_the_reach_then_confirm(office: Services, branch: Branch, wechat: WeChatSide) -> None:
    chat = staff_chat(office, wechat)
    draft = chat.say("通知 第一支部 明天上午九点在活动中心开会", openid=STAFF)
    assert draft is not None
    assert "将发给 3 人" in draft and "未绑定 1 人" in draft and "回复 1 确认发送" in draft
    assert notices(office) == []  # nothing goes before the confirmation
    done = chat.say("1", openid=STAFF)
    [notice] = notices(office)
    assert done is not None and f"通知编号 {notice.id}" in done
    assert notice.text == "明天上午九点在活动中心开会" and notice.audience == "group:第一支部"
    with office.sessions() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 3
        [entry] = session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "notice.send"))
    assert entry.actor.startswith("wechat:")


def test_zero_sends_nothing(office: Services, branch: Branch, wechat: WeChatSide) -> None:
    chat = staff_chat(office, wechat)
    chat.say("通知 全体 下周体检", openid=STAFF)
    assert "没有发送" in (chat.say("0", openid=STAFF) or "")
    assert notices(office) == []


def test_an_unknown_group_gets_the_usage(office: Services, branch: Branch, wechat: WeChatSide) -> None:
    reply = staff_chat(office, wechat).say("通知 第九支部 开会", openid=STAFF)
    assert reply is not None and "没有名为「第九支部」的分组" in reply and "通知 分组名 内容" in reply


def test_retirees_cannot_send_notices(office: Services, branch: Branch, wechat: WeChatSide) -> None:
    reply = staff_chat(office, wechat).say("通知 全体 大家好", openid="o_zhang")
    assert reply is not None and "将发给" not in reply
    assert notices(office) == []


def test_a_console_account_linked_to_its_wechat_may_send_one_disabled_may_not(
        office: Services, branch: Branch, wechat: WeChatSide) -> None:
    from bot.db.engine import transaction
    from bot.staff.accounts import add_account, disable, link_wechat

    with transaction(office.sessions) as session:
        add_account(session, "boss", "admin", actor="cli:test", now=office.clock.now())
        add_account(session, "wangli", "staff", actor="cli:test", now=office.clock.now())
        link_wechat(session, "wangli", "o_wangli", actor="cli:test", now=office.clock.now())
    chat = staff_chat(office, wechat)
    assert "将发给 3 人" in (chat.say("通知 第一支部 明天开会", openid="o_wangli") or "")
    chat.say("0", openid="o_wangli")
    with transaction(office.sessions) as session:
        disable(session, "wangli", actor="cli:test", now=office.clock.now())
    assert "将发给" not in (chat.say("通知 第一支部 明天开会", openid="o_wangli") or "")


def test_the_help_names_the_groups_there_are(office: Services, branch: Branch, wechat: WeChatSide) -> None:
    reply = staff_chat(office, wechat).say("通知", openid=STAFF)
    assert reply is not None and "例如：通知 第一支部 明天上午九点" in reply
    assert "现有的分组：第一支部、第二支部" in reply


def test_a_group_nobody_in_it_can_receive_is_said_before_any_confirmation(
        office: Services, branch: Branch, wechat: WeChatSide) -> None:
    from bot.db.engine import transaction
    from bot.models import Group, GroupMember

    with transaction(office.sessions) as session:
        choir = Group(kind="兴趣班", name="合唱班")
        session.add(choir)
        session.flush()
        session.add(GroupMember(group_id=choir.id, retiree_id=branch.ids["王芳"]))  # no WeChat
    chat = staff_chat(office, wechat)
    reply = chat.say("通知 合唱班 周五排练", openid=STAFF)
    assert reply is not None and "「合唱班」里没有能收到微信的人（未绑定 1 人" in reply
    assert "回复 1 确认发送" not in reply
    assert "确认" not in (chat.say("1", openid=STAFF) or "")  # no confirmation was waiting
    assert notices(office) == []
