"""活动 from the mini-program: the open activities this person may join, one in detail, signing
up (with a companion), bringing a companion after all or no longer, and withdrawing, and their
own sign-ups with waitlist places. The chat's seat rules and row lock (bot.activities.signups),
so a sign-up here and one in the chat at the same instant can never overbook."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, Literal

from flask import abort
from pydantic import BaseModel, Field, StrictBool
from sqlalchemy.orm import Session

from bot.activities.notify import tell_promoted
from bot.activities.signups import (
    Refusal,
    SignupRefused,
    change_companion,
    eligible,
    live_signup,
    mine,
    places,
    sign_up,
    waiting_position,
    withdraw,
)
from bot.activities.wording import when
from bot.api.spec import (
    NEEDS_LOGIN,
    Error,
    Refused,
    Request,
    Time,
    acting,
    api,
    blueprint,
    documented,
    services,
)
from bot.models import Activity, Binding, Signup, SignupStatus

# Each refusal as the mini-program shows it: HTTP status and a sentence (the chat's say 「回复 …」).
REFUSALS = {
    Refusal.CLOSED: (409, "这个活动已经停止报名了。"),
    Refusal.CANCELLED: (409, "这个活动取消了，不再举行。"),
    Refusal.DEADLINE: (409, "这个活动报名已经截止了。"),
    Refusal.NOT_ELIGIBLE: (403, "这个活动只面向部分支部的老同志，这次参加不了。"),
    Refusal.DECEASED: (409, ""),  # the chat's own words, with the name (activity.refused_deceased)
    Refusal.ALREADY: (409, "已经报过名了，在「我的报名」里可以看到。"),
    Refusal.NO_COMPANION: (422, "这个活动不能带家属。"),
    Refusal.TOO_LATE_TO_WITHDRAW: (409, "活动快开始了，已经不能在这里取消，请打电话告诉工作人员。"),
    Refusal.NOT_FOUND: (404, "没有找到这个报名。"),
    Refusal.NO_SEAT_FOR_COMPANION: (409, "名额不够了，这次带不了家属；自己的报名不变。"),
}


class MySignup(BaseModel):
    """Where the person's sign-up stands."""

    status: Literal["confirmed", "waiting"] = Field(description="confirmed：已报上；waiting：在候补")
    position: int | None = Field(description="候补第几位；已报上时为空")
    companion: bool = Field(description="带一位家属")


class ActivitySummary(BaseModel):
    """An activity in a list."""

    id: int = Field(description="活动编号")
    title: str = Field(description="活动名称")
    starts_at: Time = Field(description="开始时间")
    when: str = Field(description="说给老同志听的时间，如「10 月 29 日（周四）下午 2:30」")
    place: str = Field(description="地点")
    seats_left: int = Field(description="还没报上的座位数（不算候补的人）")
    waiting: int = Field(description="在候补的人数")
    full: bool = Field(description=(
        "现在报名会排进候补：座位报满了，或已经有人在候补（空出的座位先给候补的人，和聊天里一样）"))
    companion_allowed: bool = Field(description="能不能带一位家属")
    mine: MySignup | None = Field(description="这位老同志的报名；没报时为空")


class ActivityDetail(ActivitySummary):
    """An activity with everything staff filled in."""

    deadline: Time = Field(description="报名截止时间")
    cancel_until: Time = Field(description="这个时间以前可以在小程序里取消报名；以后请打电话")
    meeting_point: str | None = Field(description="集合地点；没有为空")
    transport: str | None = Field(description="交通安排；没有为空")
    notes: str | None = Field(description="注意事项；没有为空")
    contact: str | None = Field(description="联系人；没有为空")


class Activities(BaseModel):
    """Activities, soonest first."""

    activities: list[ActivitySummary] = Field(description="活动，时间近的在前")


class SignupRequest(Request):
    """Signing up, alone or with one family member."""

    companion: StrictBool = Field(default=False, description="带一位家属（活动允许时）：true 或 false")


class CompanionChange(Request):
    """A family member coming after all, or no longer: said each time, never taken as 「不带」 when
    left out (the seat freed would go to the waitlist, for good)."""

    companion: StrictBool = Field(description="带一位家属：true；不带了：false")


@blueprint.get("/activities")
@api.validate(resp=documented(HTTP_200=Activities, HTTP_401=Error, HTTP_403=Error), tags=["活动"],
              security=NEEDS_LOGIN)
def open_activities() -> Any:
    """这位老同志能报名的活动。"""
    with acting() as (session, _user, binding):
        found = eligible(session, binding.retiree_id, services().clock.now())
        return Activities(activities=[_summary(session, a, binding) for a in found])


@blueprint.get("/activities/<int:activity_id>")
@api.validate(resp=documented(HTTP_200=ActivityDetail, HTTP_401=Error, HTTP_403=Error, HTTP_404=Error),
              tags=["活动"], security=NEEDS_LOGIN)
def activity(activity_id: int) -> Any:
    """一个活动的详情。"""
    with acting() as (session, _user, binding):
        found = _visible(session, activity_id, binding)
        return ActivityDetail(**_summary(session, found, binding).model_dump(), deadline=found.deadline,
                              cancel_until=found.cancel_until, meeting_point=found.meeting_point,
                              transport=found.transport, notes=found.notes, contact=found.contact)


@blueprint.post("/activities/<int:activity_id>/signup")
@api.validate(json=SignupRequest, resp=documented(HTTP_201=MySignup, HTTP_401=Error, HTTP_403=Error,
                                                  HTTP_404=Error, HTTP_409=Error, HTTP_422=Error),
              tags=["活动"], security=NEEDS_LOGIN)
def signup(activity_id: int, json: SignupRequest) -> Any:
    """报名：有空位就报上，满了就排候补。"""
    with acting() as (session, user, binding):
        try:
            outcome = sign_up(session, activity_id, binding.retiree_id, openid=user.openid,
                              by_agent=binding.is_agent, companion=json.companion, now=services().clock.now())
        except SignupRefused as refused:
            raise _refusal(refused, binding) from None
        return _mine(session, outcome.signup), 201


@blueprint.delete("/activities/<int:activity_id>/signup")
@api.validate(resp=documented("HTTP_204", HTTP_401=Error, HTTP_403=Error, HTTP_404=Error, HTTP_409=Error),
              tags=["活动"], security=NEEDS_LOGIN)
def cancel(activity_id: int) -> Any:
    """取消报名；候补的第一位会补上并收到通知。"""
    _on_my_signup(activity_id, withdraw)
    return "", 204


@blueprint.patch("/activities/<int:activity_id>/signup")
@api.validate(json=CompanionChange, resp=documented(HTTP_200=MySignup, HTTP_401=Error, HTTP_403=Error,
                                                    HTTP_404=Error, HTTP_409=Error, HTTP_422=Error),
              tags=["活动"], security=NEEDS_LOGIN)
def change(activity_id: int, json: CompanionChange) -> Any:
    """报名以后改主意：带上一位家属，或不带了；空出的座位给候补的第一位，并通知他。"""
    return _on_my_signup(activity_id, lambda session, signup_id, retiree_id, now: change_companion(
        session, signup_id, retiree_id, json.companion, now))


Change = Callable[[Session, int, int, datetime], list[Signup]]  # (session, sign-up, retiree, now) → promoted


def _on_my_signup(activity_id: int, change: Change) -> MySignup:
    """Make `change` (the chat's rule) to this person's live sign-up for the activity; whoever it
    promoted from the waitlist is told. The sign-up as it stands after."""
    s = services()
    with acting() as (session, _user, binding):
        held = live_signup(session, activity_id, binding.retiree_id)
        try:
            if held is None:
                raise SignupRefused(Refusal.NOT_FOUND)
            promoted = change(session, held.id, binding.retiree_id, s.clock.now())
        except SignupRefused as refused:
            raise _refusal(refused, binding) from None
        tell_promoted(session, s.settings, s.texts, promoted, s.clock.now())
        return _mine(session, held)


@blueprint.get("/me/signups")
@api.validate(resp=documented(HTTP_200=Activities, HTTP_401=Error, HTTP_403=Error), tags=["活动"],
              security=NEEDS_LOGIN)
def my_signups() -> Any:
    """我的报名：还没举行的活动。"""
    with acting() as (session, _user, binding):
        signups = mine(session, binding.retiree_id, services().clock.now())
        return Activities(activities=[_summary(session, s.activity, binding) for s in signups])


def _visible(session: Session, activity_id: int, binding: Binding) -> Activity:
    """The activity if this person may see it: open to them now, or one they are signed up for."""
    now = services().clock.now()
    if live_signup(session, activity_id, binding.retiree_id) is None and \
            activity_id not in {a.id for a in eligible(session, binding.retiree_id, now)}:
        abort(404)
    return session.get_one(Activity, activity_id)


def _summary(session: Session, found: Activity, binding: Binding) -> ActivitySummary:
    held = live_signup(session, found.id, binding.retiree_id)
    left, waiting = places(session, found)
    return ActivitySummary(id=found.id, title=found.title, starts_at=found.starts_at,
                           when=when(found.starts_at), place=found.place, seats_left=left, waiting=waiting,
                           full=left == 0 or waiting > 0,
                           companion_allowed=found.companion_seats > 0,
                           mine=_mine(session, held) if held is not None else None)


def _mine(session: Session, held: Signup) -> MySignup:
    waiting = held.status == SignupStatus.WAITING
    return MySignup(status="waiting" if waiting else "confirmed",
                    position=waiting_position(session, held) if waiting else None, companion=held.companion)


def _refusal(refused: SignupRefused, binding: Binding) -> Refused:
    status, message = REFUSALS[refused.reason]
    if refused.reason == Refusal.DECEASED:
        message = services().texts.get("activity.refused_deceased", name=binding.retiree.name)
    return Refused(status, str(refused.reason), message)
