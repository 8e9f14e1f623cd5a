"""名册: find a person, see everything the office knows about them, edit them, record a death,
anonymise on request, send again a message that did not get through. Each view reads or calls
one roster (or delivery) function; the rules live there."""

from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, request, url_for
from werkzeug.wrappers import Response

from bot.accounts.binding import unbind_for_office, whose
from bot.care import deaths
from bot.care.reports import KIND_LABELS
from bot.console.web import (
    actor,
    attempt,
    confirmed,
    console,
    db,
    form_id,
    now,
    page,
    page_number,
    requires,
    saving,
    services,
    staff,
)
from bot.delivery.problems import PROBLEMS, resend
from bot.logs import mask
from bot.models import (
    CHANNEL_NAMES,
    KIND_NAMES,
    SIGNUP_NAMES,
    STATUS_NAMES,
    Binding,
    Group,
    OutboxMessage,
    OutboxStatus,
    Retiree,
)
from bot.models.roster import HEALTH_STATES
from bot.roster.edit import (
    EDITABLE,
    EditError,
    add_person,
    edit_person,
    form_values,
    merge_form,
    undo_death,
)
from bot.roster.fields import date_text
from bot.roster.groups import GROUP_FIELDS, all_groups
from bot.roster.privacy import ForgetError, forget
from bot.roster.profile import profile
from bot.roster.search import LIMIT, find_person, search
from bot.staff.roles import Can

# How the edit form lays the columns out, by what they are about.
SECTIONS = (("基本信息", ("number", "name", "gender", "birth_date", "lunar_birthday", "status", "work_start",
                         "former_unit", "rank", "party_member", "party_join_date")),
            ("分组", tuple(GROUP_FIELDS)),
            ("联系与生活", ("address", "phone", "health", "lives_alone", "hardship", "relocated",
                          "relocated_to", "notes")),
            ("紧急联系人", ("contact1_name", "contact1_relation", "contact1_phone",
                          "contact2_name", "contact2_relation", "contact2_phone")))
SHOWN = "shown."  # the edit form's hidden copy of each value as it showed it
CHOICES = {"gender": ("", "男", "女"), "status": ("离休", "退休"), "health": ("", *HEALTH_STATES)}
YES_NO = ("lunar_birthday", "party_member", "lives_alone", "hardship", "relocated")


@console.get("/people")
def people() -> tuple[str, int]:
    """Search the roster; htmx asks for the results alone as the clerk types."""
    text, group = request.args.get("q", "").strip()[:40], form_id("group") or None
    shown = page_number()
    found = search(db(), text, group_id=group, scope=staff().group_id, offset=(shown - 1) * LIMIT)
    template = "people_results.html" if request.headers.get("HX-Request") else "people.html"
    groups = all_groups(db(), scope=staff().group_id)
    return page(template, found=found, q=text, group=group, groups=groups, shown=shown, per_page=LIMIT)


@console.get("/people/<int:retiree_id>")
def person(retiree_id: int) -> tuple[str, int]:
    """Everything the office knows about one person."""
    found = profile(db(), retiree_id, scope=staff().group_id)
    if found is None:
        abort(404)
    return page("person.html", p=found, person=found.person, born=date_text(found.person.birth_date,
                                                                           found.person.birth_precision),
                status_names=STATUS_NAMES,
                channel_names=CHANNEL_NAMES, signup_names=SIGNUP_NAMES, kind_names=KIND_NAMES,
                care_kinds=KIND_LABELS, mask=mask, problems=PROBLEMS)


@console.route("/people/new", methods=["GET", "POST"], endpoint="person_new")
@requires(Can.EDIT)
def new() -> Response | tuple[str, int]:
    """The form for someone new on the roster (a cadre just retired), laid out as the edit form
    and read by the same rules; a branch's account adds to its own branch."""
    values, problems = _blank(), {}
    if request.method == "POST":
        values = {c.field: request.form.get(c.field, "") for c in EDITABLE}
        with saving() as session:
            result, added = add_person(session, values, actor=actor(), now=now(), scope=staff().group_id)
        if added is not None:
            flash(f"已新增：{added.name}。")
            return redirect(url_for("console.person", retiree_id=added.id))
        problems = result.problems
    return _form_page(None, values, {}, problems)


def _blank() -> dict[str, str]:
    """A new person's form: empty, but for a branch's account its own group, already chosen."""
    own = db().get(Group, staff().group_id) if staff().group_id is not None else None
    field_of = {kind: name for name, kind in GROUP_FIELDS.items()}
    return {field_of[own.kind]: own.name} if own is not None and own.kind in field_of else {}


def _form_page(person: Retiree | None, values: dict[str, str], shown: dict[str, str],
               problems: dict[str, str]) -> tuple[str, int]:
    """The person form (person None: a new one), with what stopped a save, by field."""
    return page("person_edit.html", 400 if problems else 200, person=person, values=values, shown=shown,
                shown_prefix=SHOWN, problems=problems, sections=SECTIONS,
                titles={c.field: c.title for c in EDITABLE}, choices=CHOICES, yes_no=YES_NO)


@console.route("/people/<int:retiree_id>/edit", methods=["GET", "POST"], endpoint="person_edit")
@requires(Can.EDIT)
def edit(retiree_id: int) -> Response | tuple[str, int]:
    """The edit form; saving it changes the record only when every field reads right."""
    person = _visible(retiree_id)
    if person.anonymised_at is not None:
        abort(404)
    values, problems = form_values(person), {}
    shown = values  # what the form showed: a field left so keeps what is stored when saved
    if request.method == "POST":
        posted = {c.field: request.form.get(c.field, "") for c in EDITABLE}
        shown = {c.field: request.form[SHOWN + c.field] for c in EDITABLE if SHOWN + c.field in request.form}
        values, problems = merge_form(form_values(person), shown, posted)
        if problems:  # changed meanwhile by someone else too: shown again against what is stored now,
            shown = form_values(person)  # with what this clerk changed and the rest as stored
        else:
            with saving() as session:
                result = edit_person(session, retiree_id, values, actor=actor(), now=now(),
                                     scope=staff().group_id)
            if not result.problems:
                flash(f"已保存：{'、'.join(result.changes) or '没有改动'}。")
                return redirect(url_for("console.person", retiree_id=retiree_id))
            values, problems = posted, result.problems
    return _form_page(person, values, shown, problems)


@console.post("/people/<int:retiree_id>/died")
@requires(Can.EDIT)
def died(retiree_id: int) -> Response | tuple[str, int]:
    """Record the date of death, asked once more first: what is queued for them is cancelled."""
    person = _visible(retiree_id)
    try:
        day = date.fromisoformat(request.form.get("died_on", ""))
        if not confirmed():
            return page("confirm.html", title="登记去世？", button="确定登记",
                        fields={"died_on": day.isoformat()},
                        back=url_for("console.person", retiree_id=retiree_id),
                        text=f"确定登记{person.name}同志于 {day} 去世吗？登记以后不再发生日祝福和学习推送，"
                             "还没发出的也都取消；还没开始的活动报名也都取消（撤销登记也不会补发、恢复），"
                             "空出的座位给候补的人。",
                        action=url_for("console.died", retiree_id=retiree_id))
        with saving() as session:
            withdrawn = deaths.record(session, services().settings, services().texts, retiree_id, day,
                                      actor=actor(), now=now())
    except ValueError as exc:  # EditError is one too; a date that does not read is the other
        flash(str(exc) if isinstance(exc, EditError) else "请填写去世日期，如 2026-12-01。", "error")
    else:
        flash(f"已登记去世日期 {day}：此后不再发生日祝福和学习推送。{withdrawn}")
    return redirect(url_for("console.person", retiree_id=retiree_id))


@console.route("/people/<int:retiree_id>/died/undo", methods=["GET", "POST"])
@requires(Can.EDIT)
def died_undo(retiree_id: int) -> Response | tuple[str, int]:
    """Take back a death recorded by mistake (asked once more first)."""
    person = _visible(retiree_id)
    back = url_for("console.person", retiree_id=retiree_id)
    if not confirmed():
        return page("confirm.html", title="撤销去世登记？", button="确定撤销", back=back, fields={},
                    text=f"确定{person.name}同志还健在、去世是登记错了吗？撤销以后照常给这位老同志发祝福和推送；"
                         "登记时取消的活动报名不会恢复，要去请重新报名。",
                    action=url_for("console.died_undo", retiree_id=retiree_id))
    attempt(lambda session: undo_death(session, retiree_id, actor=actor(), now=now()), EditError,
            done=f"已撤销{person.name}的去世登记：此后照常发祝福和推送。")
    return redirect(back)


@console.route("/people/<int:retiree_id>/bindings/<int:binding_id>/unbind", methods=["GET", "POST"])
@requires(Can.EDIT)
def binding_unbind(retiree_id: int, binding_id: int) -> Response | tuple[str, int]:
    """End one WeChat binding after a call (a phone changed, someone bound by mistake), asked once
    more first; the person binds again from the new WeChat."""
    person = _visible(retiree_id)
    binding = db().get(Binding, binding_id)
    if binding is None or binding.retiree_id != retiree_id or binding.unbound_at is not None:
        abort(404)
    back = url_for("console.person", retiree_id=retiree_id) + "#h-wechat"
    who = whose(binding)
    if not confirmed():
        return page("confirm.html", title="解除这个微信绑定？", button="确定解除", back=back, fields={},
                    text=f"确定解除{person.name}同志{who}的微信绑定吗？解除以后，这个微信不再收到"
                         f"{person.name}同志的通知，也不能替他办事；要再用，得重新绑定。",
                    action=url_for("console.binding_unbind", retiree_id=retiree_id, binding_id=binding_id))
    with saving() as session:
        unbind_for_office(session, binding_id, retiree_id, actor=actor(), now=now())
    flash(f"已解除{person.name}同志{who}的微信绑定。")
    return redirect(back)


@console.post("/people/<int:retiree_id>/forget")
@requires(Can.EDIT)
def anonymise(retiree_id: int) -> Response:
    """Anonymise on the person's request (the form asks to type their name to confirm)."""
    person = _visible(retiree_id)
    if request.form.get("confirm_name", "").strip() != person.name:
        flash("请输入此人的姓名以确认匿名化。", "error")
        return redirect(url_for("console.person", retiree_id=retiree_id))
    attempt(lambda session: forget(session, retiree_id, actor=actor(), now=now()), ForgetError,
            done="已匿名化：姓名、电话、住址等已清除，微信绑定已解除。")
    return redirect(url_for("console.person", retiree_id=retiree_id))


@console.route("/people/<int:retiree_id>/messages/<int:message_id>/resend", methods=["GET", "POST"])
@requires(Can.EDIT)
def resend_message(retiree_id: int, message_id: int) -> Response | tuple[str, int]:
    """Send again a message to this person that did not get through (once its cause is gone);
    one whose sending was interrupted may have arrived, so that one is asked about first."""
    _visible(retiree_id)
    message = db().get(OutboxMessage, message_id)
    if message is None or message.retiree_id != retiree_id:
        abort(404)
    back = url_for("console.person", retiree_id=retiree_id) + "#messages"
    if request.method == "GET" and message.status != OutboxStatus.UNCERTAIN:
        return redirect(back)  # nothing to ask: the page's own button sends it
    if message.status == OutboxStatus.UNCERTAIN and not confirmed():
        return page("confirm.html", title="再发一次？", button="确定再发一次", back=back, fields={},
                    text="这条消息发送时中断了，微信可能已经送到。再发一次，对方可能收到两遍。"
                         "打电话问过没收到的话，再发。",
                    action=url_for("console.resend_message", retiree_id=retiree_id, message_id=message_id))
    with saving() as session:
        done = resend(session, [message_id], actor=actor(), now=now())
    if done.refused:
        flash("这条消息现在不是“没送到”的状态（可能已经重发过），没有再发。", "error")
    else:
        flash("已重新排队，几秒内发出；在下面的“发出的消息”里看结果。")
    return redirect(back)


def _visible(retiree_id: int) -> Retiree:
    """The person, if the account may see them; a 404 page otherwise (a forged id included)."""
    person = find_person(db(), retiree_id, scope=staff().group_id)
    if person is None:
        abort(404)
    return person
