"""Conversation state: the step a user is in, kept in the database so any worker can continue it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.engine import Base


class ConversationState(Base):
    """One openid's conversation until it expires: the step on screen (None when only a kept
    task or something remembered is left), and in data what the step and the conversation keep."""

    __tablename__ = "conversation_states"

    openid: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    step: Mapped[str | None] = mapped_column(sa.String(64))
    data: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    expires_at: Mapped[datetime]
