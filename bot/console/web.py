"""What every console room shares: the /console blueprint, the signed-in account, the request's
database session, permission checks, and pages that say in Chinese what went wrong."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from functools import wraps
from typing import Any, TypeVar

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, g, render_template, request
from sqlalchemy.orm import Session

from bot.care import HEALTH_ROUTES
from bot.clock import SHANGHAI
from bot.db.engine import past_any_id, record_id
from bot.logs import mask_personal
from bot.models import ROLE_NAMES, StaffAccount
from bot.services import Services
from bot.staff.roles import Can, may

console = Blueprint("console", __name__, url_prefix="/console", template_folder="templates",
                    static_folder="static", static_url_path="/static")
View = TypeVar("View", bound=Callable[..., Any])


def services() -> Services:
    """The process's services, as the app was built with them."""
    return current_app.extensions["yinling"]


def now() -> datetime:
    """The injected clock's time."""
    return services().clock.now()


# Endpoints that take a body larger than a form's (an upload), by endpoint: the guard sets the
# limit before it reads any form, as its CSRF check does.
BODY_LIMITS: dict[str, int] = {}
# Any other form: the app's own limit is the webhook's 64 KB, which a long reply to a 留言 (7,000
# characters, three times that once encoded) passed, to an error page that lost it. Under this,
# each field's own check says what is too long, on the form as typed.
FORM_LIMIT = 1024 * 1024


@console.url_value_preprocessor
def _ids_in_range(_endpoint: str | None, values: dict[str, Any] | None) -> None:
    """A record's number past any id there can be (typed or forged) is a page not found."""
    if past_any_id((values or {}).values()):
        abort(404)


def form_id(name: str) -> int:
    """The record id a form or query field names; 0 when it names none (empty, not a number, or
    past any id there can be)."""
    return record_id(request.values.get(name, "")) or 0


def record_ids(values: list[str]) -> list[int]:
    """The record ids among a form's values (ticked boxes, say), ignoring any that names none."""
    return [number for number in map(record_id, values) if number is not None]


def page_number(most: int = 10_000) -> int:
    """The list page asked for (?page=), from 1; a forged huge one is the last there may be."""
    return min(max(request.args.get("page", 1, type=int), 1), most)


def db() -> Session:
    """The request's database session (opened on first use, closed when the request ends)."""
    if "db" not in g:
        g.db = services().sessions()
    return g.db


@contextmanager
def saving() -> Iterator[Session]:
    """The request's session, committed when the block ends well and rolled back if not: one
    transaction for the request (on SQLite a second one would wait for the first's lock)."""
    session = db()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise


def attempt(change: Callable[[Session], object], refused: type[Exception], done: str = "") -> None:
    """Make one change in the request's transaction and flash done (or, without it, what the
    change returned), or why the domain refused it: then nothing is kept."""
    try:
        with saving() as session:
            said = change(session)
    except refused as exc:
        flash(str(exc), "error")
    else:
        flash(done or str(said))


def attempt_or_again(change: Callable[[Session], object], refused: type[Exception],
                     again: Callable[[str], tuple[str, int]]) -> tuple[str, int] | None:
    """As attempt(change), but a refusal returns again(why): the form shown again as typed, with
    why, so nothing a clerk typed is lost to a redirect. None when done (and flashed)."""
    try:
        with saving() as session:
            said = change(session)
    except refused as exc:
        return again(str(exc))
    flash(str(said))
    return None


def staff() -> StaffAccount:
    """The signed-in account (the guard has loaded it before any room's view runs)."""
    return g.staff


def actor() -> str:
    """Who the audit log names for what this request does."""
    return f"console:{staff().username}"


def may_read_audit() -> bool:
    """The audit log names everyone: for roles that see personal details, over the whole office."""
    return allowed(Can.SEE_PRIVATE) and g.staff.group_id is None


def allowed(can: Can) -> bool:
    """True when the signed-in account may do this (templates ask it too)."""
    return "staff" in g and may(g.staff, can)


def requires(can: Can) -> Callable[[View], View]:
    """A view only an account granted `can` may open; others get a 403 page saying so."""
    def decorate(view: View) -> View:
        @wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            if not allowed(can):
                abort(403)
            return view(*args, **kwargs)
        return guarded  # type: ignore[return-value]
    return decorate


def confirmed() -> bool:
    """Whether this is the confirm page's own POST. The question itself is a GET (the button
    that leads to it is a link), so the back button from what follows shows it again instead of
    the browser's "resubmit the form?" page."""
    return request.method == "POST" and bool(request.form.get("confirmed"))


def whole_office() -> None:
    """What concerns the whole office (the roster file, an activity's settings and sign-ups, the
    study material): a branch's account gets a 403 page."""
    if staff().group_id is not None:
        abort(403)


def page(template: str, status: int = 200, **context: Any) -> tuple[str, int]:
    """A console page rendered with what every page shows (who is signed in, their role)."""
    return render_template(f"console/{template}", **context), status


@console.teardown_request
def _close_db(_error: BaseException | None) -> None:
    session = g.pop("db", None)
    if session is not None:
        session.close()


_HIDDEN_DIGITS = re.compile(r"\d(?=\d{4})")


@console.app_template_filter("phone")
def phone(number: str | None) -> str:
    """A phone number in full for roles that see personal details; its last four otherwise."""
    if not number:
        return "（无电话）"
    return number if allowed(Can.SEE_PRIVATE) else _HIDDEN_DIGITS.sub("*", number)


@console.app_template_filter("said")
def said(text: str | None) -> str:
    """What someone wrote (a 留言, a reply, a message sent): in full for roles that see personal
    details; with mobile and ID card numbers masked otherwise, as retirees often type their own."""
    if not text:
        return ""
    return text if allowed(Can.SEE_PRIVATE) else mask_personal(text)


ACTOR_KINDS = {"cli": "命令行", "scheduler": "定时任务", "console": "工作台", "sandbox": "本机试用"}


@console.app_template_filter("who")
def who(actor: str | None) -> str:
    """Who did something, as staff know them: 「王丽（wangli）」 for console:wangli, 「命令行（root）」."""
    kind, _, name = (actor or "").partition(":")
    if kind == "console" and name:
        if "staff_names" not in g:  # every account's name, once a request: an office has a few
            g.staff_names = {row.username: row.display_name for row in db().execute(
                sa.select(StaffAccount.username, StaffAccount.display_name))}
        return f"{g.staff_names.get(name) or name}（{name}）"
    called = ACTOR_KINDS.get(kind, kind)
    return f"{called}（{name}）" if name else called


@console.app_template_filter("heard")
def heard(text: str | None, route: str = "") -> object:
    """What someone said to the bot, or its answer, as `said` shows it; a care report's (health)
    only to roles that see personal details."""
    return private(said(text)) if route.startswith(HEALTH_ROUTES) else said(text)


@console.app_template_filter("private")
def private(value: object) -> object:
    """Health, an address: shown to roles that see personal details only."""
    return value if allowed(Can.SEE_PRIVATE) else "（仅管理员、工作人员可见）"


@console.app_context_processor
def _shared() -> dict[str, Any]:
    me = g.get("staff")
    return {"allowed": allowed, "may_read_audit": may_read_audit, "Can": Can, "role_names": ROLE_NAMES,
            "me": me, "shanghai": SHANGHAI, "office_wide": me is not None and me.group_id is None}


ERRORS = {400: ("请求无效", "页面可能已经过期，或不是从本系统的页面提交的。请刷新页面后再试。"),
          403: ("没有权限", "您的账号没有这个权限。如需要，请找管理员。"),
          404: ("没有找到", "没有这个页面或这条记录，或不在您能查看的范围内。"),
          405: ("操作无效", "请从页面上的按钮操作。"),
          413: ("内容太大", "提交的内容太大了：名册文件不超过 50 MB，录音不超过 30 MB，"
                            "图片每张不超过 5 MB；文字请分几次填写。"),
          500: ("出错了", "这一步没有做成，已记下这个错误。请回到上一页再试一次；还是不行，请告诉管理员。")}


def error_page(status: int) -> tuple[str, int]:
    """The console's own page for a 4xx: a title and a sentence, and the way back."""
    title, text = ERRORS[status]
    return page("error.html", status, title=title, text=text)
