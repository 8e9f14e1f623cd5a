"""What the sender knows about a batch's recipients: windows, allowances, templates, who to skip."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.accounts.grants import granted_templates
from bot.config import DeliverySettings
from bot.delivery.templates import spec_of
from bot.delivery.window import custom_allowance
from bot.models import Channel, Follower, MiniUser, Retiree


@dataclass
class DeliveryBook:
    """Channel choice for one batch, by WeChat's rules, loaded with a few queries."""

    allowance: dict[str, int]
    templates: dict[str, Any]
    unfollowed: set[str]
    deceased: set[int]
    # Mini-program users: no 客服消息, template or 订阅通知 reaches them (those are the official
    # account's); a subscribe message does while a grant lasts, else they read what is sent them
    # in the mini-program's 我的通知, which is the mailbox.
    mini: set[str] = field(default_factory=set)
    grants: dict[str, set[str]] = field(default_factory=dict)  # openid → templates with a grant left
    subscribe_templates: dict[str, Any] = field(default_factory=dict)  # the account's 订阅通知
    mini_templates: dict[str, Any] = field(default_factory=dict)  # the mini-program's
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @classmethod
    def load(cls, session: Session, settings: DeliverySettings, rows: list[sa.Row],
             now: datetime) -> DeliveryBook:
        """The facts about the recipients of rows, as of now."""
        openids = {r.recipient for r in rows}
        retiree_ids = {r.retiree_id for r in rows if r.retiree_id is not None}
        unfollowed = set(session.scalars(sa.select(Follower.openid).where(
            Follower.openid.in_(openids), Follower.active.is_(False))))
        deceased = set(session.scalars(sa.select(Retiree.id).where(
            Retiree.id.in_(retiree_ids), Retiree.died_on.is_not(None))))
        return cls.for_recipients(session, settings, openids, now, unfollowed=unfollowed, deceased=deceased)

    @classmethod
    def for_recipients(cls, session: Session, settings: DeliverySettings, openids: set[str] | list[str],
                       now: datetime, *, unfollowed: set[str] | None = None,
                       deceased: set[int] | None = None) -> DeliveryBook:
        """The book for these recipients: their windows, which app each is in, their grants."""
        return cls(allowance=custom_allowance(session, openids, now, settings.custom_per_window),
                   templates=dict(settings.templates), unfollowed=unfollowed or set(),
                   deceased=deceased or set(), mini=mini_program_users(session, openids),
                   grants=granted_templates(session, openids) if openids else {},
                   subscribe_templates=dict(settings.subscribe_templates),
                   mini_templates=dict(settings.mini_templates))

    def skip_reason(self, row: sa.Row) -> str | None:
        """Why this message should not go at all (counted, not an error), or None."""
        if row.retiree_id in self.deceased:
            return "skipped: the retiree has died"
        if row.recipient in self.unfollowed:
            return "skipped: no longer follows the account"
        return None

    def channels(self, row: sa.Row) -> Iterator[Channel]:
        """The channels to try, best first; always ends with the mailbox.

        A customer-service message is reserved from the allowance when offered (senders run
        in threads), and counts as used whether or not WeChat takes it.
        """
        if row.recipient in self.mini:
            if self._granted(self.mini_templates, row):
                yield Channel.SUBSCRIBE
            yield Channel.MAILBOX
            return
        if self._reserve_custom(row.recipient):
            yield Channel.CUSTOM
        if self._granted(self.subscribe_templates, row):  # long-term grants are spent first
            yield Channel.BIZSEND
        if self.templates.get(row.kind):
            yield Channel.TEMPLATE
        yield Channel.MAILBOX

    def window_shut(self, openid: str) -> None:
        """WeChat says no customer-service message reaches openid now (45015/45047)."""
        with self._lock:
            self.allowance[openid] = 0

    def _granted(self, templates: dict[str, Any], row: sa.Row) -> bool:
        """The kind has a subscription template, and the person a grant for it left."""
        template = templates.get(row.kind)
        return bool(template) and spec_of(template).id in self.grants.get(row.recipient, set())

    def _reserve_custom(self, openid: str) -> bool:
        with self._lock:
            if self.allowance.get(openid, 0) <= 0:
                return False
            self.allowance[openid] -= 1
            return True


def mini_program_users(session: Session, openids: set[str] | list[str]) -> set[str]:
    """Those of openids that are mini-program users, not followers of the official account."""
    return set(session.scalars(sa.select(MiniUser.openid).where(MiniUser.openid.in_(openids))))
