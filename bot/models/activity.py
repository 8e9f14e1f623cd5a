"""Activities staff organise (参观, 体检, 茶话会 …) and who has signed up for them."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.db.engine import Base


class ActivityStatus(enum.StrEnum):
    """Whether an activity takes sign-ups."""

    OPEN = "open"            # taking sign-ups until its deadline
    CLOSED = "closed"        # staff stopped sign-ups; it still takes place
    CANCELLED = "cancelled"  # it will not take place; everyone signed up was told


class SignupStatus(enum.StrEnum):
    """Where a sign-up stands."""

    CONFIRMED = "confirmed"  # has a place (with a companion's seat, if any)
    WAITING = "waiting"      # on the waitlist, in arrival order
    CANCELLED = "cancelled"  # withdrawn by them or by staff


SIGNUP_NAMES = {SignupStatus.CONFIRMED: "已报上", SignupStatus.WAITING: "候补",
                SignupStatus.CANCELLED: "已取消"}


class Activity(Base):
    """One activity with a limited number of seats."""

    __tablename__ = "activities"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(60))
    kind: Mapped[str] = mapped_column(sa.String(20), default="其他")
    starts_at: Mapped[datetime] = mapped_column(index=True)
    place: Mapped[str] = mapped_column(sa.String(200))
    meeting_point: Mapped[str | None] = mapped_column(sa.String(200))
    transport: Mapped[str | None] = mapped_column(sa.String(200))
    capacity: Mapped[int]                     # seats, companions included
    deadline: Mapped[datetime]                # sign-ups close
    cancel_until: Mapped[datetime]            # retirees may withdraw until then
    groups: Mapped[list[str]] = mapped_column(sa.JSON)  # group names, or ["all"]
    companion_seats: Mapped[int] = mapped_column(default=0)  # seats a companion takes; 0: none may come
    notes: Mapped[str | None] = mapped_column(sa.String(300))   # "需能步行一公里"
    contact: Mapped[str | None] = mapped_column(sa.String(100))
    status: Mapped[str] = mapped_column(sa.String(10), default=ActivityStatus.OPEN)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    signups: Mapped[list[Signup]] = relationship(back_populates="activity", order_by="Signup.id")

    @property
    def for_everyone(self) -> bool:
        """True when every retiree may join."""
        return "all" in self.groups

    def fields(self) -> dict[str, Any]:
        """The editable fields, for reports and the bulk file."""
        return {name: getattr(self, name) for name in EDITABLE}


EDITABLE = ("title", "kind", "starts_at", "place", "meeting_point", "transport", "capacity",
            "deadline", "cancel_until", "groups", "companion_seats", "notes", "contact")


class Signup(Base):
    """One retiree's sign-up, made by themselves, by family acting for them, or by a clerk."""

    __tablename__ = "signups"
    __table_args__ = (
        # Nobody holds two live sign-ups for one activity, whatever arrives at the same moment.
        sa.Index("ux_signups_live", "activity_id", "retiree_id", unique=True,
                 sqlite_where=sa.text("status != 'cancelled'"),
                 postgresql_where=sa.text("status != 'cancelled'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(sa.ForeignKey("activities.id"), index=True)
    retiree_id: Mapped[int] = mapped_column(sa.ForeignKey("retirees.id", ondelete="CASCADE"), index=True)
    openid: Mapped[str] = mapped_column(sa.String(64))  # who signed up, and who is told
    by_agent: Mapped[bool] = mapped_column(default=False)
    # made by a clerk for someone who phoned in (openid: whoever is told, "" when nobody is bound)
    by_staff: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    companion: Mapped[bool] = mapped_column(default=False)
    seats: Mapped[int] = mapped_column(default=1)
    status: Mapped[str] = mapped_column(sa.String(10))
    created_at: Mapped[datetime]
    promoted_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    attended: Mapped[bool | None]

    activity: Mapped[Activity] = relationship(back_populates="signups")

    @property
    def made_by(self) -> str:
        """Who made it, in staff's words (the list, the export)."""
        return "电话报名（工作人员代报）" if self.by_staff else "家属代报" if self.by_agent else "本人"
