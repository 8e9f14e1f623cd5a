"""The 08:00 greetings: festivals for everyone eligible, birthdays, one message a day at most,
nobody twice after a restart, and never a greeting on a sad day."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from bot.cli import main
from bot.clock import SHANGHAI, FixedClock
from bot.db.engine import transaction
from bot.models import CareReport, CareTask, EmergencyContact, OutboxMessage, Retiree
from bot.scheduling import jobs
from bot.services import Services, build_services
from tests.helpers import write_config
from tests.office_fixtures import Branch

EVERYONE = {"o_zhang", "o_li", "o_sun_daughter", "o_zhou"}  # living, following, bound


def stand_on(clock: FixedClock, day: date, hour: int = 8) -> None:
    target = datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI)
    clock.advance(seconds=(target - clock.now()).total_seconds())


def greetings(services: Services) -> dict[str, str]:
    with services.sessions() as session:
        rows = session.scalars(sa.select(OutboxMessage).where(OutboxMessage.kind == "greeting")).all()
    texts: dict[str, str] = {}
    for row in rows:
        assert row.recipient not in texts, "two greetings to one person"
        texts[row.recipient] = row.payload["text"]
    return texts


def morning(services: Services) -> None:
    """The 08:00 jobs, twice (a scheduler restarted on a greeting morning)."""
    for _ in range(2):
        jobs.run_daily(services, "morning_greetings")
        jobs.run_daily(services, "birthday_visits")


def set_person(services: Services, person_id: int, **values: object) -> None:
    with transaction(services.sessions) as session:
        session.execute(sa.update(Retiree).where(Retiree.id == person_id).values(**values))


def test_on_mid_autumn_2026_everyone_living_gets_one_greeting(
        office: Services, branch: Branch, clock: FixedClock) -> None:
    stand_on(clock, date(2026, 9, 25))
    morning(office)
    sent = greetings(office)
    assert set(sent) == EVERYONE  # not 赵 (died), not 钱 (unfollowed), not 王 (no WeChat)
    assert "中秋" in sent["o_zhang"] and "张明同志" in sent["o_zhang"]
    assert "孙兰同志" in sent["o_sun_daughter"]  # family receive it for the retiree they act for


def test_the_double_ninth_2027_is_the_festival_of_the_old(
        office: Services, branch: Branch, clock: FixedClock) -> None:
    stand_on(clock, date(2027, 10, 8))
    morning(office)
    assert all("重阳" in text for text in greetings(office).values())


def test_the_first_of_july_greets_party_members_only(
        office: Services, branch: Branch, clock: FixedClock) -> None:
    set_person(office, branch.ids["张明"], party_member=True)
    stand_on(clock, date(2027, 7, 1))
    morning(office)
    assert set(greetings(office)) == {"o_zhang"}


def test_qingming_has_no_greeting_and_a_gentle_note_only_where_configured(
        office: Services, branch: Branch, clock: FixedClock) -> None:
    stand_on(clock, date(2027, 4, 5))
    morning(office)
    assert greetings(office) == {}
    noted = build_services(replace(office.settings, greetings=replace(office.settings.greetings,
                                                                     qingming_note=True)), clock=clock)
    try:
        morning(noted)
    finally:
        noted.close()
    assert "注意安全" in greetings(office)["o_zhang"]


def test_a_birthday_on_a_festival_is_one_combined_message(
        office: Services, branch: Branch, clock: FixedClock) -> None:
    set_person(office, branch.ids["李华"], birth_date=date(1941, 9, 25))
    stand_on(clock, date(2026, 9, 25))
    morning(office)
    li = greetings(office)["o_li"]
    assert "生日" in li and "中秋" in li


def test_a_lunar_birthday_is_greeted_on_its_lunar_date_in_2025s_leap_month(
        office: Services, branch: Branch, clock: FixedClock) -> None:
    set_person(office, branch.ids["李华"], birth_date=date(1941, 8, 2), lunar_birthday=True)
    stand_on(clock, date(2025, 7, 4))  # the ordinary sixth month's 10th: not hers
    morning(office)
    assert greetings(office) == {}
    stand_on(clock, date(2025, 8, 3))  # the leap sixth month's 10th
    morning(office)
    assert set(greetings(office)) == {"o_li"} and "生日" in greetings(office)["o_li"]


def test_29_february_birthdays_are_greeted_on_28_february_in_2027(
        office: Services, branch: Branch, clock: FixedClock) -> None:
    set_person(office, branch.ids["张明"], birth_date=date(1940, 2, 29))
    stand_on(clock, date(2027, 2, 28))
    morning(office)
    assert "生日" in greetings(office)["o_zhang"]


def test_no_birthday_greeting_while_a_care_report_about_them_is_open(
        office: Services, branch: Branch, clock: FixedClock) -> None:
    set_person(office, branch.ids["张明"], birth_date=date(1940, 11, 25))
    stand_on(clock, date(2026, 11, 25))
    with transaction(office.sessions) as session:
        session.add(CareReport(openid="o_zhang", retiree_id=branch.ids["张明"], kind="hospital",
                               subject="self", text="我住院了", created_at=clock.now()))
    morning(office)
    assert greetings(office) == {}


@pytest.mark.parametrize(("days_after", "greeted"), [(30, False), (101, True)])
def test_a_family_in_its_first_hundred_days_of_bereavement_gets_no_festival_greeting(
        office: Services, branch: Branch, clock: FixedClock, days_after: int, greeted: bool) -> None:
    festival = date(2027, 2, 6)  # 春节 2027
    stand_on(clock, festival)
    with transaction(office.sessions) as session:
        session.add(CareReport(openid="o_zhang", retiree_id=branch.ids["张明"], kind="death",
                               subject="relative", relative="老伴", text="老伴走了",
                               created_at=clock.now() - timedelta(days=days_after),
                               closed_at=clock.now() - timedelta(days=days_after - 1), outcome="已慰问"))
    morning(office)
    assert ("o_zhang" in greetings(office)) is greeted
    assert "o_li" in greetings(office)


def test_a_ninetieth_birthday_is_a_milestone_with_a_visit_task_fourteen_days_ahead(
        office: Services, branch: Branch, clock: FixedClock, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    zhang = branch.ids["张明"]
    set_person(office, zhang, birth_date=date(1936, 12, 20), address="人民路 8 号", health="一般")
    with transaction(office.sessions) as session:
        session.add(EmergencyContact(retiree_id=zhang, position=1, name="张小明", relation="儿子",
                                     phone="13700000001"))
    stand_on(clock, date(2026, 12, 6))  # 14 days before he turns 90
    morning(office)
    with office.sessions() as session:
        [task] = session.scalars(sa.select(CareTask)).all()
        alerts = session.scalars(sa.select(OutboxMessage).where(
            OutboxMessage.dedupe_key.like("care-task:%"))).all()
    assert (task.retiree_id, task.due_on, task.kind) == (zhang, date(2026, 12, 20), "上门祝寿")
    assert sorted(a.recipient for a in alerts) == ["o_staff_1", "o_staff_2"]
    assert "满 90 岁" in alerts[0].payload["text"]
    monkeypatch.setenv("BOT_CONFIG", str(write_config(tmp_path, office.settings)))
    assert main(["care", "tasks"]) == 0
    out = capsys.readouterr().out
    assert "人民路 8 号" in out and "一般" in out and "张小明（儿子）13700000001" in out
    stand_on(clock, date(2026, 12, 20))
    morning(office)
    assert "90 岁" in greetings(office)["o_zhang"]


def test_an_eighty_seventh_birthday_is_not_a_milestone(
        office: Services, branch: Branch, clock: FixedClock) -> None:
    set_person(office, branch.ids["张明"], birth_date=date(1939, 12, 20))
    stand_on(clock, date(2026, 12, 6))
    morning(office)
    with office.sessions() as session:
        assert session.scalars(sa.select(CareTask)).all() == []
