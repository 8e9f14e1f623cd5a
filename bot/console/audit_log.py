"""操作记录 (the audit log): who did what, when, to what — filterable, with before and after for
every edit. For roles that see personal details, over the whole office (it names everyone)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from flask import abort, request

from bot.audit import ACTION_NAMES, PAGE, detail_text, entries
from bot.clock import SHANGHAI
from bot.console.web import console, db, may_read_audit, page


@console.get("/audit")
def audit() -> tuple[str, int]:
    """The log, newest first, filtered by who, what, which record and when."""
    if not may_read_audit():
        abort(403)
    args = request.args
    since, until = _day(args.get("since")), _day(args.get("until"))
    number = max(args.get("page", 1, type=int), 1)
    found, total = entries(db(), actor=args.get("actor", "").strip()[:80], action=args.get("action", ""),
                           target=args.get("target", "").strip()[:200], page=number,
                           since=_start(since), until=_start(until + timedelta(days=1)) if until else None)
    return page("audit.html", found=found, total=total, names=ACTION_NAMES, number=number, size=PAGE,
                detail_text=detail_text,
                filters={k: v for k, v in args.items() if k != "page" and v})


def _day(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def _start(day: date | None) -> datetime | None:
    """The first moment of a Beijing day."""
    return datetime.combine(day, time(), SHANGHAI) if day else None
