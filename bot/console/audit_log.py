"""操作记录 (the audit log): who did what, when, to what — filterable, with before and after for
every edit. For roles that see personal details, over the whole office (it names everyone)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import PurePath

import sqlalchemy as sa
from flask import abort, request, url_for

from bot.audit import ACTION_NAMES, NAMED_DETAILS, PAGE, change_text, detail_text, entries
from bot.clock import SHANGHAI
from bot.console.web import console, db, may_read_audit, page, page_number, services
from bot.models import Activity, AuditEntry, Group, Retiree, Signup
from bot.questions.knowledge import knowledge_for
from bot.scheduling.schedule import DAILY_JOB_NAMES

# Records named on the page by what they are called: (model, the column that names them).
NAMED = {"retiree": (Retiree, Retiree.name), "activity": (Activity, Activity.title),
         "group": (Group, Group.name)}


@console.get("/audit")
def audit() -> tuple[str, int]:
    """The log, newest first, filtered by who, what, which record and when."""
    if not may_read_audit():
        abort(403)
    args = request.args
    since, until = _day(args.get("since")), _day(args.get("until"))
    number = page_number()
    found, total = entries(db(), actor=args.get("actor", "").strip()[:80], action=args.get("action", ""),
                           target=args.get("target", "").strip()[:200], page=number,
                           since=_start(since), until=_start(until + timedelta(days=1)) if until else None)
    return page("audit.html", found=found, total=total, names=ACTION_NAMES, number=number, size=PAGE,
                detail_text=detail_text, change_text=change_text, targets=_targets(found),
                detail_names=_detail_names(found),
                filters={k: v for k, v in args.items() if k != "page" and v})


def _targets(found: list[AuditEntry]) -> dict[str, tuple[str, str | None]]:
    """Each record an entry names, as staff read it, with the console page that shows it:
    a person by name, an activity by title, a file by its name (not a server path)."""
    targets = {e.target for e in found if e.target}
    numbers = [(kind, int(key)) for kind, _, key in (t.partition(":") for t in targets) if key.isdecimal()]
    names = {kind: {row.id: row.name for row in db().execute(sa.select(model.id, column.label("name")).where(
        model.id.in_([n for k, n in numbers if k == kind])))} for kind, (model, column) in NAMED.items()}
    return {target: _target(target, names) for target in targets}


def _detail_names(found: list[AuditEntry]) -> dict[str, dict[int, str]]:
    """The people and sign-ups the entries' details hold by id, by name (a sign-up by whose it is)."""
    wanted: dict[str, set[int]] = {"retiree": set(), "signup": set()}
    for entry in found:
        for key, kind in NAMED_DETAILS.items():
            value = (entry.detail or {}).get(key)
            values = value if isinstance(value, list) else [value]
            wanted[kind].update(v for v in values if isinstance(v, int))
    people = sa.select(Retiree.id, Retiree.name).where(Retiree.id.in_(wanted["retiree"]))
    signups = (sa.select(Signup.id, Retiree.name).join(Retiree, Retiree.id == Signup.retiree_id)
               .where(Signup.id.in_(wanted["signup"])))
    return {"retiree": dict(db().execute(people).all()), "signup": dict(db().execute(signups).all())}


def _target(target: str, names: dict[str, dict[int, str]]) -> tuple[str, str | None]:
    kind, _, key = target.partition(":")
    if key.isdecimal():
        number = int(key)
        linked = {
            "retiree": (names["retiree"].get(number, f"人员 {key}"), "console.person",
                        {"retiree_id": number}),
            "activity": (f"活动「{names['activity'].get(number, key)}」", "console.activity",
                         {"number": number}),
            "group": (f"分组「{names['group'].get(number, key)}」", "console.group", {"group_id": number}),
            "care": (f"重要情况 {key}", "console.care_report", {"number": number}),
            "ticket": (f"留言 {key}", "console.ticket", {"number": number}),
            "notice": (f"通知 {key}", "console.notice", {"number": number}),
        }
        if kind in linked:
            label, endpoint, values = linked[kind]
            return label, url_for(endpoint, **values)
        if kind == "outbox":
            return f"消息 {key}", None
    if kind == "study" and key:
        return f"{key} 学习", url_for("console.study_month", month=key)
    if kind == "staff" and key:
        return f"账号 {key}", None
    if kind == "topic" and key:
        return f"话题「{_topic_title(key)}」", None
    if target in DAILY_JOB_NAMES:  # jobs.run: a daily job run by hand
        return f"定时任务「{DAILY_JOB_NAMES[target]}」", None
    return PurePath(target).name, None  # an uploaded file's name, or a command's file without its path


def _topic_title(topic: str) -> str:
    topics = knowledge_for(services()).engine(db().connection()).topics
    return topics[topic].title if topic in topics else topic


def _day(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def _start(day: date | None) -> datetime | None:
    """The first moment of a Beijing day."""
    return datetime.combine(day, time(), SHANGHAI) if day else None
