"""身份绑定: a retiree or their family binds a WeChat account by name and phone digits."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
import sqlalchemy as sa

from bot.db.engine import transaction
from bot.models import Binding, Follower, InboundMessage, MiniUser, OutboxMessage, Retiree
from bot.sandbox.wechat_side import WeChatSide
from bot.services import Services
from tests.helpers import OPENID, Chat

DAUGHTER = "o_test_daughter_0002"


def add_retiree(services: Services, name: str, phone: str | None, **extra: Any) -> int:
    now = services.clock.now()
    with services.sessions.begin() as session:
        person = Retiree(name=name, phone=phone, birth_date=date(1936, 5, 6), status="离休",
                         created_at=now, updated_at=now, **extra)
        session.add(person)
        session.flush()
        return person.id


@pytest.fixture
def roster(services: Services) -> dict[str, int]:
    return {
        "wang": add_retiree(services, "王建国", "13912345678"),
        "wang2": add_retiree(services, "王建国", "13687654321"),  # same name, another person
        "li": add_retiree(services, "李秀英", "010-88886666"),
        "zhao": add_retiree(services, "赵德明", "13500001111", died_on=date(2026, 10, 1)),
    }


def say_all(chat: Chat, *lines: str, openid: str = OPENID) -> str | None:
    """Say each line in turn; the reply to the last one."""
    reply = None
    for line in lines:
        reply = chat.say(line, openid=openid)
    return reply


def active_bindings(services: Services) -> list[tuple[str, int, str, str | None]]:
    with services.sessions() as session:
        return [(b.openid, b.retiree_id, b.role, b.relation) for b in session.scalars(
            sa.select(Binding).where(Binding.unbound_at.is_(None)).order_by(Binding.id))]


def test_following_then_name_and_digits_binds_and_greets_by_name(
        chat: Chat, wechat: WeChatSide, services: Services, roster) -> None:
    assert "姓名" in chat.reply_to(wechat.event(OPENID, "subscribe"))
    assert "后四位" in chat.say("王建国")
    reply = chat.say("5678")
    assert reply.startswith("您好，王建国同志，绑定成功")
    assert active_bindings(services) == [(OPENID, roster["wang"], "self", None)]


def test_the_same_name_is_told_apart_by_the_phone_digits(chat: Chat, services: Services,
                                                         roster) -> None:
    chat.say("绑定")
    chat.say("我叫王建国")
    chat.say("４３２１")  # full-width digits, as some phones type them
    assert active_bindings(services) == [(OPENID, roster["wang2"], "self", None)]


@pytest.mark.parametrize(("on_file", "typed"), [
    ("王乾", "王乾"),      # 乾 is read as 干 wherever the chat reads text: still this person
    ("於丽华", "於丽华"),  # 於 as 于, likewise
    ("陈美玲", "陳美玲"),  # a relative abroad types the name in traditional characters
])
def test_a_name_binds_however_its_characters_are_written(
        chat: Chat, services: Services, on_file: str, typed: str) -> None:
    person = add_retiree(services, on_file, "13711112222")
    chat.say("绑定")
    chat.say(typed)
    assert f"{on_file}同志，绑定成功" in (chat.say("2222") or "")
    assert active_bindings(services) == [(OPENID, person, "self", None)]


def test_a_landline_on_file_works_too(chat: Chat, services: Services, roster) -> None:
    chat.say("绑定")
    chat.say("李秀英")
    assert "绑定成功" in chat.say("6666")


def test_family_binds_as_agent_with_their_relation(chat: Chat, services: Services, roster) -> None:
    chat.say("绑定")
    assert "什么人" in chat.say("我是家属")
    assert "老同志的姓名" in chat.say("女儿")
    chat.say("王建国")
    reply = chat.say("5678")
    assert "家属（女儿）" in reply and "绑定成功" in reply
    assert active_bindings(services) == [(OPENID, roster["wang"], "agent", "女儿")]


def test_the_retiree_and_family_already_bound_are_told_when_someone_binds_as_family(
        chat: Chat, services: Services, roster) -> None:
    say_all(chat, "绑定", "王建国", "5678", openid="o_wang_himself")  # he binds as himself: nobody told
    say_all(chat, "我是家属", "女儿", "王建国", "5678")
    say_all(chat, "我是家属", "儿子", "王建国", "5678", openid="o_wang_son")
    with services.sessions() as session:
        told = [(m.recipient, m.payload["text"]) for m in session.scalars(
            sa.select(OutboxMessage).where(OutboxMessage.dedupe_key.like("binding:%")).order_by(OutboxMessage.id))]
    daughter = [to for to, text in told if "家属（女儿）" in text]
    son = sorted(to for to, text in told if "家属（儿子）" in text)
    assert daughter == ["o_wang_himself"] and son == sorted(["o_wang_himself", OPENID])
    assert all("如果不是，请马上打电话" in text for _, text in told)


def test_the_new_family_notice_reaches_each_person_once_and_nobody_who_unfollowed(
        chat: Chat, services: Services, wechat: WeChatSide, roster) -> None:
    """The son uses the mini-program (bound there first) and follows the account (one person to
    WeChat: one unionid): one notice, pushed in the account, where it is seen at once. 王建国
    himself unfollowed: none is queued that could not go out."""
    say_all(chat, "绑定", "王建国", "5678", openid="o_wang_himself")
    with transaction(services.sessions) as session:
        now = services.clock.now()
        session.add(MiniUser(openid="o_mini_wang_son", unionid="U_SON", created_at=now, last_login_at=now))
        session.add(Binding(openid="o_mini_wang_son", retiree_id=roster["wang"], role="agent",
                            relation="子女", app=MiniUser.APP, bound_at=now))
    say_all(chat, "我是家属", "儿子", "王建国", "5678", openid="o_wang_son")
    chat.reply_to(wechat.event("o_wang_himself", "unsubscribe"))
    with transaction(services.sessions) as session:
        session.get(Follower, "o_wang_son").unionid = "U_SON"
    say_all(chat, "我是家属", "女儿", "王建国", "5678")
    with services.sessions() as session:
        told = session.scalars(sa.select(OutboxMessage.recipient).where(
            OutboxMessage.dedupe_key.like("binding:%"), OutboxMessage.payload["text"].as_string().contains(
                "家属（女儿）"))).all()
    assert told == ["o_wang_son"]


def test_family_saying_so_first_thing_starts_binding_for_their_elder(
        chat: Chat, services: Services, roster) -> None:
    assert "什么人" in chat.say("我是家属")  # no 「绑定」 first
    say_all(chat, "女儿", "王建国", "5678")
    assert active_bindings(services) == [(OPENID, roster["wang"], "agent", "女儿")]
    assert "您已绑定为王建国同志的家属（女儿）" in chat.say("我是家属")  # once bound: whom for


def test_what_an_agent_does_is_recorded_on_the_retirees_behalf(chat: Chat, services: Services,
                                                               roster) -> None:
    say_all(chat, "绑定", "我是家属", "1", "王建国", "5678", "联系我们")
    with services.sessions() as session:
        last = session.scalars(sa.select(InboundMessage).order_by(InboundMessage.id.desc())).first()
    assert (last.text, last.retiree_id, last.by_agent) == ("联系我们", roster["wang"], True)


def test_the_message_that_completes_binding_is_recorded_for_the_retiree(chat: Chat, services: Services,
                                                                        roster) -> None:
    say_all(chat, "绑定", "我是家属", "1", "王建国", "5678")
    with services.sessions() as session:
        last = session.scalars(sa.select(InboundMessage).order_by(InboundMessage.id.desc())).first()
    assert (last.text, last.retiree_id, last.by_agent) == ("5678", roster["wang"], True)


def test_a_retiree_may_have_several_accounts_bound(chat: Chat, wechat: WeChatSide,
                                                   services: Services, roster) -> None:
    say_all(chat, "绑定", "王建国", "5678")
    say_all(chat, "绑定", "我是家属", "2", "王建国", "5678", openid=DAUGHTER)
    assert [b[:3] for b in active_bindings(services)] == [
        (OPENID, roster["wang"], "self"), (DAUGHTER, roster["wang"], "agent")]


def test_three_wrong_tries_lock_binding_for_a_day_and_alert_staff(
        settings, clock, wechat: WeChatSide, roster) -> None:
    from dataclasses import replace

    from bot import create_app
    from bot.config import StaffSettings
    from bot.services import build_services

    staffed = replace(settings, staff=StaffSettings(openids=("o_staff_member_01",)))
    services = build_services(staffed, clock=clock)
    try:
        chat = Chat(create_app(services=services).test_client(), wechat)
        chat.say("绑定")
        for attempt, left in ((1, 2), (2, 1)):
            chat.say("王建国")
            assert f"还可以试 {left} 次" in chat.say("0000"), attempt
        chat.say("王建国")
        assert "暂停到" in chat.say("0000")
        assert "暂停到" in chat.say("绑定")  # still locked, even with the right digits next
        with services.sessions() as session:
            alert = session.scalars(sa.select(OutboxMessage)).one()
        assert alert.recipient == "o_staff_member_01"
        assert "连续 3 次" in alert.payload["text"]
        assert OPENID not in alert.payload["text"]  # masked even for staff
        clock.advance(hours=25)
        chat.say("绑定")
        chat.say("王建国")
        assert "绑定成功" in chat.say("5678")
    finally:
        services.close()


def test_an_unknown_name_is_not_revealed_and_counts_as_a_try(chat: Chat, roster) -> None:
    chat.say("绑定")
    assert "后四位" in chat.say("张三丰")  # asks for digits all the same: nobody learns who is listed
    assert "对不上" in chat.say("1234")


def test_not_four_digits_asks_again_without_counting(chat: Chat, services: Services,
                                                     roster) -> None:
    say_all(chat, "绑定", "王建国")
    assert "4 个数字" in chat.say("567")
    assert "绑定成功" in chat.say("5678")


def test_a_deceased_retiree_cannot_be_bound_in_person_but_family_can(chat: Chat, services,
                                                                    roster) -> None:
    say_all(chat, "绑定", "赵德明")
    condolence = chat.say("1111")
    assert "节哀" in condolence and "回复 1" in condolence and active_bindings(services) == []
    assert "什么人" in chat.say("1")  # continue as family, right there
    reply = chat.say("子女")  # the name and digits were right: not asked again
    assert "家属（子女）绑定成功" in reply and "替老人家办理" not in reply
    assert active_bindings(services) == [(OPENID, roster["zhao"], "agent", "子女")]


def test_a_second_wechat_binding_as_the_same_person_is_offered_to_bind_as_family(
        chat: Chat, services: Services, roster) -> None:
    say_all(chat, "绑定", "王建国", "5678")
    taken = say_all(chat, "绑定", "王建国", "5678", openid="o_second_phone")
    assert "王建国同志本人已经用另一个微信绑定过了" in taken and "回复 1" in taken
    assert [b[0] for b in active_bindings(services)] == [OPENID]  # not a second 本人
    assert "什么人" in chat.say("1", openid="o_second_phone")
    assert "家属（女儿）绑定成功" in chat.say("女儿", openid="o_second_phone")
    assert sorted(b[2] for b in active_bindings(services)) == ["agent", "self"]


def test_unbinding_asks_first_and_keeps_the_record(chat: Chat, services: Services,
                                                   roster) -> None:
    say_all(chat, "绑定", "王建国", "5678")
    assert "已绑定为王建国同志本人" in chat.say("绑定")
    assert "确定要解除" in chat.say("解绑")
    assert "没有解绑" in chat.say("0")
    assert len(active_bindings(services)) == 1
    chat.say("解绑")
    assert "已解绑" in chat.say("1")
    assert active_bindings(services) == []
    with services.sessions() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Binding)) == 1


def test_unfollowing_keeps_the_binding_and_refollowing_welcomes_back(
        chat: Chat, wechat: WeChatSide, services: Services, roster, clock) -> None:
    say_all(chat, "绑定", "王建国", "5678")
    chat.reply_to(wechat.event(OPENID, "unsubscribe"))
    clock.advance(seconds=5)
    assert "王建国同志，欢迎回来" in chat.reply_to(wechat.event(OPENID, "subscribe"))
    assert len(active_bindings(services)) == 1


def test_the_menu_and_other_commands_still_work_mid_binding(chat: Chat, roster) -> None:
    chat.say("绑定")
    assert "联系我们" in chat.say("0")
    chat.say("绑定")
    assert "办公时间" in chat.say("联系我们")


def test_a_feature_that_needs_identity_binds_first_then_goes_on_with_it(chat: Chat, roster) -> None:
    asked = chat.say("我的报名")
    assert "先绑定身份" in asked and "姓名" in asked
    chat.say("王建国")
    bound = chat.say("5678")
    assert "绑定成功" in bound and "回复 1，接着办「查看我的报名」" in bound
    assert chat.say("1") == "您现在没有报名的活动。回复「报名」看看。"


def test_spoken_digits_and_full_width_digits_both_work(chat: Chat, roster) -> None:
    say_all(chat, "绑定", "王建国")
    assert "绑定成功" in chat.say("五六七八")  # as speech recognition writes them


def test_a_relation_that_is_not_one_is_asked_again(chat: Chat, services: Services,
                                                   roster) -> None:
    chat.say("绑定")
    chat.say("我是家属")
    assert "回复 1" in chat.say("不知道")
    assert "老同志的姓名" in chat.say("老伴")


def test_family_is_welcomed_back_as_family(chat: Chat, wechat: WeChatSide, roster, clock) -> None:
    say_all(chat, "绑定", "我是家属", "女儿", "王建国", "5678")
    chat.reply_to(wechat.event(OPENID, "unsubscribe"))
    clock.advance(seconds=5)
    back = chat.reply_to(wechat.event(OPENID, "subscribe"))
    assert "您是王建国同志的家属（女儿）" in back and "王建国同志，欢迎回来" not in back


def test_someone_who_cannot_recall_the_digits_is_given_a_way_out(chat: Chat, roster) -> None:
    say_all(chat, "绑定", "王建国")
    reply = chat.say("不记得了")
    assert "010-12345678" in reply and "回复 0" in reply


@pytest.mark.parametrize("name", ["阿依古丽·买买提", "王㛃"])
def test_long_names_and_rare_characters_can_bind(chat: Chat, services: Services, name: str) -> None:
    add_retiree(services, name, "13900002222")
    chat.say("绑定")
    chat.say(name)
    assert "绑定成功" in chat.say("2222")
