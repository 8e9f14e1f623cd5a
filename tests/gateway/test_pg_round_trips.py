"""PostgreSQL's two-round-trip message: it copes with the server forgetting its prepared claim and
with a connection the server has dropped, and a message's writes still commit or fail together."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from bot.db import round_trips
from bot.models import ConversationState, Follower, InboundMessage
from bot.sandbox.wechat_side import WeChatSide
from bot.services import Services
from tests.gateway.slow import SLOW_ANSWER, SlowCapability, retry_while_running, tuned_services
from tests.helpers import PG_URL, Chat

pytestmark = pytest.mark.skipif(not PG_URL, reason="PostgreSQL only (BOT_TEST_DATABASE_URL)")


def _records(services: Services) -> list[tuple[str | None, str]]:
    with services.sessions() as session:
        rows = session.execute(sa.select(InboundMessage.text, InboundMessage.route)
                               .order_by(InboundMessage.id))
        return [tuple(row) for row in rows]  # type: ignore[misc]


def test_messages_are_answered_when_the_server_has_forgotten_the_prepared_claim(
        chat: Chat, services: Services) -> None:
    # psycopg runs DEALLOCATE ALL after a rollback; here before every message.
    def forget(dbapi_connection: Any, *_: Any) -> None:
        dbapi_connection.pgconn.exec_(b"DEALLOCATE ALL")

    sa.event.listen(services.engine, "checkout", forget)
    try:
        replies = [chat.say("联系我们") for _ in range(3)]
    finally:
        sa.event.remove(services.engine, "checkout", forget)
    assert all("010-12345678" in (reply or "") for reply in replies)
    assert [text for text, _ in _records(services)] == ["联系我们"] * 3


def test_the_record_runs_prepared_with_the_claim_even_after_the_server_forgot_both(
        chat: Chat, services: Services, monkeypatch: pytest.MonkeyPatch) -> None:
    sent: list[str] = []
    run = round_trips._run
    monkeypatch.setattr(round_trips, "_run", lambda raw, sql: sent.append(sql) or run(raw, sql))
    assert "010-12345678" in (chat.say("联系我们") or "")

    def forget(dbapi_connection: Any, *_: Any) -> None:
        dbapi_connection.pgconn.exec_(b"DEALLOCATE ALL")

    sa.event.listen(services.engine, "checkout", forget)
    try:
        assert "010-12345678" in (chat.say("联系我们") or "")
    finally:
        sa.event.remove(services.engine, "checkout", forget)
    assert "010-12345678" in (chat.say("联系我们") or "")
    records = [sql for sql in sent if sql.endswith("; COMMIT")]
    assert len(records) == 3 and all("EXECUTE inbound_record(" in sql for sql in records)
    assert [text for text, _ in _records(services)] == ["联系我们"] * 3


@pytest.fixture
def commit_modes(services: Services) -> Iterator[Callable[[], list[str]]]:
    """synchronous_commit as each inbound record was written, in order."""
    with services.engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE commit_modes (id serial, mode text)"))
        conn.execute(sa.text(
            "CREATE FUNCTION note_mode() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            "INSERT INTO commit_modes (mode) VALUES (current_setting('synchronous_commit'));"
            " RETURN NEW; END $$"))
        conn.execute(sa.text("CREATE TRIGGER note_mode AFTER INSERT ON inbound_messages "
                             "FOR EACH ROW EXECUTE FUNCTION note_mode()"))

    def modes() -> list[str]:
        with services.engine.connect() as conn:
            return list(conn.execute(sa.text("SELECT mode FROM commit_modes ORDER BY id"))
                        .scalars())

    try:
        yield modes
    finally:
        with services.engine.begin() as conn:
            conn.execute(sa.text("DROP TRIGGER note_mode ON inbound_messages"))
            conn.execute(sa.text("DROP FUNCTION note_mode(); DROP TABLE commit_modes"))


def test_only_a_message_that_changed_nothing_else_commits_without_waiting_for_the_disk(
        chat: Chat, commit_modes: Callable[[], list[str]]) -> None:
    chat.say("你好")  # first contact: the follower is written, and the menu's pending choice
    chat.say("联系我们")  # not a menu number: the pending choice is cleared
    chat.say("联系我们")  # answered from what is known: only its record is written
    chat.say("留言")  # a pending step: the next message goes to staff
    chat.say("请给我回个电话")  # the 留言 itself
    assert commit_modes() == ["on", "on", "off", "on", "on"]


def test_the_conversation_row_goes_with_the_record_and_its_commit(chat: Chat, services: Services) -> None:
    statements: list[str] = []

    def seen(conn: Any, cursor: Any, statement: str, *_: Any) -> None:
        statements.append(statement)

    chat.say("联系我们")  # the first contact's follower row is written here, not below
    sa.event.listen(services.engine, "before_cursor_execute", seen)
    try:
        answer = chat.say("离休费每个月几号发") or ""
        assert "回复 1" in answer  # related answers offered by number: the row holds them
        picked = chat.say("1") or ""  # the stored offer read back; the next topic's offered
        chat.say("联系我们")  # no offer to keep: the row is deleted
    finally:
        sa.event.remove(services.engine, "before_cursor_execute", seen)
    assert picked.startswith("【") and picked != answer
    # Neither the row's upserts nor its delete took a round trip of its own through SQLAlchemy.
    assert not [s for s in statements if "conversation_states" in s]
    with services.sessions() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(ConversationState)) == 0


def test_what_a_retiree_typed_is_recorded_exactly_however_it_reads(
        chat: Chat, services: Services) -> None:
    # The record's INSERT carries the text as a literal: quotes, backslashes and SQL stay text.
    typed = "我姓'王'\\n；'); DELETE FROM inbound_messages; -- $$ %s %(x)s 🙂"
    chat.say(typed)
    chat.say("联系我们")
    assert [text for text, _ in _records(services)] == [typed, "联系我们"]


def test_after_the_server_drops_the_connections_the_next_message_is_answered(
        chat: Chat, services: Services) -> None:
    pids: set[int] = set()
    sa.event.listen(services.engine, "checkout",
                    lambda dbapi_connection, *_: pids.add(dbapi_connection.info.backend_pid))
    chat.say("联系我们")
    admin = sa.create_engine(PG_URL)
    with admin.begin() as conn:  # as a database restart would
        for pid in pids:
            conn.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    admin.dispose()
    apology = services.texts.get("replies.error")
    first, second = chat.say("联系我们"), chat.say("联系我们")
    assert first in (apology, second)  # at most the first, on a dead connection, is sorry
    assert "010-12345678" in (second or "")
    assert len(_records(services)) == 3  # nothing a retiree wrote is lost


def test_a_failed_commit_keeps_none_of_the_message(chat: Chat, services: Services) -> None:
    # A deferred check fails only at COMMIT, after the handler's work and the record's INSERT.
    with services.engine.begin() as conn:
        conn.execute(sa.text(
            "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE 'refused at commit'; END $$"))
        conn.execute(sa.text(
            "CREATE CONSTRAINT TRIGGER refuse_answers AFTER INSERT ON inbound_messages "
            "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION refuse()"))
    try:
        reply = chat.say("你好")  # a first contact: the follower is created in the same transaction
        assert reply == services.texts.get("replies.error")
        with services.sessions() as session:
            followers = session.scalar(sa.select(sa.func.count()).select_from(Follower))
        with services.sessions() as session:
            rows = session.scalar(sa.select(sa.func.count()).select_from(ConversationState))
        # nothing half kept: not the follower, not the record, not the menu's pending choice
        # (the conversation row, sent with the record and COMMIT)
        assert (followers, _records(services), rows) == (0, [], 0)
    finally:
        with services.engine.begin() as conn:
            conn.execute(sa.text("DROP TRIGGER refuse_answers ON inbound_messages"))
            conn.execute(sa.text("DROP FUNCTION refuse()"))


def test_a_concurrent_retry_waits_for_the_answer_even_where_transactions_keep_one_snapshot(
        settings, clock, wechat: WeChatSide) -> None:
    # A server whose default isolation keeps the first statement's snapshot (taken before the
    # lock's wait) would hide the first delivery's record from the retry's read.
    url = f"{settings.database_url}?options=-c%20default_transaction_isolation%3Dserializable"
    slow = SlowCapability(delay=0.5)
    workers = [tuned_services(replace(settings, database_url=url), clock) for _ in range(2)]
    try:
        first, second = (Chat(slow.client(s), wechat) for s in workers)
        for chat in (first, second):  # each worker knows the sender, and its connection has
            chat.say("联系我们")  # the claim prepared: the retry's read is its first statement
        assert retry_while_running(first, second, wechat) == {SLOW_ANSWER}
        assert len(slow.runs) == 1
    finally:
        for s in workers:
            s.close()


SERVER_LOG = Path("/var/log/postgresql/postgresql-15-main.log")


def test_a_new_connection_prepares_its_claim_without_an_error_in_the_servers_log(
        chat: Chat, services: Services) -> None:
    """Each error there carries the statement, a retiree's openid in it: preparing on the error
    wrote one for every new connection."""
    if not os.access(SERVER_LOG, os.R_OK):
        pytest.skip(f"the server's log {SERVER_LOG} is not readable here")
    start = SERVER_LOG.stat().st_size
    for _ in range(3):
        services.engine.dispose()  # every message on a connection of its own
        assert "010-12345678" in (chat.say("联系我们") or "")
    with SERVER_LOG.open("rb") as log:
        log.seek(start)
        written = log.read().decode("utf-8", "replace")
    assert "inbound_claim" not in written
