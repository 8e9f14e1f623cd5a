"""Finding who is binding on the roster, the one way the chat and the mini-program both use: a
name and the phone's last four digits (wrong answers counted, three lock binding for a day and
tell staff), or a whole phone number WeChat has verified; and binding, which tells the retiree
and their family of someone new acting for them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode

from sqlalchemy.orm import Session

from bot.accounts import binding as b
from bot.clock import SHANGHAI
from bot.config import Settings
from bot.delivery import outbox
from bot.delivery.audience import everyone_bound
from bot.delivery.staff_alerts import alert_staff
from bot.language.texts import Texts
from bot.logs import mask
from bot.models import Binding, Retiree


@dataclass(frozen=True)
class Attempt:
    """What an attempt found: the one person, or why not."""

    retiree: Retiree | None = None
    ambiguous: bool = False  # several people on file match: staff sort it out
    locked_until: datetime | None = None  # binding is closed until then
    left: int = 0  # wrong: how many more tries before the lock
    sounding_alike: Retiree | None = None  # wrong, but one name on file sounds the same: theirs?


def reopens(until: datetime) -> str:
    """When binding opens again, as a person says it, in Beijing time: 「11 月 23 日 9 点」."""
    local = until.astimezone(SHANGHAI)
    return f"{local.month} 月 {local.day} 日 {local.hour} 点"


def by_digits(session: Session, settings: Settings, texts: Texts, account: b.Account, name: str,
              digits: str, now: datetime) -> Attempt:
    """The person with this name whose phone ends in these digits; a wrong answer (or a name
    not on file — never told apart) counts towards the lock. With the right digits and a name
    that only sounds like the one on file, that person is named, to be confirmed."""
    if (until := b.locked_until(account, now)) is not None:
        return Attempt(locked_until=until)
    found = b.candidates(session, name, digits)
    if len(found) > 1:
        return Attempt(ambiguous=True)
    if found:
        return Attempt(retiree=found[0])
    if b.record_failure(session, account, now):
        _alert_staff(session, settings, texts, account, name, now)
        return Attempt(locked_until=account.bind_locked_until)
    alike = b.sounding_alike(session, name, digits)  # still a try: the name said was not the one on file
    return Attempt(left=b.failures_left(account), sounding_alike=alike[0] if len(alike) == 1 else None)


def by_phone(session: Session, account: b.Account, number: str, name: str | None, now: datetime) -> Attempt:
    """The person whose phone on file is this WeChat-verified number (and, where a couple share
    one, whose name is this). Nothing was guessed, so nothing counts towards the lock, and a
    lock from wrong digits does not stand in the way of the number itself."""
    found = b.by_phone(session, number)
    if name and len(found) > 1:
        found = [p for p in found if b.same_name(p.name, name)]
    if len(found) > 1:
        return Attempt(ambiguous=True)
    return Attempt(retiree=found[0] if found else None)


def bind(session: Session, texts: Texts, account: b.Account, retiree: Retiree, now: datetime, *,
         relation: str | None) -> Binding:
    """Bind the account (as family when relation is given); a new family member is announced to
    the retiree and the family already bound, so someone who knows only a name and four digits
    cannot act for a retiree unnoticed."""
    binding = b.bind(session, account, retiree, now, relation=relation)
    if relation is None or retiree.deceased:  # the bereaved are not told of each other's binding
        return binding
    session.flush()
    text = texts.get("binding.new_family_told", name=retiree.name, relation=relation)
    for other in everyone_bound(session, retiree.id, besides=account.openid):
        outbox.enqueue(session, recipient=other.openid, text=text, now=now, kind="notice",
                       dedupe_key=f"binding:{binding.id}:told:{other.openid}")
    return binding


def _alert_staff(session: Session, settings: Settings, texts: Texts, account: b.Account, name: str,
                 now: datetime) -> None:
    text = texts.get("binding.staff_locked", who=mask(account.openid), name=name)
    alert_staff(session, settings, now, text, key=f"bind-locked:{account.openid}:{now:%Y%m%d%H%M}",
                page=f"/console/people?{urlencode({'q': name})}")
