"""Conversation state: the step a user is in, kept in the database so any worker can continue it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from bot.db import Base


class ConversationState(Base):
    """The pending step for one openid (e.g. waiting for a number 1-3), until it expires."""

    __tablename__ = "conversation_states"

    openid: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    step: Mapped[str] = mapped_column(sa.String(64))
    data: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    expires_at: Mapped[datetime]
