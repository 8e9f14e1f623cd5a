"""SQLite: the few statements every message runs, compiled once and run on the driver directly.

On SQLite every message holds the database's one write lock from its claim to its commit, so each
worker waits for the other's whole transaction: what a message spends inside it bounds how many
messages the office can answer a second, however many cores there are. Through SQLAlchemy a
statement spends two to three times as long in its execution machinery (the compiled cache's
lookup, the execution context, events, the result object) as in SQLite itself. Here the
statement is compiled once per dialect; a run applies the same bind and result processing
SQLAlchemy would (aware datetimes stored as UTC, JSON, booleans) and sends the SQL to sqlite3,
on the connection and in the transaction SQLAlchemy opened.

What bypasses SQLAlchemy here is not seen by its events or its echo, and its errors are sqlite3's:
keep it to the statements every message runs (bot.conversation.record, the conversation row).
PostgreSQL has its own round trips for the same statements (bot.db.round_trips).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

Processor = Callable[[Any], Any] | None


class DirectStatement:
    """A statement without expanding parameters, run on a SQLite connection's driver (on any
    other database, through SQLAlchemy as usual)."""

    def __init__(self, statement: sa.Executable) -> None:
        self.statement = statement
        self._compiled: _Compiled | None = None

    def first_row(self, conn: sa.Connection, params: Mapping[str, Any]) -> dict[str, Any]:
        """The statement's first row, by column name, as SQLAlchemy would have read it."""
        if conn.dialect.name != "sqlite":
            return dict(conn.execute(self.statement, params).one()._mapping)
        compiled = self._for(conn)
        row = _driver(conn).execute(compiled.sql, compiled.arguments(params)).fetchone()
        if row is None:
            raise LookupError("the statement returned no row")
        return {key: (process(value) if process else value)
                for (key, process), value in zip(compiled.columns, row, strict=True)}

    def run(self, conn: sa.Connection, params: Mapping[str, Any]) -> None:
        """Run the statement for its effect."""
        if conn.dialect.name != "sqlite":
            conn.execute(self.statement, params)
            return
        compiled = self._for(conn)
        _driver(conn).execute(compiled.sql, compiled.arguments(params))

    def _for(self, conn: sa.Connection) -> _Compiled:
        if self._compiled is None:  # two threads may compile it at once: both results are equal
            self._compiled = _Compiled(self.statement, conn.dialect)
        return self._compiled


@dataclass(frozen=True)
class Write:
    """A write handed on to run later in the same transaction: its statement and parameters."""

    statement: DirectStatement
    params: Mapping[str, Any]

    def run(self, conn: sa.Connection) -> None:
        """Run it now."""
        self.statement.run(conn, self.params)


class BoundParameters:
    """A compiled statement's parameters: its own literal values, what the caller must give, and
    the bind processing SQLAlchemy would have applied (aware datetimes stored as UTC, JSON …).
    Shared with PostgreSQL's round trips (bot.db.round_trips)."""

    def __init__(self, compiled: sa.engine.Compiled, dialect: sa.Dialect) -> None:
        # A column default computed in Python is filled in by SQLAlchemy's execution, which this
        # path skips: such a statement would store NULL. Give every value instead.
        if getattr(compiled, "insert_prefetch", None) or getattr(compiled, "update_prefetch", None):
            raise ValueError("a statement relying on Python-side column defaults cannot run directly")
        binds = compiled.binds  # type: ignore[attr-defined]  # SQLCompiler's public map
        self._defaults = dict(compiled.params)
        self._required = frozenset(name for name, bind in binds.items() if bind.required)
        self._processors = {name: process for name, bind in binds.items()
                            if (process := bind.type.dialect_impl(dialect).bind_processor(dialect))}

    def values(self, params: Mapping[str, Any]) -> dict[str, Any]:
        """The values to send; a missing one raises, as SQLAlchemy would, rather than go as NULL."""
        if missing := self._required - params.keys():
            raise KeyError(f"missing parameters: {', '.join(sorted(missing))}")
        values = {**self._defaults, **params}
        for name, process in self._processors.items():
            values[name] = process(values[name])
        return values


def column_processors(statement: sa.Executable, dialect: sa.Dialect) -> tuple[tuple[str, Processor], ...]:
    """Each selected column's name and the result processing SQLAlchemy would apply to it (none
    for a statement that selects nothing). Shared with PostgreSQL's round trips."""
    return tuple((column.key, column.type.dialect_impl(dialect).result_processor(dialect, None))
                 for column in getattr(statement, "selected_columns", ()))


class _Compiled:
    """The SQL with its placeholders in order, and the processing of parameters and columns."""

    def __init__(self, statement: sa.Executable, dialect: sa.Dialect) -> None:
        compiled = statement.compile(dialect=dialect)
        self.sql = str(compiled)
        self._order = tuple(compiled.positiontup or ())
        self._parameters = BoundParameters(compiled, dialect)
        self.columns = column_processors(statement, dialect)

    def arguments(self, params: Mapping[str, Any]) -> list[Any]:
        """The values in placeholder order (BoundParameters.values)."""
        values = self._parameters.values(params)
        return [values[name] for name in self._order]


def _driver(conn: sa.Connection) -> sqlite3.Connection:
    """conn's sqlite3 connection, inside the transaction SQLAlchemy began (the statement must be
    part of the message's all-or-nothing)."""
    raw = conn.connection.dbapi_connection
    if not isinstance(raw, sqlite3.Connection):
        raise TypeError("SQLite only")
    if not conn.in_transaction():
        raise RuntimeError("no transaction is open on this connection")
    if not raw.in_transaction:  # an engine without the queued BEGIN (in memory): sqlite3 begins lazily
        raw.execute("BEGIN")
    return raw
