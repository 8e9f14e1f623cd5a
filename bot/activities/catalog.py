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
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.activities.signups import SignupRefused, lock, promote
from bot.clock import SHANGHAI
from bot.models import EDITABLE, Activity, ActivityStatus, Group, Retiree, Signup, SignupStatus
from bot.roster.changes import as_logged
from bot.roster.groups import EVERYONE, EVERYONE_AND_GROUPS, mixes_everyone

KINDS = ("参观", "体检", "茶话会", "出游", "文体", "其他")
# The seats a companion takes, as the form offers them and the audit log reads them.
COMPANION_CHOICES = {0: "不能带家属", 1: "可带一位家属（占 1 个座）", 2: "可带家属（占 2 个座）"}
REQUIRED = ("title", "starts_at", "place", "capacity", "deadline")
MAX_CAPACITY = 10_000  # more is a typing slip (and past what the database's integer holds, soon)
TEXTS = {"title": 60, "place": 200, "meeting_point": 200, "transport": 200, "notes": 300, "contact": 100}


LABELS = {"title": "名称", "kind": "类别", "starts_at": "开始时间", "place": "地点",
          "meeting_point": "集合地点", "transport": "交通", "capacity": "名额", "deadline": "报名截止",
          "cancel_until": "取消截止", "groups": "分组", "companion_seats": "家属陪同",
          "notes": "注意事项", "contact": "联系人", "id": "编号"}
Problems = dict[str, str]  # what is wrong, by field


class CatalogError(ValueError):
    """The file or the command cannot be carried out; the message says every reason."""


class EntryError(CatalogError):
    """One activity's fields are wrong: what is wrong with each, by field (for a form)."""

    def __init__(self, problems: Problems) -> None:
        super().__init__("；".join(f"{LABELS.get(name, name)}{said}" for name, said in problems.items()))
        self.problems = problems


@dataclass
class LoadReport:
    """What a file would do (or did), and what is wrong with it."""

    created: list[Activity] = field(default_factory=list)
    updated: list[Activity] = field(default_factory=list)
    promoted: list[Signup] = field(default_factory=list)  # moved up from the waitlist by more seats
    moved: list[Activity] = field(default_factory=list)  # to another time or place: tell who signed up
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
    for number, entry in enumerate(entries, start=1):
        try:
            saved = save(session, entry.get("id"), entry, now)
        except EntryError as exc:
            report.problems += [f"第 {number} 个活动（{entry.get('title', '无标题')}）：{_named(name)}{said}"
                                for name, said in exc.problems.items()]
            continue
        (report.created if saved.created else report.updated).append(saved.activity)
        report.promoted += saved.promoted
        if saved.moved:
            report.moved.append(saved.activity)
    if report.problems:
        raise CatalogError("\n".join(report.problems))
    return report


# What sends those signed up to another time or place: they are told when it changes.
MOVING = ("starts_at", "place", "meeting_point")


class Saved(NamedTuple):
    """An activity saved: whoever more seats moved up, whether it is new, and each field an edit
    changed (before, after)."""

    activity: Activity
    promoted: list[Signup]
    created: bool
    changes: dict[str, tuple[Any, Any]]

    @property
    def moved(self) -> list[str]:
        """The fields that send people to another time or place (MOVING) this edit changed."""
        return [name for name in MOVING if name in self.changes]


def save(session: Session, activity_id: Any, entry: dict[str, Any], now: datetime) -> Saved:
    """Create an activity (activity_id None) or change one by the loader's rules. EntryError names
    each wrong field; nothing is changed then."""
    values, problems = check(entry, set(session.scalars(sa.select(Group.name))))
    existing = session.get(Activity, activity_id) if isinstance(activity_id, int) else None
    problems = problems or _not_past(values, existing, now)
    if problems:
        raise EntryError(problems)
    if activity_id is None:
        activity = Activity(**values, status=ActivityStatus.OPEN, created_at=now, updated_at=now)
        session.add(activity)
        session.flush()
        return Saved(activity, [], True, {})
    try:
        activity = lock(session, activity_id) if isinstance(activity_id, int) else None
    except SignupRefused:
        activity = None
    if activity is None:
        raise EntryError({"id": f"：没有编号为 {activity_id} 的活动"})
    confirmed = sum(s.seats for s in activity.signups if s.status == SignupStatus.CONFIRMED)
    if values["capacity"] < confirmed:
        raise EntryError({"capacity": f"：已有 {confirmed} 个座位报上，不能改得更少"})
    if (problem := _companions_booked(session, activity, values.get("companion_seats", 0))) is not None:
        raise EntryError({"companion_seats": problem})
    changes = {name: (getattr(activity, name), value) for name, value in values.items()
               if getattr(activity, name) != value}
    for name, value in values.items():
        setattr(activity, name, value)
    activity.updated_at = now
    return Saved(activity, promote(session, activity, now), False, changes)  # more seats: the waitlist up


def logged(changes: dict[str, tuple[Any, Any]]) -> dict[str, list[Any]]:
    """An edit's changes as the audit log keeps them: by the form's labels, in the form's words
    (「家属陪同：可带一位家属（占 1 个座） → 不能带家属」, 「分组：全体 → 第一支部」), never codes."""
    return as_logged({LABELS.get(name, name): (_read(name, old), _read(name, new))
                      for name, (old, new) in changes.items()})


def _read(name: str, value: Any) -> Any:
    if name == "companion_seats":
        return COMPANION_CHOICES.get(value, value)
    if name == "groups" and isinstance(value, list):
        return ["全体" if group == EVERYONE else group for group in value]
    return value


def _companions_booked(session: Session, activity: Activity, seats: int) -> str | None:
    """Why the seats a companion takes may not change now: people are signed up with one (their
    seats were counted the old way, and 不能带家属 would leave them booked, told nothing)."""
    ids = [s.retiree_id for s in activity.signups
           if s.companion and s.status in (SignupStatus.CONFIRMED, SignupStatus.WAITING)]
    if seats == activity.companion_seats or not ids:
        return None
    with_one = session.scalars(sa.select(Retiree.name).where(Retiree.id.in_(ids)).order_by(Retiree.id))
    return (f"：{'、'.join(with_one)} 报名时带了家属，现在不能改；请先在报名名单里去掉他们的家属"
            "（打电话说明），再改")


def check(entry: dict[str, Any], groups: set[str]) -> tuple[dict[str, Any], Problems]:
    """An entry's values as an activity takes them, and what is wrong with each field."""
    problems = {name: "：必须填写" for name in REQUIRED if entry.get(name) in (None, "")}
    problems |= {name: "：不认识的字段" for name in sorted(set(entry) - set(EDITABLE) - {"id"})}
    if problems:
        return {}, problems
    # An optional field left empty (a form's) clears it; one absent (a file's) is not changed.
    values = {name: None if entry[name] == "" else entry[name] for name in EDITABLE if name in entry}
    for name in ("starts_at", "deadline", "cancel_until"):
        if values.get(name) is not None:
            if not isinstance(values[name], datetime):
                problems[name] = "：应写成 2026-10-29T14:30:00 这样的时间"
                continue
            values[name] = values[name].replace(tzinfo=values[name].tzinfo or SHANGHAI)
    for name, limit in TEXTS.items():
        if values.get(name) is not None and (not isinstance(values[name], str) or len(values[name]) > limit):
            problems[name] = f"：应为不超过 {limit} 字的文字"
    if not isinstance(values["capacity"], int) or not 1 <= values["capacity"] <= MAX_CAPACITY:
        problems["capacity"] = f"：应为 1 到 {MAX_CAPACITY} 的整数"
    companion = values.get("companion_seats", 0)
    if not isinstance(companion, int) or not 0 <= companion <= 2:
        problems["companion_seats"] = "：应为 0、1 或 2"
    if values.get("kind", "其他") not in KINDS:
        problems["kind"] = f"：应为 {'、'.join(KINDS)} 之一"
    names = values.setdefault("groups", ["all"])
    if isinstance(names, list) and not names:
        problems["groups"] = "：请选「全体」，或勾选至少一个分组"
    elif not isinstance(names, list):
        problems["groups"] = "：应为分组名的列表，或 [\"all\"]"
    elif unknown := [n for n in names if n != "all" and n not in groups]:
        problems["groups"] = "：" + "、".join(f"没有名为「{n}」的分组" for n in unknown)
    elif mixes_everyone(names):
        problems["groups"] = f"：{EVERYONE_AND_GROUPS}"
    if not problems:
        problems |= _check_times(values)
    return values, problems


def _named(name: str) -> str:
    """A field as the file's reader knows it: its Chinese name and its key."""
    return f"{LABELS[name]}（{name}）" if name in LABELS else name


def _check_times(values: dict[str, Any]) -> Problems:
    given = values.get("cancel_until") is not None
    if not given:
        values["cancel_until"] = values["deadline"]
    problems = {}
    if values["deadline"] > values["starts_at"]:
        problems["deadline"] = "：应在活动开始之前"
    if given and values["cancel_until"] > values["starts_at"]:  # left empty, it is the deadline's
        problems["cancel_until"] = "：应在活动开始之前"
    return problems


def _not_past(values: dict[str, Any], existing: Activity | None, now: datetime) -> Problems:
    """A start or a deadline set to a moment already past (a month typed wrong, 11 for 12) is
    refused; an activity's own past times, left as they were, may stay (to correct its place)."""
    today = f"（今天是 {now.astimezone(SHANGHAI):%Y-%m-%d}），请检查年月日"
    return {name: f"：这个时间已经过去了{today}" for name in ("starts_at", "deadline")
            if values[name] < now and (existing is None or getattr(existing, name) != values[name])}


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
