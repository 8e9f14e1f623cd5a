"""Dates that matter, computed for any year: birthdays (solar or lunar) and festivals.

Lunar dates come from lunar-python (6tail's calendar, leap months and solar terms included).
A lunar birthday in a leap month is kept in that leap month when the year has one of the same
number, else in the ordinary month; a 30th in a 29-day month is kept on the 29th; a solar
29 February is kept on 28 February in common years.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date

from lunar_python import Lunar, LunarMonth, LunarYear, Solar

# Festivals by the lunar (month, day) they fall on; the others are solar or a solar term.
LUNAR_FESTIVALS = {(1, 1): "春节", (1, 15): "元宵", (5, 5): "端午", (8, 15): "中秋", (9, 9): "重阳"}
SOLAR_FESTIVALS = {(7, 1): "七一", (10, 1): "国庆"}


@dataclass(frozen=True)
class LunarDate:
    """A day of the lunar calendar."""

    year: int
    month: int   # 1..12
    day: int
    leap: bool   # in the leap month of that number


def lunar(day: date) -> LunarDate:
    """The lunar date of a solar day."""
    found = Solar.fromYmd(day.year, day.month, day.day).getLunar()
    return LunarDate(found.getYear(), abs(found.getMonth()), found.getDay(), found.getMonth() < 0)


def festivals_on(day: date) -> list[str]:
    """The festivals on this day (usually none, at most a couple)."""
    names = [SOLAR_FESTIVALS[(day.month, day.day)]] if (day.month, day.day) in SOLAR_FESTIVALS else []
    today = lunar(day)
    if not today.leap and (today.month, today.day) in LUNAR_FESTIVALS:
        names.append(LUNAR_FESTIVALS[(today.month, today.day)])
    if day == qingming(day.year):
        names.append("清明")
    return names


def qingming(year: int) -> date:
    """The day of the 清明 solar term in this year."""
    term = Lunar.fromYmd(year, 3, 1).getJieQiTable()["清明"]
    return date(term.getYear(), term.getMonth(), term.getDay())


def is_birthday(birth: date, by_lunar: bool, day: date) -> bool:
    """Whether `day` is the birthday of someone born on `birth` (kept by the lunar calendar or not)."""
    if not by_lunar:
        return _solar_birthday(birth, day.year) == day
    return _lunar_birthday_matches(lunar(birth), lunar(day))


def birthday_in(birth: date, by_lunar: bool, year: int) -> date:
    """The solar date of the birthday kept in this solar year (the lunar one may fall in Jan–Feb)."""
    if not by_lunar:
        return _solar_birthday(birth, year)
    born = lunar(birth)
    for lunar_year in (year, year - 1):
        month = -born.month if born.leap and LunarYear.fromYear(lunar_year).getLeapMonth() == born.month \
            else born.month
        days = LunarMonth.fromYm(lunar_year, month).getDayCount()
        solar = Lunar.fromYmd(lunar_year, month, min(born.day, days)).getSolar()
        found = date(solar.getYear(), solar.getMonth(), solar.getDay())
        if found.year == year:
            return found
    raise ValueError(f"no lunar birthday of {birth} in {year}")


def _solar_birthday(birth: date, year: int) -> date:
    if (birth.month, birth.day) == (2, 29) and not calendar.isleap(year):
        return date(year, 2, 28)
    return birth.replace(year=year)


def _lunar_birthday_matches(born: LunarDate, today: LunarDate) -> bool:
    if today.month != born.month:
        return False
    leap_this_year = LunarYear.fromYear(today.year).getLeapMonth() == born.month
    if today.leap != (born.leap and leap_this_year):
        return False
    days = LunarMonth.fromYm(today.year, -today.month if today.leap else today.month).getDayCount()
    return today.day == min(born.day, days)
