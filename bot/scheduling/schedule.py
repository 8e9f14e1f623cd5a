"""The scheduler: APScheduler with its jobs stored in our database, on Beijing time."""

from __future__ import annotations

from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.clock import SHANGHAI
from bot.config import Settings, clock_time
from bot.services import Services

DRAIN_EVERY = 2  # seconds
JOB_DEFAULTS = {"misfire_grace_time": 300, "coalesce": True, "max_instances": 1}
DAY_JOB_GRACE = 8 * 3600  # seconds: a daily job missed at 09:00 still runs until 17:00


def build_scheduler(services: Services,
                    scheduler: type[BaseScheduler] = BlockingScheduler) -> BaseScheduler:
    """A scheduler whose job store is the bot's database (the jobs survive restarts)."""
    return scheduler(jobstores={"default": SQLAlchemyJobStore(engine=services.engine)},
                     timezone=SHANGHAI, job_defaults=JOB_DEFAULTS)


def add_jobs(scheduler: BaseScheduler, settings: Settings) -> None:
    """Every job, by a fixed id, replacing the stored definition (so a new version takes over).

    The study jobs run every day at their configured time and act only on the right days.
    """
    scheduler.add_job("bot.scheduling.jobs:drain_outbox", IntervalTrigger(seconds=DRAIN_EVERY),
                      id="drain_outbox", name="send what is due in the outbox", replace_existing=True)
    scheduler.add_job("bot.scheduling.jobs:remind_overdue_tickets", CronTrigger(hour=9, minute=0),
                      id="remind_overdue_tickets", name="tell staff about overdue 留言",
                      replace_existing=True)
    scheduler.add_job("bot.scheduling.jobs:report_undelivered", CronTrigger(hour=9, minute=5),
                      id="report_undelivered", name="tell staff about messages that did not get through",
                      replace_existing=True)
    study = settings.study
    for job, at, name in (("activity_reminders", settings.activities.reminder_time,
                           "remind everyone with a place in tomorrow's activities"),
                          ("morning_greetings", settings.greetings.time, "birthday and festival greetings"),
                          ("birthday_visits", settings.greetings.time, "上门祝寿 tasks for milestones"),
                          ("study_check_material", study.push_time, "check next study day's material"),
                          ("study_eve", study.eve_time, "the eve of the study day"),
                          ("study_day", study.push_time, "the study day's push"),
                          ("study_reminder", study.reminder_time, "the reminder after the study day")):
        hour, minute = clock_time(at, job)
        # A scheduler that was down at that moment still runs it when it comes back the same
        # day (the messages' keys make a late or repeated run send nothing twice).
        scheduler.add_job(f"bot.scheduling.jobs:{job}", CronTrigger(hour=hour, minute=minute), id=job,
                          name=name, replace_existing=True, misfire_grace_time=DAY_JOB_GRACE)
