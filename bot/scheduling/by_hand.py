"""A daily job run by hand for a chosen date: `python -m bot jobs run NAME --date D [--send]`.

A dry run by default: the job runs as the scheduler would have run it at its time that day, in
a transaction that is rolled back, and what it would have queued is counted by kind. With
send it is kept (and audit-logged); every message's key means nothing already queued for that
day is queued again, so running it twice, or after the scheduler did, sends nothing twice.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time

import sqlalchemy as sa
from sqlalchemy.orm import sessionmaker

from bot import audit
from bot.clock import SHANGHAI, Clock, FixedClock, SystemClock
from bot.config import Settings, clock_time
from bot.models import OutboxMessage
from bot.scheduling.jobs import run_daily
from bot.scheduling.schedule import daily_jobs
from bot.services import build_services


class JobError(ValueError):
    """The job cannot be run as asked; the message says why."""


@dataclass(frozen=True)
class HandRun:
    """What a run by hand did, or would have done."""

    job: str
    at: datetime
    queued: dict[str, int]  # kind of message → how many new messages
    kept: bool              # False: a dry run, rolled back


def run_by_hand(settings: Settings, name: str, day: date, *, send: bool, actor: str,
                clock: Clock | None = None) -> HandRun:
    """Run the daily job `name` as at its time on `day` (Beijing time); keep it only with send.

    A day still to come may be tried, never sent: its greetings would arrive days early.
    """
    jobs = {job.id: job for job in daily_jobs(settings)}
    if name not in jobs:
        raise JobError(f"没有叫 {name} 的每日任务。可以运行的：{'、'.join(jobs)}。")
    now = (clock or SystemClock()).now()
    at = datetime.combine(day, time(*clock_time(jobs[name].at, name)), SHANGHAI)
    if send and at > now:
        raise JobError(f"{day} {jobs[name].at} 还没到：可以先演练（不加 --send），到时候由定时任务发送。")
    services = build_services(settings, clock=FixedClock(at))
    try:
        with services.engine.connect() as conn:
            outer = conn.begin()
            # The job's own transactions become savepoints of this one, which decides at the end.
            sessions = sessionmaker(bind=conn, join_transaction_mode="create_savepoint",
                                    expire_on_commit=False)
            before = conn.scalar(sa.select(sa.func.max(OutboxMessage.id))) or 0
            run_daily(replace(services, sessions=sessions), name)
            # Its rows carry its clock's time: what the web workers queue meanwhile does not.
            queued = dict(conn.execute(sa.select(OutboxMessage.kind, sa.func.count())
                                       .where(OutboxMessage.id > before, OutboxMessage.created_at == at)
                                       .group_by(OutboxMessage.kind)).all())
            if not send:
                outer.rollback()
                return HandRun(name, at, queued, kept=False)
            with sessions() as session, session.begin():
                audit.record(session, actor=actor, action="jobs.run", at=now, target=name,
                             day=day.isoformat(), queued=queued)
            outer.commit()
            return HandRun(name, at, queued, kept=True)
    finally:
        services.close()
