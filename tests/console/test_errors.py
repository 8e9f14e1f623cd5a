"""What a clerk sees when a request cannot be served: a page in Chinese with the way back, never
Flask's English one or a traceback — for a number typed or forged past any record's, and for a
fault of ours (the database not as the code expects)."""

from __future__ import annotations

import logging

import pytest
import sqlalchemy as sa

from bot.services import Services
from tests.console.helpers import Clerk
from tests.office_fixtures import Branch

TOO_BIG = "99999999999999999999"  # more than any id column holds: SQLite and PostgreSQL refuse it


def text(response) -> str:
    return response.get_data(as_text=True)


@pytest.mark.parametrize("path", [f"/console/{room}/{TOO_BIG}" for room in (
    "people", "activities", "notices", "tickets", "care", "groups")] + [f"/console/people/{2**31}"])
def test_a_record_number_past_any_id_is_a_page_not_found(worker: Clerk, path: str) -> None:
    found = worker.get(path)
    assert found.status_code == 404 and "没有找到" in text(found)
    assert "Internal Server Error" not in text(found)


def test_forms_and_searches_naming_no_possible_record_change_nothing(
        worker: Clerk, admin: Clerk, desk: Services, branch: Branch) -> None:
    """A forged id in a form or a query is a record that is not there: no 500, nothing changed."""
    def members() -> int:
        with desk.sessions() as session:
            return session.scalar(sa.text("SELECT count(*) FROM group_members"))
    before = members()
    assert "张明" in text(worker.get(f"/console/people?group={TOO_BIG}"))  # no such group: no filter
    assert admin.get(f"/console/audit?page={TOO_BIG}").status_code == 200
    removed = worker.post("/console/groups/1/members", {"action": "remove", "retiree_id": TOO_BIG})
    assert removed.status_code < 500
    assert worker.post("/console/activities/1/attendance", {"came": TOO_BIG}).status_code < 500
    assert members() == before


def test_a_fault_of_ours_shows_a_chinese_page_and_is_logged(
        worker: Clerk, desk: Services, caplog: pytest.LogCaptureFixture) -> None:
    """The notices table renamed away (a migration not run, say): the 通知 room fails; the clerk
    reads what to do in Chinese, the error is in the log, and the other rooms still work."""
    with desk.engine.begin() as conn:
        conn.execute(sa.text("ALTER TABLE notices RENAME TO notices_away"))
    try:
        with caplog.at_level(logging.ERROR, logger="bot.console.signin"):
            failed = worker.get("/console/notices")
        assert failed.status_code == 500
        assert "出错了" in text(failed) and "请回到上一页再试一次" in text(failed)
        assert "Internal Server Error" not in text(failed) and "Traceback" not in text(failed)
        assert any("console GET /console/notices failed" in r.getMessage() for r in caplog.records)
        assert worker.get("/console/people").status_code == 200
    finally:
        with desk.engine.begin() as conn:
            conn.execute(sa.text("ALTER TABLE notices_away RENAME TO notices"))
