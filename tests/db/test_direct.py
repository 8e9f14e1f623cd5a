"""Statements run on SQLite's driver directly store and read exactly what SQLAlchemy would."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from bot.db.direct import DirectStatement
from bot.db.engine import Base, make_engine, upsert
from bot.models import ConversationState

_TABLE = ConversationState.__table__
WHEN = datetime(2026, 12, 4, 9, 30, 15, 123456, tzinfo=UTC)


@pytest.fixture
def engine(database_url: str) -> Iterator[sa.Engine]:
    """An engine on the test database (SQLite: the direct path; PostgreSQL: SQLAlchemy's)."""
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


def _save(engine: sa.Engine) -> DirectStatement:
    return DirectStatement(upsert(_TABLE, engine.dialect.name, "openid", ("step", "data", "expires_at")))


def test_a_row_written_directly_reads_back_the_same_through_sqlalchemy(engine: sa.Engine) -> None:
    save = _save(engine)
    with engine.begin() as conn:
        save.run(conn, {"openid": "o_direct", "step": "quiz", "data": {"题": 2, "答": ["甲"]},
                        "expires_at": WHEN})
        save.run(conn, {"openid": "o_direct", "step": "quiz", "data": {"题": 3}, "expires_at": WHEN})
    with engine.connect() as conn:
        row = conn.execute(sa.select(_TABLE)).one()
    assert (row.step, row.data, row.expires_at) == ("quiz", {"题": 3}, WHEN)  # aware, to the µs


def test_a_row_read_directly_is_what_sqlalchemy_reads(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        conn.execute(sa.insert(_TABLE), {"openid": "o_read", "step": None, "data": {"记住": "是"},
                                         "expires_at": WHEN})
    live = (_TABLE.c.expires_at > sa.bindparam("now", type_=_TABLE.c.expires_at.type)).label("live")
    select = sa.select(_TABLE.c.step, _TABLE.c.data, _TABLE.c.expires_at, live).where(
        _TABLE.c.openid == sa.bindparam("openid"))
    with engine.begin() as conn:
        direct = DirectStatement(select).first_row(conn, {"openid": "o_read", "now": WHEN.replace(hour=8)})
        through = dict(conn.execute(select, {"openid": "o_read", "now": WHEN.replace(hour=8)}).one()._mapping)
    assert direct == through == {"step": None, "data": {"记住": "是"}, "expires_at": WHEN, "live": True}


def _sqlite_only(engine: sa.Engine) -> None:
    if engine.dialect.name != "sqlite":
        pytest.skip("the direct path is SQLite's; PostgreSQL runs SQLAlchemy's")


def test_a_missing_parameter_fails_instead_of_storing_null(engine: sa.Engine) -> None:
    _sqlite_only(engine)
    with pytest.raises(KeyError, match="expires_at"), engine.begin() as conn:
        _save(engine).run(conn, {"openid": "o_missing", "step": "quiz", "data": {}})


def test_a_statement_that_needs_python_side_defaults_is_refused() -> None:
    table = sa.Table("notes", sa.MetaData(), sa.Column("id", sa.Integer, primary_key=True),
                     sa.Column("seen", sa.Boolean, default=False), sa.Column("text", sa.String))
    engine = make_engine("sqlite://")
    table.metadata.create_all(engine)
    insert = DirectStatement(sa.insert(table).values(text=sa.bindparam("text")))
    with pytest.raises(ValueError, match="defaults"), engine.begin() as conn:
        insert.run(conn, {"text": "留言"})  # would have stored seen as NULL, not False


def test_an_in_memory_database_runs_direct_statements_in_its_transaction() -> None:
    engine = make_engine("sqlite://")  # no queued BEGIN: sqlite3 would begin only at a write
    Base.metadata.create_all(engine, tables=[_TABLE])
    with engine.begin() as conn:
        _save(engine).run(conn, {"openid": "o_memory", "step": None, "data": {}, "expires_at": WHEN})
        assert conn.scalar(sa.select(sa.func.count()).select_from(_TABLE)) == 1


def test_outside_a_transaction_nothing_runs(engine: sa.Engine) -> None:
    _sqlite_only(engine)
    with engine.connect() as conn:
        conn.commit()  # nothing open: a statement here would not be part of any message's all-or-nothing
        with pytest.raises(RuntimeError):
            _save(engine).run(conn, {"openid": "o_loose", "step": None, "data": {}, "expires_at": WHEN})
