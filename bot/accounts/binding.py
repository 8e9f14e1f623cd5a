"""Binding a WeChat account to a retiree: matching a name and phone digits or a whole number,
locks, unbinding. An account is the chat's follower or a mini-program user: both keep their own
wrong-answer count and lock, and a binding names which app its openid belongs to."""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot import audit
from bot.language.words import simplified, sound_key
from bot.models import Binding, Follower, MiniUser, Retiree

Account = Follower | MiniUser

MAX_FAILURES = 3
LOCK = timedelta(hours=24)


def candidates(session: Session, name: str, digits: str) -> list[Retiree]:
    """Retirees on the roster with that name whose phone on file ends with those digits (typed
    full-width too: ０００３ is 0003)."""
    return [p for p in _phone_ending(session, digits) if same_name(p.name, name)]


def sounding_alike(session: Session, name: str, digits: str) -> list[Retiree]:
    """Retirees whose phone on file ends with those digits and whose name sounds like the one
    said, written otherwise: a pinyin keyboard's pick (林秀莹 for 林秀英 on file)."""
    return [p for p in _phone_ending(session, digits)
            if not same_name(p.name, name) and sounds_the_same(p.name, name)]


def sounds_the_same(one: str, other: str) -> bool:
    """Whether two names sound alike, tones aside (林秀莹, 林秀英)."""
    return sound_key(simplified(_bare(one))) == sound_key(simplified(_bare(other)))


def _phone_ending(session: Session, digits: str) -> list[Retiree]:
    """Retirees on the roster whose phone on file ends with those digits (full-width too)."""
    if not digits.isdecimal():  # only digits go into the LIKE pattern, as ASCII
        return []
    digits = "".join(str(unicodedata.decimal(c)) for c in digits)
    return list(session.scalars(sa.select(Retiree).where(
        sa.func.replace(Retiree.phone, "-", "").like(f"%{digits}"), Retiree.anonymised_at.is_(None))))


def same_name(on_file: str, said: str) -> bool:
    """Whether a name said or typed is the one on file. They are compared in simplified characters:
    a relative abroad types 陳美玲 for 陈美玲 on file, and the chat reads every text in simplified
    characters (bot.language.words), so 王乾 on file arrives as 王干."""
    return on_file == said or simplified(_bare(on_file)) == simplified(_bare(said))


def _bare(name: str) -> str:
    """A name without the spaces and invisible characters a keyboard or a paste leaves in it
    (王 芳, 王芳\u200b), in half-width forms."""
    return _INVISIBLE.sub("", unicodedata.normalize("NFKC", name))


_INVISIBLE = re.compile(r"[\s\u200b-\u200f\u2060\ufeff]")


def by_phone(session: Session, number: str) -> list[Retiree]:
    """Retirees on the roster whose phone on file is this number (+86, spaces and dashes aside)."""
    wanted = national(number)
    if len(wanted) < 7:
        return []
    people = session.scalars(sa.select(Retiree).where(Retiree.anonymised_at.is_(None),
                                                      Retiree.phone.is_not(None)))
    return [p for p in people if national(p.phone or "") == wanted]


def national(number: str) -> str:
    """A phone number's digits without the country code: 「+86 138-0000-1234」 → 13800001234."""
    digits = "".join(ch for ch in number if ch.isdigit())
    return digits[2:] if digits.startswith("86") and len(digits) == 13 else digits


def locked_until(account: Account, now: datetime) -> datetime | None:
    """When binding opens again for this account, if it is locked now."""
    until = account.bind_locked_until
    return until if until is not None and until > now else None


def record_failure(session: Session, account: Account, now: datetime) -> bool:
    """Count a wrong answer; True when it was the last allowed and binding is now locked.

    One UPDATE … RETURNING, so guesses sent at the same moment cannot each see the old count.
    """
    table = type(account)
    failures = session.execute(
        sa.update(table).where(table.openid == account.openid)
        .values(bind_failures=table.bind_failures + 1).returning(table.bind_failures)
        .execution_options(synchronize_session=False)).scalar_one()
    if failures >= MAX_FAILURES:
        session.execute(sa.update(table).where(table.openid == account.openid)
                        .values(bind_failures=0, bind_locked_until=now + LOCK)
                        .execution_options(synchronize_session=False))
    session.refresh(account)
    return failures >= MAX_FAILURES


def failures_left(account: Account) -> int:
    """How many more wrong answers are allowed before the lock."""
    return MAX_FAILURES - account.bind_failures


def bind(session: Session, account: Account, retiree: Retiree, now: datetime, *,
         relation: str | None) -> Binding:
    """Bind the account to retiree, as family when relation is given; resets the failure count."""
    account.bind_failures, account.bind_locked_until = 0, None
    binding = Binding(openid=account.openid, app=account.APP, retiree=retiree, retiree_id=retiree.id,
                      bound_at=now, role="agent" if relation else "self", relation=relation)
    session.add(binding)
    return binding


def someone_else_is_them(session: Session, account: Account, retiree: Retiree) -> bool:
    """Whether another account of this app is already bound as the retiree themselves: a second
    「本人」 is most likely family who should bind as family (one person has one WeChat here)."""
    return bool(session.scalar(sa.select(sa.exists().where(
        Binding.retiree_id == retiree.id, Binding.role == "self", Binding.app == account.APP,
        Binding.unbound_at.is_(None), Binding.openid != account.openid))))


def unbind(session: Session, binding: Binding, now: datetime) -> None:
    """End a binding (the row is kept for the record), and with a chat binding, the mini-program
    bindings WeChat names the same person for (unionid) that acted for the same retiree: one
    person unbinding once is unbound everywhere."""
    binding.unbound_at = now
    if binding.app != Follower.APP:
        return
    unionid = session.scalar(sa.select(Follower.unionid).where(Follower.openid == binding.openid))
    if unionid:
        same_person = sa.select(MiniUser.openid).where(MiniUser.unionid == unionid)
        session.execute(sa.update(Binding).where(
            Binding.openid.in_(same_person), Binding.unbound_at.is_(None),
            Binding.retiree_id == binding.retiree_id)
            .values(unbound_at=now).execution_options(synchronize_session=False))


def unbind_for_office(session: Session, binding_id: int, retiree_id: int, *, actor: str,
                      now: datetime) -> Binding | None:
    """End one of a retiree's live bindings for the office, after a call (a phone changed, someone
    bound by mistake); audit-logged. None when it is not theirs or already ended."""
    binding = session.get(Binding, binding_id)
    if binding is None or binding.retiree_id != retiree_id or binding.unbound_at is not None:
        return None
    unbind(session, binding, now)
    audit.record(session, actor=actor, action="binding.unbind", at=now, target=f"retiree:{retiree_id}",
                 who=whose(binding))
    return binding


def whose(binding: Binding) -> str:
    """Whose WeChat a binding is, as staff read it: 「本人」 or 「家属（女儿）」."""
    return "本人" if binding.role == "self" else f"家属（{binding.relation or '未说明关系'}）"


def current(session: Session, account: Account) -> Binding | None:
    """The account's binding in force, if any."""
    return session.scalar(sa.select(Binding).where(Binding.openid == account.openid,
                                                   Binding.unbound_at.is_(None)))


def agents(session: Session, retiree_id: int) -> list[Binding]:
    """The family bound to act for a retiree (代办), in either app, first bound first."""
    return list(session.scalars(sa.select(Binding).where(
        Binding.retiree_id == retiree_id, Binding.role == "agent", Binding.unbound_at.is_(None))
        .order_by(Binding.bound_at)))
