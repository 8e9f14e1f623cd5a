"""活动: create and edit activities with a form checked by the loader's own rules; announce,
stop sign-ups, cancel (everyone told once); the sign-up list with seats, companions, the
waitlist's order and who signed up as family; sign up someone who phoned in, or cancel one
sign-up or add or drop its companion after a call (the waitlist moves up); tick who came;
export the list to Excel. The rules are the activities feature's."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from datetime import datetime
from typing import Any

from flask import abort, flash, redirect, request, url_for
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from bot import audit
from bot.activities import catalog, notify, roster
from bot.activities.catalog import COMPANION_CHOICES, KINDS, LABELS, CatalogError, EntryError
from bot.activities.signups import (
    LIVE,
    Refusal,
    SignupRefused,
    change_companion,
    seats_left,
    sign_up_by_staff,
    waiting_position,
    withdraw,
)
from bot.activities.wording import when
from bot.clock import SHANGHAI
from bot.console import files
from bot.console.web import (
    actor,
    attempt,
    confirmed,
    console,
    db,
    form_id,
    now,
    page,
    record_ids,
    requires,
    saving,
    services,
    staff,
    whole_office,
)
from bot.models import EDITABLE, SIGNUP_NAMES, Activity, Retiree, Signup
from bot.roster.groups import EVERYONE, group_names
from bot.roster.search import search, within
from bot.staff.roles import Can

STATUS_NAMES = {"open": "报名中", "closed": "已停止报名", "cancelled": "已取消"}
TIMES = ("starts_at", "deadline", "cancel_until")
NUMBERS = ("capacity", "companion_seats")
FORM_TIME = "%Y-%m-%dT%H:%M"  # what <input type=datetime-local> sends
CALLERS_SHOWN = 10  # people found for a phone sign-up: a clerk types more rather than scrolls
# Why a clerk's sign-up or cancellation was not made, for staff (the chat's own say 「回复 …」).
REFUSED = {
    Refusal.CLOSED: "这个活动已停止报名，没有报上。",
    Refusal.CANCELLED: "这个活动已取消，没有报上。",
    Refusal.DEADLINE: "报名已截止，没有报上。",
    Refusal.NOT_ELIGIBLE: "这位不在能报名的分组里，没有报上。",
    Refusal.DECEASED: "这位已故，没有报上。",
    Refusal.ALREADY: "这位已经报过名了，在下面的报名名单里。",
    Refusal.NO_COMPANION: "这个活动不能带家属，没有报上；不带家属的话，再点一次「报名」。",
    Refusal.TOO_LATE_TO_WITHDRAW: "已过取消截止。",
    Refusal.NOT_FOUND: "没有找到这个报名，可能已经取消了。",
    Refusal.NO_SEAT_FOR_COMPANION: "名额不够（或有人在候补），带不了家属；原来的报名不变。",
}
# A companion asked for on a sign-up already made: nothing new was signed up.
REFUSED_COMPANION = REFUSED | {
    Refusal.NO_COMPANION: "这个活动不能带家属；原来的报名不变。",
    Refusal.CLOSED: "这个活动已停止报名，带不了家属；原来的报名不变。",
    Refusal.CANCELLED: "这个活动已取消。",
    Refusal.DECEASED: "这位已故，不再改报名。",
    Refusal.NOT_ELIGIBLE: "这位不在能报名的分组里，带不了家属；原来的报名不变。",
}


@console.get("/activities")
def activities() -> tuple[str, int]:
    """Every activity, the coming ones first, with seats taken and the waitlist."""
    lines = roster.counts(db())
    coming = [c for c in lines if c.activity.starts_at > now()]
    return page("activities.html", coming=list(reversed(coming)),
                past=[c for c in lines if c not in coming], when=when, status_names=STATUS_NAMES)


@console.route("/activities/new", methods=["GET", "POST"], defaults={"number": None})
@console.route("/activities/<int:number>/edit", methods=["GET", "POST"])
@requires(Can.EDIT)
def activity_form(number: int | None) -> Response | tuple[str, int]:
    """The form; saved only when every field reads right by the loader's rules."""
    whole_office()
    found = _activity(number) if number is not None else None
    if request.method == "GET":
        return _form_page(found, _as_form(found.fields()) if found else MultiDict({"companion_seats": "0"}))
    form = MultiDict(request.form)
    try:
        with saving() as session:
            saved = catalog.save(session, number, _entry(form), now())
            announced = notify.announce(session, services().texts, saved.activity, now()) \
                if form.get("announce") else 0
            activity, told = saved.activity, _tell_after_saving(session, saved)
            audit.record(session, actor=actor(), action="activity.save", at=now(),
                         target=f"activity:{activity.id}", created=saved.created, announced=announced,
                         changes=catalog.logged(saved.changes))
            told = (f"已通知 {announced} 个微信。" if announced else "") + told
    except EntryError as exc:
        return _form_page(found, form, exc.problems, 400)
    flash(f"活动「{activity.title}」已{'新建' if saved.created else '保存'}。{told}")
    return redirect(url_for("console.activity", number=activity.id))


def _tell_after_saving(session: Session, saved: catalog.Saved) -> str:
    """Whom a save tells, and what staff read about it: everyone signed up (moved to another time
    or place), those more seats moved up."""
    settings, texts, activity = services().settings, services().texts, saved.activity
    told = ""
    if saved.moved:
        told += notify.moved_for_staff(*notify.tell_moved(session, settings, texts, activity, now()))
    if saved.promoted:
        unreached = notify.tell_promoted(session, settings, texts, saved.promoted, now())
        told += f"名额增加，{notify.promoted_for_staff(saved.promoted, unreached)}"
    return told


@console.get("/activities/<int:number>")
def activity(number: int) -> tuple[str, int]:
    """One activity: its facts, seats, and everyone who signed up, in the order that counts."""
    found = _activity(number)
    everyone = roster.signup_list(db(), number)
    shown = within(db(), staff().group_id)  # a branch's account sees its own people's sign-ups
    signups = [(s, p) for s, p in everyone if shown(p.id)]
    waiting = [(s, p) for s, p in everyone if s.status == "waiting"]
    who = request.args.get("who", "").strip()[:40]  # someone on the phone, to sign up
    callers = search(db(), who, scope=staff().group_id, limit=CALLERS_SHOWN) if who else None
    return page("activity.html", activity=found, signups=signups, when=when,
                seats_left=seats_left(db(), found), status_names=STATUS_NAMES, signup_names=SIGNUP_NAMES,
                positions=_waiting_positions(everyone),  # places in the whole queue
                head=waiting[0] if waiting else None,  # when seats are left, why they wait
                head_name=waiting[0][1].name if waiting and shown(waiting[0][1].id) else "（别的支部的人）",
                who=who, callers=callers, signed_up={p.id for s, p in everyone if s.status in LIVE},
                past_deadline=now() > found.deadline, scoped=staff().group_id is not None)


@console.post("/activities/<int:number>/signups")
@requires(Can.EDIT)
def signup_add(number: int) -> Response | tuple[str, int]:
    """Sign up someone who phoned in: the same seats and waitlist as the chat, past the
    deadline too; whoever's WeChat reaches them is told. A branch's account, its own people."""
    _activity(number)
    person = _own_person(form_id("retiree"))
    companion = bool(request.form.get("companion"))

    def add(session: Session) -> str:
        outcome = sign_up_by_staff(session, number, person.id, companion=companion, now=now())
        told = notify.tell_signed_up_by_staff(session, services().texts, outcome, person.name, now())
        audit.record(session, actor=actor(), action="activity.signup_add", at=now(),
                     target=f"activity:{number}", signup=outcome.signup.id, retiree=person.id)
        done = _standing(outcome.position)
        tell = "已发微信通知。" if told else "微信联系不上（没有绑定或已取消关注），请打电话告诉本人。"
        return f"已为{person.name}报名：{done}{'（带家属）' if companion else ''}。{tell}"
    _attempt_signup(add)
    return redirect(url_for("console.activity", number=number))


@console.post("/activities/<int:number>/<any(announce, close, cancel):action>")
@requires(Can.EDIT)
def activity_action(number: int, action: str) -> Response | tuple[str, int]:
    """Tell its groups it is open, stop sign-ups, or cancel it (everyone signed up told once)."""
    whole_office()
    _activity(number)
    if action == "cancel" and not confirmed():  # everyone is told: it cannot be undone
        return activity_cancel(number)
    if action == "announce" and not confirmed():  # a whole office's phones: asked once more
        return _confirm_announce(number)

    def act(session: Session) -> str:
        said = ACTIONS[action](session, catalog.get(session, number))
        audit.record(session, actor=actor(), action=f"activity.{action}", at=now(),
                     target=f"activity:{number}")
        return said
    attempt(act, CatalogError)
    return redirect(url_for("console.activity", number=number))


def _confirm_announce(number: int) -> tuple[str, int]:
    """Asked once more before an activity is announced: to whom it goes."""
    found = _activity(number)
    to = "全体老同志" if found.for_everyone else "、".join(found.groups)
    return _confirm("通知能报名的人？", f"确定把「{found.title}」发给{to}吗？"
                    "每个微信只发一次（通知过的不会再发），发出去就收不回了。", "确定发通知", number,
                    action="announce")


@console.get("/activities/<int:number>/cancel")
@requires(Can.EDIT)
def activity_cancel(number: int) -> tuple[str, int]:
    """Asked once more before an activity is cancelled: everyone signed up is told."""
    whole_office()
    found = _activity(number)
    told = sum(1 for s, _ in roster.signup_list(db(), number) if s.status in LIVE)
    return _confirm("取消这个活动？", f"确定取消「{found.title}」吗？已报上和候补的 {told} 位"
                    "都会收到取消通知，取消以后不能恢复。", "确定取消活动", number, action="cancel")


@console.route("/activities/<int:number>/signups/<int:signup_id>/cancel", methods=["GET", "POST"])
@requires(Can.EDIT)
def signup_cancel(number: int, signup_id: int) -> Response | tuple[str, int]:
    """Cancel one person's sign-up (after a call, even past the cut-off); the waitlist moves up.
    A branch's account, its own people's."""
    _activity(number)
    retiree_id = form_id("retiree")
    name = _own_person(retiree_id).name
    if not confirmed():  # the place goes to the next waiting, who is told
        return _confirm("取消这个报名？", f"确定取消{name}的报名吗？空出的座位会按顺序给候补的人，"
                        "并通知他们；取消以后不能恢复，要再去只能重新报名。", f"确定取消{name}的报名",
                        number, signup_id=signup_id, retiree=retiree_id)

    def cancel(session: Session) -> str:
        promoted = withdraw(session, signup_id, retiree_id, now(), by_staff=True)
        unreached = notify.tell_promoted(session, services().settings, services().texts, promoted, now())
        audit.record(session, actor=actor(), action="activity.signup_cancel", at=now(),
                     target=f"activity:{number}", signup=signup_id, promoted=[s.id for s in promoted])
        return f"已取消{name}的报名。{notify.promoted_for_staff(promoted, unreached)}"
    _attempt_signup(cancel)
    return redirect(url_for("console.activity", number=number))


@console.post("/activities/<int:number>/signups/<int:signup_id>/companion")
@requires(Can.EDIT)
def signup_companion(number: int, signup_id: int) -> Response:
    """Add or drop the companion on one person's sign-up after a call (past the deadline and the
    cut-off too); a seat freed goes to the first waiting, who is told. A branch's account, its
    own people's."""
    _activity(number)
    retiree_id = form_id("retiree")
    name = _own_person(retiree_id).name
    bring = request.form.get("companion") == "1"

    def change(session: Session) -> str:
        promoted = change_companion(session, signup_id, retiree_id, bring, now(), by_staff=True)
        unreached = notify.tell_promoted(session, services().settings, services().texts, promoted, now())
        audit.record(session, actor=actor(), action="activity.signup_companion", at=now(),
                     target=f"activity:{number}", signup=signup_id, companion=bring,
                     promoted=[s.id for s in promoted])
        changed = "带一位家属" if bring else "不带家属"
        signup = session.get(Signup, signup_id)
        state = _standing(waiting_position(session, signup) if signup.status == "waiting" else None)
        return f"已改为{name}{changed}：{state}。{notify.promoted_for_staff(promoted, unreached)}"
    _attempt_signup(change, REFUSED_COMPANION)
    return redirect(url_for("console.activity", number=number))


@console.post("/activities/<int:number>/attendance")
@requires(Can.EDIT)
def attendance(number: int) -> Response:
    """Who came, as ticked on the list (everyone with a place not ticked did not); a branch's
    list, its own people."""
    _activity(number)
    came = set(record_ids(request.form.getlist("came")))

    def record(session: Session) -> str:
        count = roster.record_attendance(session, number, came, within(session, staff().group_id))
        audit.record(session, actor=actor(), action="activity.attendance", at=now(),
                     target=f"activity:{number}", came=count)
        return f"已记下到场 {count} 人。"
    attempt(record, CatalogError)
    return redirect(url_for("console.activity", number=number))


@console.get("/activities/<int:number>/signups.xlsx")
@requires(Can.EXPORT)
def activity_export(number: int) -> Response:
    """The sign-up list as Excel (audit-logged by the export itself)."""
    whole_office()
    found = _activity(number)

    def write(path: Any) -> None:
        with saving() as session:
            roster.export_roster(session, number, path, actor=actor(), now=now())
    return files.download(f"报名-{found.title}-{now():%Y%m%d}.xlsx", write)


def _announce(session: Session, activity: Activity) -> str:
    told = notify.announce(session, services().texts, activity, now())
    return f"已通知 {told} 个微信（通知过的不会再发）。"


def _close(session: Session, activity: Activity) -> str:
    catalog.close(session, activity.id, now())
    return "已停止报名，活动照常举行。"


def _cancel(session: Session, activity: Activity) -> str:
    told, unreached = notify.cancel_activity(session, services().settings, services().texts, activity, now())
    return f"活动已取消，将通知 {told} 位。{notify.phone_these(unreached)}"


ACTIONS: dict[str, Callable[[Session, Activity], str]] = {
    "announce": _announce, "close": _close, "cancel": _cancel}


def _standing(position: int | None) -> str:
    """Where a sign-up stands, as staff read it: 「候补第 2 位」 or 「报上了」."""
    return f"候补第 {position} 位" if position else "报上了"


def _attempt_signup(change: Callable[[Session], str], refusals: dict[Refusal, str] = REFUSED) -> None:
    """attempt(change), a refusal said in staff's words."""
    def worded(session: Session) -> str:
        try:
            return change(session)
        except SignupRefused as refused:
            raise CatalogError(refusals[refused.reason]) from None
    attempt(worded, CatalogError)


def _confirm(title: str, text: str, button: str, number: int, *, action: str = "", signup_id: int = 0,
             retiree: int = 0) -> tuple[str, int]:
    """A page asking once more before what cannot be undone; its button sends the same request,
    confirmed."""
    target = (url_for("console.activity_action", number=number, action=action) if action else
              url_for("console.signup_cancel", number=number, signup_id=signup_id))
    return page("confirm.html", title=title, text=text, button=button, action=target,
                fields={"retiree": retiree} if retiree else {},
                back=url_for("console.activity", number=number))


def _own_person(retiree_id: int) -> Retiree:
    """The person a form names, when the account looks after them (a branch's, its own)."""
    person = db().get(Retiree, retiree_id)
    if person is None or person.anonymised_at is not None:
        abort(404)
    if not within(db(), staff().group_id)(person.id):
        abort(403)
    return person


def _activity(number: int) -> Activity:
    found = db().get(Activity, number)
    if found is None:
        abort(404)
    return found


def _entry(form: MultiDict[str, str]) -> dict[str, Any]:
    """The form as the loader's entry: times and numbers read where they can be (what cannot
    stays text, and the loader says what is wrong with it), groups as a list."""
    entry: dict[str, Any] = {name: form.get(name, "").strip() for name in EDITABLE if name != "groups"}
    for name in TIMES:
        with suppress(ValueError):  # left as typed: the loader names it
            entry[name] = datetime.strptime(entry[name], FORM_TIME).replace(tzinfo=SHANGHAI)
    for name in NUMBERS:
        entry[name] = int(entry[name]) if entry[name].isdecimal() else entry[name]
    chosen = [name for name in form.getlist("groups") if name]
    # 全体 chosen ("1") with a group ticked too is asked, not guessed; groups ticked with neither
    # choice made are those groups; nothing chosen at all is asked (it was taken for 全体).
    entry["groups"] = [EVERYONE, *chosen] if form.get("everyone") == "1" else chosen
    return entry


def _as_form(fields: dict[str, Any]) -> MultiDict[str, str]:
    form = MultiDict({name: "" if value is None else str(value) for name, value in fields.items()
                      if name != "groups"})
    for name in TIMES:
        form[name] = fields[name].astimezone(SHANGHAI).strftime(FORM_TIME)
    if fields["cancel_until"] == fields["deadline"]:  # the default: left empty, it follows the deadline
        form["cancel_until"] = ""
    form["everyone"] = "1" if EVERYONE in fields["groups"] else "0"
    form.setlist("groups", [g for g in fields["groups"] if g != EVERYONE])
    return form


def _form_page(found: Activity | None, form: MultiDict[str, str], problems: dict[str, str] | None = None,
               status: int = 200) -> tuple[str, int]:
    groups = group_names(db())
    return page("activity_form.html", status, activity=found, form=form, problems=problems or {},
                labels=LABELS, kinds=KINDS, groups=groups, companion_choices=COMPANION_CHOICES)


def _waiting_positions(signups: list[Any]) -> dict[int, int]:
    waiting = [s.id for s, _ in signups if s.status == "waiting"]
    return {signup_id: n for n, signup_id in enumerate(waiting, start=1)}
