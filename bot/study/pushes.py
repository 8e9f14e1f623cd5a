"""The study day's messages, queued by the scheduler's daily jobs on the clock's date.

- the eve (the day before, [study] eve_time): 「明天是集中学习日 …」 to the material's groups;
- the day ([study] push_time): the summary and the reading link, by one mass send per group
  where WeChat allows, each person's own link otherwise;
- [study] reminder_after_days later: one gentle reminder to those who have not read it;
- [study] alert_days_before the day: staff are alerted if the month's material is missing, and
  retirees get no empty push.

Every message has a key per month and person, so a job run twice (a restart, a misfire
catch-up) sends nobody anything twice.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.config import Settings
from bot.db.engine import transaction
from bot.delivery.audience import Reach, Recipient, resolve
from bot.delivery.queue import PerPerson, addressed_copies, queue_reach
from bot.delivery.staff_alerts import alert_staff
from bot.models import Group
from bot.services import Services
from bot.study.links import reading_url
from bot.study.material import Material, usable
from bot.study.readings import readers

log = logging.getLogger(__name__)
KIND = "study"


def study_date(settings: Settings, month: str) -> date:
    """The study day of `month` ("2026-12")."""
    return date(int(month[:4]), int(month[5:]), settings.study.day)


def month_of(day: date) -> str:
    """「2026-12」 for a date in December 2026."""
    return f"{day:%Y-%m}"


def send_eve(services: Services) -> int:
    """The day before the study day: tell the material's groups; how many accounts."""
    tomorrow = services.clock.now().date() + timedelta(days=1)
    if tomorrow.day != services.settings.study.day:
        return 0
    month = month_of(tomorrow)
    material = _material_or_alert(services, month)
    if material is None:
        return 0
    text = services.texts.get("study.eve", date=f"{tomorrow.month} 月 {tomorrow.day} 日",
                              title=material.title)
    return _queue(services, material, key=f"study:{month}:eve", text=text)


def send_day(services: Services) -> int:
    """The study day: the summary and the reading link; how many accounts."""
    today = services.clock.now().date()
    if today.day != services.settings.study.day:
        return 0
    material = _material_or_alert(services, month_of(today))
    if material is None:
        return 0
    return _queue(services, material, key=f"study:{material.month}:day", mass=True,
                  text=lambda r: day_text(services, material, r.retiree_id),
                  mass_text=day_text(services, material, None))


def send_reminder(services: Services) -> int:
    """Some days after the study day, once: a gentle word to those who have not read it yet."""
    day = services.clock.now().date() - timedelta(days=services.settings.study.reminder_after_days)
    if day.day != services.settings.study.day:
        return 0
    material = usable(services.settings.content_dir, month_of(day))
    if material is None:
        return 0
    return _queue(services, material, key=f"study:{material.month}:reminder", unread_only=True,
                  text=lambda r: services.texts.get(
                      "study.reminder", title=material.title,
                      link=reading_url(services.settings, material.month, r.retiree_id)))


def check_material(services: Services) -> bool:
    """Days ahead of the study day, alert staff when its material is missing; True if alerted."""
    ahead = services.clock.now().date() + timedelta(days=services.settings.study.alert_days_before)
    if ahead.day != services.settings.study.day:
        return False
    return _material_or_alert(services, month_of(ahead)) is None


def day_text(services: Services, material: Material, retiree_id: int | None) -> str:
    """The study-day message: title, summary, and the link (the person's own when known)."""
    link = (services.texts.get("study.link", link=reading_url(services.settings, material.month, retiree_id))
            if retiree_id else services.texts.get("study.link_by_reply"))
    return services.texts.get("study.day", label=material.label, title=material.title,
                              summary="\n".join(material.summary), link=link)


def audiences(session: Session, material: Material) -> Iterator[str]:
    """Who the material is for: each of its groups (everyone's groups for `all`), then the rest."""
    names = (session.scalars(sa.select(Group.name).distinct().order_by(Group.name))
             if material.for_everyone else material.groups)
    for name in names:
        yield f"group:{name}"
    if material.for_everyone:
        yield "all"  # those in no group; everyone else is queued already, so nothing twice


def _queue(services: Services, material: Material, *, key: str, text: str | PerPerson,
           mass: bool = False, mass_text: str | None = None, unread_only: bool = False) -> int:
    """Queue for every group the material is for; each group is its own mass-send batch."""
    now = services.clock.now()
    queued = 0
    with transaction(services.sessions) as session:
        done = readers(session, material.month) if unread_only else set()
        for audience in audiences(session, material):
            reach = _without(_reach(session, audience), done)
            queued += queue_reach(session, reach, key=key, text=addressed_copies(session, reach, text),
                                  now=now, kind=KIND, title=f"{material.label}集中学习", mass=mass,
                                  mass_text=mass_text, batch=f"{key}@{audience}")
    log.info("%s: %s queued", key, queued)
    return queued


def _reach(session: Session, audience: str) -> Reach:
    try:
        return resolve(session, audience)
    except ValueError:  # a group named in the material that staff have not created
        log.warning("study material names %s, which does not exist", audience)
        return Reach()


def _without(reach: Reach, retiree_ids: set[int]) -> Reach:
    kept: list[Recipient] = [r for r in reach.recipients if r.retiree_id not in retiree_ids]
    return Reach(recipients=kept, tag_id=reach.tag_id)


def _material_or_alert(services: Services, month: str) -> Material | None:
    material = usable(services.settings.content_dir, month)
    if material is None:
        now = services.clock.now()
        day = study_date(services.settings, month)
        with transaction(services.sessions) as session:
            alert_staff(session, services.settings, now, key=f"study-missing:{month}",
                        text=services.texts.get("study.staff_missing", month=month,
                                                date=f"{day.month} 月 {day.day} 日"),
                        page=f"/console/study/edit?month={month}")
    return material
