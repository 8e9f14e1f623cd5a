"""The world every dialogue starts from (README.md here): an office, five retirees, two
activities, two speakers already bound, and one member of staff."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import sqlalchemy as sa

from bot.activities.catalog import load_file
from bot.activities.signups import sign_up
from bot.db.engine import transaction
from bot.models import Activity, Binding, Follower, Group, GroupMember, Retiree
from bot.services import Services

STAFF = "o_staff_1"
SPEAKERS = {"self": "o_lin_xiuying", "family": "o_wang_daughter", "staff": STAFF}
PEOPLE = (  # name, phone, branch, died on
    ("姚文斌", "18026566827", "第一支部", None),
    ("林秀英", "13911112222", "第一支部", None),
    ("王德明", "13733334444", "第一支部", None),
    ("刘桂兰", "13655556666", "第一支部", date(2026, 10, 1)),
    ("陈志强", "13577778888", "第二支部", None),
)
ACTIVITIES = """
[[activity]]
title = "冬至茶话会"
kind = "茶话会"
starts_at = 2026-12-21T14:30:00
place = "老干部活动中心二楼"
meeting_point = "中心大门口"
capacity = 3
deadline = 2026-12-18T17:00:00
cancel_until = 2026-12-20T12:00:00
groups = ["第一支部"]
companion_seats = 1
notes = "请带上老年证"

[[activity]]
title = "健康知识讲座"
kind = "其他"
starts_at = 2026-12-28T09:30:00
place = "老干部活动中心一楼"
capacity = 1
deadline = 2026-12-25T17:00:00
cancel_until = 2026-12-27T12:00:00
groups = ["all"]
"""


def build_world(services: Services, tmp_path: Path) -> dict[str, int]:
    """Fill the database; the retirees' ids by name."""
    now = services.clock.now()
    ids: dict[str, int] = {}
    with transaction(services.sessions) as session:
        groups = {name: Group(kind="党支部", name=name) for name in ("第一支部", "第二支部")}
        session.add_all(groups.values())
        session.flush()
        for name, phone, branch, died_on in PEOPLE:
            person = Retiree(name=name, phone=phone, birth_date=date(1940, 3, 1), status="退休",
                             died_on=died_on, created_at=now, updated_at=now)
            session.add(person)
            session.flush()
            ids[name] = person.id
            session.add(GroupMember(group_id=groups[branch].id, retiree_id=person.id))
        for openid, name, relation in ((SPEAKERS["self"], "林秀英", None),
                                       (SPEAKERS["family"], "王德明", "女儿")):
            session.add(Follower(openid=openid, active=True, first_seen_at=now))
            session.add(Binding(openid=openid, retiree_id=ids[name], role="agent" if relation else "self",
                                relation=relation, bound_at=now))
        session.add(Follower(openid=STAFF, active=True, first_seen_at=now))
        path = tmp_path / "activities.toml"
        path.write_text(ACTIVITIES, encoding="utf-8")
        load_file(session, path, now)
        lecture = session.scalar(sa.select(Activity.id).where(Activity.title == "健康知识讲座"))
        sign_up(session, lecture, ids["陈志强"], openid="o_chen", by_agent=False, companion=False, now=now)
    return ids
