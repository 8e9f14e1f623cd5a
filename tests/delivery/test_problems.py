"""A message that never gets through is not forgotten: staff list it, hear of it each morning,
and can send it again."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
import sqlalchemy as sa

from bot.cli import main
from bot.clock import FixedClock
from bot.config import StaffSettings
from bot.db.engine import transaction
from bot.delivery import outbox
from bot.delivery.problems import resend
from bot.models import AuditEntry, OutboxMessage, OutboxStatus
from bot.scheduling import jobs
from bot.services import Services, build_services
from bot.standin import StandinServer
from tests.helpers import user_wrote, write_config
from tests.office_fixtures import add_person, bind


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
    jobs.run_daily(unreachable, "report_undelivered")
    jobs.run_daily(unreachable, "report_undelivered")  # the same day: no second alert
    with unreachable.sessions() as session:
        alerts = session.scalars(sa.select(OutboxMessage).where(OutboxMessage.kind == "staff")).all()
    assert [a.recipient for a in alerts] == ["o_staff"]
    assert "有 1 条消息没有送到" in alerts[0].payload["text"]


def test_with_nothing_undelivered_there_is_no_alert(services: Services) -> None:
    jobs.run_daily(services, "report_undelivered")
    with services.sessions() as session:
        assert session.scalars(sa.select(OutboxMessage)).all() == []


def dead_row(services: Services) -> OutboxMessage:
    with services.sessions() as session:
        return session.scalars(sa.select(OutboxMessage).where(OutboxMessage.kind == "study")).one()


def test_staff_resend_a_dead_message_and_it_is_queued_afresh_and_audited(
        unreachable: Services, clock: FixedClock, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    fail_every_attempt(unreachable, clock)
    monkeypatch.setenv("BOT_CONFIG", str(write_config(tmp_path, unreachable.settings)))
    assert main(["outbox", "problems"]) == 0
    assert "python -m bot outbox resend 编号" in capsys.readouterr().out
    assert main(["outbox", "resend", str(dead_row(unreachable).id)]) == 0
    assert "已重新排队 1 条" in capsys.readouterr().out
    row = dead_row(unreachable)
    assert (row.status, row.attempts, row.last_error) == (OutboxStatus.PENDING, 0, None)
    with unreachable.sessions() as session:
        [entry] = session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "outbox.resend")).all()
    assert entry.target == f"outbox:{row.id}" and entry.detail["was"] == OutboxStatus.DEAD
    assert main(["outbox", "problems"]) == 0
    assert "0 条消息没有送达" in capsys.readouterr().out


def test_a_resent_message_arrives_once_when_wechat_is_back(
        unreachable: Services, clock: FixedClock, standin: StandinServer) -> None:
    fail_every_attempt(unreachable, clock)
    with transaction(unreachable.sessions) as session:
        done = resend(session, [dead_row(unreachable).id], actor="cli:test", now=clock.now())
    assert list(done.queued.values()) == [OutboxStatus.DEAD]
    back = build_services(replace(unreachable.settings, wechat=replace(
        unreachable.settings.wechat, api_base_url=standin.base_url)), clock=clock)
    try:
        standin.open_window("o_li_hua_0001")
        assert outbox.drain(back) == 1
        assert outbox.drain(back) == 0
    finally:
        back.close()
    sent = standin.calls(path="cgi-bin/message/custom/send", openid="o_li_hua_0001")
    assert [c.body["text"]["content"] for c in sent] == ["明天上午九点集中学习。"]
    assert dead_row(unreachable).status == OutboxStatus.SENT


def test_resend_with_a_wrong_number_changes_nothing(
        unreachable: Services, clock: FixedClock, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    fail_every_attempt(unreachable, clock)
    with transaction(unreachable.sessions) as session:
        outbox.enqueue(session, recipient="o_li_hua_0001", now=clock.now(), dedupe_key="later:1",
                       text="下周体检。", kind="notice")
        waiting = session.scalars(sa.select(OutboxMessage.id)
                                  .where(OutboxMessage.dedupe_key == "later:1")).one()
    monkeypatch.setenv("BOT_CONFIG", str(write_config(tmp_path, unreachable.settings)))
    dead = dead_row(unreachable).id
    assert main(["outbox", "resend", str(dead), str(waiting), "99999"]) == 1
    err = capsys.readouterr().err
    assert f"{waiting}：状态是 pending" in err and "99999：没有这个编号" in err and "没有改动任何消息" in err
    assert dead_row(unreachable).status == OutboxStatus.DEAD  # not half done


def test_resending_an_uncertain_message_warns_it_may_arrive_twice(
        unreachable: Services, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    with transaction(unreachable.sessions) as session:  # as a sender killed mid-call leaves it
        session.execute(sa.update(OutboxMessage).values(status=OutboxStatus.UNCERTAIN))
    monkeypatch.setenv("BOT_CONFIG", str(write_config(tmp_path, unreachable.settings)))
    assert main(["outbox", "resend", str(dead_row(unreachable).id)]) == 0
    assert "其中 1 条上次发送中断，对方可能已经收到过一次" in capsys.readouterr().out
