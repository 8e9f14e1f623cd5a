"""Festival dates for any year, and birthdays by the solar or the lunar calendar, on real dates."""

from __future__ import annotations

from datetime import date

import pytest

from bot.greetings.calendar import birthday_in, festivals_on, is_birthday


@pytest.mark.parametrize(("day", "festival"), [
    (date(2026, 2, 17), "春节"), (date(2026, 3, 3), "元宵"), (date(2026, 4, 5), "清明"),
    (date(2026, 6, 19), "端午"), (date(2026, 7, 1), "七一"), (date(2026, 9, 25), "中秋"),
    (date(2026, 10, 1), "国庆"), (date(2027, 10, 8), "重阳"), (date(2027, 2, 6), "春节"),
])
def test_festivals_fall_on_their_published_dates(day: date, festival: str) -> None:
    assert festival in festivals_on(day)


def test_an_ordinary_day_has_no_festival() -> None:
    assert festivals_on(date(2026, 11, 22)) == []


LEAP_SIXTH_1941 = date(1941, 8, 2)   # lunar 1941, leap sixth month, 10th day
ORDINARY_SIXTH_1950 = date(1950, 7, 24)  # lunar 1950, sixth month, 10th day


def test_a_leap_month_birthday_is_kept_in_2025s_leap_sixth_month() -> None:
    assert birthday_in(LEAP_SIXTH_1941, True, 2025) == date(2025, 8, 3)  # leap 6/10 of 2025
    assert not is_birthday(LEAP_SIXTH_1941, True, date(2025, 7, 4))   # the ordinary 6/10


def test_a_leap_month_birthday_falls_back_to_the_ordinary_month_in_a_year_without_one() -> None:
    assert birthday_in(LEAP_SIXTH_1941, True, 2026) == date(2026, 7, 23)
    assert is_birthday(LEAP_SIXTH_1941, True, date(2026, 7, 23))


def test_an_ordinary_month_birthday_is_not_moved_into_a_leap_month() -> None:
    assert birthday_in(ORDINARY_SIXTH_1950, True, 2025) == date(2025, 7, 4)
    assert not is_birthday(ORDINARY_SIXTH_1950, True, date(2025, 8, 3))


def test_a_lunar_thirtieth_in_a_short_month_is_kept_on_the_last_day() -> None:
    born = date(1945, 10, 5)  # lunar 1945, eighth month, 30th; 2026's eighth month has 29 days
    assert birthday_in(born, True, 2026) == date(2026, 10, 9)  # lunar 2026-8-29


def test_29_february_is_kept_on_28_february_in_common_years() -> None:
    leapling = date(1940, 2, 29)
    assert is_birthday(leapling, False, date(2026, 2, 28))
    assert not is_birthday(leapling, False, date(2026, 3, 1))
    assert is_birthday(leapling, False, date(2028, 2, 29))
    assert not is_birthday(leapling, False, date(2028, 2, 28))


def test_a_lunar_birthday_in_the_twelfth_month_falls_in_the_next_solar_year() -> None:
    born = date(1941, 1, 20)  # lunar 1940, twelfth month, 23rd (小年)
    assert birthday_in(born, True, 2026).year == 2026
    assert birthday_in(born, True, 2026) == date(2026, 2, 10)


def test_content_check_names_a_broken_greeting(settings, tmp_path) -> None:
    import shutil
    from dataclasses import replace

    from bot.config import PROJECT_ROOT
    from bot.content_check import check_content

    content = tmp_path / "content"
    shutil.copytree(PROJECT_ROOT / "content", content)
    festivals = content / "greetings" / "festivals.toml"
    text = festivals.read_text(encoding="utf-8").replace("{name}同志，中秋快乐", "{nmae}同志，中秋快乐")
    festivals.write_text(text + '\n["植树节"]\ntexts = ["植树快乐"]\n', encoding="utf-8")
    problems = check_content(replace(settings, content_dir=content))
    assert any("不认识的花括号" in p and "中秋快乐" in p for p in problems)
    assert any("不认识的节日「植树节」" in p for p in problems)
