"""A message's words are read before its transaction: on SQLite, outside the one write lock."""

from __future__ import annotations

import threading
import time

import pytest
import sqlalchemy as sa

from bot import responder
from bot.conversation.inbound import Inbound
from bot.gateway.wire import parse_xml
from bot.language.last_one import LastOne
from bot.questions.knowledge import knowledge_for
from bot.services import Services
from tests.helpers import OPENID


def test_a_question_is_read_while_another_message_holds_the_database(services: Services) -> None:
    """Each message holds SQLite's write lock from its claim to its commit; what its words say
    depends on them alone and is read before it waits, so two workers' messages overlap."""
    if services.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL has no database-wide write lock")
    answers = responder(services)
    answers.answer(_said(services, "联系我们", "1"))  # the first message hands out the engine
    with services.engine.connect() as conn:
        engine = knowledge_for(services).engine(conn)
    question = "离休费什么时候发"
    replies: list[str] = []
    with services.engine.begin() as other:  # another worker's message, holding the lock
        other.execute(sa.text("SELECT 1"))
        asked = _said(services, question, "2")
        worker = threading.Thread(target=lambda: replies.append(answers.answer(asked)))
        worker.start()
        deadline = time.monotonic() + 10
        while not engine.has_read(question) and time.monotonic() < deadline:
            time.sleep(0.01)
        assert engine.has_read(question), "the words were not read before the lock was free"
        assert worker.is_alive()  # it waits for the lock, the reading done
    worker.join(timeout=10)
    assert "离退休费发放" in parse_xml(replies[0])["Content"]


def test_a_reading_is_kept_for_the_last_words_only() -> None:
    """The same words again are not read again; other words are, and replace them."""
    read: list[str] = []
    reading = LastOne(lambda text: read.append(text) or len(text))
    assert [reading("我要报名"), reading("我要报名"), reading("好"), reading("我要报名")] == [4, 4, 1, 4]
    assert read == ["我要报名", "好", "我要报名"]
    assert reading.holds("我要报名") and not reading.holds("好")


def _said(services: Services, text: str, msg_id: str) -> Inbound:
    return Inbound(openid=OPENID, account="gh_test", kind="text", text=text, msg_id=msg_id,
                   sent_at=services.clock.now())
