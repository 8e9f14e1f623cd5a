"""Birthdays coming up, for staff to plan calls and visits (the lunar ones on their solar day)."""

from __future__ import annotations

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
            .where(Retiree.living(), Retiree.birth_precision == "day")):
        for year in sorted({first.year, last.year}):
            try:
                day = birthday_in(born, by_lunar, year)
            except ValueError:  # a lunar birthday that falls in no day of this solar year
                continue
            if first <= day <= last:
                found.append(Birthday(day, rid, name, year - born.year))
    return sorted(found, key=lambda b: (b.day, b.name))
