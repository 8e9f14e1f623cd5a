"""Birthdays coming up, for staff to plan calls and visits (the lunar ones on their solar day)."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.greetings.calendar import birthday_in
from bot.models import Retiree


@dataclass(frozen=True)
class Birthday:
    """One living person's birthday within the days asked for."""

    day: date
    retiree_id: int
    name: str
    age: int


def birthdays(session: Session, first: date, days: int) -> list[Birthday]:
    """The birthdays from `first` for `days` days, soonest first (those with a full birth date)."""
    last = first + timedelta(days=days - 1)
    found = []
    for rid, name, born, by_lunar in session.execute(
            sa.select(Retiree.id, Retiree.name, Retiree.birth_date, Retiree.lunar_birthday)
            .where(Retiree.living(), Retiree.birth_precision == "day",
                   Retiree.lunar_birthday | _born_on_a_day_of(first, days))):
        for year in sorted({first.year, last.year}):
            try:
                day = birthday_in(born, by_lunar, year)
            except ValueError:  # a lunar birthday that falls in no day of this solar year
                continue
            if first <= day <= last:
                found.append(Birthday(day, rid, name, year - born.year))
    return sorted(found, key=lambda b: (b.day, b.name))


def _born_on_a_day_of(first: date, days: int) -> sa.ColumnElement[bool]:
    """Born on the month and day of one of the days (29 February counts on a common year's 28th):
    the database leaves out the solar birthdays that cannot fall in them."""
    window = [first + timedelta(days=n) for n in range(days)]
    dates = {(d.month, d.day) for d in window}
    dates |= {(2, 29) for d in window if (d.month, d.day) == (2, 28) and not calendar.isleap(d.year)}
    born = Retiree.birth_date
    return sa.or_(*((sa.extract("month", born) == month) & (sa.extract("day", born) == day)
                    for month, day in sorted(dates)))
