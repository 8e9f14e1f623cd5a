"""Reaching a mini-program user: a notice goes by the mini-program's subscribe message while they
hold a grant for its template (spent once, never twice), else waits in 我的通知; WeChat saying
there is no grant (43101) moves it to 我的通知 too."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace

import pytest
import sqlalchemy as sa

from bot import create_app
from bot.accounts.grants import open_grants, record_grants, spend_grant
from bot.clock import FixedClock
from bot.db.engine import transaction
from bot.delivery import outbox
from bot.models import Channel, OutboxMessage, OutboxStatus
from bot.notices.sending import send
from bot.services import Services, build_services
from bot.standin.server import StandinServer
from tests.office_fixtures import Branch

TEMPLATE = "TPL_MINI_NOTICE"
MINI_NOTICE = {"id": TEMPLATE, "fields": {"thing1": "title", "thing2": "summary", "time3": "time"},
               "page": "pages/notices/index"}
SUBSCRIBE = "cgi-bin/message/subscribe/send"
Headers = Callable[..., dict[str, str]]


@pytest.fixture
def subscribing(mini: Services, clock: FixedClock) -> Iterator[Services]:
    """The office with a subscribe-message template for notices in the mini-program."""
    built = build_services(replace(mini.settings, delivery=replace(
        mini.settings.delivery, mini_templates={"notice": MINI_NOTICE})), clock=clock)
    yield built
    built.close()


@pytest.fixture
def son(subscribing: Services, branch: Branch, standin: StandinServer) -> dict[str, str]:
    """孙兰's son, bound in the mini-program, who accepted notices once in the panel."""
    client = create_app(services=subscribing).test_client()
    code = standin.mint_wxa_code("o_mini_sun_son")
    token = client.post("/api/v1/session", json={"code": code}).get_json()["token"]
    me = {"Authorization": f"Bearer {token}"}
    client.post("/api/v1/me/binding", headers=me, json={"name": "孙兰", "digits": "0000", "relation": "子女"})
    client.post("/api/v1/me/subscriptions", headers=me, json={"results": {TEMPLATE: "accept"}})
    return me


def test_subscribe_choices_keep_the_grants_given_for_the_offices_templates_only(
        subscribing: Services, standin: StandinServer) -> None:
    """Each accept is one more message of that template; a refusal none; a template id the
    office never configured is not kept (it could never be spent); a choice WeChat does not
    give is a 422."""
    client = create_app(services=subscribing).test_client()
    code = standin.mint_wxa_code("o_mini_subscriber")
    token = client.post("/api/v1/session", json={"code": code}).get_json()["token"]
    me = {"Authorization": f"Bearer {token}"}
    kept = client.post("/api/v1/me/subscriptions", headers=me,
                       json={"results": {TEMPLATE: "accept", "TPL_ELSEWHERE": "accept", "TPL_X": "ban"}})
    assert kept.status_code == 200 and kept.get_json() == {"grants": {TEMPLATE: 1}}
    again = client.post("/api/v1/me/subscriptions", headers=me,
                        json={"results": {TEMPLATE: "acceptWithAudio"}})
    assert again.get_json() == {"grants": {TEMPLATE: 2}}
    odd = client.post("/api/v1/me/subscriptions", headers=me, json={"results": {TEMPLATE: "maybe"}})
    assert odd.status_code == 422


def notify(services: Services, text: str) -> None:
    with transaction(services.sessions) as session:
        send(session, services.settings, text=text, audience="group:第一支部", actor="clerk",
             now=services.clock.now(), title="支部通知")
    outbox.drain(services)


def his_copies(services: Services) -> list[OutboxMessage]:
    with services.sessions() as session:
        return list(session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id)
                                    .where(OutboxMessage.recipient == "o_mini_sun_son")))


def test_a_grant_carries_one_notice_by_subscribe_message_then_my_notices_takes_over(
        subscribing: Services, son: dict[str, str], standin: StandinServer) -> None:
    standin.grant_subscribe("o_mini_sun_son", TEMPLATE)  # what WeChat knows of the same panel
    notify(subscribing, "明天上午九点在活动中心开支部会，请准时参加。")
    [call] = standin.calls(path=SUBSCRIBE)
    assert call.body["touser"] == "o_mini_sun_son" and call.body["page"] == "pages/notices/index"
    assert call.shown[0] == "支部通知"  # the title field; the summary says whom it is for first,
    # in few characters: 20 is all the field holds, and the news must fit beside the name
    assert call.shown[1] == "给孙兰：明天上午九点在活动中心开支部会…"
    notify(subscribing, "下周三体检，请空腹。")
    assert len(standin.calls(path=SUBSCRIBE)) == 1  # the grant is spent: nothing more by subscribe
    first, second = his_copies(subscribing)
    assert (first.channel, first.status) == (Channel.SUBSCRIBE, OutboxStatus.SENT)
    assert (second.channel, second.status) == (Channel.MAILBOX, OutboxStatus.MAILBOX)


def test_wechat_knowing_no_grant_moves_the_notice_to_my_notices(
        subscribing: Services, son: dict[str, str], standin: StandinServer) -> None:
    notify(subscribing, "明天上午九点开支部会。")  # the client reported a grant WeChat does not have
    [refused] = standin.calls(path=SUBSCRIBE)
    assert refused.response["errcode"] == 43101
    [copy] = his_copies(subscribing)
    assert (copy.channel, copy.status) == (Channel.MAILBOX, OutboxStatus.MAILBOX)


def test_one_grant_is_spent_once_however_many_senders_try(subscribing: Services, son: dict[str, str]) -> None:
    now = subscribing.clock.now()
    with transaction(subscribing.sessions) as session:
        assert spend_grant(session, "o_mini_sun_son", TEMPLATE, now) is not None
        assert spend_grant(session, "o_mini_sun_son", TEMPLATE, now) is None
        record_grants(session, "o_mini_sun_son", "mini", [TEMPLATE], now, source="event", long_term=True)
        assert all(spend_grant(session, "o_mini_sun_son", TEMPLATE, now) for _ in range(3))  # long-term


def test_wechat_slowing_us_down_gives_the_grant_back_and_43101_ends_it(
        subscribing: Services, son: dict[str, str], standin: StandinServer) -> None:
    standin.grant_subscribe("o_mini_sun_son", TEMPLATE)
    standin.state.settings.minute_limits[SUBSCRIBE] = 0  # WeChat: 45011, try again next minute
    notify(subscribing, "明天开会。")
    assert standin.calls(path=SUBSCRIBE)[-1].response["errcode"] == 45011
    with subscribing.sessions() as session:
        assert open_grants(session, "o_mini_sun_son") == {TEMPLATE: 1}  # not used: given back
    standin.state.settings.minute_limits[SUBSCRIBE] = 100
    standin.state.subscribe_grants.clear()  # WeChat no longer holds it (turned off elsewhere)
    subscribing.clock.advance(minutes=5)
    outbox.drain(subscribing)
    assert standin.calls(path=SUBSCRIBE)[-1].response["errcode"] == 43101
    with subscribing.sessions() as session:
        assert open_grants(session, "o_mini_sun_son") == {}  # ended: not tried again and again
    assert his_copies(subscribing)[0].status == OutboxStatus.MAILBOX  # and the notice waits in 我的通知
