"""Key-value entries with an expiry: the database flavour of the shared store."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.engine import Base


class KvEntry(Base):
    """A value shared by all workers (dedupe keys, stored replies, the access_token, locks)."""

    __tablename__ = "kv_entries"

    key: Mapped[str] = mapped_column(sa.String(200), primary_key=True)
    value: Mapped[str] = mapped_column(sa.Text)
    expires_at: Mapped[datetime] = mapped_column(index=True)
