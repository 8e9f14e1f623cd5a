"""scheduler.py: one scheduler at a time, jobs kept in the database, jobs that enqueue or drain."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from apscheduler.schedulers.background import BackgroundScheduler

from bot.cli import main
from bot.clock import SHANGHAI, FixedClock
from bot.config import PROJECT_ROOT, Settings
from bot.db.engine import transaction
from bot.delivery import outbox
from bot.models import AuditEntry, OutboxMessage, OutboxStatus, Ticket
from bot.scheduling import jobs
from bot.scheduling.leader import Leadership
from bot.scheduling.schedule import add_jobs, build_scheduler
from bot.services import Services
from tests.helpers import OPENID, write_config


def test_a_second_scheduler_waits_while_the_first_renews(services: Services, clock: FixedClock) -> None:
    first = Leadership(services.engine, clock, ttl=30)
    second = Leadership(services.engine, clock, ttl=30)
    assert first.try_take() and not second.try_take()
    clock.advance(seconds=20)
    assert first.renew() and not second.try_take()
    clock.advance(seconds=31)  # the first stopped renewing (it was killed)
    assert second.try_take()
    assert not first.renew()  # it cannot come back and run jobs twice


def test_a_clean_stop_hands_over_at_once(services: Services, clock: FixedClock) -> None:
    first, second = Leadership(services.engine, clock), Leadership(services.engine, clock)
    assert first.try_take()
    first.release()
    assert second.try_take()


def test_the_jobs_are_stored_and_listed_with_their_next_run(services: Services, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    scheduler = build_scheduler(services, BackgroundScheduler)
    scheduler.start(paused=True)
    add_jobs(scheduler, services)
    scheduler.shutdown(wait=False)
    monkeypatch.setenv("BOT_CONFIG", str(write_config(tmp_path, services.settings)))
    assert main(["jobs"]) == 0
    out = capsys.readouterr().out
    assert "drain_outbox\t" in out and "remind_overdue_tickets\t" in out and " 09:00:00\t" in out


def test_overdue_tickets_are_reported_to_staff_once_a_day(services: Services, clock: FixedClock) -> None:
    from dataclasses import replace

    from bot.config import StaffSettings
    from bot.services import build_services

    staffed = build_services(replace(services.settings, staff=StaffSettings(openids=("o_staff",))),
                             clock=clock)
    try:
        with transaction(staffed.sessions) as session:
            session.add(Ticket(openid=OPENID, text="暖气不热", created_at=clock.now() - timedelta(days=2)))
        jobs.run_daily(staffed, "remind_overdue_tickets")
        jobs.run_daily(staffed, "remind_overdue_tickets")  # the same day: no second alert
        with staffed.sessions() as session:
            alerts = session.scalars(sa.select(OutboxMessage)).all()
        assert [a.recipient for a in alerts] == ["o_staff"]
        assert "超过 24 小时未回复的留言 1 条" in alerts[0].payload["text"]
    finally:
        staffed.close()


def test_the_process_drains_and_a_second_one_takes_over_when_the_first_is_killed(
        services: Services, tmp_path: Path) -> None:
    if "postgresql" in services.settings.database_url:
        pytest.skip("the process test runs on SQLite; the lease logic is tested on both above")
    config = write_config(tmp_path, services.settings)
    park(services, "n1")
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    command = [sys.executable, str(PROJECT_ROOT / "scheduler.py"), "--config", str(config), "--lease", "2"]
    logs = [tmp_path / "first.log", tmp_path / "second.log"]
    with logs[0].open("w") as out1, logs[1].open("w") as out2:
        first = subprocess.Popen(command, env=env, stderr=out1)
        second = None
        try:
            _wait_for(lambda: _count_mailbox(services) == 1, "the first scheduler to drain")
            second = subprocess.Popen(command, env=env, stderr=out2)
            # Until it says so, not for a fixed time: on a loaded machine its start-up alone took longer.
            _wait_for(lambda: "waiting until it stops" in logs[1].read_text(), "the second to wait")
            assert second.poll() is None
            first.send_signal(signal.SIGKILL)
            first.wait()
            park(services, "n2")
            _wait_for(lambda: _count_mailbox(services) == 2, "the second scheduler to take over")
        finally:
            for process in (first, second):
                if process and process.poll() is None:
                    process.terminate()
                    process.wait(timeout=10)
    assert "this process is now the scheduler" in logs[1].read_text()


def park(services: Services, key: str) -> None:
    """A due notice for someone whose window is shut: the drain job puts it in the mailbox."""
    long_ago = services.clock.now() - timedelta(days=365)  # due whatever the real clock says
    with transaction(services.sessions) as session:
        outbox.enqueue(session, recipient=OPENID, dedupe_key=key, text="通知", now=long_ago)


def _count_mailbox(services: Services) -> int:
    with services.sessions() as session:
        return session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)
                              .where(OutboxMessage.status == OutboxStatus.MAILBOX))


def _wait_for(condition, what: str, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)


@pytest.fixture
def server_zone(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch):
    """The process's local time zone set to request.param, as on a server outside China."""
    import tzlocal

    monkeypatch.setenv("TZ", request.param)
    time.tzset()
    tzlocal.reload_localzone()
    yield request.param
    monkeypatch.undo()
    time.tzset()
    tzlocal.reload_localzone()


def _started_paused(services: Services) -> BackgroundScheduler:
    scheduler = build_scheduler(services, BackgroundScheduler)
    add_jobs(scheduler, services)
    scheduler.start(paused=True)  # stores the jobs; runs nothing
    return scheduler


@pytest.mark.parametrize("server_zone", ["UTC", "America/New_York"], indirect=True)
def test_daily_jobs_run_at_beijing_time_whatever_the_servers_zone(services: Services,
                                                                  server_zone: str) -> None:
    scheduler = _started_paused(services)
    try:
        greetings = scheduler.get_job("morning_greetings").next_run_time.astimezone(SHANGHAI)
        eve = scheduler.get_job("study_eve").next_run_time.astimezone(SHANGHAI)
    finally:
        scheduler.shutdown(wait=False)
    assert (greetings.hour, greetings.minute) == (8, 0)
    assert (eve.hour, eve.minute) == (18, 0)


def _store_next_run(services: Services, job: str, at: datetime) -> None:
    with services.engine.begin() as conn:
        conn.execute(sa.text("UPDATE apscheduler_jobs SET next_run_time = :t WHERE id = :id"),
                     {"t": at.timestamp(), "id": job})


def test_a_scheduler_restarted_just_after_a_daily_job_was_due_still_runs_it(
        services: Services, clock: FixedClock) -> None:
    _started_paused(services).shutdown(wait=False)  # the scheduler that was running until 08:00
    due = clock.now() - timedelta(seconds=5)  # it stopped just before its 08:00 run
    long_ago = clock.now() - timedelta(hours=9)  # longer ago than a day job's grace
    _store_next_run(services, "morning_greetings", due)
    _store_next_run(services, "study_eve", long_ago)
    scheduler = _started_paused(services)
    try:
        assert scheduler.get_job("morning_greetings").next_run_time == due  # runs at once on start
        assert scheduler.get_job("study_eve").next_run_time > clock.now()  # too late: next time
    finally:
        scheduler.shutdown(wait=False)


def test_a_daily_job_runs_by_hand_for_a_date_as_a_dry_run_first(
        office: Services, branch, cli, capsys: pytest.CaptureFixture[str]) -> None:
    day = ["jobs", "run", "morning_greetings", "--date", "2026-10-01"]  # 国庆: a day the scheduler missed
    code, out, _ = cli(capsys, *day)
    assert code == 0 and "演练" in out and "greeting 4 条" in out and "--send" in out
    assert _greetings_queued(office) == 0  # a dry run keeps nothing
    code, out, _ = cli(capsys, *day, "--send")
    assert code == 0 and "greeting 4 条" in out
    assert _greetings_queued(office) == 4
    code, out, _ = cli(capsys, *day, "--send")  # again, or after the scheduler ran it: nothing twice
    assert "没有新消息" in out and _greetings_queued(office) == 4
    with office.sessions() as session:
        entries = session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "jobs.run")).all()
    assert [e.target for e in entries] == ["morning_greetings", "morning_greetings"]


def test_a_day_to_come_can_be_tried_but_not_sent(office: Services, branch, cli,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    soon = (datetime.now(SHANGHAI) + timedelta(days=30)).date().isoformat()
    code, out, _ = cli(capsys, "jobs", "run", "morning_greetings", "--date", soon)
    assert code == 0 and "演练" in out
    code, _, err = cli(capsys, "jobs", "run", "morning_greetings", "--date", soon, "--send")
    assert code == 2 and "还没到" in err and _greetings_queued(office) == 0


def test_an_unknown_job_name_is_one_clear_sentence(office: Services, cli,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = cli(capsys, "jobs", "run", "greetings", "--date", "2026-10-01")
    assert code == 2 and "没有叫 greetings 的每日任务" in err and "morning_greetings" in err


def _greetings_queued(services: Services) -> int:
    with services.sessions() as session:
        return session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)
                              .where(OutboxMessage.kind == "greeting"))


def test_the_missed_daily_job_really_runs_when_the_scheduler_starts(settings: Settings) -> None:
    """With APScheduler's own clock (the real one): the greetings due 5 s before the restart run."""
    from apscheduler.events import EVENT_JOB_EXECUTED

    from bot.services import build_services

    services = build_services(settings, clock=FixedClock(datetime.now(SHANGHAI)))
    try:
        _started_paused(services).shutdown(wait=False)
        _store_next_run(services, "morning_greetings", services.clock.now() - timedelta(seconds=5))
        ran = []
        scheduler = build_scheduler(services, BackgroundScheduler)
        scheduler.add_listener(lambda event: ran.append(event.job_id), EVENT_JOB_EXECUTED)
        add_jobs(scheduler, services)
        scheduler.start()
        try:
            _wait_for(lambda: "morning_greetings" in ran, "the missed greetings to run")
        finally:
            scheduler.shutdown(wait=True)
    finally:
        services.close()
