"""The scheduler: APScheduler with its jobs stored in our database, on Beijing time."""

from __future__ import annotations

from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.clock import SHANGHAI
from bot.services import Services

DRAIN_EVERY = 2  # seconds
JOB_DEFAULTS = {"misfire_grace_time": 300, "coalesce": True, "max_instances": 1}


def build_scheduler(services: Services,
                    scheduler: type[BaseScheduler] = BlockingScheduler) -> BaseScheduler:
    """A scheduler whose job store is the bot's database (the jobs survive restarts)."""
    return scheduler(jobstores={"default": SQLAlchemyJobStore(engine=services.engine)},
                     timezone=SHANGHAI, job_defaults=JOB_DEFAULTS)


def add_jobs(scheduler: BaseScheduler) -> None:
    """Every job, by a fixed id, replacing the stored definition (so a new version takes over)."""
    scheduler.add_job("bot.scheduling.jobs:drain_outbox", IntervalTrigger(seconds=DRAIN_EVERY),
                      id="drain_outbox", name="send what is due in the outbox", replace_existing=True)
    scheduler.add_job("bot.scheduling.jobs:remind_overdue_tickets", CronTrigger(hour=9, minute=0),
                      id="remind_overdue_tickets", name="tell staff about overdue 留言",
                      replace_existing=True)
    scheduler.add_job("bot.scheduling.jobs:report_undelivered", CronTrigger(hour=9, minute=5),
                      id="report_undelivered", name="tell staff about messages that did not get through",
                      replace_existing=True)
