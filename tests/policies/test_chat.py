"""Policy questions in chat, through the real /wechat endpoint."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot import create_app
from bot.clock import FixedClock
from bot.config import Settings
from bot.sandbox.wechat_side import WeChatSide
from bot.services import build_services
from tests.helpers import OPENID, Chat


def test_a_clear_question_gets_its_answer_with_the_offices_details(chat: Chat) -> None:
    reply = chat.say("离休费每个月几号发")
    assert reply is not None
    assert reply.startswith("【离退休费发放】")
    assert "010-12345678" in reply  # the office's phone, from config.toml [office]
    assert "{" not in reply
    assert "回复「留言」" in reply


def test_an_unfilled_local_value_tells_whom_to_call(chat: Chat) -> None:
    reply = chat.say("护理费标准是多少")
    assert reply is not None
    assert "（具体请打电话问我们：010-12345678）" in reply  # nursing_allowance is not filled in


def test_a_filled_local_value_is_quoted(settings: Settings, clock: FixedClock, wechat: WeChatSide) -> None:
    office = replace(settings.office, pension_pay_day="每月 10 日")
    services = build_services(replace(settings, office=office), clock=clock)
    try:
        reply = Chat(create_app(services=services).test_client(), wechat).say("退休费几号到账")
    finally:
        services.close()
    assert reply is not None and "每月 10 日" in reply


def test_related_topics_are_offered_by_number_and_the_number_answers(chat: Chat) -> None:
    first = chat.say("丧葬费怎么领")
    assert first is not None and "您可能还想了解" in first
    line = next(line for line in first.splitlines() if line.startswith("回复 1"))
    title = line.split("　", 1)[1]
    second = chat.say("1")
    assert second is not None and second.startswith(f"【{title}】")


def test_close_topics_are_asked_about_and_the_number_picks_one(chat: Chat) -> None:
    question = chat.say("体检和党费")
    assert question is not None and question.startswith("您是想问：")
    assert "请回复数字" in question
    lines = [line for line in question.splitlines() if line.startswith("回复 ")]
    assert len(lines) == 2
    picked = lines[1].split("　", 1)[1]
    answer = chat.say("2")
    assert answer is not None and answer.startswith(f"【{picked}】")


def test_a_number_out_of_range_is_not_taken_as_a_choice(chat: Chat) -> None:
    chat.say("体检和党费")
    reply = chat.say("7")
    assert reply is not None and not reply.startswith("【")


def test_a_new_question_after_a_choice_is_answered_as_a_question(chat: Chat) -> None:
    chat.say("体检和党费")
    reply = chat.say("老年大学怎么报名")
    assert reply is not None and reply.startswith("【老年大学】")


@pytest.mark.parametrize("question", ["今天天气怎么样", "股票明天会涨吗", "讲个笑话吧"])
def test_an_unrelated_question_gets_a_kind_reply_not_a_policy_answer(chat: Chat, question: str) -> None:
    reply = chat.say(question)
    assert reply is not None
    assert "【" not in reply  # no policy answer
    assert "我能回答" in reply  # says what the bot can answer
    assert "回复「留言」" in reply  # the way to staff
    assert "回复 1" in reply  # and the menu


def test_a_voice_question_is_routed_like_a_typed_one(chat: Chat, wechat: WeChatSide) -> None:
    reply = chat.reply_to(wechat.voice(OPENID, "呃那个请问一下党费每个月交多少"))
    assert reply is not None and reply.startswith("【党费缴纳】")


def test_menu_commands_still_come_before_policy_answers(chat: Chat) -> None:
    reply = chat.say("联系我们")
    assert reply is not None and not reply.startswith("【")
