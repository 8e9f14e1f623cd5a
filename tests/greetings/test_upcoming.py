"""Birthdays coming up, as 今日 lists them: solar ones by their day (29 February on a common
year's 28th), lunar ones on the solar day they fall on this year, the dead and vague left out."""

from __future__ import annotations

from datetime import date

from bot.db.engine import transaction
from bot.greetings.calendar import birthday_in
from bot.greetings.upcoming import birthdays
from bot.services import Services
from tests.office_fixtures import add_person


def test_the_weeks_birthdays_solar_lunar_and_leap_day(office: Services) -> None:
    now = office.clock.now()
    lunar_born = date(1940, 3, 2)
    lunar_day = birthday_in(lunar_born, True, 2027)
    people = {"二月廿八": (date(1936, 2, 28), False), "闰日": (date(1936, 2, 29), False),
              "三月一日": (date(1940, 3, 1), False), "三月五日": (date(1940, 3, 5), False),
              "农历": (lunar_born, True), "只知年份": (date(1938, 2, 28), False),
              "已故": (date(1938, 2, 28), False)}
    with transaction(office.sessions) as session:
        for name, (born, by_lunar) in people.items():
            person = add_person(session, now, name, died=name == "已故")
            person.birth_date, person.lunar_birthday = born, by_lunar
            person.birth_precision = "year" if name == "只知年份" else "day"
    first = date(2027, 2, 26)
    with office.sessions() as session:
        found = {b.name: b.day for b in birthdays(session, first, 4)}
    expected = {"二月廿八": date(2027, 2, 28), "闰日": date(2027, 2, 28), "三月一日": date(2027, 3, 1)}
    if first <= lunar_day <= date(2027, 3, 1):
        expected["农历"] = lunar_day
    assert found == expected
    with office.sessions() as session:
        lunar_week = {b.name for b in birthdays(session, lunar_day, 1)}
    assert "农历" in lunar_week
