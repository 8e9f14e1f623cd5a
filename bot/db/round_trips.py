"""PostgreSQL: a message's first statement sent together with its BEGIN, its last two (the
conversation row it changed, and its record) together with its COMMIT — two round trips a
message instead of five.

Through SQLAlchemy and psycopg each statement, BEGIN and COMMIT is a round trip of its own, and on
a busy server each round trip is a wait for the database process to be scheduled. Here the
statement is written out with its parameters as literals (psycopg's own quoting, as its client-side
cursors use) and sent with BEGIN or COMMIT as one simple query, which PostgreSQL runs in order and
answers at once. The statements in between run through SQLAlchemy as usual, on the same connection
and in the same transaction: psycopg reads the transaction's state from the server's own answers.

What bypasses SQLAlchemy here is not seen by its events or its echo; keep it to the few statements
every message runs (bot.conversation.record: the claim, the record, and the conversation row's
write that bot.conversation.steps hands on), and add nothing that needs them.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

import psycopg
import sqlalchemy as sa
from psycopg import pq
from psycopg.adapt import Transformer
from psycopg.errors import error_from_result
from sqlalchemy.dialects.postgresql.psycopg import PGDialect_psycopg

from bot.db.direct import BoundParameters, DirectStatement, Write, column_processors

_POSITIONAL = PGDialect_psycopg(paramstyle="format")  # %s placeholders (and % written %%)
_NUMBERED = PGDialect_psycopg(paramstyle="numeric_dollar")  # $1, $2 … as PREPARE takes them
_MISSING_STATEMENT = "26000"  # SQLSTATE: no prepared statement of that name on this connection
_DUPLICATE_STATEMENT = "42P05"  # SQLSTATE: one of that name is prepared already


class Prepared:
    """A statement PostgreSQL parses and plans once per connection (PREPARE), then runs by name
    (EXECUTE) with its values written out as literals. A PreparedSelect prepares it, in the
    claim's round trip, with its own statement: a message's record then runs prepared too."""

    def __init__(self, name: str, statement: sa.Executable) -> None:
        compiled = statement.compile(dialect=_NUMBERED)
        self.name = name
        self.statement = statement
        self.prepare = f"PREPARE {name} AS {compiled}"
        self._order = compiled.positiontup or []
        self._parameters = BoundParameters(compiled, _NUMBERED)
        self._call = f"EXECUTE {name}({', '.join(['%s'] * len(self._order))})"

    def execute(self, quoting: _Quoting, params: Mapping[str, Any]) -> str:
        """The EXECUTE of it with params, quoted by psycopg."""
        values = self._parameters.values(params)
        return quoting.merge(self._call, [values[key] for key in self._order])


def prepared_on(conn: sa.Connection) -> set[str]:
    """The names of the statements prepared on conn's database connection (its pool record's)."""
    return conn.connection.info.setdefault("prepared", set())


class PreparedSelect:
    """A SELECT that PostgreSQL plans once per connection (PREPARE) and runs by name after BEGIN;
    the statements in `alongside` are prepared with it.

    The plan matters for a statement as big as the inbound claim: planned afresh each time, the
    database spent twice the CPU on each message.
    """

    def __init__(self, name: str, statement: sa.Select[Any], alongside: tuple[Prepared, ...] = ()) -> None:
        self._select = Prepared(name, statement)
        self.name = name
        self._all = (self._select, *alongside)
        self._columns = column_processors(statement, _NUMBERED)

    def first_row_with_begin(self, conn: sa.Connection, params: Mapping[str, Any], *,
                             locking: str) -> dict[str, Any]:
        """Begin conn's transaction, take its advisory lock on the key `locking` (waiting for
        whoever holds it to commit) and run the statement, in one round trip; its first row.

        The statement runs after the wait with a snapshot of its own (READ COMMITTED, set here
        whatever the server's default), so it sees what the lock's previous holder committed."""
        raw = _driver_connection(conn, expect=pq.TransactionStatus.IDLE)
        quoting = _quoting(conn, raw)
        lock = quoting.merge("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [locking])
        call = self._select.execute(quoting, params)
        begin = "BEGIN ISOLATION LEVEL READ COMMITTED"
        # Prepared in the same round trip on a connection's first message (PREPARE outlives a
        # rollback): running it unprepared and preparing on the error put one error for every
        # new connection, with a retiree's openid in the statement, into PostgreSQL's log.
        prepared = prepared_on(conn)
        prepare = "".join(f"{p.prepare}; " for p in self._all if p.name not in prepared)
        try:
            result = _run(raw, f"{begin}; {prepare}{lock}; {call}")
        except psycopg.Error as exc:
            # One prepared already (an earlier first message failed after it), or forgotten (a
            # pooler's DISCARD ALL): nothing was lost; prepare what the server lacks, start over.
            if exc.sqlstate not in (_DUPLICATE_STATEMENT, _MISSING_STATEMENT):
                raise
            _run(raw, "ROLLBACK")
            have = {row[0] for row in _rows(raw, "SELECT name FROM pg_prepared_statements")}
            if missing := "; ".join(p.prepare for p in self._all if p.name not in have):
                _run(raw, missing)
            result = _run(raw, f"{begin}; {lock}; {call}")
        prepared.update(p.name for p in self._all)
        if result.ntuples != 1:
            raise LookupError(f"{self.name} returned {result.ntuples} rows, not one")
        row = _rows(raw, result, quoting.transformer)[0]
        return {key: (process(value) if process else value)
                for (key, process), value in zip(self._columns, row, strict=True)}


class _Inlined:
    """A statement written out with its parameters as literals, to go with others in one query."""

    def __init__(self, statement: sa.Executable) -> None:
        compiled = statement.compile(dialect=_POSITIONAL)
        self._sql = str(compiled)
        self._order = tuple(compiled.positiontup or ())
        self._parameters = BoundParameters(compiled, _POSITIONAL)

    def text(self, quoting: _Quoting, params: Mapping[str, Any]) -> str:
        """The SQL with params in it, quoted by psycopg."""
        values = self._parameters.values(params)
        return quoting.merge(self._sql, [values[key] for key in self._order])


@functools.cache
def _inlined(statement: DirectStatement) -> _Inlined:
    return _Inlined(statement.statement)


class StatementWithCommit:
    """A write that ends conn's transaction: it and COMMIT go in one round trip, with a write
    handed on from earlier in the message (the conversation's row) before it.

    Run prepared when given as a Prepared that the transaction's claim (a PreparedSelect) prepares
    alongside its own: the record's INSERT, parsed and planned afresh, cost the database about a
    tenth of its CPU a message. It runs by name only on a connection the claim has prepared it on
    (the claim's round trip re-prepares what a pooler's DISCARD ALL forgot, before any of the
    message's work; DISCARD cannot run inside a transaction); on any other, written out whole.

    With flush_when_alone=False, a transaction that wrote nothing before this statement commits
    without waiting for the disk (synchronous_commit off for that transaction alone, decided by
    the server: it has no transaction id until something is written). A database crash in the
    next fraction of a second could then lose this one write; a transaction that wrote anything
    else waits for the disk as usual. With a write handed on (`first`, the conversation's row:
    an upsert always writes) the switch is not sent: it would find the transaction writing and
    do nothing, a statement parsed, planned and run for nothing on most messages (a delete that
    found no row left then commits waiting for the disk, the safe way).
    """

    def __init__(self, statement: sa.Executable | Prepared, *, flush_when_alone: bool = True) -> None:
        self._prepared = statement if isinstance(statement, Prepared) else None
        self._statement = _Inlined(statement.statement if isinstance(statement, Prepared) else statement)
        self._before = "" if flush_when_alone else f"{_NO_FLUSH_IF_NOTHING_WRITTEN}; "

    def run_and_commit(self, conn: sa.Connection, params: Mapping[str, Any],
                       first: Write | None = None) -> None:
        """Run `first` (if any), then the statement, and commit conn's transaction; the `with`
        block's commit is then a no-op, so this must be the transaction's last statement."""
        raw = _driver_connection(conn, expect=pq.TransactionStatus.INTRANS)
        quoting = _quoting(conn, raw)
        leading = (self._before if first is None
                   else f"{_inlined(first.statement).text(quoting, first.params)}; ")
        if self._prepared is not None and self._prepared.name in prepared_on(conn):
            statement = self._prepared.execute(quoting, params)
        else:
            statement = self._statement.text(quoting, params)
        _run(raw, f"{leading}{statement}; COMMIT")


_NO_FLUSH_IF_NOTHING_WRITTEN = ("SELECT set_config('synchronous_commit', 'off', true) "
                                "WHERE pg_current_xact_id_if_assigned() IS NULL")


def _driver_connection(conn: sa.Connection, expect: pq.TransactionStatus) -> psycopg.Connection[Any]:
    """conn's psycopg connection, in the transaction state the caller was written for: a claim
    that did not begin the transaction, or a COMMIT with none open, would break the message's
    all-or-nothing silently."""
    raw = conn.connection.dbapi_connection
    if not isinstance(raw, psycopg.Connection):
        raise TypeError("PostgreSQL through psycopg only")
    if raw.info.transaction_status != expect:
        raise RuntimeError(f"connection is {raw.info.transaction_status.name}, not {expect.name}")
    return raw


class _Quoting:
    """Values written as SQL literals: psycopg's quoting, as its client-side cursors
    (ClientCursor.mogrify) write them, without a cursor and a parse of the SQL for each
    statement. The SQL takes %s placeholders, with a literal % written %%."""

    def __init__(self, raw: psycopg.Connection[Any]) -> None:
        self.raw = raw
        self.transformer = Transformer(raw)

    def merge(self, sql: str, values: list[Any]) -> str:
        """sql with each %s replaced by the next value, quoted (NULL for None)."""
        encoding = self.raw.info.encoding
        literal = self.transformer.as_literal
        quoted = tuple(b"NULL" if value is None else literal(value) for value in values)
        return (sql.encode(encoding) % quoted).decode(encoding)


def _quoting(conn: sa.Connection, raw: psycopg.Connection[Any]) -> _Quoting:
    """The _Quoting of conn's database connection, kept with it (in its pool record): psycopg's
    Transformer finds the dumper for each type of value, and the loader for each type of column,
    once, not on every message (a fresh one cost 2 % of a message's instructions)."""
    info = conn.connection.info
    quoting = info.get("quoting")
    if quoting is None or quoting.raw is not raw:  # none yet, or the record has reconnected
        quoting = info["quoting"] = _Quoting(raw)
    return quoting


def _rows(raw: psycopg.Connection[Any], query: str | pq.abc.PGresult,
          transformer: Transformer | None = None) -> list[tuple[Any, ...]]:
    """The rows of a result (or of a query, run), as psycopg loads them."""
    result = _run(raw, query) if isinstance(query, str) else query
    transformer = transformer or Transformer(raw)
    transformer.set_pgresult(result)
    return transformer.load_rows(0, result.ntuples, tuple)


def _run(raw: psycopg.Connection[Any], sql: str) -> pq.abc.PGresult:
    """The last result of sql sent as one simple query; a failed statement raises psycopg's error
    (not SQLAlchemy's), and the ones after it are not run. (A connection the server dropped is
    found by the rollback SQLAlchemy then makes, which replaces it and the pool's older ones.)"""
    result = raw.pgconn.exec_(sql.encode(raw.info.encoding))
    if result.status not in (pq.ExecStatus.TUPLES_OK, pq.ExecStatus.COMMAND_OK):
        raise error_from_result(result, encoding=raw.info.encoding)
    return result
