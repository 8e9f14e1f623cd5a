"""通知: write a notice (title, text, a study month or an activity to point to), choose whom it is
for (全体, groups, or people by name or 编号), see how it would reach them before it goes, send
it now or at a time, cancel what is not sent; each notice's page fills in live while it sends.

The rules are the notices feature's (sending, forecast, links); a view reads the form, calls
them and renders. A branch's account writes to its own branch's people only, and sees the
notices it wrote.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from flask import abort, flash, redirect, request, url_for
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from bot.clock import SHANGHAI
from bot.console.web import actor, confirmed, console, db, now, page, requires, saving, services, staff
from bot.delivery.audience import AudienceError
from bot.models import CHANNEL_NAMES, STATUS_NAMES, Notice
from bot.notices import links
from bot.notices.forecast import forecast
from bot.notices.sending import (
    MAX_TEXT,
    MAX_TITLE,
    cancel,
    progress,
    report,
    send,
    send_time_text,
    text_problems,
    time_problem,
)
from bot.roster.groups import group_names
from bot.roster.search import named, within
from bot.staff.roles import Can

LISTED = 50        # notices on the room's page
NOT_REACHED_SHOWN = 300  # people listed by name on a notice's page (all are counted)
AUDIENCES = {"all": "全体", "groups": "选分组", "people": "选人"}


@dataclass
class Draft:
    """A notice as the form holds it, and what is wrong with it, by field."""

    form: MultiDict[str, str]
    problems: dict[str, str] = field(default_factory=dict)
    audience: str = ""
    send_at: datetime | None = None
    link: links.Link | None = None


@console.get("/notices")
def notices() -> tuple[str, int]:
    """The notices, newest first: when each goes, to whom, and how far it has got."""
    query = sa.select(Notice).where(Notice.preview.is_(False)).order_by(Notice.id.desc()).limit(LISTED)
    if staff().group_id is not None:
        query = query.where(Notice.created_by == actor())
    found = db().scalars(query).all()
    return page("notices.html", notices=found, progress=progress(db(), [n.id for n in found]),
                describe=_describe, status_names=STATUS_NAMES, send_time=_send_time)


@console.route("/notices/new", methods=["GET", "POST"])
@requires(Can.EDIT)
def notice_new() -> Response | tuple[str, int]:
    """The form; 「看看能发到谁」 shows the reach, 「确认发送」 sends (once per form)."""
    if request.method == "GET":
        form = MultiDict({"audience": "groups" if staff().group_id else "all",
                          "people": request.args.get("people", ""), "when": "now",
                          "form_key": secrets.token_urlsafe(16)})
        if request.args.get("people"):
            form["audience"] = "people"
        return _form_page(Draft(form))
    draft = _read(MultiDict(request.form))
    if draft.problems or request.form.get("action") != "send":
        seen = None if draft.problems else forecast(db(), services().settings, draft.audience, now())
        return _form_page(draft, seen, 400 if draft.problems else 200)
    try:
        notice = _send(draft)
    except AudienceError as exc:  # nobody it can reach, or it changed since the check
        draft.problems["audience"] = str(exc)
        return _form_page(draft, None, 400)
    flash(f"通知 {notice.id} 已安排发送。" if draft.send_at is None
          else f"通知 {notice.id} 会在 {_send_time(draft.send_at)} 发出，之前可以取消。")
    return redirect(url_for("console.notice", number=notice.id))


def _send(draft: Draft) -> Notice:
    with saving() as session:
        notice, _ = send(session, services().settings, text=draft.form["text"],
                         title=draft.form.get("title", ""), audience=draft.audience, actor=actor(),
                         now=now(), send_at=draft.send_at, link=draft.link,
                         form_key=draft.form.get("form_key", "")[:64] or None)
    return notice


@console.get("/notices/<int:number>")
def notice(number: int) -> tuple[str, int]:
    """One notice: counts by status and channel, and whom to call; htmx asks for the counts
    alone every few seconds while copies are still going."""
    found = _visible(number)
    seen = report(db(), number, now=now(), shown=NOT_REACHED_SHOWN, scope=within(db(), staff().group_id))
    template = "notice_status.html" if request.headers.get("HX-Request") else "notice.html"
    return page(template, notice=found, report=seen, describe=_describe, status_names=STATUS_NAMES,
                channel_names=CHANNEL_NAMES, shown=NOT_REACHED_SHOWN, send_time=_send_time)


@console.post("/notices/<int:number>/cancel")
@requires(Can.EDIT)
def notice_cancel(number: int) -> Response | tuple[str, int]:
    """Stop the copies not sent yet (audit-logged), asked once more first: they cannot be resumed."""
    found = _visible(number)
    if not confirmed():
        waiting = progress(db(), [number])[number].get("pending", 0)
        return page("confirm.html", title="停止发送这条通知？", button="确定停止", fields={},
                    back=url_for("console.notice", number=number),
                    text=f"确定停止「{(found.title or found.text)[:20]}」还没发出的 {waiting} 份吗？"
                         "停止以后不能恢复，要发只能重新写一条。",
                    action=url_for("console.notice_cancel", number=number))
    with saving() as session:
        stopped = cancel(session, number, actor=actor(), now=now())
    flash(f"通知 {number}：已停止 {stopped} 份还没发出的。" if stopped
          else f"通知 {number} 已经都发出了，没有可停止的。")
    return redirect(url_for("console.notice", number=number))


def _visible(number: int) -> Notice:
    found = db().get(Notice, number)
    if found is None or found.preview or (staff().group_id is not None and found.created_by != actor()):
        abort(404)
    return found


def _read(form: MultiDict[str, str]) -> Draft:
    """The form read by the notices feature's own rules; each problem by its field."""
    draft = Draft(form)
    draft.problems.update(text_problems(form.get("text", ""), form.get("title", "")))
    _read_audience(draft)
    _read_time(draft)
    if form.get("link"):
        try:
            draft.link = links.find(services(), db(), form["link"])
        except AudienceError as exc:
            draft.problems["link"] = str(exc)
    return draft


def _read_audience(draft: Draft) -> None:
    kind, scope = draft.form.get("audience"), staff().group_id
    if kind in AUDIENCES and (also := _also_filled(kind, draft.form)):
        # 全体 left chosen with a group ticked: sending to all would be a guess (and cannot be undone).
        draft.problems["audience"] = (f"您选的是「{AUDIENCES[kind]}」，又{also}。"
                                      "请只留一种：改选对应的一项，或清掉多填的。")
    elif kind == "all" and scope is None:
        draft.audience = "all"
    elif kind == "groups":
        names = [n for n in draft.form.getlist("groups") if n in _group_names()]
        if not names:
            draft.problems["groups"] = "请至少选一个分组。"
        # A branch's own group by its id: another kind of group may have the same name.
        draft.audience = f"groupid:{scope}" if scope is not None and names else ";".join(
            f"group:{name}" for name in names)
    elif kind == "people":
        people, problems = named(db(), draft.form.get("people", ""), scope=scope)
        if problems or not people:
            draft.problems["people"] = " ".join(problems) or "请写上要发给谁：每行一位，姓名或编号。"
        draft.audience = "retiree:" + ",".join(str(p.id) for p in people)
    else:
        draft.problems["audience"] = "请选择发给谁。"


def _also_filled(kind: str, form: MultiDict[str, str]) -> str:
    """What the form holds for another kind of audience than the one chosen, in words ("" if none)."""
    also = []
    if kind != "groups" and any(form.getlist("groups")):
        also.append("勾了分组")
    if kind != "people" and form.get("people", "").strip():
        also.append("写了要发的人")
    return "、".join(also)


def _read_time(draft: Draft) -> None:
    """The time to send at, for 定时发; a time typed beside 现在发 is asked about, not ignored (a
    notice meant for tomorrow morning had gone out at once, however late it was)."""
    if draft.form.get("when") != "later":
        if draft.form.get("at", "").strip():
            draft.problems["at"] = ("填了发送时间，却选了「现在发」：要按这个时间发，请选「定时发」；"
                                    "要现在就发，请把时间清空。")
        return
    try:
        at = datetime.strptime(draft.form.get("at", ""), "%Y-%m-%dT%H:%M").replace(tzinfo=SHANGHAI)
    except ValueError:
        draft.problems["at"] = "请填写发送的日期和时间。"
        return
    if problem := time_problem(at, now()):
        draft.problems["at"] = problem
    draft.send_at = at


def _send_time(at: datetime) -> str:
    """When a notice goes or went, as every notice page says it: with its year when not this one."""
    return send_time_text(at, now())


def _group_names() -> list[str]:
    """The groups the account may write to: its own, or every group."""
    return group_names(db(), only=staff().group_id)


def _form_page(draft: Draft, seen: object = None, status: int = 200) -> tuple[str, int]:
    return page("notice_new.html", status, form=draft.form, problems=draft.problems, forecast=seen,
                groups=_group_names(), choices=links.choices(services(), db(), now()),
                audiences=AUDIENCES, max_text=MAX_TEXT, max_title=MAX_TITLE,
                channel_names=CHANNEL_NAMES, scoped=staff().group_id is not None, link=draft.link,
                send_at=draft.send_at and _send_time(draft.send_at))


def _describe(audience: str) -> str:
    """Whom a notice was for, in words: 全体, the groups' names, or how many people."""
    if audience == "all":
        return "全体"
    parts = audience.split(";")
    groups = [p.removeprefix("group:") for p in parts if p.startswith("group:")]
    groups += ["本分组" for p in parts if p.startswith("groupid:")]
    people = sum(len(p.removeprefix("retiree:").split(",")) for p in parts if p.startswith("retiree:"))
    return "、".join(groups + ([f"{people} 位同志"] if people else []))

