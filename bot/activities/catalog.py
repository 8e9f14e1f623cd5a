"""Staff create and edit activities from a TOML file (one `[[activity]]` table each).

    [[activity]]
    title = "重阳茶话会"            # required
    kind = "茶话会"                 # 参观 体检 茶话会 出游 文体 其他
    starts_at = 2026-10-29T14:30:00 # Beijing time
    place = "老干部活动中心二楼"     # required
    meeting_point = "中心大门口"     # optional, likewise transport, notes, contact
    capacity = 60                   # seats, companions included
    deadline = 2026-10-26T17:00:00  # sign-ups close
    cancel_until = 2026-10-28T12:00:00  # withdrawals close (default: the deadline)
    groups = ["all"]                # or group names
    companion_seats = 1             # seats a companion takes; 0: no companion
    id = 3                          # only to edit an activity that exists

A file is loaded whole or not at all; each problem names the entry and the field.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.activities.signups import SignupRefused, lock, promote
from bot.clock import SHANGHAI
from bot.models import EDITABLE, Activity, ActivityStatus, Group, Signup, SignupStatus

KINDS = ("参观", "体检", "茶话会", "出游", "文体", "其他")
REQUIRED = ("title", "starts_at", "place", "capacity", "deadline")
TEXTS = {"title": 60, "place": 200, "meeting_point": 200, "transport": 200, "notes": 300, "contact": 100}


class CatalogError(ValueError):
    """The file or the command cannot be carried out; the message says every reason."""


@dataclass
class LoadReport:
    """What a file would do (or did), and what is wrong with it."""

    created: list[Activity] = field(default_factory=list)
    updated: list[Activity] = field(default_factory=list)
    promoted: list[Signup] = field(default_factory=list)  # moved up from the waitlist by more seats
    problems: list[str] = field(default_factory=list)


def load_file(session: Session, path: Path, now: datetime) -> LoadReport:
    """Create or update the file's activities in session; CatalogError (listing every problem)
    if any entry is wrong, so the caller's transaction adds nothing."""
    report = LoadReport()
    try:
        entries = tomllib.loads(path.read_text(encoding="utf-8")).get("activity", [])
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        report.problems.append(f"读不出 {path.name}：{exc}")
        return report
    if not entries:
        report.problems.append(f"{path.name} 里没有 [[activity]]。")
    groups = set(session.scalars(sa.select(Group.name)))
    for number, entry in enumerate(entries, start=1):
        values, problems = _values(entry, groups)
        report.problems += [f"第 {number} 个活动（{entry.get('title', '无标题')}）：{p}" for p in problems]
        if not problems:
            _apply(session, entry.get("id"), values, now, report, number)
    if report.problems:
        raise CatalogError("\n".join(report.problems))
    return report


def _values(entry: dict[str, Any], groups: set[str]) -> tuple[dict[str, Any], list[str]]:
    problems = [f"缺少 {name}" for name in REQUIRED if name not in entry]
    unknown = set(entry) - set(EDITABLE) - {"id"}
    problems += [f"不认识的字段 {name}" for name in sorted(unknown)]
    if problems:
        return {}, problems
    values = {name: entry[name] for name in EDITABLE if name in entry}
    for name in ("starts_at", "deadline", "cancel_until"):
        if name in values:
            if not isinstance(values[name], datetime):
                problems.append(f"{name} 应写成 2026-10-29T14:30:00 这样的时间")
                continue
            values[name] = values[name].replace(tzinfo=values[name].tzinfo or SHANGHAI)
    for name, limit in TEXTS.items():
        if name in values and (not isinstance(values[name], str) or len(values[name]) > limit):
            problems.append(f"{name} 应为不超过 {limit} 字的文字")
    if not isinstance(values["capacity"], int) or values["capacity"] < 1:
        problems.append("capacity 应为正整数")
    companion = values.get("companion_seats", 0)
    if not isinstance(companion, int) or not 0 <= companion <= 2:
        problems.append("companion_seats 应为 0、1 或 2")
    if values.get("kind", "其他") not in KINDS:
        problems.append(f"kind 应为 {'、'.join(KINDS)} 之一")
    names = values.setdefault("groups", ["all"])
    if not isinstance(names, list) or not names:
        problems.append("groups 应为分组名的列表，或 [\"all\"]")
    else:
        problems += [f"没有名为「{n}」的分组" for n in names if n != "all" and n not in groups]
    if not problems:
        problems += _check_times(values)
    return values, problems


def _check_times(values: dict[str, Any]) -> list[str]:
    values.setdefault("cancel_until", values["deadline"])
    problems = []
    if values["deadline"] > values["starts_at"]:
        problems.append("报名截止（deadline）应在活动开始之前")
    if values["cancel_until"] > values["starts_at"]:
        problems.append("取消截止（cancel_until）应在活动开始之前")
    return problems


def _apply(session: Session, activity_id: Any, values: dict[str, Any], now: datetime,
           report: LoadReport, number: int) -> None:
    if activity_id is None:
        activity = Activity(**values, status=ActivityStatus.OPEN, created_at=now, updated_at=now)
        session.add(activity)
        session.flush()
        report.created.append(activity)
        return
    try:
        activity = lock(session, activity_id) if isinstance(activity_id, int) else None
    except SignupRefused:
        activity = None
    if activity is None:
        report.problems.append(f"第 {number} 个活动：没有编号为 {activity_id} 的活动")
        return
    confirmed = sum(s.seats for s in activity.signups if s.status == SignupStatus.CONFIRMED)
    if values["capacity"] < confirmed:
        report.problems.append(f"第 {number} 个活动：已有 {confirmed} 个座位报上，名额不能改得更少")
        return
    for name, value in values.items():
        setattr(activity, name, value)
    activity.updated_at = now
    report.updated.append(activity)
    report.promoted += promote(session, activity, now)  # more seats: the waitlist moves up


def close(session: Session, activity_id: int, now: datetime) -> Activity:
    """Stop sign-ups; the activity still takes place."""
    activity = get(session, activity_id)
    activity.status, activity.updated_at = ActivityStatus.CLOSED, now
    return activity


def get(session: Session, activity_id: int) -> Activity:
    """The activity, or CatalogError with a sentence for staff."""
    activity = session.get(Activity, activity_id)
    if activity is None:
        raise CatalogError(f"没有编号为 {activity_id} 的活动（python -m bot activity list 查看）。")
    return activity
