"""The study day's three pushes on the right days, never twice, and an alert when material is missing."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from bot.clock import FixedClock
from bot.config import PROJECT_ROOT
from bot.db.engine import transaction
from bot.delivery import outbox
from bot.models import Channel, OutboxStatus
from bot.scheduling import jobs
from bot.services import Services, build_services
from bot.standin import StandinServer
from bot.study.readings import record_reading
from tests.helpers import user_wrote
from tests.office_fixtures import Branch
from tests.study.helpers import rows, stand_on

SEND = "cgi-bin/message/mass/send"
CUSTOM = "cgi-bin/message/custom/send"
ACCOUNTS = {"o_zhang", "o_li", "o_sun_daughter", "o_zhou"}  # everyone living who follows us


def run_daily_jobs(services: Services) -> None:
    """What the scheduler runs each day (twice, as after a restart that catches up)."""
    for _ in range(2):
        jobs.run_daily(services, "study_check_material")
        jobs.run_daily(services, "study_eve")
        jobs.run_daily(services, "study_day")
        jobs.run_daily(services, "study_reminder")


def test_the_eve_tells_everyone_the_material_is_for_once(
        office: Services, branch: Branch, clock: FixedClock, standin: StandinServer) -> None:
    stand_on(clock, 3, 18)
    run_daily_jobs(office)
    assert rows(office, "study:%") == []  # two days before: nothing for retirees
    stand_on(clock, 4, 18)
    run_daily_jobs(office)
    eve = rows(office, "study:2026-12:eve:%")
    assert {r.recipient for r in eve} == ACCOUNTS
    assert "明天（12 月 5 日）是集中学习日" in eve[0].payload["text"]
    assert "《温暖过冬，健康相伴》" in eve[0].payload["text"]
    standin.open_window("o_zhang")
    user_wrote(office, "o_zhang")  # 张 wrote this evening: a customer-service message reaches him
    outbox.drain(office)
    assert [c.body["touser"] for c in standin.calls(path=CUSTOM)] == ["o_zhang"]


def test_on_the_day_each_group_gets_one_mass_send_and_each_person_their_own_link(
        office: Services, branch: Branch, clock: FixedClock, standin: StandinServer) -> None:
    stand_on(clock, 5, 9)
    run_daily_jobs(office)
    day = {r.recipient: r for r in rows(office, "study:2026-12:day:%")}
    assert set(day) == ACCOUNTS
    assert f"/study/2026-12?t={branch.ids['张明']}." in day["o_zhang"].payload["text"]
    outbox.drain(office)
    [mass] = standin.calls(path=SEND)  # 第一支部; 周 alone in 第二支部 goes one by one
    assert set(mass.body["touser"]) == {"o_zhang", "o_li", "o_sun_daughter"}
    assert "回复「学习」" in mass.body["text"]["content"] and "?t=" not in mass.body["text"]["content"]
    after = {r.recipient: (r.status, r.channel) for r in rows(office, "study:2026-12:day:%")}
    assert after["o_zhang"] == (OutboxStatus.SENT, Channel.MASS)
    assert after["o_zhou"] == (OutboxStatus.MAILBOX, Channel.MAILBOX)


def test_three_days_later_only_those_who_have_not_read_it_get_one_reminder(
        office: Services, branch: Branch, clock: FixedClock) -> None:
    stand_on(clock, 7, 9)
    with transaction(office.sessions) as session:
        record_reading(session, branch.ids["张明"], "2026-12", clock.now(), via="page")
    run_daily_jobs(office)
    assert rows(office, "study:2026-12:reminder:%") == []
    stand_on(clock, 8, 9)
    run_daily_jobs(office)
    reminders = {r.recipient: r.payload["text"] for r in rows(office, "study:2026-12:reminder:%")}
    assert set(reminders) == ACCOUNTS - {"o_zhang"}
    # 「您有空的时候看一看」 to a daughter is her father's: her copy says so first, his own does not
    assert reminders["o_sun_daughter"].startswith("（给孙兰同志的通知）\n《温暖过冬，健康相伴》您有空")
    assert not reminders["o_li"].startswith("（给")
    stand_on(clock, 9, 9)
    run_daily_jobs(office)
    assert len(rows(office, "study:2026-12:reminder:%")) == 3  # never more than one


@pytest.fixture
def no_december(office: Services, clock: FixedClock, tmp_path: Path) -> Iterator[Services]:
    """The office's services with December's material not written yet."""
    content = tmp_path / "content"
    shutil.copytree(PROJECT_ROOT / "content", content)
    shutil.rmtree(content / "study" / "2026-12")
    built = build_services(replace(office.settings, content_dir=content), clock=clock)
    yield built
    built.close()


def test_missing_material_alerts_staff_two_days_ahead_and_nobody_gets_an_empty_push(
        no_december: Services, branch: Branch, clock: FixedClock) -> None:
    stand_on(clock, 3, 9)
    run_daily_jobs(no_december)
    [alert_one, alert_two] = rows(no_december, "study-missing:2026-12:%")
    assert {alert_one.recipient, alert_two.recipient} == {"o_staff_1", "o_staff_2"}
    assert "工作台「学习」" in alert_one.payload["text"]  # with the link that opens the editor on that month
    assert alert_one.payload["text"].endswith("/console/study/edit?month=2026-12")
    for day in (4, 5, 8):
        stand_on(clock, day, 18 if day == 4 else 9)
        run_daily_jobs(no_december)
    assert rows(no_december, "study:%") == []
    assert len(rows(no_december, "study-missing:%")) == 2  # the alert once, not every day


def test_the_study_day_and_times_come_from_the_config(
        office: Services, branch: Branch, clock: FixedClock) -> None:
    tenth = build_services(replace(office.settings, study=replace(office.settings.study, day=10)),
                           clock=clock)
    try:
        stand_on(clock, 5, 9)
        run_daily_jobs(tenth)
        assert rows(tenth, "study:%") == []
        stand_on(clock, 10, 9)
        run_daily_jobs(tenth)
        assert len(rows(tenth, "study:2026-12:day:%")) == 4
    finally:
        tenth.close()


def test_by_template_the_persons_link_is_the_templates_own_link(
        office: Services, branch: Branch, clock: FixedClock, standin: StandinServer) -> None:
    templated = build_services(replace(office.settings, delivery=replace(
        office.settings.delivery, templates={"study": "TPL_STUDY"})), clock=clock)
    try:
        stand_on(clock, 5, 9)
        run_daily_jobs(templated)
        outbox.drain(templated)
    finally:
        templated.close()
    [zhou] = standin.calls(path="cgi-bin/message/template/send")  # alone in 第二支部, no window
    assert zhou.body["touser"] == "o_zhou"
    assert f"/study/2026-12?t={branch.ids['周平']}." in zhou.body["url"]
    assert "remark" not in zhou.body["data"] and "http" not in zhou.body["data"]["keyword1"]["value"]


def test_the_day_push_reads_well_with_a_link_or_without(
        office: Services, branch: Branch, clock: FixedClock, standin: StandinServer) -> None:
    stand_on(clock, 5, 9)
    run_daily_jobs(office)
    [own] = [r for r in rows(office, "study:2026-12:day:%") if r.recipient == "o_zhou"]
    assert "点这里阅读：https://yinling.example.cn/study/2026-12?t=" in own.payload["text"]
    assert "回复「学习」，就能打开阅读。" in own.payload["mass_text"]  # one text for a whole group
