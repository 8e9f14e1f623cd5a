"""An office for delivery tests: staff openids, and a branch whose members cover every case."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date

import pytest

from bot.clock import FixedClock
from bot.config import StaffSettings
from bot.db.engine import transaction
from bot.models import Binding, Follower, Group, GroupMember, Retiree
from bot.services import Services, build_services
from tests.helpers import user_wrote


@dataclass
class Branch:
    """A party branch whose members cover every case a notice meets."""

    ids: dict[str, int]


def add_person(session, now, name: str, *, phone: str = "13800000000", died: bool = False) -> Retiree:
    person = Retiree(name=name, phone=phone, birth_date=date(1938, 3, 1), status="退休",
                     died_on=date(2026, 10, 1) if died else None, created_at=now, updated_at=now)
    session.add(person)
    session.flush()
    return person


def bind(session, now, person: Retiree, openid: str, *, role: str = "self", follows: bool = True) -> None:
    session.add(Follower(openid=openid, active=follows, first_seen_at=now))
    session.add(Binding(openid=openid, retiree_id=person.id, role=role,
                        relation="女儿" if role == "agent" else None, bound_at=now))


@pytest.fixture
def office(api_services: Services, clock: FixedClock) -> Iterator[Services]:
    """The office's services, with two staff openids."""
    settings = replace(api_services.settings, staff=StaffSettings(openids=("o_staff_1", "o_staff_2")))
    built = build_services(settings, clock=clock)
    yield built
    built.close()


@pytest.fixture
def branch(office: Services) -> Branch:
    """第一支部: 张 writes often, 李 has not written lately, 王 has no WeChat, 赵 has died,
    钱 unfollowed, 孙's daughter acts for her; 周 is in another branch."""
    now = office.clock.now()
    ids = {}
    with transaction(office.sessions) as session:
        first, second = Group(kind="党支部", name="第一支部"), Group(kind="党支部", name="第二支部")
        session.add_all([first, second])
        session.flush()
        people = [("张明", "o_zhang", {}), ("李华", "o_li", {}),
                  ("王芳", None, {"phone": "13900000003"}), ("赵强", "o_zhao", {"died": True}),
                  ("钱进", "o_qian", {}), ("孙兰", "o_sun_daughter", {}), ("周平", "o_zhou", {})]
        for name, openid, extra in people:
            person = add_person(session, now, name, **extra)
            ids[name] = person.id
            if openid:
                bind(session, now, person, openid, role="agent" if name == "孙兰" else "self",
                     follows=name != "钱进")
            group = second if name == "周平" else first
            session.add(GroupMember(group_id=group.id, retiree_id=person.id))
    user_wrote(office, "o_zhang")
    return Branch(ids)


@pytest.fixture
def cli(office: Services, tmp_path, monkeypatch: pytest.MonkeyPatch):
    """Run `python -m bot …` against the office's database; returns (exit code, stdout, stderr)."""
    from bot.cli import main
    from tests.helpers import write_config

    monkeypatch.setenv("BOT_CONFIG", str(write_config(tmp_path, office.settings)))

    def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
        code = main(list(args))
        out = capsys.readouterr()
        return code, out.out, out.err
    return run


@pytest.fixture
def office_site(office: Services):
    """The office's app served on a free local port (a thread per request); its base URL."""
    from bot import create_app
    from tests.helpers import served

    with served(create_app(services=office)) as base:
        yield base
