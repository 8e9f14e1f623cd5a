"""Staff: loading activities from a file (all or nothing), announcing, the reminder the day
before (once), the sign-up list as Excel (audit-logged), attendance and the stats."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import openpyxl
import pytest
import sqlalchemy as sa

from bot.activities.signups import sign_up_by_staff
from bot.clock import FixedClock
from bot.db.engine import transaction
from bot.models import Activity, AuditEntry
from bot.roster.edit import record_death
from bot.scheduling import jobs
from bot.services import Services
from tests.activities.helpers import WINTER_TEA, activity_file, queued
from tests.helpers import Chat
from tests.office_fixtures import Branch


def activities(office: Services) -> list[Activity]:
    with office.sessions() as session:
        return list(session.scalars(sa.select(Activity)))


def test_a_file_is_checked_by_a_dry_run_then_loaded_and_announced_to_its_group(
        office: Services, branch: Branch, tmp_path: Path, cli, capsys) -> None:
    path = activity_file(tmp_path)
    code, out, _ = cli(capsys, "activity", "load", str(path), "--dry-run")
    assert code == 0 and "新建 冬至茶话会" in out and "试运行" in out
    assert activities(office) == []
    code, out, _ = cli(capsys, "activity", "load", str(path), "--announce")
    assert code == 0 and "新建 1 个" in out
    told = queued(office, "activity:%:announce:%")
    assert sorted(m.recipient for m in told) == ["o_li", "o_sun_daughter", "o_zhang"]  # 第一支部 only
    assert "【新活动】冬至茶话会" in told[0].payload["text"] and "回复「报名」" in told[0].payload["text"]
    [loaded] = activities(office)
    code, _, _ = cli(capsys, "activity", "announce", str(loaded.id))
    assert code == 0 and len(queued(office, "activity:%:announce:%")) == 3  # nobody told twice


@pytest.mark.parametrize(("change", "said"), [
    (("capacity = 3", "capacity = 0"), "名额（capacity）：应为 1 到 10000 的整数"),
    (('groups = ["第一支部"]', 'groups = ["第九支部"]'), "没有名为「第九支部」的分组"),
    (("deadline = 2026-12-18T17:00:00", "deadline = 2026-12-22T17:00:00"), "报名截止"),
    (('place = "老干部活动中心二楼"\n', ""), "地点（place）：必须填写"),
    (('kind = "茶话会"', 'kind = "聚餐"'), "类别（kind）：应为"),
    (('kind = "茶话会"', 'kind = "茶话会"\nprice = 10'), "price：不认识的字段"),
    (("starts_at = 2026-12-21T14:30:00", 'starts_at = "下周一"'), "开始时间（starts_at）：应写成"),
])
def test_a_bad_entry_is_named_with_its_reason_and_nothing_is_loaded(
        office: Services, branch: Branch, tmp_path: Path, cli, capsys,
        change: tuple[str, str], said: str) -> None:
    good = WINTER_TEA.format(capacity=3, groups='"第一支部"')
    assert change[0] in good
    path = tmp_path / "two.toml"
    path.write_text(good + good.replace(change[0], change[1]), encoding="utf-8")
    code, _, err = cli(capsys, "activity", "load", str(path))
    assert code == 1 and "第 2 个活动" in err and said in err
    assert activities(office) == []  # not even the good first one


def test_the_day_before_everyone_with_a_place_is_reminded_once(
        office: Services, branch: Branch, tea: int, chat: Chat, clock: FixedClock) -> None:
    from tests.activities.helpers import sign

    sign(chat, "o_zhang", "1", "1")
    sign(chat, "o_li", "1", "1")
    clock.advance(days=27, hours=7)  # 19 December: two days before
    jobs.run_daily(office, "activity_reminders")
    assert queued(office, "activity:%:reminder:%") == []
    clock.advance(days=1)  # 20 December
    jobs.run_daily(office, "activity_reminders")
    jobs.run_daily(office, "activity_reminders")  # a restarted scheduler runs it again
    reminders = queued(office, "activity:%:reminder:%")
    assert sorted(m.recipient for m in reminders) == ["o_li", "o_zhang"]
    assert "明天就是【冬至茶话会】" in reminders[0].payload["text"]
    assert "集合：中心大门口" in reminders[0].payload["text"]


def test_no_reminder_goes_for_someone_who_has_died_and_staff_phone_whom_no_wechat_reaches(
        office: Services, branch: Branch, tea: int, chat: Chat, clock: FixedClock) -> None:
    from tests.activities.helpers import sign

    sign(chat, "o_zhang", "1", "1")
    sign(chat, "o_sun_daughter", "1", "1")  # her daughter signed 孙兰 up
    with transaction(office.sessions) as session:
        record_death(session, branch.ids["孙兰"], date(2026, 11, 21), actor="test", now=office.clock.now())
        sign_up_by_staff(session, tea, branch.ids["王芳"], companion=False, now=office.clock.now())
    clock.advance(days=28, hours=7)  # 20 December
    jobs.run_daily(office, "activity_reminders")
    told = queued(office, "activity:%:reminder:%")
    assert [m.recipient for m in told if not m.recipient.startswith("o_staff")] == ["o_zhang"]
    assert "【请打电话】王芳（13900000003）：【冬至茶话会】明天就举行" in told[-1].payload["text"]


def test_the_roster_export_attendance_and_stats(
        office: Services, branch: Branch, tea: int, chat: Chat, tmp_path: Path, cli, capsys) -> None:
    from tests.activities.helpers import sign

    sign(chat, "o_zhang", "1", "2")
    sign(chat, "o_sun_daughter", "1", "1")
    sheet = tmp_path / "名单.xlsx"
    code, out, _ = cli(capsys, "activity", "roster", str(tea), str(sheet))
    assert code == 0 and "2 人" in out
    rows = list(openpyxl.load_workbook(sheet).active.iter_rows(values_only=True))
    assert rows[0][:4] == ("序号", "状态", "姓名", "支部")
    assert rows[1][2:5] == ("张明", "第一支部", "13800000000") and rows[1][7] == "是"
    assert rows[2][2] == "孙兰" and rows[2][9] == "家属代报"
    with office.sessions() as session:
        [entry] = session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "activity.roster_export"))
    assert entry.detail["rows"] == 2
    assert cli(capsys, "activity", "attend", str(tea), str(branch.ids["张明"]))[0] == 0
    code, _, err = cli(capsys, "activity", "attend", str(tea), str(branch.ids["周平"]))
    assert code == 1 and str(branch.ids["周平"]) in err
    code, out, _ = cli(capsys, "activity", "stats")
    assert f"{tea}\t冬至茶话会\t2/3\t0\t0\t1" in out


def test_more_seats_move_the_waitlist_up_and_those_promoted_are_told(
        office: Services, branch: Branch, tea: int, chat: Chat, tmp_path: Path, cli, capsys) -> None:
    from tests.activities.helpers import add_member, sign, signups

    sign(chat, "o_zhang", "1", "2")
    sign(chat, "o_li", "1", "1")
    add_member(office, "吴刚", "o_wu")
    sign(chat, "o_wu", "1", "1")  # waiting
    bigger = tmp_path / "bigger.toml"
    bigger.write_text(WINTER_TEA.format(capacity=4, groups='"第一支部"') + f"id = {tea}\n", encoding="utf-8")
    code, out, _ = cli(capsys, "activity", "load", str(bigger))
    assert code == 0 and "候补的 1 位补上了，会收到通知" in out
    assert [s for _, s, _, _ in signups(office)] == ["confirmed", "confirmed", "confirmed"]
    [told] = queued(office, "activity:%:promoted:%")
    assert told.recipient == "o_wu"


def test_fewer_seats_than_are_taken_is_refused(
        office: Services, branch: Branch, tea: int, chat: Chat, tmp_path: Path, cli, capsys) -> None:
    from tests.activities.helpers import sign

    sign(chat, "o_zhang", "1", "2")
    smaller = tmp_path / "smaller.toml"
    smaller.write_text(WINTER_TEA.format(capacity=1, groups='"第一支部"') + f"id = {tea}\n", encoding="utf-8")
    code, _, err = cli(capsys, "activity", "load", str(smaller))
    assert code == 1 and "已有 2 个座位报上" in err


def test_a_file_moving_an_activitys_place_tells_those_signed_up(
        office: Services, branch: Branch, tea: int, chat: Chat, tmp_path: Path, cli, capsys) -> None:
    """Loading the file again with another place: 张明, signed up in the chat, is told the new
    place; loading the same file once more moves nothing and tells nobody again."""
    from tests.activities.helpers import sign

    sign(chat, "o_zhang", "1", "1")
    moved = tmp_path / "moved.toml"
    entry = WINTER_TEA.format(capacity=3, groups='"第一支部"') + f"id = {tea}\n"
    moved.write_text(entry.replace("老干部活动中心二楼", "市博物馆东门"), encoding="utf-8")
    code, out, _ = cli(capsys, "activity", "load", str(moved))
    assert code == 0 and "冬至茶话会：时间或地点改了，已告诉报名和候补的 1 位。" in out
    [news] = queued(office, "activity:%:moved:%")
    assert news.recipient == "o_zhang" and "地点：市博物馆东门" in news.payload["text"]
    code, out, _ = cli(capsys, "activity", "load", str(moved))
    assert code == 0 and "改了" not in out and len(queued(office, "activity:%:moved:%")) == 1
