"""The morning greetings: birthdays and festivals, one message per person per day at most.

A birthday on a festival is one combined message. Nobody deceased is greeted; nobody gets a
birthday greeting while a care report about them is open; and a family in its first days of
bereavement ([greetings] bereavement_days) gets no greeting at all. The key is the day and
the person, so a scheduler restarted on a greeting morning greets nobody twice.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.config import ConfigError, GreetingSettings
from bot.db.engine import transaction
from bot.delivery.audience import Reach, resolve
from bot.delivery.queue import queue_reach
from bot.greetings.calendar import festivals_on, is_birthday
from bot.language.texts import Texts
from bot.models import CareReport, Retiree
from bot.services import Services

KIND = "greeting"


@dataclass(frozen=True)
class GreetingTexts:
    """content/greetings: birthday words (ordinary and milestone) and each festival's."""

    ordinary: tuple[str, ...]
    milestone: tuple[str, ...]
    festivals: dict[str, dict]

    @classmethod
    def load(cls, content_dir: Path) -> GreetingTexts:
        """Read the greeting files; a broken one stops the job with one sentence."""
        folder = content_dir / "greetings"
        try:
            birthday = tomllib.loads((folder / "birthday.toml").read_text(encoding="utf-8"))
            festivals = tomllib.loads((folder / "festivals.toml").read_text(encoding="utf-8"))
            return cls(tuple(birthday["ordinary"]), tuple(birthday["milestone"]), festivals)
        except (OSError, KeyError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"问候语文件 {folder} 读不出来：{exc}。") from exc


def send_greetings(services: Services) -> int:
    """Queue today's greetings; how many accounts."""
    now = services.clock.now()
    words = GreetingTexts.load(services.settings.content_dir)
    with transaction(services.sessions) as session:
        texts = greetings_for(session, services.settings.greetings, words, services.texts, now)
        reach = resolve(session, "all")
        reach = Reach(recipients=[r for r in reach.recipients if r.retiree_id in texts])
        return queue_reach(session, reach, key=f"greeting:{now.date().isoformat()}", now=now, kind=KIND,
                           title="问候", text=lambda r: texts[r.retiree_id])


def greetings_for(session: Session, settings: GreetingSettings, words: GreetingTexts, texts: Texts,
                  now: datetime) -> dict[int, str]:
    """Each retiree to greet today, and the one message they get."""
    today = now.date()
    festivals = [f for f in festivals_on(today) if _greets(words.festivals.get(f), settings)]
    unwell, bereaved = _sad_news(session, settings, now)
    greetings = {}
    for person in _living(session):
        if person.id in bereaved:
            continue
        lines = []
        if person.id not in unwell and _birthday(person, today):
            lines.append(_birthday_words(person, today, settings, words, texts))
        lines += [_pick(words.festivals[f]["texts"], person, today, texts) for f in festivals
                  if person.party_member or not words.festivals[f].get("party_members_only")]
        if lines:
            greetings[person.id] = "\n\n".join(lines)
    return greetings


def is_milestone(age: int, settings: GreetingSettings) -> bool:
    """80, 90, 100 … and every birthday from [greetings] every_year_from on."""
    return age in settings.milestones or age >= settings.every_year_from


def _greets(festival: dict | None, settings: GreetingSettings) -> bool:
    if festival is None:
        return False
    return not festival.get("note_only") or settings.qingming_note


def _birthday(person: Retiree, today: date) -> bool:
    return person.birth_precision == "day" and is_birthday(person.birth_date, person.lunar_birthday, today)


def _birthday_words(person: Retiree, today: date, settings: GreetingSettings, words: GreetingTexts,
                    texts: Texts) -> str:
    age = today.year - person.birth_date.year  # on the birthday itself (the one kept this year)
    variants = words.milestone if is_milestone(age, settings) else words.ordinary
    return _pick(variants, person, today, texts, age=age)


def _pick(variants: tuple[str, ...] | list[str], person: Retiree, today: date, texts: Texts,
          **values: object) -> str:
    # A different wording each year, and not the same for everyone on the same day.
    text = variants[(person.id + today.year) % len(variants)]
    return texts.fill(text.replace("{name}", person.name).replace("{age}", str(values.get("age", ""))))


def _living(session: Session) -> list[Retiree]:
    return list(session.scalars(sa.select(Retiree).where(
        Retiree.living()).order_by(Retiree.id)))


def _sad_news(session: Session, settings: GreetingSettings, now: datetime) -> tuple[set[int], set[int]]:
    """Retirees with an open care report about themselves; families within the mourning days."""
    unwell = set(session.scalars(sa.select(CareReport.retiree_id).where(
        CareReport.closed_at.is_(None), CareReport.retiree_id.is_not(None))))
    bereaved = set(session.scalars(sa.select(CareReport.retiree_id).where(
        CareReport.kind == "death", CareReport.retiree_id.is_not(None),
        CareReport.created_at >= now - timedelta(days=settings.bereavement_days))))
    return unwell, bereaved
