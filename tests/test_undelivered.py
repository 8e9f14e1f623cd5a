"""A message that never gets through is not forgotten: staff list it, and hear of it each morning."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
import sqlalchemy as sa

from bot import outbox
from bot.cli import main
from bot.clock import FixedClock
from bot.config import StaffSettings
from bot.db import transaction
from bot.models import OutboxMessage, OutboxStatus
from bot.scheduling import jobs
from bot.services import Services, build_services
from tests.helpers import user_wrote
from tests.office_fixtures import add_person, bind
from tests.test_scheduler import write_config


@pytest.fixture
def unreachable(services: Services, clock: FixedClock) -> Iterator[Services]:
    """An office whose WeChat API cannot be reached (nothing listens there), with one staff member;
    李华 has written lately, so a customer-service message is what the sender tries."""
    staffed = build_services(replace(services.settings, staff=StaffSettings(openids=("o_staff",))),
                             clock=clock)
    with transaction(staffed.sessions) as session:
        person = add_person(session, clock.now(), "李华", phone="13912345678")
        bind(session, clock.now(), person, "o_li_hua_0001")
        outbox.enqueue(session, recipient="o_li_hua_0001", retiree_id=person.id, now=clock.now(),
                       dedupe_key="reminder:1", text="明天上午九点集中学习。", kind="study")
    user_wrote(staffed, "o_li_hua_0001")
    yield staffed
    staffed.close()


def fail_every_attempt(services: Services, clock: FixedClock) -> None:
    for _ in range(8):
        outbox.drain(services)
        clock.advance(hours=1)


def test_after_the_last_attempt_the_message_is_dead_and_staff_see_whom_to_call(
        unreachable: Services, clock: FixedClock, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    fail_every_attempt(unreachable, clock)
    with unreachable.sessions() as session:
        row = session.scalars(sa.select(OutboxMessage).where(OutboxMessage.kind == "study")).one()
    assert (row.status, row.attempts) == (OutboxStatus.DEAD, 6)
    monkeypatch.setenv("BOT_CONFIG", str(write_config(tmp_path, unreachable.settings)))
    assert main(["outbox", "problems"]) == 0
    out = capsys.readouterr().out
    assert "李华 13912345678" in out and "发送失败" in out and "1 条消息没有送达" in out


def test_staff_hear_each_morning_of_what_did_not_get_through_once(
        unreachable: Services, clock: FixedClock) -> None:
    fail_every_attempt(unreachable, clock)
    jobs.bind(unreachable)
    jobs.report_undelivered()
    jobs.report_undelivered()  # the same day: no second alert
    with unreachable.sessions() as session:
        alerts = session.scalars(sa.select(OutboxMessage).where(OutboxMessage.kind == "staff")).all()
    assert [a.recipient for a in alerts] == ["o_staff"]
    assert "有 1 条消息没有送到" in alerts[0].payload["text"]


def test_with_nothing_undelivered_there_is_no_alert(services: Services) -> None:
    jobs.bind(services)
    jobs.report_undelivered()
    with services.sessions() as session:
        assert session.scalars(sa.select(OutboxMessage)).all() == []
