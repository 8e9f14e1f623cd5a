"""Any feature queues a message for an audience with one call and one key; again is a no-op."""

from __future__ import annotations

import sqlalchemy as sa

from bot.db.engine import transaction
from bot.delivery import outbox
from bot.delivery.queue import deliver
from bot.models import Channel, OutboxMessage, OutboxStatus
from bot.services import Services
from bot.standin import StandinServer
from tests.office_fixtures import Branch

KEY = "reminder:2026-12-04:第一支部"


def remind(services: Services, to: str = "group:第一支部"):
    with transaction(services.sessions) as session:
        return deliver(session, to, key=KEY, text="明天是集中学习日，上午九点，老干部活动中心。",
                       now=services.clock.now(), kind="study")


def keys(services: Services) -> list[str]:
    with services.sessions() as session:
        return list(session.scalars(sa.select(OutboxMessage.dedupe_key).order_by(OutboxMessage.id)))


def test_a_group_becomes_one_row_per_person_each_with_its_own_key(
        office: Services, branch: Branch) -> None:
    reach = remind(office)
    assert reach.people == 3
    ids = branch.ids
    assert sorted(keys(office)) == sorted([f"{KEY}:{ids['张明']}:o_zhang", f"{KEY}:{ids['李华']}:o_li",
                                           f"{KEY}:{ids['孙兰']}:o_sun_daughter"])


def test_queueing_the_same_key_again_adds_nothing_and_sends_nothing_twice(
        office: Services, branch: Branch, standin: StandinServer) -> None:
    standin.open_window("o_zhang")
    remind(office)
    outbox.drain(office)
    remind(office)  # the job ran twice (a restart, a retry)
    outbox.drain(office)
    assert len(keys(office)) == 3
    assert [c.body["touser"] for c in standin.calls(path="cgi-bin/message/custom/send")] == ["o_zhang"]
    with office.sessions() as session:
        zhang = session.scalars(sa.select(OutboxMessage).where(OutboxMessage.recipient == "o_zhang")).one()
    assert (zhang.status, zhang.channel, zhang.batch) == (OutboxStatus.SENT, Channel.CUSTOM, None)


def test_one_retiree_and_everyone_are_audiences_too(office: Services, branch: Branch) -> None:
    assert remind(office, f"retiree:{branch.ids['李华']}").people == 1
    assert remind(office, "all").people == 4  # 周 of the other branch as well
    assert len(keys(office)) == 4  # 李's row was queued once
