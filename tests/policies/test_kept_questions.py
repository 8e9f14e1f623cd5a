"""The learning loop's first half, in the chat: a question the bot could not answer, every
「您是想问」 and the number picked, and 「不对」 right after an answer are kept for staff, masked
and linked to the message's inbound record. Over content/ with the second stage's tests' own
asked questions (conftest.SECOND_STAGE_ASKED), so that TWO_CLOSE stays two close topics."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
import sqlalchemy as sa

from bot.clock import FixedClock
from bot.config import Settings
from bot.models import InboundMessage, PolicyQuestion
from bot.services import Services
from tests.helpers import OPENID, Chat
from tests.policies.test_second_stage import TWO_CLOSE


@pytest.fixture
def settings(settings: Settings, taught: Path) -> Settings:
    """The bot's settings, reading content/ with those asked questions."""
    return replace(settings, content_dir=taught)


def kept(services: Services) -> list[PolicyQuestion]:
    with services.sessions() as session:
        return list(session.scalars(sa.select(PolicyQuestion).order_by(PolicyQuestion.id)))


def test_an_unanswered_question_is_kept_masked_and_linked_to_its_message(
        chat: Chat, services: Services) -> None:
    reply = chat.say("小区门口的路灯坏了找谁修 我电话13912345678")
    assert reply is not None and "回复" in reply  # the kind fallback with the menu
    [question] = kept(services)
    assert question.outcome == "unanswered" and question.state == "open"
    assert "13912345678" not in question.text and "139****5678" in question.text
    with services.sessions() as session:
        record = session.scalar(sa.select(InboundMessage)
                                .where(InboundMessage.dedupe_key == question.inbound_key))
    assert record is not None and record.openid == OPENID


def test_noise_and_answered_questions_are_not_kept(chat: Chat, services: Services) -> None:
    chat.say("ok")
    chat.say("离休费每个月几号发")
    assert kept(services) == []


def test_a_sticker_is_not_kept_as_a_question_nobody_answered(chat: Chat, services: Services) -> None:
    reply = chat.say("【收到不支持的消息类型，暂无法显示】")  # what WeChat sends for a 表情包
    assert reply is not None and reply.startswith("收到您发的表情")
    assert kept(services) == []


def test_an_offer_is_kept_with_the_number_picked(chat: Chat, services: Services) -> None:
    offer = chat.say(TWO_CLOSE)
    assert offer is not None and "您是想问" in offer
    [question] = kept(services)
    assert question.outcome == "offered" and question.picked is None
    assert set(question.offered) == {"party-transfer", "retirement-certificate"}
    chat.say("2")
    [question] = kept(services)
    assert question.picked == question.offered[1]


def test_not_this_right_after_an_answer_keeps_the_question_and_says_sorry(
        chat: Chat, services: Services) -> None:
    chat.say("退体证上名字写错了能改吗")
    reply = chat.say("不对")
    assert reply is not None and "对不起，没有答对" in reply
    [question] = kept(services)
    assert (question.outcome, question.answered, question.text) == (
        "not_this", "retirement-certificate", "退体证上名字写错了能改吗")


def test_not_this_after_something_else_is_not_about_the_answer(chat: Chat, services: Services) -> None:
    chat.say("离休费每个月几号发")
    chat.say("菜单")
    reply = chat.say("不对")
    assert reply is None or "没有答对" not in reply
    assert kept(services) == []


def test_not_this_long_after_an_answer_is_not_about_it(chat: Chat, services: Services,
                                                      clock: FixedClock) -> None:
    chat.say("退体证上名字写错了能改吗")
    clock.advance(hours=3)  # a 「不对」 in the afternoon answers something else: a call, a visit
    reply = chat.say("不对")
    assert reply is None or "没有答对" not in reply
    assert kept(services) == []


def test_not_this_with_the_real_question_keeps_the_answer_and_answers_it(
        chat: Chat, services: Services) -> None:
    chat.say("退体证上名字写错了能改吗")
    reply = chat.say("不对，我问的是体检几号开始")
    assert reply is not None and reply.startswith("【健康体检】")  # what follows the 「不对」, answered
    [question] = kept(services)
    assert (question.outcome, question.answered, question.text) == (
        "not_this", "retirement-certificate", "退体证上名字写错了能改吗")


def test_not_this_with_nothing_answerable_after_it_says_sorry(chat: Chat, services: Services) -> None:
    chat.say("退体证上名字写错了能改吗")
    reply = chat.say("不对，我问的是那个")
    assert reply is not None and "对不起，没有答对" in reply
    assert [q.outcome for q in kept(services)] == ["not_this"]  # and the message itself is not kept


def test_not_this_inside_a_waiting_task_is_the_tasks(chat: Chat, services: Services) -> None:
    chat.say("答题")
    chat.say("离休费几号发")  # answered, the quiz waiting beneath
    chat.say("不对，选C")
    assert kept(services) == []  # the quiz's 「不对」, not a verdict on the answer
