"""Dates that matter, computed for any year: birthdays (solar or lunar) and festivals.

Lunar dates come from lunar-python (6tail's calendar, leap months and solar terms included).
A lunar birthday in a leap month is kept in that leap month when the year has one of the same
number, else in the ordinary month; a 30th in a 29-day month is kept on the 29th; a solar
29 February is kept on 28 February in common years.
"""

from __future__ import annotations

import calendar
import functools
from bisect import bisect_right
from dataclasses import dataclass
from datetime import date, timedelta

from lunar_python import Lunar, LunarYear

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


@dataclass(frozen=True)
class _Month:
    first: date  # its first day, on the solar calendar
    number: int
    leap: bool
    days: int


# lunar-python's JULIAN day numbers count from noon; date.toordinal() from 1 January of year 1.
_JULIAN_DAY_OF_ORDINAL_0 = 1721425


@functools.cache
def _months(lunar_year: int) -> tuple[_Month, ...]:
    """A lunar year's months in order. lunar-python takes ~10 ms to compute a year and keeps only
    the last one, so converting birth dates one by one cost that much each (today's page over
    20,000 people: over a minute); a year's months are kept here, and a day is found by bisection."""
    return tuple(_Month(date.fromordinal(int(m.getFirstJulianDay()) - _JULIAN_DAY_OF_ORDINAL_0),
                        abs(m.getMonth()), m.getMonth() < 0, m.getDayCount())
                 for m in LunarYear.fromYear(lunar_year).getMonthsInYear())


def _month(lunar_year: int, number: int, leap: bool) -> _Month:
    return next(m for m in _months(lunar_year) if (m.number, m.leap) == (number, leap))


def _leap_month(lunar_year: int) -> int:
    """The number of the year's leap month; 0 when it has none."""
    return next((m.number for m in _months(lunar_year) if m.leap), 0)


def lunar(day: date) -> LunarDate:
    """The lunar date of a solar day."""
    year = day.year if day >= _months(day.year)[0].first else day.year - 1
    months = _months(year)
    month = months[bisect_right([m.first for m in months], day) - 1]
    return LunarDate(year, month.number, (day - month.first).days + 1, month.leap)


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


@functools.lru_cache(maxsize=65536)  # 今日 asks it for every lunar keeper on every visit
def birthday_in(birth: date, by_lunar: bool, year: int) -> date:
    """The solar date of the birthday kept in this solar year (the lunar one may fall in Jan–Feb)."""
    if not by_lunar:
        return _solar_birthday(birth, year)
    born = lunar(birth)
    for lunar_year in (year, year - 1):
        month = _month(lunar_year, born.month, born.leap and _leap_month(lunar_year) == born.month)
        found = month.first + timedelta(days=min(born.day, month.days) - 1)
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
    if today.leap != (born.leap and _leap_month(today.year) == born.month):
        return False
    return today.day == min(born.day, _month(today.year, today.month, today.leap).days)
