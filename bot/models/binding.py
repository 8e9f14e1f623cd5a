"""Bindings: which retiree a WeChat account speaks for, as the retiree or as family (代办人)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.db.engine import Base
from bot.models.roster import Retiree

AGENT = "agent"  # a binding's role when family act for the retiree (代办); else "self"


class Binding(Base):
    """An openid bound to a retiree; kept (with unbound_at set) after unbinding, for the record.

    One openid speaks for one retiree at a time; a retiree may have several openids bound.
    """

    __tablename__ = "bindings"
    __table_args__ = (
        sa.Index("ux_bindings_active_openid", "openid", unique=True,
                 sqlite_where=sa.text("unbound_at IS NULL"),
                 postgresql_where=sa.text("unbound_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    openid: Mapped[str] = mapped_column(sa.String(64))
    # Whose openid: the official account's ("oa": the chat) or the mini-program's ("mini").
    app: Mapped[str] = mapped_column(sa.String(8), default="oa", server_default="oa")
    retiree_id: Mapped[int] = mapped_column(sa.ForeignKey("retirees.id"), index=True)
    role: Mapped[str] = mapped_column(sa.String(8))  # "self" or "agent"
    relation: Mapped[str | None] = mapped_column(sa.String(20))  # the agent's relation: 女儿 …
    bound_at: Mapped[datetime]
    unbound_at: Mapped[datetime | None]

    retiree: Mapped[Retiree] = relationship()

    @property
    def is_agent(self) -> bool:
        """True when a family member acts for the retiree (代办)."""
        return self.role == AGENT
