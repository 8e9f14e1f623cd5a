"""The retiree roster (离退休人员信息库): people, their emergency contacts and their groups."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from pypinyin import Style, pinyin
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from bot.db.engine import Base

GROUP_KINDS = ("党支部", "老年大学班级", "居住片区", "其他")


# 健康状况 as the office records it (bot.roster.fields reads the variants people write).
HEALTH_STATES = ("健康", "一般", "长年有病", "生活不能自理")
POOR_HEALTH = HEALTH_STATES[2:]  # those who may need a visit


# How these characters are read as a surname, where the everyday reading differs (曾 is Zēng as
# a surname, not céng; 解 Xiè, not jiě): the first letter 名册 sorts by. From 《百家姓》's readings.
SURNAME_INITIALS = {"曾": "z", "单": "s", "解": "x", "区": "o", "仇": "q", "查": "z", "朴": "p", "盖": "g",
                    "缪": "m", "覃": "q", "翟": "z", "尉": "w", "乐": "y", "长": "c", "繁": "p",
                    "员": "y", "柏": "b", "秘": "b", "祭": "z", "种": "c", "折": "s", "召": "s"}


def name_initials(name: str) -> str:
    """The pinyin initials clerks type to find someone (张明 → zm); a surname read more than one
    way (曾 céng/zēng, 单 shàn/dān) gives each reading, space-separated, its surname reading first
    (名册 sorts 曾 under Z)."""
    letters = pinyin(name, style=Style.FIRST_LETTER, heteronym=True, errors="ignore")
    if not letters:
        return ""
    rest = "".join(options[0] for options in letters[1:]).lower()
    firsts = [SURNAME_INITIALS.get(name[0], ""), *(first.lower() for first in letters[0][:3])]
    return " ".join(dict.fromkeys(first + rest for first in firsts if first))


class Retiree(Base):
    """One 离休 or 退休 cadre as the office keeps them; required fields are few."""

    __tablename__ = "retirees"
    __table_args__ = (sa.Index("ix_retirees_name_birth", "name", "birth_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str | None] = mapped_column(sa.String(40), unique=True)
    name: Mapped[str] = mapped_column(sa.String(40))
    name_initials: Mapped[str] = mapped_column(sa.String(80), default="", server_default="")
    gender: Mapped[str | None] = mapped_column(sa.String(2))
    birth_date: Mapped[date]
    birth_precision: Mapped[str] = mapped_column(sa.String(8), default="day")
    lunar_birthday: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(sa.String(4))
    work_start: Mapped[date | None]
    former_unit: Mapped[str | None] = mapped_column(sa.String(200))
    rank: Mapped[str | None] = mapped_column(sa.String(80))
    party_member: Mapped[bool] = mapped_column(default=False)
    party_join_date: Mapped[date | None]
    address: Mapped[str | None] = mapped_column(sa.String(300))
    phone: Mapped[str | None] = mapped_column(sa.String(40))
    health: Mapped[str | None] = mapped_column(sa.String(16))
    lives_alone: Mapped[bool] = mapped_column(default=False)
    hardship: Mapped[bool] = mapped_column(default=False)
    relocated: Mapped[bool] = mapped_column(default=False)
    relocated_to: Mapped[str | None] = mapped_column(sa.String(200))
    died_on: Mapped[date | None]
    notes: Mapped[str | None] = mapped_column(sa.Text)  # at most bot.roster.rows.NOTES_LENGTH, as read
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    anonymised_at: Mapped[datetime | None]
    # A one-way digest of who this was, so a later import can recognise and refuse them.
    forgotten_key: Mapped[str | None] = mapped_column(sa.String(64))

    contacts: Mapped[list[EmergencyContact]] = relationship(
        back_populates="retiree", cascade="all, delete-orphan", order_by="EmergencyContact.position")
    groups: Mapped[list[Group]] = relationship(secondary="group_members", back_populates="members")

    @validates("name")
    def _keep_initials(self, _key: str, name: str) -> str:
        """Whoever renames a person (an edit, an import, anonymising) renews their initials."""
        self.name_initials = name_initials(name)
        return name

    @classmethod
    def living(cls) -> sa.ColumnElement[bool]:
        """The retirees greetings, visits and reports are for: alive and not anonymised."""
        return sa.and_(cls.died_on.is_(None), cls.anonymised_at.is_(None))

    @property
    def deceased(self) -> bool:
        """True once staff have recorded a date of death."""
        return self.died_on is not None


class EmergencyContact(Base):
    """Someone to call about a retiree (紧急联系人), in the order staff listed them."""

    __tablename__ = "emergency_contacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    retiree_id: Mapped[int] = mapped_column(sa.ForeignKey("retirees.id", ondelete="CASCADE"),
                                            index=True)
    position: Mapped[int] = mapped_column(default=1)
    name: Mapped[str] = mapped_column(sa.String(40))
    relation: Mapped[str | None] = mapped_column(sa.String(20))
    phone: Mapped[str | None] = mapped_column(sa.String(40))

    retiree: Mapped[Retiree] = relationship(back_populates="contacts")


class Group(Base):
    """A party branch, an 老年大学 class, a residential area, or any group staff define."""

    __tablename__ = "groups"
    __table_args__ = (sa.UniqueConstraint("kind", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(16))
    name: Mapped[str] = mapped_column(sa.String(60))
    wechat_tag_id: Mapped[int | None]

    members: Mapped[list[Retiree]] = relationship(secondary="group_members",
                                                  back_populates="groups")


class GroupMember(Base):
    """A retiree's membership of a group (a retiree may belong to several)."""

    __tablename__ = "group_members"

    group_id: Mapped[int] = mapped_column(sa.ForeignKey("groups.id", ondelete="CASCADE"),
                                          primary_key=True)
    retiree_id: Mapped[int] = mapped_column(sa.ForeignKey("retirees.id", ondelete="CASCADE"),
                                            primary_key=True, index=True)
