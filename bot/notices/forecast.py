"""Before a notice goes: how each person would be reached now, channel by channel, and who
cannot be reached and why — with a phone, so staff can call them instead."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.config import Settings
from bot.delivery.audience import Reach, resolve
from bot.delivery.book import DeliveryBook
from bot.models import Channel, Retiree

SHOWN = 200  # the people listed by name on the page; the counts cover everyone


class _Copy(NamedTuple):
    """One copy of a notice, as the sender's channel choice reads it."""

    recipient: str
    kind: str


@dataclass
class Forecast:
    """A notice's reach by channel, as things stand now, and the people it cannot reach."""

    reach: Reach
    by_channel: dict[Channel, int] = field(default_factory=dict)  # accounts, by the first channel
    cannot: list[tuple[Retiree, str]] = field(default_factory=list)  # the first SHOWN, and why

    @property
    def cannot_total(self) -> int:
        """Everyone the audience names whom no WeChat account reaches."""
        return len(self.reach.not_bound) + len(self.reach.unfollowed)


def forecast(session: Session, settings: Settings, audience: str, now: datetime) -> Forecast:
    """Whom a notice to audience would reach now, and how: a customer-service message while
    their 48-hour window is open, else the notice template if one is set, else their mailbox
    (shown the next time they write). Notices never use a mass send: each person's 4 a month
    are kept for the study day's push (bot.study.pushes)."""
    reach = resolve(session, audience)
    openids = [r.openid for r in reach.recipients]
    # The sender's own channel choice (DeliveryBook), for one notice per account as of now.
    book = DeliveryBook.for_recipients(session, settings.delivery, openids, now)
    found = Forecast(reach, {Channel.CUSTOM: 0, Channel.BIZSEND: 0, Channel.TEMPLATE: 0, Channel.SUBSCRIBE: 0,
                             Channel.MASS: 0, Channel.MAILBOX: 0})
    for openid in openids:
        found.by_channel[next(book.channels(_Copy(openid, "notice")))] += 1  # type: ignore[arg-type]
    why = {i: "未绑定微信" for i in reach.not_bound} | {i: "已取消关注公众号" for i in reach.unfollowed}
    shown = sorted(why)[:SHOWN]
    people = session.scalars(sa.select(Retiree).where(Retiree.id.in_(shown)).order_by(Retiree.id))
    found.cannot = [(person, why[person.id]) for person in people]
    return found
