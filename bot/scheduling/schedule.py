"""The scheduler: APScheduler with its jobs stored in our database, on Beijing time.

Each job runs with the process's services as its first argument, as each handler runs with its
context: the stored job holds the placeholder SERVICES, which ServicesExecutor fills in.

Every daily job's trigger carries Asia/Shanghai itself: a CronTrigger without a time zone
takes the server's, and on a UTC server the 08:00 greeting would go at 16:00 Beijing time.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import datetime
from enum import Enum

import sqlalchemy as sa
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.job import Job
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.clock import SHANGHAI
from bot.config import Settings, clock_time
from bot.services import Services

DRAIN_EVERY = 2  # seconds
UNIONIDS_EVERY = 600  # seconds: a follower bound in the chat is linked within minutes of a mini-program login
JOB_DEFAULTS = {"misfire_grace_time": 300, "coalesce": True, "max_instances": 1}
DAY_JOB_GRACE = 8 * 3600  # seconds: a daily job missed at 09:00 still runs until 17:00
RUN_DAILY = "bot.scheduling.jobs:run_daily"


class Given(Enum):
    """What a stored job receives when it runs (an enum: it pickles by name)."""

    SERVICES = "services"


class ServicesExecutor(ThreadPoolExecutor):
    """APScheduler's thread pool, giving each job the process's services where it stored
    Given.SERVICES: the job store pickles a job's arguments, and services (connections, an HTTP
    session) cannot be pickled, nor live in a module global when tests run two schedulers."""

    def __init__(self, services: Services) -> None:
        super().__init__()
        self._services = services

    def _do_submit_job(self, job: Job, run_times: list[datetime]) -> None:
        given = copy.copy(job)  # a copy: the scheduler keeps, and stores, the job as it was
        given.args = tuple(self._services if arg is Given.SERVICES else arg for arg in job.args)
        given._jobstore_alias = job._jobstore_alias  # run_job reports by it; not part of a copy
        super()._do_submit_job(given, run_times)


@dataclass(frozen=True)
class DailyJob:
    """A job that runs once a day at a time of day in Beijing time."""

    id: str
    at: str  # "HH:MM"
    name: str

    def trigger(self) -> CronTrigger:
        """Its trigger, in Asia/Shanghai whatever the server's zone."""
        hour, minute = clock_time(self.at, self.id)
        return CronTrigger(hour=hour, minute=minute, timezone=SHANGHAI)


# What each daily job does, as staff read it (`jobs list`, the 操作记录 page for one run by hand).
DAILY_JOB_NAMES = {
    "remind_overdue_tickets": "提醒工作人员：超时未回的留言",
    "report_undelivered": "提醒工作人员：没发出去的消息",
    "activity_reminders": "提醒明天活动的报名人",
    "morning_greetings": "生日、节日问候",
    "birthday_visits": "逢十生日上门祝寿任务",
    "study_check_material": "检查下次学习日的材料",
    "study_eve": "学习日前一天提醒",
    "study_day": "学习日推送",
    "study_reminder": "学习日后补学提醒",
    "purge_expired": "清理过期的存储和小程序登录",
}


def daily_jobs(settings: Settings) -> list[DailyJob]:
    """Every daily job and its time (the study jobs run daily and act only on the right days)."""
    study, greetings = settings.study, settings.greetings.time
    times = {"remind_overdue_tickets": "09:00", "report_undelivered": "09:05",
             "activity_reminders": settings.activities.reminder_time, "morning_greetings": greetings,
             "birthday_visits": greetings, "study_check_material": study.push_time,
             "study_eve": study.eve_time, "study_day": study.push_time, "study_reminder": study.reminder_time,
             "purge_expired": "03:30"}
    return [DailyJob(job, times[job], name) for job, name in DAILY_JOB_NAMES.items()]


def build_scheduler(services: Services,
                    scheduler: type[BaseScheduler] = BlockingScheduler) -> BaseScheduler:
    """A scheduler whose job store is the bot's database (the jobs survive restarts)."""
    return scheduler(jobstores={"default": SQLAlchemyJobStore(engine=services.engine)},
                     executors={"default": ServicesExecutor(services)},
                     timezone=SHANGHAI, job_defaults=JOB_DEFAULTS)


def add_jobs(scheduler: BaseScheduler, services: Services) -> None:
    """Every job, by a fixed id, replacing the stored definition (so a new version takes over).

    Replacing a job recomputes its next run from now, so a scheduler restarted a few seconds
    after 08:00 would skip today's greetings: a daily job whose stored run fell due within
    DAY_JOB_GRACE keeps that time and runs at once (its messages' keys send nothing twice).
    """
    scheduler.add_job("bot.scheduling.jobs:drain_outbox", IntervalTrigger(seconds=DRAIN_EVERY),
                      args=[Given.SERVICES], id="drain_outbox", name="发送到时的消息",
                      replace_existing=True)
    scheduler.add_job("bot.scheduling.jobs:link_unionids", IntervalTrigger(seconds=UNIONIDS_EVERY),
                      args=[Given.SERVICES], id="link_unionids", name="关联关注者的 unionid",
                      replace_existing=True)
    missed = missed_runs(services.engine, services.clock.now())
    for job in daily_jobs(services.settings):
        extra = {"next_run_time": missed[job.id]} if job.id in missed else {}
        scheduler.add_job(RUN_DAILY, job.trigger(), args=[Given.SERVICES, job.id], id=job.id, name=job.name,
                          replace_existing=True, misfire_grace_time=DAY_JOB_GRACE, **extra)


def missed_runs(engine: sa.Engine, now: datetime) -> dict[str, datetime]:
    """The stored jobs whose next run fell due while no scheduler ran, within the grace."""
    table = sa.table("apscheduler_jobs", sa.column("id"), sa.column("next_run_time"))
    with engine.connect() as conn:
        rows = conn.execute(sa.select(table.c.id, table.c.next_run_time)
                            .where(table.c.next_run_time <= now.timestamp(),
                                   table.c.next_run_time >= now.timestamp() - DAY_JOB_GRACE)).all()
    return {row.id: datetime.fromtimestamp(row.next_run_time, SHANGHAI) for row in rows}
