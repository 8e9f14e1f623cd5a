"""The official account's 订阅通知 as a channel: the panel's choices WeChat posts to /wechat are
kept as grants (never as a message from the person: no 48-hour window opens), a notice goes by
bizsend while a grant lasts — a long-term one every time, a one-time one once — then by
template; turning the template off ends the grant."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import replace

import pytest
import sqlalchemy as sa

from bot import create_app
from bot.accounts.grants import open_grants
from bot.clock import FixedClock
from bot.db.engine import transaction
from bot.delivery import outbox
from bot.models import Channel, InboundMessage, OutboxMessage
from bot.notices.sending import send
from bot.sandbox.wechat_side import WeChatSide
from bot.services import Services, build_services
from bot.standin import StandinServer
from tests.helpers import Chat, reporting_standin
from tests.office_fixtures import Branch

SUB = "TPL_SUB_NOTICE"
BIZSEND = "cgi-bin/message/subscribe/bizsend"


def subscribed(services: Services, clock: FixedClock, *, long_term: bool) -> Services:
    delivery = replace(services.settings.delivery, templates={"notice": "TPL_NOTICE"}, subscribe_templates={
        "notice": {"id": SUB, "fields": {"thing1": "title", "thing2": "summary"}, "long_term": long_term}})
    return build_services(replace(services.settings, delivery=delivery), clock=clock)


@pytest.fixture
def one_time(office: Services, clock: FixedClock) -> Iterator[Services]:
    built = subscribed(office, clock, long_term=False)
    yield built
    built.close()


@pytest.fixture
def long_term(office: Services, clock: FixedClock) -> Iterator[Services]:
    built = subscribed(office, clock, long_term=True)
    yield built
    built.close()


def panel(openid: str, status: str = "accept", event: str = "subscribe_msg_popup_event",
          holder: str = "SubscribeMsgPopupEvent") -> str:
    return (f"<xml><ToUserName><![CDATA[gh_office]]></ToUserName><FromUserName><![CDATA[{openid}]]>"
            f"</FromUserName><CreateTime>1795000000</CreateTime><MsgType><![CDATA[event]]></MsgType>"
            f"<Event><![CDATA[{event}]]></Event><{holder}><List><TemplateId><![CDATA[{SUB}]]></TemplateId>"
            f"<SubscribeStatusString><![CDATA[{status}]]></SubscribeStatusString><PopupScene>2</PopupScene>"
            f"</List></{holder}></xml>")


def notify(services: Services, text: str) -> list[str]:
    """Send 李华 a notice; the channel each of his copies went by."""
    with transaction(services.sessions) as session:
        send(session, services.settings, text=text, audience="retiree:2", actor="clerk",
             now=services.clock.now())
    outbox.drain(services)
    with services.sessions() as session:
        return list(session.scalars(sa.select(OutboxMessage.channel).where(OutboxMessage.recipient == "o_li")
                                    .order_by(OutboxMessage.id)))


def test_a_one_time_grant_carries_one_notice_then_the_template_does(
        one_time: Services, branch: Branch, wechat: WeChatSide, standin: StandinServer) -> None:
    assert branch.ids["李华"] == 2
    chat = Chat(create_app(services=one_time).test_client(), wechat)
    assert chat.send(panel("o_li")).get_data(as_text=True) == "success"
    standin.grant_subscribe("o_li", SUB)
    assert notify(one_time, "明天上午九点开支部会。") == [Channel.BIZSEND]
    assert notify(one_time, "下周三体检。") == [Channel.BIZSEND, Channel.TEMPLATE]
    [call] = standin.calls(path=BIZSEND)
    assert call.shown[1] == "明天上午九点开支部会。"
    with one_time.sessions() as session:  # the panel was not the person writing: no window opened
        assert session.scalar(sa.select(sa.func.count()).select_from(InboundMessage)
                              .where(InboundMessage.openid == "o_li")) == 0


def test_a_long_term_grant_carries_every_notice_until_turned_off(
        long_term: Services, branch: Branch, wechat: WeChatSide, standin: StandinServer) -> None:
    chat = Chat(create_app(services=long_term).test_client(), wechat)
    chat.send(panel("o_li"))
    standin.grant_subscribe("o_li", SUB, count=10)
    assert notify(long_term, "一") == [Channel.BIZSEND]
    assert notify(long_term, "二") == [Channel.BIZSEND, Channel.BIZSEND]
    chat.send(panel("o_li", "reject", "subscribe_msg_change_event", "SubscribeMsgChangeEvent"))
    assert notify(long_term, "三")[-1] == Channel.TEMPLATE


def test_the_stand_in_posts_the_panel_to_the_server_and_the_notice_goes_by_bizsend(
        one_time: Services, branch: Branch, clock: FixedClock) -> None:
    with reporting_standin(one_time, clock) as (platform, sender):
        platform.subscribe_panel("o_li", {SUB: "accept", "TPL_OTHER": "reject"})
        assert _wait_for_grant(sender, "o_li")
        assert notify(sender, "明天上午九点开支部会。") == [Channel.BIZSEND]
        [call] = platform.calls(path=BIZSEND)
        assert call.response["errcode"] == 0 and call.shown[0] == "通知"


def _wait_for_grant(services: Services, openid: str, timeout: float = 10, *, present: bool = True) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with services.sessions() as session:
            if bool(open_grants(session, openid)) == present:
                return True
        time.sleep(0.05)
    return False


def test_wechats_note_that_a_subscription_went_is_no_message_from_the_person(
        one_time: Services, branch: Branch, wechat: WeChatSide) -> None:
    chat = Chat(create_app(services=one_time).test_client(), wechat)
    sent = panel("o_li", event="subscribe_msg_sent_event", holder="SubscribeMsgSentEvent")
    assert chat.send(sent).get_data(as_text=True) == "success"
    with one_time.sessions() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(InboundMessage)
                              .where(InboundMessage.openid == "o_li")) == 0  # no 48-hour window opened


def test_turning_the_subscription_off_in_the_settings_reaches_the_server_and_the_template_takes_over(
        long_term: Services, branch: Branch, clock: FixedClock) -> None:
    with reporting_standin(long_term, clock) as (platform, sender):
        platform.subscribe_panel("o_li", {SUB: "accept"}, count=10)
        assert _wait_for_grant(sender, "o_li")
        assert notify(sender, "一") == [Channel.BIZSEND]
        platform.change_subscriptions("o_li", {SUB: "reject"})
        assert _wait_for_grant(sender, "o_li", present=False)
        assert notify(sender, "二") == [Channel.BIZSEND, Channel.TEMPLATE]
        assert len(platform.calls(path=BIZSEND)) == 1  # no bizsend tried after the change
        answered = platform.state.reports.answered
        assert ("subscription settings of o_li", 200) in answered
        assert any(label.endswith(" sent") and status == 200 for label, status in answered)
        with sender.sessions() as session:  # WeChat's notes that the 订阅通知 went open no window
            assert session.scalar(sa.select(sa.func.count()).select_from(InboundMessage)
                                  .where(InboundMessage.openid == "o_li")) == 0
