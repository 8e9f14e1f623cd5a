"""Alembic environment: the URL and models come from the bot, not from an alembic.ini."""

from __future__ import annotations

from typing import Any

from alembic import context

import bot.models  # noqa: F401 - registers every table on Base.metadata
from bot.db.engine import Base, UTCDateTime, make_engine

config = context.config


def _render_item(type_: str, obj: Any, autogen_context: Any) -> str | bool:
    # UTCDateTime is a plain DATETIME in the database; keep migrations free of our imports.
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime()"
    return False


def run_migrations_online() -> None:
    """Run the migrations on the bot's own engine."""
    engine = make_engine(config.get_main_option("sqlalchemy.url") or "")
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=Base.metadata,
                          render_item=_render_item, render_as_batch=True,
                          compare_type=True)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run_migrations_online()
