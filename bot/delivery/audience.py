"""Who a message is for: everyone, a group or one retiree, down to the WeChat accounts that reach them."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.models import Binding, Follower, Group, GroupMember, MiniUser, Retiree


class AudienceError(ValueError):
    """The audience names nobody we know; the message says what was wrong."""


@dataclass(frozen=True)
class Recipient:
    """One WeChat account to send to, and the retiree it reaches (None: a staff member)."""

    retiree_id: int | None
    openid: str
    for_family: bool = False  # the account is a family member's, acting for the retiree


@dataclass
class Reach:
    """The accounts a message goes to, and the people it cannot reach, by reason."""

    recipients: list[Recipient] = field(default_factory=list)
    deceased: list[int] = field(default_factory=list)
    not_bound: list[int] = field(default_factory=list)      # no WeChat account bound: call them
    unfollowed: list[int] = field(default_factory=list)     # bound, but no longer following
    tag_id: int | None = None  # the WeChat tag of the one group addressed, if it has one

    @property
    def people(self) -> int:
        """How many retirees the message reaches."""
        return len({r.retiree_id or r.openid for r in self.recipients})

    def skipped(self) -> dict[str, list[int]]:
        """The retirees left out, by reason (kept with a notice for its report)."""
        return {"deceased": self.deceased, "not_bound": self.not_bound, "unfollowed": self.unfollowed}


def resolve(session: Session, audience: str) -> Reach:
    """The reach of `all`, `group:<name>` or `retiree:<id>`, or of several joined by ";"."""
    scope, tag_id = _scope(session, audience)
    retirees = session.execute(scope).all()
    accounts = _accounts(session, scope.with_only_columns(Retiree.id).order_by(None))
    reach = Reach(tag_id=tag_id)
    for person in retirees:
        if person.died_on is not None:
            reach.deceased.append(person.id)
            continue
        bound = accounts.get(person.id, [])
        following = [a for a in bound if a.active]
        if not bound:
            reach.not_bound.append(person.id)
        elif not following:
            reach.unfollowed.append(person.id)
        else:
            reach.recipients += [Recipient(person.id, a.openid, a.role != "self") for a in _chosen(following)]
    return reach


def _scope(session: Session, audience: str) -> tuple[sa.Select, int | None]:
    """The retirees addressed, and the WeChat tag that stands for them (one group's, if any).

    Several parts joined by ";" address everyone any of them names (「group:甲;group:乙」).
    """
    query = (sa.select(Retiree.id, Retiree.died_on)
             .where(Retiree.anonymised_at.is_(None)).order_by(Retiree.id))
    if audience == "all":
        return query, None
    parts = [part for part in audience.split(";") if part]
    if len(parts) == 1:
        ids, tag_id = _part(session, parts[0])
        return query.where(Retiree.id.in_(ids)), tag_id
    if not parts or "all" in parts:
        raise AudienceError(f"收件人「{audience}」看不懂：应为 all、group:<分组名> 或 retiree:<编号>。")
    return query.where(sa.or_(*(Retiree.id.in_(_part(session, part)[0]) for part in parts))), None


def _part(session: Session, part: str) -> tuple[sa.Select, int | None]:
    """The ids one part names (`group:<name>`, `retiree:<id>[,<id>…]`), and its group's tag."""
    kind, _, value = part.partition(":")
    numbers = value.split(",")
    if kind == "retiree" and value and all(n.isdecimal() for n in numbers):
        wanted = {int(n) for n in numbers}
        known = set(session.scalars(sa.select(Retiree.id).where(Retiree.id.in_(wanted))))
        if missing := sorted(wanted - known):
            raise AudienceError(f"没有编号为 {'、'.join(map(str, missing))} 的老同志。")
        return sa.select(Retiree.id).where(Retiree.id.in_(wanted)), None
    if kind == "groupid" and value.isdecimal():  # one group by id: names are unique per kind only
        return sa.select(GroupMember.retiree_id).where(GroupMember.group_id == int(value)), None
    if kind == "group" and value:
        groups = session.execute(sa.select(Group.id, Group.wechat_tag_id).where(Group.name == value)).all()
        if not groups:
            known_names = "、".join(group_names(session))
            raise AudienceError(f"没有名为「{value}」的分组。现有的分组：{known_names or '还没有'}。")
        members = sa.select(GroupMember.retiree_id).where(GroupMember.group_id.in_([g.id for g in groups]))
        return members, groups[0].wechat_tag_id if len(groups) == 1 else None
    raise AudienceError(f"收件人「{part}」看不懂：应为 all、group:<分组名> 或 retiree:<编号>。")


def everyone_bound(session: Session, retiree_id: int, *, besides: str) -> list[Recipient]:
    """Every account bound to the retiree that can still be reached (following; a mini-program
    account while bound), one per person (unionid, the official account's first), none of them
    the person of account `besides` (whose binding is the news)."""
    rows = _accounts(session, sa.select(Retiree.id).where(Retiree.id == retiree_id)).get(retiree_id, [])
    theirs = {r.unionid for r in rows if r.openid == besides and r.unionid}
    others = [r for r in rows if r.openid != besides and r.active and not (r.unionid and r.unionid in theirs)]
    return [Recipient(retiree_id, r.openid, r.role != "self") for r in _one_each(others)]


def group_names(session: Session) -> list[str]:
    """The names a notice may be addressed to (group:<name>), party branches first."""
    rows = session.execute(sa.select(Group.name, Group.kind).order_by(Group.id)).all()
    branches = [name for name, kind in rows if kind == "党支部"]
    return list(dict.fromkeys(branches + [name for name, _ in rows]))


def _chosen(following: list[sa.Row]) -> list[sa.Row]:
    """Whom of a retiree's followed accounts to send to: in the official account, their own if
    they follow, otherwise the family who act for them; and each mini-program account, unless
    WeChat names it the same person (unionid) as one of those (one person, one copy)."""
    chat = [a for a in following if a.app == Follower.APP]
    chat = [a for a in chat if a.role == "self"] or chat
    return _one_each(chat + [a for a in following if a.app == MiniUser.APP])


def _one_each(accounts: list[sa.Row]) -> list[sa.Row]:
    """One account per person (WeChat's unionid), the official account's first: what is pushed
    there is seen at once, the mini-program's waits in its 我的通知."""
    seen: set[str] = set()
    chosen = []
    for account in sorted(accounts, key=lambda a: a.app != Follower.APP):  # stable: bound first, first
        if account.unionid and account.unionid in seen:
            continue
        if account.unionid:
            seen.add(account.unionid)
        chosen.append(account)
    return chosen


def _accounts(session: Session, retiree_ids: sa.Select) -> dict[int, list[sa.Row]]:
    rows = session.execute(
        sa.select(Binding.retiree_id, Binding.openid, Binding.role, Binding.app,
                  sa.func.coalesce(Follower.unionid, MiniUser.unionid).label("unionid"),
                  # a mini-program user is reached in its 我的通知 (the mailbox) while bound
                  sa.func.coalesce(Follower.active, Binding.app == MiniUser.APP).label("active"))
        .outerjoin(Follower, Follower.openid == Binding.openid)
        .outerjoin(MiniUser, MiniUser.openid == Binding.openid)
        .where(Binding.unbound_at.is_(None), Binding.retiree_id.in_(retiree_ids))
        .order_by(Binding.id)).all()
    accounts: dict[int, list[sa.Row]] = defaultdict(list)
    for row in rows:
        accounts[row.retiree_id].append(row)
    return accounts
