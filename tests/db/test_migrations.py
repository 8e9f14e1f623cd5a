"""The migrations build exactly the tables the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

import bot.models  # noqa: F401  (registers every table)
from bot.db.engine import Base
from bot.db.migrate import upgrade


def test_the_newest_migration_matches_the_models(database_url: str) -> None:
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as conn:
            differences = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    finally:
        engine.dispose()
    assert differences == []


def test_people_on_file_get_their_surname_reading_first(tmp_path) -> None:
    # 0022: 曾国华, imported before it, is sorted under Z in 名册 once the server is upgraded.
    url = f"sqlite:///{tmp_path / 'old.db'}"
    upgrade(url, "0021")
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            for name, initials in (("曾国华", "cgh zgh"), ("张明", "zm")):
                conn.execute(sa.text(
                    "INSERT INTO retirees (name, name_initials, birth_date, birth_precision, lunar_birthday, "
                    "status, party_member, lives_alone, hardship, relocated, created_at, updated_at) VALUES "
                    "(:name, :initials, '1938-01-01', 'day', false, '退休', false, false, false, false, "
                    "'2026-01-01', '2026-01-01')"), {"name": name, "initials": initials})
        upgrade(url)
        with engine.connect() as conn:
            kept = dict(conn.execute(sa.text("SELECT name, name_initials FROM retirees")).all())
    finally:
        engine.dispose()
    assert kept == {"曾国华": "zgh cgh", "张明": "zm"}
