"""Notices (群发通知): one text from staff to everyone, a group or one retiree."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.engine import Base


class Notice(Base):
    """A broadcast; each recipient's copy is an outbox row pointing back here."""

    __tablename__ = "notices"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str | None] = mapped_column(sa.String(40))
    text: Mapped[str] = mapped_column(sa.Text)
    # all | group:<name> | retiree:<id>[,<id>…], or several of these joined by ";"
    audience: Mapped[str] = mapped_column(sa.Text)
    # A study month (study:2026-12) or an activity (activity:7) the notice points to, if any.
    link: Mapped[str | None] = mapped_column(sa.String(40))
    # The console form's one-time key: the same form submitted twice makes one notice.
    form_key: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    preview: Mapped[bool] = mapped_column(default=False)  # to the staff openids only
    created_by: Mapped[str] = mapped_column(sa.String(80))
    created_at: Mapped[datetime]
    send_at: Mapped[datetime]
    cancelled_at: Mapped[datetime | None]
    # People the audience names whom no row was made for, by reason (deceased, not bound …).
    skipped: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
