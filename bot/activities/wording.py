"""How an activity is described to retirees: dates said the way people say them, short lines."""

from __future__ import annotations

from datetime import datetime

from bot.clock import SHANGHAI
from bot.language.texts import Texts
from bot.models import Activity

WEEKDAYS = "一二三四五六日"


def when(at: datetime) -> str:
    """「10 月 29 日（周四）下午 2:30」, in Beijing time."""
    local = at.astimezone(SHANGHAI)
    part = "上午" if local.hour < 12 else ("下午" if local.hour < 18 else "晚上")
    hour = local.hour if local.hour <= 12 else local.hour - 12
    return f"{local.month} 月 {local.day} 日（周{WEEKDAYS[local.weekday()]}）{part} {hour}:{local.minute:02d}"


def day(at: datetime) -> str:
    """「10 月 27 日」."""
    local = at.astimezone(SHANGHAI)
    return f"{local.month} 月 {local.day} 日"


def facts(texts: Texts, activity: Activity) -> str:
    """Time, place, and the details staff filled in (meeting point, transport, notes, contact)."""
    values = (("when", when(activity.starts_at)), ("place", activity.place),
              ("meeting", activity.meeting_point), ("transport", activity.transport),
              ("notes", activity.notes), ("contact", activity.contact))
    return "\n".join(texts.get(f"activity.fact_{name}", value=value) for name, value in values if value)


def describe(texts: Texts, key: str, activity: Activity, **values: object) -> str:
    """One of the [activity] texts about this activity, with its details filled in."""
    return texts.get(f"activity.{key}", title=activity.title, when=when(activity.starts_at),
                     place=activity.place, deadline=day(activity.deadline), capacity=activity.capacity,
                     facts=facts(texts, activity), **values)
