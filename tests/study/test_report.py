"""For staff: per group reached / read / not read, and the 送学上门 list with whom to visit and why."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import openpyxl
import pytest
import sqlalchemy as sa

from bot.cli import main
from bot.clock import SHANGHAI, FixedClock
from bot.db.engine import transaction
from bot.delivery import outbox
from bot.models import AuditEntry, Group, GroupMember
from bot.scheduling import jobs
from bot.services import Services
from bot.standin import StandinServer
from bot.study.readings import record_reading
from tests.helpers import write_config
from tests.office_fixtures import Branch, add_person, bind
from tests.study.helpers import stand_on


@pytest.fixture
def december(office: Services, branch: Branch, clock: FixedClock, standin: StandinServer) -> Services:
    """The 5 December push went out; 张 read it on the 6th, 李 on the 9th."""
    stand_on(clock, 5, 9)
    jobs.run_daily(office, "study_day")
    outbox.drain(office)
    with transaction(office.sessions) as session:
        for name, day in (("张明", 6), ("李华", 9)):
            record_reading(session, branch.ids[name], "2026-12",
                           datetime(2026, 12, day, 20, tzinfo=SHANGHAI), via="page")
    stand_on(clock, 10, 9)
    return office


def run_report(office: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *args: str) -> int:
    monkeypatch.setenv("BOT_CONFIG", str(write_config(tmp_path, office.settings)))
    return main(["study", "report", "2026-12", *args])


def test_the_report_counts_each_group_by_the_day_asked(
        december: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    assert run_report(december, tmp_path, monkeypatch, "--by", "2026-12-08") == 0
    out = capsys.readouterr().out
    # 第一支部: 张 李 王 钱 孙 (赵 has died); the mass send reached 张 李 孙; only 张 had read by the 8th
    assert "第一支部\t5\t3\t1\t0\t4" in out
    assert "第二支部\t1\t0\t0\t0\t1" in out  # 周 was not reached (mailbox)
    assert "送学上门：5 人还没学习" in out


def test_the_home_visit_list_says_whom_and_why_with_address_phone_and_health(
        december: Services, branch: Branch, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sheet = tmp_path / "送学上门.xlsx"
    with transaction(december.sessions) as session:
        session.execute(sa.text("UPDATE retirees SET address = '人民路 1 号', health = '行动不便' "
                                "WHERE name = '王芳'"))
    assert run_report(december, tmp_path, monkeypatch, "--by", "2026-12-10", "--visits", str(sheet)) == 0
    rows = list(openpyxl.load_workbook(sheet).active.iter_rows(values_only=True))
    assert rows[0] == ("编号", "姓名", "分组", "地址", "电话", "健康状况", "独居", "原因", "谁去")
    why = {r[1]: r[7] for r in rows[1:]}
    assert why == {"王芳": "没有绑定微信", "钱进": "已取消关注", "孙兰": "已收到，还没看",
                   "周平": "消息没送到（本人近来没发过消息）"}  # 张 and 李 have read it by the 10th
    wang = next(r for r in rows if r[1] == "王芳")
    assert wang[3:6] == ("人民路 1 号", "13900000003", "行动不便")
    with december.sessions() as session:
        [entry] = session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "study.visits_export"))
    assert entry.detail["rows"] == 4


def test_someone_imported_after_the_month_is_not_counted_as_missing_it(
        december: Services, clock: FixedClock, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    # 吴新 joined 第一支部's roster in January: December's report and visit list are as before.
    clock.advance(seconds=(datetime(2027, 1, 6, 9, tzinfo=SHANGHAI) - clock.now()).total_seconds())
    with transaction(december.sessions) as session:
        person = add_person(session, clock.now(), "吴新")
        first = session.scalar(sa.select(Group).where(Group.name == "第一支部"))
        session.add(GroupMember(group_id=first.id, retiree_id=person.id))
    assert run_report(december, tmp_path, monkeypatch, "--by", "2027-01-10") == 0
    out = capsys.readouterr().out
    assert "第一支部\t5\t3\t2\t0\t3" in out and "送学上门：4 人还没学习" in out


def test_someone_bound_after_the_study_day_is_not_said_to_have_missed_the_message(
        december: Services, clock: FixedClock, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # 吴新 was added and bound on the 7th, after the push of the 5th: nothing was sent to them.
    with transaction(december.sessions) as session:
        person = add_person(session, clock.now(), "吴新")
        bind(session, clock.now(), person, "o_wu")
        first = session.scalar(sa.select(Group).where(Group.name == "第一支部"))
        session.add(GroupMember(group_id=first.id, retiree_id=person.id))
    sheet = tmp_path / "送学上门.xlsx"
    assert run_report(december, tmp_path, monkeypatch, "--by", "2026-12-10", "--visits", str(sheet)) == 0
    why = {r[1]: r[7] for r in list(openpyxl.load_workbook(sheet).active.iter_rows(values_only=True))[1:]}
    assert why["吴新"] == "学习日推送时还没绑定微信"
    assert why["周平"] == "消息没送到（本人近来没发过消息）"  # the push was queued for 周平, and waits


def test_before_the_study_day_nobody_is_said_to_have_been_bound_too_late(
        office: Services, branch: Branch, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sheet = tmp_path / "送学上门.xlsx"
    assert run_report(office, tmp_path, monkeypatch, "--by", "2026-12-01", "--visits", str(sheet)) == 0
    why = {r[1]: r[7] for r in list(openpyxl.load_workbook(sheet).active.iter_rows(values_only=True))[1:]}
    assert why["周平"] == "学习日推送还没发出" and why["王芳"] == "没有绑定微信"


@pytest.mark.parametrize("args", [("2031-01",), ("2026-12", "--by", "12月8日")])
def test_a_month_without_material_or_a_bad_date_is_a_clear_refusal(
        december: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str], args: tuple[str, ...]) -> None:
    monkeypatch.setenv("BOT_CONFIG", str(write_config(tmp_path, december.settings)))
    assert main(["study", "report", *args]) == 1
    assert capsys.readouterr().err.strip()


def test_groups_are_counted_in_reading_order() -> None:
    from bot.study.report import MonthFacts
    members = {"第三支部": {1}, "第十一支部": {2}, "第二支部": {3}, "第一支部": {4}}
    counted = MonthFacts("2026-12", members, set(), set(), set()).counts()
    assert [c.group for c in counted] == ["第一支部", "第二支部", "第三支部", "第十一支部"]
