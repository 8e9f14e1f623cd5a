"""A group's monthly message by mass send: one call, everyone once, within each person's 4 a month."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime

import sqlalchemy as sa

from bot.clock import SHANGHAI, FixedClock
from bot.db.engine import transaction
from bot.delivery import outbox
from bot.delivery.mass import MASS_LOCK
from bot.delivery.queue import deliver
from bot.models import Binding, Channel, Group, GroupMember, MiniUser, OutboxMessage, OutboxStatus
from bot.services import Services, build_services
from bot.standin import StandinServer
from bot.wechat_api.store import lock_if_free
from tests.office_fixtures import Branch

SENDALL = "cgi-bin/message/mass/sendall"
SEND = "cgi-bin/message/mass/send"
CUSTOM = "cgi-bin/message/custom/send"
MEMBERS = {"o_zhang", "o_li", "o_sun_daughter"}  # 第一支部's living, following members' accounts
TEXT = "12 月 5 日集中学习：学习材料已发到手机上，点开就能看。"


def push(services: Services, key: str = "study:2026-11:第一支部", to: str = "group:第一支部",
         text: str = TEXT) -> None:
    with transaction(services.sessions) as session:
        deliver(session, to, key=key, text=text, now=services.clock.now(), kind="study", mass=True)


def tag_group(services: Services, openids: set[str], name: str = "第一支部") -> int:
    """Give the group a WeChat tag holding openids."""
    tag_id = services.wechat.tag.create(name)["id"]
    services.wechat.tag.tag_user(tag_id, sorted(openids))
    with transaction(services.sessions) as session:
        session.execute(sa.update(Group).where(Group.name == name).values(wechat_tag_id=tag_id))
    return tag_id


def delivered(standin: StandinServer) -> Counter[str]:
    """Who got a mass message, and how many times (as WeChat counts it)."""
    return Counter(o for path in (SENDALL, SEND) for c in standin.calls(path=path) for o in c.delivered)


def statuses(services: Services) -> dict[str, tuple[str, str | None]]:
    with services.sessions() as session:
        return {r.recipient: (r.status, r.channel) for r in session.scalars(sa.select(OutboxMessage))}


def test_a_group_push_goes_by_its_tag_when_the_tag_holds_exactly_its_members(
        office: Services, branch: Branch, standin: StandinServer) -> None:
    tag_id = tag_group(office, MEMBERS)
    push(office)
    assert outbox.drain(office) == 3
    [call] = standin.calls(path=SENDALL)
    assert call.body["filter"] == {"is_to_all": False, "tag_id": tag_id}
    assert call.body["text"]["content"] == TEXT
    assert delivered(standin) == Counter(MEMBERS)
    assert statuses(office) == dict.fromkeys(MEMBERS, (OutboxStatus.SENT, Channel.MASS))
    assert outbox.drain(office) == 0 and len(standin.calls(path=SENDALL)) == 1


def test_a_tag_that_holds_someone_else_is_not_used_the_openid_list_is(
        office: Services, branch: Branch, standin: StandinServer) -> None:
    tag_group(office, MEMBERS | {"o_zhou"})  # 周 is in the other branch
    push(office)
    outbox.drain(office)
    assert standin.calls(path=SENDALL) == []
    [call] = standin.calls(path=SEND)
    assert set(call.body["touser"]) == MEMBERS
    assert delivered(standin) == Counter(MEMBERS)


def test_queueing_the_same_push_again_sends_nothing_more(
        office: Services, branch: Branch, standin: StandinServer) -> None:
    push(office)
    outbox.drain(office)
    push(office)
    outbox.drain(office)
    assert len(standin.calls(path=SEND)) == 1
    assert delivered(standin) == Counter(MEMBERS)


def test_whoever_had_four_mass_messages_this_month_gets_it_another_way(
        office: Services, branch: Branch, standin: StandinServer) -> None:
    standin.open_window("o_zhang")
    _reading_club(office, branch, ["张明", "周平"])
    for n in range(4):  # four earlier mass messages this month, to 张 and 周 only
        push(office, key=f"club:{n}", to="group:读书会")
        outbox.drain(office)
    assert delivered(standin) == Counter({"o_zhang": 4, "o_zhou": 4})
    push(office)
    outbox.drain(office)
    assert delivered(standin) == Counter({"o_zhang": 4, "o_zhou": 4, "o_li": 1, "o_sun_daughter": 1})
    with office.sessions() as session:
        study = {r.recipient: (r.status, r.channel) for r in session.scalars(
            sa.select(OutboxMessage).where(OutboxMessage.dedupe_key.startswith("study:")))}
    assert study == {"o_zhang": (OutboxStatus.SENT, Channel.CUSTOM),  # their window is open
                     "o_li": (OutboxStatus.SENT, Channel.MASS),
                     "o_sun_daughter": (OutboxStatus.SENT, Channel.MASS)}


def test_the_count_starts_again_each_calendar_month_in_china_time(
        office: Services, branch: Branch, standin: StandinServer, clock: FixedClock) -> None:
    clock.advance(seconds=(datetime(2026, 11, 30, 23, 50, tzinfo=SHANGHAI) - clock.now()).total_seconds())
    for n in range(4):
        push(office, key=f"november:{n}")
        outbox.drain(office)
    clock.advance(minutes=20)  # 1 December, 00:10 in Beijing; still 30 November in UTC
    push(office, key="study:2026-12:第一支部")
    outbox.drain(office)
    assert len(standin.calls(path=SEND)) == 5
    with office.sessions() as session:
        december = session.scalars(sa.select(OutboxMessage.channel).where(
            OutboxMessage.batch == "study:2026-12:第一支部")).all()
    assert december == [Channel.MASS] * 3


def test_one_person_left_in_a_batch_gets_it_by_the_ordinary_channels(
        office: Services, branch: Branch, standin: StandinServer) -> None:
    standin.open_window("o_zhang")
    push(office, to=f"retiree:{branch.ids['张明']}")
    assert outbox.drain(office) == 1
    assert standin.calls(path=SEND) == [] and len(standin.calls(path=CUSTOM)) == 1
    assert statuses(office) == {"o_zhang": (OutboxStatus.SENT, Channel.CUSTOM)}


def test_a_mass_send_whose_answer_was_lost_is_asked_again_and_delivered_once(
        office: Services, branch: Branch, standin: StandinServer, clock: FixedClock) -> None:
    slow = build_services(replace(office.settings, wechat=replace(office.settings.wechat, timeout=0.3)),
                          clock=clock)
    try:
        push(slow)
        assert slow.wechat.access_token  # fetched while WeChat is quick
        standin.state.settings.latency = 0.6  # WeChat takes the job, but we stop waiting first
        assert outbox.drain(slow) == 0
        standin.state.settings.latency = 0.0
        _wait_for(lambda: delivered(standin) == Counter(MEMBERS))
        assert set(statuses(slow).values()) == {(OutboxStatus.PENDING, Channel.MASS)}
        clock.advance(minutes=5)
        assert outbox.drain(slow) == 3
    finally:
        slow.close()
    first, second = (c.body["clientmsgid"] for c in standin.calls(path=SEND))
    assert first == second  # the same job: WeChat says it has it (45065)
    assert standin.calls(path=SEND)[-1].errcode == 45065
    assert delivered(standin) == Counter(MEMBERS)
    assert statuses(office) == dict.fromkeys(MEMBERS, (OutboxStatus.SENT, Channel.MASS))


def test_a_sender_that_died_during_the_call_leaves_nothing_uncertain_and_nothing_twice(
        office: Services, branch: Branch, standin: StandinServer, clock: FixedClock) -> None:
    from bot.delivery import mass

    push(office)
    job = mass._claim(office)  # claimed and marked sending; then the sender is killed
    assert job is not None and len(job.rows) == 3
    clock.advance(seconds=office.settings.delivery.send_lease + 1)
    assert outbox.drain(office) == 3
    assert delivered(standin) == Counter(MEMBERS)
    assert OutboxStatus.UNCERTAIN not in {s for s, _ in statuses(office).values()}


def test_when_wechat_asks_us_to_slow_down_the_batch_waits_and_goes_later(
        office: Services, branch: Branch, standin: StandinServer, clock: FixedClock) -> None:
    standin.state.settings.minute_limits[SEND] = 0
    push(office)
    assert outbox.drain(office) == 0
    assert set(statuses(office).values()) == {(OutboxStatus.PENDING, Channel.MASS)}
    standin.state.settings.minute_limits[SEND] = 60
    clock.advance(minutes=2)
    standin.state.minute_hits.clear()
    assert outbox.drain(office) == 3
    assert delivered(standin) == Counter(MEMBERS)


def _wait_for(condition: Callable[[], bool], timeout: float = 5) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def _reading_club(services: Services, branch: Branch, names: list[str]) -> None:
    """Another group, 读书会, with some of the branch's members."""
    with transaction(services.sessions) as session:
        club = Group(kind="其他", name="读书会")
        session.add(club)
        session.flush()
        session.add_all(GroupMember(group_id=club.id, retiree_id=branch.ids[n]) for n in names)


def test_while_another_sender_is_on_the_mass_sends_this_one_leaves_them_waiting(
        office: Services, branch: Branch, standin: StandinServer) -> None:
    push(office)
    with lock_if_free(office.store, MASS_LOCK) as mine:  # another sender counts and spends quotas
        assert mine
        assert outbox.drain(office) == 0
        assert delivered(standin) == Counter() and standin.calls(path=CUSTOM) == []
        assert {status for status, _ in statuses(office).values()} == {OutboxStatus.PENDING}
    assert outbox.drain(office) == 3
    assert delivered(standin) == Counter(MEMBERS)


def test_a_mini_program_member_is_never_in_the_accounts_mass_send(
        office: Services, branch: Branch, standin: StandinServer) -> None:
    now = office.clock.now()
    with transaction(office.sessions) as session:  # 王芳 (no WeChat account) bound in the mini-program
        session.add(MiniUser(openid="o_mini_wang", created_at=now, last_login_at=now))
        session.add(Binding(openid="o_mini_wang", app="mini", retiree_id=branch.ids["王芳"], role="self",
                            bound_at=now))
    tag_group(office, MEMBERS)
    push(office)
    outbox.drain(office)
    assert len(standin.calls(path=SENDALL)) == 1  # the tag still holds exactly the account's members
    assert delivered(standin) == Counter(MEMBERS)
    assert statuses(office)["o_mini_wang"] == (OutboxStatus.MAILBOX, Channel.MAILBOX)  # in 我的通知
