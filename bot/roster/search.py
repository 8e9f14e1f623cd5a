"""Finding people the way clerks look for them: part of a name, pinyin initials (zm for 张明),
a phone's last four digits, the 编号, a group; within an account's data scope."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from bot.language.words import simplified
from bot.models import GroupMember, Retiree

LIMIT = 50  # people shown at once (a page); the rest are counted, on the next pages
_LETTERS = re.compile(r"[a-z]+")
_SEPARATORS = re.compile(r"[\s\-]")  # within a phone number as people write it
_HAN = re.compile(r"[\u4e00-\u9fff]")
_INTERNAL = re.compile(r"[（(]?内部编号\s*(\d+)[）)]?")
# Copied with the namesakes' problem, 「LT00020（1938 年生）」 names LT00020.
_BORN_NOTE = re.compile(r"[（(]\d{4}\s*年生[）)]$")
_LIST = re.compile(r"[\n、，,;；]+")


@dataclass(frozen=True)
class Found:
    """A page of people found, and how many matched in all."""

    people: list[Retiree]
    total: int


def in_group(group_id: int) -> sa.ColumnElement[bool]:
    """The people who are members of a group (a search filter, or an account's data scope)."""
    return Retiree.id.in_(sa.select(GroupMember.retiree_id).where(GroupMember.group_id == group_id))


def within(session: Session, scope: int | None) -> Callable[[int | None], bool]:
    """Whether a person (by id) is within an account's scope (a group; None: everyone). Someone
    not known by name (an unbound user's None) is within the whole office's only."""
    if scope is None:
        return lambda _retiree_id: True
    members = set(session.scalars(sa.select(GroupMember.retiree_id).where(GroupMember.group_id == scope)))
    return lambda retiree_id: retiree_id in members


def people_by_id(session: Session, ids: Iterable[int | None]) -> dict[int, Retiree]:
    """The people with these ids (None and unknown ids left out), with their groups, by id."""
    wanted = {i for i in ids if i is not None}
    return {p.id: p for p in session.scalars(sa.select(Retiree).where(Retiree.id.in_(wanted))
                                             .options(selectinload(Retiree.groups)))}


def find_person(session: Session, retiree_id: int, *, scope: int | None = None) -> Retiree | None:
    """The person with this id, if there is one and the scope (a group) includes them."""
    person = session.scalar(sa.select(Retiree).where(Retiree.id == retiree_id).options(
        selectinload(Retiree.groups), selectinload(Retiree.contacts)))
    if person is None or (scope is not None and scope not in {g.id for g in person.groups}):
        return None
    return person


def named(session: Session, lines: str, *, scope: int | None = None) -> tuple[list[Retiree], list[str]]:
    """The people a clerk listed, one per line (or split by 、，,), each by full name or 编号;
    and for each line that names nobody, or more than one person, what is wrong with it."""
    people: dict[int, Retiree] = {}
    problems = []
    for line in filter(None, (_BORN_NOTE.sub("", part.strip()) for part in _LIST.split(lines))):
        internal = _INTERNAL.fullmatch(line)  # 「内部编号 203」, as the namesakes' problem names them
        said = Retiree.id == int(internal.group(1)) if internal else sa.or_(
            Retiree.name == line, sa.func.upper(Retiree.number) == line.upper())
        where = [Retiree.anonymised_at.is_(None), said]
        where += [in_group(scope)] if scope is not None else []
        found = session.scalars(sa.select(Retiree).where(*where).order_by(Retiree.id).limit(6)).all()
        if len(found) == 1:
            people[found[0].id] = found[0]
        elif not found:
            problems.append(f"「{line}」：名册里没有这个姓名或编号。")
        else:
            numbers = "、".join(f"{p.number or f'内部编号 {p.id}'}（{p.birth_date.year} 年生）"
                                for p in found)
            problems.append(f"「{line}」有 {len(found)} 位同名，请照抄其中一位的编号"
                            f"（连同「内部编号」几个字）：{numbers}。")
    return list(people.values()), problems


def person_called(session: Session, name: str) -> Retiree | None:
    """The one living person on the roster called exactly name (the full name said before a death
    word: 「王明华去世了」 is never 王明); None for nobody, namesakes, or someone already recorded dead."""
    alive = (Retiree.anonymised_at.is_(None), Retiree.died_on.is_(None))
    found = session.scalars(sa.select(Retiree).where(*alive, Retiree.name == simplified(name)).limit(2)).all()
    return found[0] if len(found) == 1 else None


def search(session: Session, text: str, *, group_id: int | None = None, scope: int | None = None,
           limit: int = LIMIT, offset: int = 0, with_groups: bool = True) -> Found:
    """People (anonymised ones aside) matching text and in the group, by name; all when text is
    empty. limit and offset page through them; with_groups loads each one's groups too."""
    where = [Retiree.anonymised_at.is_(None), *_matching(text.strip())]
    where += [in_group(g) for g in (group_id, scope) if g is not None]
    total = session.scalar(sa.select(sa.func.count()).select_from(Retiree).where(*where)) or 0
    query = (sa.select(Retiree).where(*where).order_by(Retiree.name_initials, Retiree.name, Retiree.id)
             .limit(limit).offset(offset))
    people = session.scalars(query.options(selectinload(Retiree.groups)) if with_groups else query).all()
    return Found(list(people), total)


def _matching(said: str) -> list[sa.ColumnElement[bool]]:
    """What text can mean: digits a phone's end or a 编号, letters initials, anything a name —
    as clerks type them: a phone in groups (139 7698 0903), a 编号 in small letters, a name in
    traditional characters (韋慶祥)."""
    text = unicodedata.normalize("NFKC", said)
    if (digits := _SEPARATORS.sub("", text)).isdigit():
        text = digits
    elif _HAN.search(text):  # 「韦 庆祥」 copied from a document that spaced it out
        text = re.sub(r"\s+", "", text)
    if not text:
        return []
    like = f"%{_escape(text)}%"
    names = {text, simplified(text)}  # both: a name on file may keep a character opencc changes
    meanings = [*(Retiree.name.like(f"%{_escape(n)}%", escape="\\") for n in names),
                sa.func.upper(Retiree.number) == text.upper()]
    if text.isdigit():
        # A phone by its end only: digits matched anywhere would let a role that sees the last
        # four rebuild the whole number a digit at a time.
        meanings += [Retiree.phone.like(f"%{_escape(text)}", escape="\\"),
                     Retiree.number.like(like, escape="\\")]
    if _LETTERS.fullmatch(text.lower()):
        start = f"{_escape(text.lower())}%"
        meanings += [Retiree.name_initials.like(start, escape="\\"),
                     Retiree.name_initials.like(f"% {start}", escape="\\")]
    return [sa.or_(*meanings)]


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
