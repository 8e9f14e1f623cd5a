"""What a notice may point to: a study month (each person gets their own reading link, so the
study report counts who read it) or an activity (its name and time, and how to sign up)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.activities.wording import when
from bot.db.engine import record_id
from bot.delivery.audience import AudienceError, Recipient
from bot.models import Activity, ActivityStatus
from bot.services import Services
from bot.study.links import reading_url
from bot.study.material import months, usable

Words = Callable[[Recipient], str]


@dataclass(frozen=True)
class Link:
    """A study month (`study:2026-12`) or an activity (`activity:7`), and the line it adds."""

    value: str
    label: str            # how staff see it in a list: 「学习：12 月《…》」
    line: Callable[[int | None], str]  # the line a retiree reads, by whom it is for

    def words(self, text: str) -> Words:
        """The notice's text with this link's line below it, for each recipient."""
        return lambda recipient: f"{text}\n{self.line(recipient.retiree_id)}"


def choices(services: Services, session: Session, now: datetime) -> list[Link]:
    """What a notice written now may point to: the study months on file (newest first) and the
    activities not yet over."""
    found = [link for month in months(services.settings.content_dir)
             if (link := _study(services, month)) is not None]
    activities = session.scalars(sa.select(Activity).where(
        Activity.status != ActivityStatus.CANCELLED, Activity.starts_at > now).order_by(Activity.starts_at))
    return found + [_activity(services, activity) for activity in activities]


def find(services: Services, session: Session, value: str) -> Link:
    """The link a form's value names; AudienceError when it names nothing there is."""
    kind, _, key = value.partition(":")
    link = None
    if kind == "study":
        link = _study(services, key)
    elif kind == "activity" and (number := record_id(key)) and (activity := session.get(Activity, number)):
        link = _activity(services, activity)
    if link is None:
        raise AudienceError("要附上的学习材料或活动已经没有了，请重新选择。")
    return link


def _study(services: Services, month: str) -> Link | None:
    material = usable(services.settings.content_dir, month)
    if material is None:
        return None
    return Link(f"study:{month}", f"学习：{material.label}《{material.title}》",
                lambda retiree_id: services.texts.get(
                    "notice.study_link", title=material.title,
                    link=reading_url(services.settings, month, retiree_id)))


def _activity(services: Services, activity: Activity) -> Link:
    at = when(activity.starts_at)
    return Link(f"activity:{activity.id}", f"活动：{activity.title}（{at}）",
                lambda _retiree_id: services.texts.get("notice.activity_link", title=activity.title,
                                                       when=at))
