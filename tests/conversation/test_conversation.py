"""What a retiree experiences: welcome, menu, numbers, voice, and never silence."""

from __future__ import annotations

import sqlalchemy as sa

from bot import create_app
from bot.models import Follower, InboundMessage
from bot.sandbox.wechat_side import WeChatSide
from bot.services import Services, build_services
from tests.helpers import OPENID, Chat


def records(services: Services) -> list[InboundMessage]:
    with services.sessions() as session:
        return list(session.scalars(sa.select(InboundMessage).order_by(InboundMessage.id)))


def test_following_gets_a_warm_welcome_that_asks_who_they_are(chat: Chat, wechat: WeChatSide,
                                                              services: Services) -> None:
    reply = chat.reply_to(wechat.event(OPENID, "subscribe"))
    assert reply is not None
    assert "欢迎关注" in reply and "姓名" in reply and "我是家属" in reply and "回复 0" in reply
    with services.sessions() as session:
        assert session.get(Follower, OPENID).active


def test_unfollowing_marks_the_follower_inactive_and_keeps_the_record(
        chat: Chat, wechat: WeChatSide, services: Services) -> None:
    chat.say("菜单")
    assert chat.reply_to(wechat.event(OPENID, "unsubscribe")) is None
    with services.sessions() as session:
        follower = session.get(Follower, OPENID)
        assert follower is not None and not follower.active
        assert follower.unfollowed_at is not None
    assert [r.route for r in records(services)] == ["command:menu", "event:unsubscribe"]


def test_menu_words_and_zero_show_the_menu(chat: Chat) -> None:
    for word in ("菜单", "帮助", "0", "０", " 菜单！"):
        reply = chat.say(word)
        assert reply is not None and "回复 1" in reply and "联系我们" in reply, word


def test_a_number_picks_from_the_menu(chat: Chat) -> None:
    chat.say("菜单")
    assert "电话" in chat.say("2")


def test_numbers_in_the_ways_people_write_them(chat: Chat) -> None:
    for word in ("２", "二", "第二个", "2。"):
        chat.say("菜单")
        assert "办公时间" in chat.say(word), word


def test_a_submenu_number_means_the_submenu_item(chat: Chat) -> None:
    assert "字太小" in chat.say("使用指南")
    assert "字体大小" in chat.say("2")  # the guide's item 2, not the main menu's 联系我们
    assert "按住" in chat.say("1")  # still in the guide: another topic
    assert "联系我们" in chat.say("0")  # back to the main menu


def test_conversation_state_survives_a_new_app_instance(chat: Chat, wechat: WeChatSide,
                                                        settings, clock) -> None:
    assert "字太小" in chat.say("使用指南")
    fresh = build_services(settings, clock=clock)  # another worker, or this one restarted
    try:
        other = Chat(create_app(services=fresh).test_client(), wechat)
        assert "字体大小" in other.say("2")
    finally:
        fresh.close()


def test_a_pending_step_expires(chat: Chat, clock) -> None:
    chat.say("使用指南")
    clock.advance(hours=2)
    reply = chat.say("2")  # the guide was long ago: 2 picks nothing, and the menu is offered
    assert "字体大小" not in reply and "没对上" in reply and "回复 1" in reply
    assert "办公时间" in chat.say("2")  # now the menu's 2


def test_a_command_word_leaves_a_pending_step(chat: Chat) -> None:
    chat.say("使用指南")
    assert "办公时间" in chat.say("联系我们")


def test_menu_click_by_event_key(chat: Chat, wechat: WeChatSide, clock) -> None:
    assert "办公时间" in chat.reply_to(wechat.event(OPENID, "CLICK", key="CONTACT"))
    clock.advance(seconds=3)  # events are told apart by sender and second (WeChat's rule)
    assert "回复 1" in chat.reply_to(wechat.event(OPENID, "CLICK", key="MENU"))


def test_opening_a_menu_link_needs_no_reply(chat: Chat, wechat: WeChatSide) -> None:
    assert chat.reply_to(wechat.event(OPENID, "VIEW", key="https://example.invalid/")) is None


def test_a_button_this_version_does_not_know_gets_the_menu(chat: Chat, wechat: WeChatSide) -> None:
    assert "回复 1" in chat.reply_to(wechat.event(OPENID, "CLICK", key="NO_SUCH_KEY"))


def test_anything_unmatched_gets_the_menu_never_silence(chat: Chat) -> None:
    reply = chat.say("今天天气怎么样")
    assert reply is not None and "换个说法" in reply and "回复 1" in reply


def test_voice_is_routed_by_its_recognition(chat: Chat, wechat: WeChatSide,
                                            services: Services) -> None:
    assert "办公时间" in chat.reply_to(wechat.voice(OPENID, "联系我们。"))
    last = records(services)[-1]
    assert (last.msg_type, last.text, last.route) == ("voice", "联系我们。", "command:contact")


def test_voice_without_recognition_gets_a_kind_prompt(chat: Chat, wechat: WeChatSide) -> None:
    for recognition in (None, "", "  "):
        reply = chat.reply_to(wechat.voice(OPENID, recognition))
        assert "没听清" in reply and "说一遍" in reply and "回复 1" in reply


def test_pictures_get_a_kind_word(chat: Chat, wechat: WeChatSide) -> None:
    assert "文字和语音" in chat.reply_to(wechat.image(OPENID))


def test_a_message_is_answered_without_http(services: Services) -> None:
    from bot import responder
    from bot.conversation.inbound import Inbound
    from bot.gateway.wire import parse_xml

    answers = responder(services)
    msg = Inbound(openid=OPENID, account="gh_test", kind="text", text="联系我们", msg_id="42",
                  sent_at=services.clock.now())
    first = parse_xml(answers.answer(msg))["Content"]
    assert "办公时间" in first
    assert parse_xml(answers.answer(msg))["Content"] == first  # a retry: the stored answer
    assert [r.route for r in records(services)] == ["command:contact"]  # … and no second run


def test_every_message_is_recorded_with_the_route_that_answered(chat: Chat,
                                                               services: Services) -> None:
    chat.say("菜单")
    chat.say("1")
    chat.say("随便说说")
    assert [(r.text, r.route) for r in records(services)] == [
        ("菜单", "command:menu"), ("1", "step:menu"), ("随便说说", "fallback")]
    assert all(r.openid == OPENID and r.msg_id for r in records(services))


def test_replies_carry_the_office_details_from_config(services: Services, wechat: WeChatSide,
                                                      settings, clock) -> None:
    from dataclasses import replace

    from bot.config import OfficeSettings

    office = OfficeSettings(name="测试区老干部局", phone="010-12345678", address="人民路 1 号",
                            hours="工作日")
    fresh = build_services(replace(settings, office=office), clock=clock)
    try:
        reply = Chat(create_app(services=fresh).test_client(), wechat).say("电话")
        assert "测试区老干部局" in reply and "010-12345678" in reply and "人民路 1 号" in reply
    finally:
        fresh.close()


def test_following_by_scanning_a_qr_code_is_welcomed_too(chat: Chat, wechat: WeChatSide) -> None:
    reply = chat.reply_to(wechat.event(OPENID, "subscribe", key="qrscene_office_desk"))
    assert "欢迎关注" in reply


def test_two_different_taps_in_the_same_second_are_both_answered(chat: Chat,
                                                                  wechat: WeChatSide) -> None:
    assert "办公时间" in chat.reply_to(wechat.event(OPENID, "CLICK", key="CONTACT"))
    assert "字太小" in chat.reply_to(wechat.event(OPENID, "CLICK", key="GUIDE"))


def test_contact_details_the_office_has_not_filled_in_are_left_out(settings, clock,
                                                                   wechat: WeChatSide) -> None:
    from dataclasses import replace

    from bot.config import OfficeSettings

    fresh = build_services(replace(settings, office=OfficeSettings(name="某局", phone="0571-1234")),
                           clock=clock)
    try:
        reply = Chat(create_app(services=fresh).test_client(), wechat).say("联系我们")
        assert "电话：0571-1234" in reply and "地址" not in reply and "办公时间" not in reply
    finally:
        fresh.close()


def test_thanks_and_goodbye_get_a_warm_word_not_the_fallback(chat: Chat) -> None:
    thanks = chat.say("谢谢你们，辛苦了") or ""
    assert thanks.startswith("不客气") and "答不上来" not in thanks
    assert (chat.say("再见") or "").startswith("好的，祝您身体健康")


def test_hello_and_okay_are_met_kindly_but_okay_only_as_a_whole_message(chat: Chat) -> None:
    assert "回复 1　使用指南" in (chat.say("你好啊") or "")  # a greeting: the menu
    assert (chat.say("好的呀") or "").startswith("好的。还有别的事")
    assert (chat.say("知道了！") or "").startswith("好的。还有别的事")
    assert not (chat.say("通知我没收到") or "").startswith("好的。")  # 收到 inside a sentence


def test_a_policy_question_with_a_command_word_in_it_is_answered_as_a_question(chat: Chat) -> None:
    reply = chat.say("老年大学怎么报名") or ""
    assert "老年大学" in reply and "绑定" not in reply  # not taken for the activity sign-up


def test_every_action_named_in_the_intents_exists(services: Services) -> None:
    from handlers import build_router

    actions = [entry["action"] for entry in services.texts.table("intents")["actions"]]
    assert actions and all(name in build_router().actions for name in actions)


def test_trouble_with_the_phone_said_in_a_sentence_opens_the_guide(chat: Chat) -> None:
    assert "字太小怎么调大" in (chat.say("字太小了看不清") or "")
