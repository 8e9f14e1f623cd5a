"""Activity helpers: the tea party for 第一支部, loaded from a file the way staff do it, and
what the tests read back."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from bot.activities.catalog import load_file
from bot.db.engine import transaction
from bot.models import OutboxMessage, Signup
from bot.services import Services
from tests.helpers import Chat

WINTER_TEA = """
[[activity]]
title = "冬至茶话会"
kind = "茶话会"
starts_at = 2026-12-21T14:30:00
place = "老干部活动中心二楼"
meeting_point = "中心大门口"
transport = "自行前往，中心有停车位"
capacity = {capacity}
deadline = 2026-12-18T17:00:00
cancel_until = 2026-12-20T12:00:00
groups = [{groups}]
companion_seats = 1
notes = "请带上老年证"
contact = "王老师 0000-12345678"
"""


def activity_file(tmp_path: Path, capacity: int = 3, groups: str = '"第一支部"') -> Path:
    path = tmp_path / "activities.toml"
    path.write_text(WINTER_TEA.format(capacity=capacity, groups=groups), encoding="utf-8")
    return path


def load_activity(office: Services, tmp_path: Path, **options: object) -> int:
    """Load the tea party; its id."""
    with transaction(office.sessions) as session:
        [activity] = load_file(session, activity_file(tmp_path, **options), office.clock.now()).created
        return activity.id


def signups(office: Services) -> list[tuple[int, str, int, bool]]:
    """(retiree, status, seats, by_agent) of every sign-up, in arrival order."""
    with office.sessions() as session:
        return [(s.retiree_id, s.status, s.seats, s.by_agent)
                for s in session.scalars(sa.select(Signup).order_by(Signup.id))]


def queued(office: Services, like: str) -> list[OutboxMessage]:
    with office.sessions() as session:
        return list(session.scalars(sa.select(OutboxMessage).where(OutboxMessage.dedupe_key.like(like))
                                    .order_by(OutboxMessage.id)))


def add_member(office: Services, name: str, openid: str, group: str = "第一支部") -> int:
    """Another member of the group with their own WeChat account; their retiree id."""
    from bot.models import Group, GroupMember
    from tests.office_fixtures import add_person, bind

    with transaction(office.sessions) as session:
        person = add_person(session, office.clock.now(), name)
        bind(session, office.clock.now(), person, openid)
        group_id = session.scalar(sa.select(Group.id).where(Group.name == group))
        session.add(GroupMember(group_id=group_id, retiree_id=person.id))
        return person.id


def sign(chat: Chat, openid: str, *replies: str) -> str:
    """Say 报名, then each reply; the last answer."""
    answer = chat.say("报名", openid=openid) or ""
    for reply in replies:
        answer = chat.say(reply, openid=openid) or ""
    return answer
