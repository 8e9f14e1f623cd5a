"""Staff console benchmark: the pages a clerk opens, searching, and the roster export, over a
roster of 20,000 fictional retirees.

    .venv/bin/python bench/console.py [--rows 20000] [--requests 30] [--budget 60] [--database-url URL]

The roster is generated (bot.sandbox.sample_roster) and imported through the real importer; beside
it the office's everyday life, so that every room has something to show: WeChat bindings for 30%
of the roster (and family accounts for 5%); three months of study pushes (this month and the two
before, each on its 5th, this month's an hour ago if the 5th is still ahead) and readings (60% of
those on WeChat, a tenth of them by family; 10% of the others via staff); birthday greetings; 30
messages that did not get through this week; 36 open care reports (300 closed); 45 unanswered
留言 (800 answered), each with 2-6 messages its writer sent the bot in the week before, and
20,000 other inbound messages over the year; three activities with sign-ups (the biggest 115,
with a waitlist); birthday visit tasks and visit records; 10,000 audit-log entries; 1% of the
roster deceased; ten staff accounts. And one notice to everyone (audience "all"), sent 90
minutes ago through the real bot.notices.sending.send, which queues a copy per account that
reaches someone and records those it leaves out (the 70% not bound); its copies are then put
mid-way by bulk UPDATEs (NOTICE_MIX): 60% sent (40% by customer-service message, 20% by template),
20% in the mailbox, 3% dead, 2% sending, 2% cancelled, 13% still pending. Left out: anonymised
people, conversation state, 送学上门 assignments, and notices other than that one.

Printed, as Markdown tables:
  1. per console page (今日, 名册, a person's page, the edit form, 分组, a big group, 操作记录,
     账号; 通知: the list, the notice's page, its htmx partial (the counts it polls for while
     copies are going), the new-notice form; 学习: the months, the report of the newest seeded
     month with material in content/study (counts per group, the first 200 送学上门), the same
     for the biggest group (every member listed with their state); 活动 and the activity with
     the most sign-ups; 关怀 and an open care report; 留言 and an unanswered one — the open
     reports and 留言 taken in turn round by round): server time p50/p95/max over --requests
     requests, against p95 under 200 ms;
  2. per kind of search (pinyin initials, a full name, one character, a phone's last four, a 编号,
     a group filter, the htmx partial as the clerk types): likewise, with how many matched;
  3. the export (GET /console/roster/export, the whole streamed .xlsx read): wall time and peak
     memory (max RSS) of a fresh process, against under 10 s; and how long another database
     transaction waited meanwhile (on SQLite every transaction, reads too, queues on one lock).
Also the peak memory of the page-timing process. Server time is measured in-process with Flask's
test client (perf_counter around each request, reading the body included), signed in as an
administrator through the sign-in form, after one untimed round, with what start-up loaded frozen
out of the garbage collector's rounds as a gunicorn worker has it (gunicorn.conf.py); pages are
visited in turn, round after round, so a slower minute of a shared machine weighs on all of them alike. A line
that has spent --budget seconds gets no more requests once it has had three (a guard: 今日 once
took over a minute a request at 20,000 people, and thirty would have taken most of an hour).

Each step (setting up, timing pages, exporting) runs in a fresh process, so its peak memory is
its own. --database-url defaults to a new SQLite file; a PostgreSQL database given there is
emptied first (created when missing): give it a scratch one such as
postgresql+psycopg://postgres@127.0.0.1:5432/bench_console, never the tests' `test`. It is
ANALYZEd once set up, as autovacuum would have done by the time clerks use it (a server with
autovacuum off otherwise plans the searches on a table it believes nearly empty).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

if TYPE_CHECKING:
    from flask.testing import FlaskClient
    from sqlalchemy.orm import Session

    from bot.services import Services

ADMIN, PASSWORD = "bench_admin", "correct horse battery"
TARGET_MS = 200.0    # p95 of a page or a search
TARGET_EXPORT = 10.0  # seconds for the whole export
WARMUP = 1  # an untimed round first: templates compiled, statement caches filled
FEWEST = 3  # timed requests a line gets even when they overrun its time budget
_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
_FOUND = re.compile(r"(?:找到|共) (\d+) 人")


# --- the office ---------------------------------------------------------------------------------

def build(url: str, work: Path) -> Services:
    """The services a console worker runs with, on the system clock, uploads in the work folder."""
    from bot.clock import SystemClock
    from bot.config import ConsoleSettings, Settings, WeChatSettings
    from bot.services import build_services

    wechat = WeChatSettings(appid="wx_bench", secret="s", token="t", mode="plain")
    console = ConsoleSettings(secret_key="bench console", upload_dir=str(work / "uploads"))
    return build_services(Settings(wechat=wechat, database_url=url, console=console), clock=SystemClock())


def seed(url: str, work: Path, rows: int) -> dict[str, Any]:
    """Migrate, import the generated roster, add the office's everyday life and staff accounts."""
    from bot.db.migrate import upgrade
    from bot.roster.groups import ensure_groups
    from bot.roster.importer import import_file
    from bot.roster.sheets import write_sheet
    from bot.sandbox.sample_roster import HEADERS, generate
    from bot.sandbox.seed import SAMPLE_GROUPS

    started = time.perf_counter()
    upgrade(url)
    path = work / "roster.csv"
    write_sheet(path, HEADERS, generate(rows))
    services = build(url, work)
    with services.sessions.begin() as session:
        ensure_groups(session, SAMPLE_GROUPS)
    with services.sessions() as session:
        plan = import_file(session, path, actor="cli:bench", now=services.clock.now())
        assert plan.ok, plan.problems[:3]
        session.commit()
    imported = time.perf_counter() - started
    with services.sessions.begin() as session:
        made = office_life(session, services.clock.now(), random.Random(2026))
    with services.sessions.begin() as session:
        made |= notice_half_sent(session, services.settings, services.clock.now(), random.Random(12))
    with services.sessions.begin() as session:
        staff_accounts(session, services.clock.now())
    if services.engine.dialect.name == "postgresql":  # what autovacuum would have done by now
        with services.engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("ANALYZE")
    services.close()
    return {"imported": len(plan.creates), "import_seconds": imported,
            "seconds": time.perf_counter() - started, **made}


def office_life(session: Session, now: datetime, rng: random.Random) -> dict[str, int]:
    """What an office's days leave beside the roster; how many of each were made."""
    import sqlalchemy as sa

    from bot.models import Retiree

    ids = list(session.scalars(sa.select(Retiree.id).order_by(Retiree.id)))
    died = rng.sample(ids, len(ids) // 100)
    session.execute(sa.update(Retiree).where(Retiree.id.in_(died)).values(died_on=date(2025, 6, 1)))
    living = sorted(set(ids) - set(died))
    bound = _wechat(session, living, now, rng)
    made = {"deceased": len(died), "bound": len(bound)}
    made |= _messages(session, bound, now, rng)
    made |= _readings(session, living, bound, now, rng)
    made |= _care(session, bound, living, now, rng)
    made |= _tickets(session, bound, now, rng)
    made |= _activities(session, bound, now, rng)
    made |= _visits(session, living, now, rng)
    made |= _audit(session, ids, now, rng)
    return made


def _wechat(session: Session, living: list[int], now: datetime, rng: random.Random) -> dict[int, str]:
    """30% bound to their own WeChat, 5% with a family member's account too; retiree id → openid."""
    import sqlalchemy as sa

    from bot.models import Binding, Follower

    bound = {rid: f"o_bench_{rid}" for rid in rng.sample(living, len(living) * 3 // 10)}
    family = {rid: f"o_bench_family_{rid}" for rid in rng.sample(living, len(living) // 20)}
    followers, bindings = [], []
    for accounts, role in ((bound, "self"), (family, "agent")):
        for rid, openid in accounts.items():
            seen = now - timedelta(days=rng.randrange(1, 700))
            followers.append({"openid": openid, "active": rng.random() > 0.05, "first_seen_at": seen,
                              "followed_at": seen, "bind_failures": 0})
            bindings.append({"openid": openid, "retiree_id": rid, "role": role,
                             "relation": "女儿" if role == "agent" else None, "bound_at": seen})
    session.execute(sa.insert(Follower), followers)
    session.execute(sa.insert(Binding), bindings)
    return bound


def _months(now: datetime, count: int) -> list[tuple[str, datetime]]:
    """This month and the ones before it, each with its study day (the 5th, 09:00 Beijing)."""
    from bot.clock import SHANGHAI

    first = now.astimezone(SHANGHAI).date().replace(day=1)
    months = []
    for _ in range(count):
        months.append((f"{first:%Y-%m}", datetime(first.year, first.month, 5, 9, tzinfo=SHANGHAI)))
        first = (first - timedelta(days=1)).replace(day=1)
    return months


def _messages(session: Session, bound: dict[int, str], now: datetime, rng: random.Random) -> dict[str, int]:
    """Study pushes for three months and birthday greetings (sent), and 30 that did not get through."""
    from bot.delivery.outbox import enqueue_many, new_row
    from bot.models import OutboxStatus

    rows = []
    for month, day in _months(now, 3):
        sent_at = min(day, now - timedelta(hours=1))
        for rid, openid in bound.items():
            row = new_row(recipient=openid, text=f"{month} 学习材料", kind="study", now=sent_at,
                          retiree_id=rid, dedupe_key=f"study:{month}:day:{rid}:{openid}")
            status = OutboxStatus.SENT if rng.random() < 0.9 else OutboxStatus.SHOWN
            rows.append(row | {"status": status, "channel": "mass", "sent_at": sent_at, "attempts": 1})
    for rid, openid in rng.sample(sorted(bound.items()), len(bound) // 12):
        sent_at = now - timedelta(days=rng.randrange(1, 365))
        rows.append(new_row(recipient=openid, text="生日快乐！", kind="greeting", now=sent_at, retiree_id=rid,
                            dedupe_key=f"greeting:{sent_at:%Y}:{rid}:{openid}")
                    | {"status": OutboxStatus.SENT, "channel": "template", "sent_at": sent_at, "attempts": 1})
    problems = rng.sample(sorted(bound.items()), 30)
    for n, (rid, openid) in enumerate(problems):
        tried = now - timedelta(hours=rng.uniform(1, 6 * 24))
        status = OutboxStatus.DEAD if n < 25 else OutboxStatus.UNCERTAIN
        kind = rng.choice(("notice", "greeting", "ticket"))
        rows.append(new_row(recipient=openid, text="活动通知", kind=kind, now=tried - timedelta(hours=2),
                            retiree_id=rid, dedupe_key=f"bench:problem:{n}")
                    | {"status": status, "due_at": tried, "attempts": 6, "channel": "template",
                       "last_error": "43004 需要接收者关注" if status == OutboxStatus.DEAD else None})
    for start in range(0, len(rows), 5000):
        enqueue_many(session, rows[start:start + 5000])
    return {"outbox messages": len(rows), "undelivered": len(problems)}


def _readings(session: Session, living: list[int], bound: dict[int, str], now: datetime,
              rng: random.Random) -> dict[str, int]:
    """Three months of reading: 60% of those on WeChat (a tenth of them recorded by family on their
    behalf), and 10% of the others via staff."""
    import sqlalchemy as sa

    from bot.models import StudyReading

    rows = []
    for month, day in _months(now, 3):
        for rid in living:
            on_wechat = rid in bound
            if rng.random() < (0.6 if on_wechat else 0.1):
                read = min(day + timedelta(hours=rng.uniform(1, 20 * 24)), now)
                rows.append({"retiree_id": rid, "month": month, "read_at": read,
                             "via": "page" if on_wechat else "staff",
                             "by_agent": on_wechat and rng.random() < 0.1})
    for start in range(0, len(rows), 5000):
        session.execute(sa.insert(StudyReading), rows[start:start + 5000])
    return {"study readings": len(rows)}


def _care(session: Session, bound: dict[int, str], living: list[int], now: datetime,
          rng: random.Random) -> dict[str, int]:
    """36 open care reports (a few urgent) and 300 closed ones."""
    import sqlalchemy as sa

    from bot.models import CareReport

    kinds = ("death", "critical") + ("hospital",) * 5 + ("fall",) * 3
    texts = {"death": "我父亲昨天夜里走了", "critical": "老人病危，在市人民医院抢救",
             "hospital": "住院了，在市中医院三楼", "fall": "在家摔了一跤，腿骨折了"}
    rows = []
    for n in range(336):
        rid = rng.choice(sorted(bound)) if n % 4 else rng.choice(living)
        kind, relative = rng.choice(kinds), rng.random() < 0.6
        created = now - timedelta(hours=rng.uniform(1, 72 if n < 36 else 24 * 365))
        rows.append({"openid": bound.get(rid, f"o_bench_reporter_{n}"), "retiree_id": rid, "kind": kind,
                     "subject": "relative" if relative else "self", "relative": "女儿" if relative else None,
                     "text": texts[kind], "reporter_phone": "13900001234" if relative else None,
                     "created_at": created, "closed_at": None if n < 36 else created + timedelta(days=1),
                     "outcome": None if n < 36 else "已电话慰问", "death_confirmed_on": None})
    session.execute(sa.insert(CareReport), rows)
    return {"open care reports": 36}


def _tickets(session: Session, bound: dict[int, str], now: datetime, rng: random.Random) -> dict[str, int]:
    """45 unanswered 留言 (a third over a day old) and 800 answered ones; what each writer said to
    the bot in the week before (2-6 messages with the bot's answers, which a 留言's page shows), and
    20,000 other messages from the bound over the year."""
    import sqlalchemy as sa

    from bot.models import InboundMessage, Ticket

    texts = ("暖气不热，请帮忙问问", "体检是哪天？", "报销的单据交给谁", "想订明年的报纸",
             "老伴住院了，能来看看吗")
    rows = []
    for n in range(845):
        rid, open_ = rng.choice(sorted(bound)), n < 45
        created = now - timedelta(hours=rng.uniform(1, 72) if open_ else rng.uniform(24, 24 * 365))
        rows.append({"openid": bound[rid], "retiree_id": rid, "by_agent": False, "text": rng.choice(texts),
                     "created_at": created, "answered_at": None if open_ else created + timedelta(hours=5),
                     "answer": None if open_ else "已转告，请放心。"})
    session.execute(sa.insert(Ticket), rows)
    said = [(t["retiree_id"], t["openid"], t["created_at"] - timedelta(hours=rng.uniform(0.1, 7 * 24)))
            for t in rows for _ in range(rng.randint(2, 6))]
    said += [(rid, bound[rid], now - timedelta(minutes=rng.uniform(1, 365 * 24 * 60)))
             for rid in rng.choices(sorted(bound), k=20_000)]
    chat = (("学习", "本月学习材料：温暖过冬，健康相伴"), ("菜单", "请回复数字选择：1 学习 2 活动 3 留言"),
            ("报名", "已为您报名，活动前一天会提醒您。"),
            ("暖气不热", "已记下您的留言，工作人员会尽快回复。"), ("谢谢", "不客气，祝您身体健康！"))
    messages = []
    for n, (rid, openid, at) in enumerate(said):
        text, reply = rng.choice(chat)
        messages.append({"dedupe_key": f"bench:inbound:{n}", "request_key": None, "openid": openid,
                         "msg_id": None, "msg_type": "text", "event": None, "text": text, "sent_at": at,
                         "received_at": at, "route": "bench", "reply_text": reply, "replied_late": False,
                         "retiree_id": rid, "by_agent": False})
    for start in range(0, len(messages), 5000):
        session.execute(sa.insert(InboundMessage), messages[start:start + 5000])
    return {"open tickets": 45, "inbound messages": len(messages)}


def _activities(session: Session, bound: dict[int, str], now: datetime, rng: random.Random) -> dict[str, int]:
    """Two activities ahead (one full, with a waitlist) and one past, with their sign-ups."""
    import sqlalchemy as sa

    from bot.models import Activity, ActivityStatus, Signup, SignupStatus

    plans = (("重阳登山", 10, 100, 115), ("茶话会", 20, 60, 40), ("参观新区", -30, 50, 50))
    signups = []
    for title, days, capacity, wanted in plans:
        starts = now + timedelta(days=days)
        activity = Activity(title=title, kind="出游", starts_at=starts, place="活动中心", capacity=capacity,
                            deadline=starts - timedelta(days=3), cancel_until=starts - timedelta(days=1),
                            groups=["all"], companion_seats=0, status=ActivityStatus.OPEN,
                            meeting_point=None, transport=None, notes=None, contact=None,
                            created_at=now - timedelta(days=40), updated_at=now - timedelta(days=40))
        session.add(activity)
        session.flush()
        for n, rid in enumerate(rng.sample(sorted(bound), wanted)):
            status = SignupStatus.CONFIRMED if n < capacity else SignupStatus.WAITING
            signups.append({"activity_id": activity.id, "retiree_id": rid, "openid": bound[rid],
                            "by_agent": False, "companion": False, "seats": 1, "status": status,
                            "created_at": now - timedelta(days=rng.uniform(1, 30)),
                            "attended": (rng.random() < 0.9) if days < 0 else None})
    session.execute(sa.insert(Signup), signups)
    return {"sign-ups": len(signups)}


def _visits(session: Session, living: list[int], now: datetime, rng: random.Random) -> dict[str, int]:
    """12 birthday visits to make this week and 150 made; 600 visit records."""
    import sqlalchemy as sa

    from bot.models import CareTask, CareVisit

    today = now.date()
    tasks = [{"retiree_id": rid, "kind": "上门祝寿", "due_on": today + timedelta(days=n % 7),
              "detail": "九十大寿", "created_at": now - timedelta(days=30),
              "done_at": None if n < 12 else now - timedelta(days=rng.randrange(1, 300))}
             for n, rid in enumerate(rng.sample(living, 162))]
    visits = [{"retiree_id": rid, "kind": rng.choice(("生日", "住院", "节日", "日常", "遗属")),
               "visited_on": today - timedelta(days=rng.randrange(1, 365)), "visitor": "王丽",
               "notes": "精神不错", "created_at": now} for rid in rng.sample(living, 600)]
    session.execute(sa.insert(CareTask), tasks)
    session.execute(sa.insert(CareVisit), visits)
    return {"open visit tasks": 12}


def _audit(session: Session, ids: list[int], now: datetime, rng: random.Random) -> dict[str, int]:
    """A year of the office's audit log: 10,000 entries by four clerks."""
    import sqlalchemy as sa

    from bot.models import AuditEntry

    actions = ("roster.edit",) * 6 + ("ticket.reply",) * 3 + ("care.close", "care.visit", "group.join")
    rows = [{"at": now - timedelta(minutes=rng.uniform(10, 365 * 24 * 60)),
             "actor": f"console:{rng.choice(('wangli', 'zhaomin', 'liuyang', 'chenjing'))}",
             "action": rng.choice(actions), "target": f"retiree:{rng.choice(ids)}",
             "detail": {"changes": {"联系电话": ["13800000000", "13900000000"]}}} for _ in range(10_000)]
    session.execute(sa.insert(AuditEntry), rows)
    return {"audit entries": len(rows)}


# How far a notice to everyone has got, mid-way through sending (bot.notices.sending.send queues
# it all pending): the share of its copies in each state, with the channel a state records.
NOTICE_MIX = (("sent", "custom", 0.40), ("sent", "template", 0.20), ("mailbox", "mailbox", 0.20),
              ("dead", "template", 0.03), ("sending", "custom", 0.02), ("cancelled", None, 0.02))
# the rest (13%) stays pending


def notice_half_sent(session: Session, settings: Any, now: datetime, rng: random.Random) -> dict[str, int]:
    """A notice to everyone sent 90 minutes ago through the real domain function, its copies then
    put in NOTICE_MIX's states by bulk UPDATEs: what a clerk sees of a notice mid-way through."""
    import sqlalchemy as sa

    from bot.models import OutboxMessage
    from bot.notices.sending import send

    sent_at = now - timedelta(minutes=90)
    notice, reach = send(session, settings, title="冬季体检安排",
                         text="各位老同志：今年冬季体检定于12月15日至20日在市人民医院进行，请按分组时间前往，"
                              "带好身份证和医保卡，空腹。行动不便的请回复留言，我们安排车辆接送。",
                         audience="all", actor="bench", now=sent_at)
    copies = list(session.scalars(sa.select(OutboxMessage.id).where(OutboxMessage.notice_id == notice.id)
                                  .order_by(OutboxMessage.id)))
    rng.shuffle(copies)
    start = 0
    for status, channel, share in NOTICE_MIX:
        part, start = copies[start:start + round(share * len(copies))], start + round(share * len(copies))
        values: dict[str, Any] = {"status": status, "channel": channel, "attempts": 1}
        if status == "sent":
            values["sent_at"] = sent_at + timedelta(minutes=20)
        elif status == "dead":
            values |= {"attempts": 6, "last_error": "43004 需要接收者关注"}
        elif status == "sending":
            values["due_at"] = now + timedelta(seconds=60)  # the sender's lease
        elif status == "cancelled":
            values |= {"attempts": 0, "last_error": "no longer following"}
        for chunk in range(0, len(part), 500):
            session.execute(sa.update(OutboxMessage).where(OutboxMessage.id.in_(part[chunk:chunk + 500]))
                            .values(**values))
    left_out = len(reach.not_bound) + len(reach.unfollowed) + len(reach.deceased)
    return {"copies of the notice to everyone": len(copies), "people it left out (not bound …)": left_out}


def staff_accounts(session: Session, now: datetime) -> None:
    """The bench's administrator (with a known password) and nine colleagues, a few scoped."""
    from bot.staff.accounts import add_account
    from bot.staff.passwords import hash_password

    admin, _ = add_account(session, ADMIN, "admin", actor="cli:bench", now=now, display_name="测试管理员")
    admin.password_hash, admin.must_change_password = hash_password(PASSWORD), False
    colleagues = (("admin", ""), ("staff", ""), ("staff", ""), ("staff", "党支部:第一党支部"),
                  ("staff", "居住片区:城东片区"), ("viewer", ""), ("viewer", ""),
                  ("viewer", "党支部:第二党支部"), ("staff", ""))
    for n, (role, group) in enumerate(colleagues):
        add_account(session, f"clerk{n}", role, group=group, actor=f"console:{ADMIN}", now=now,
                    display_name=f"工作人员{n}")


# --- timing pages -------------------------------------------------------------------------------

def sign_in(client: FlaskClient) -> None:
    """Sign in as the bench's administrator through the form, CSRF token included, as a browser does."""
    form = client.get("/console/login").get_data(as_text=True)
    token = _TOKEN.search(form)
    assert token, "no CSRF token on the sign-in page"
    response = client.post("/console/login", data={"csrf_token": token.group(1), "username": ADMIN,
                                                   "password": PASSWORD})
    assert response.status_code == 302 and "/console/today" in response.location, response.status


@dataclass(frozen=True)
class Case:
    """One page or search, timed: its label, what it shows as an example, and its address at round n."""

    table: str  # "pages" or "search"
    label: str
    example: str
    at: Callable[[int], str]
    htmx: bool = False


def cases(session: Session, requests: int, rng: random.Random, content_dir: Path,
          now: datetime) -> list[Case]:
    """The pages a clerk opens and the searches they type; people and queries vary round by round,
    as do the open 留言 and care reports."""
    from urllib.parse import quote

    import sqlalchemy as sa

    from bot.models import CareReport, Group, GroupMember, Notice, Retiree, Signup, Ticket
    from bot.study.material import usable

    rounds = requests + WARMUP
    ids = list(session.scalars(sa.select(Retiree.id).where(Retiree.anonymised_at.is_(None))))
    people = session.execute(sa.select(Retiree.id, Retiree.name, Retiree.name_initials, Retiree.phone,
                                       Retiree.number).where(Retiree.id.in_(rng.sample(ids, 3 * rounds)))
                             .order_by(Retiree.id)).all()
    rng.shuffle(people)
    seen, edited, asked = people[:rounds], people[rounds:2 * rounds], people[2 * rounds:]
    sizes = session.execute(sa.select(GroupMember.group_id, sa.func.count()).group_by(GroupMember.group_id)
                            .order_by(sa.func.count().desc())).all()
    big, big_size = sizes[0]
    big_name = session.get(Group, big).name
    group_ids = [g for g, _ in sizes]
    initials = [p.name_initials.split()[0][:2] for p in asked]
    names = [p.name for p in asked]
    chars = [p.name[rng.randrange(len(p.name))] for p in asked]
    phones = [(p.phone or "0000")[-4:] for p in asked]
    numbers = [p.number or str(p.id) for p in asked]
    typed = [q for trio in zip(initials, names, phones, strict=True) for q in trio]

    notice = session.scalar(sa.select(sa.func.max(Notice.id)).where(Notice.preview.is_(False)))
    month = next((m for m, _ in _months(now, 3) if usable(content_dir, m)), None)
    if notice is None or month is None:
        raise SystemExit(f"nothing to time: notice {notice}, a seeded study month with material {month}")
    activity, signups = session.execute(sa.select(Signup.activity_id, sa.func.count())
                                        .group_by(Signup.activity_id)
                                        .order_by(sa.func.count().desc())).first()
    tickets = list(session.scalars(sa.select(Ticket.id).where(Ticket.answered_at.is_(None))
                                   .order_by(Ticket.id)))
    reports = list(session.scalars(sa.select(CareReport.id).where(CareReport.closed_at.is_(None),
                                                                  CareReport.retiree_id.is_not(None))
                                   .order_by(CareReport.id)))

    by_group = f"/console/study/{month}?group={quote(big_name)}"

    def query(texts: list[str]) -> Callable[[int], str]:
        return lambda n: f"/console/people?q={texts[n % len(texts)]}"

    return [
        Case("pages", "今日", "/console/today", lambda n: "/console/today"),
        Case("pages", "名册 (first page, no query)", "/console/people", lambda n: "/console/people"),
        Case("pages", "a person's page", "/console/people/<id>", lambda n: f"/console/people/{seen[n].id}"),
        Case("pages", "edit form (GET)", "/console/people/<id>/edit",
             lambda n: f"/console/people/{edited[n].id}/edit"),
        Case("pages", "分组", "/console/groups", lambda n: "/console/groups"),
        Case("pages", f"a big group ({big_name}, {big_size:,} members)", f"/console/groups/{big}",
             lambda n: f"/console/groups/{big}"),
        Case("pages", "操作记录", "/console/audit", lambda n: "/console/audit"),
        Case("pages", "账号", "/console/accounts", lambda n: "/console/accounts"),
        Case("pages", "通知 (the list)", "/console/notices", lambda n: "/console/notices"),
        Case("pages", "a notice to everyone, mid-way", f"/console/notices/{notice}",
             lambda n: f"/console/notices/{notice}"),
        Case("pages", "the notice's htmx partial (its counts)", f"/console/notices/{notice}, HX-Request",
             lambda n: f"/console/notices/{notice}", htmx=True),
        Case("pages", "new notice form (GET)", "/console/notices/new", lambda n: "/console/notices/new"),
        Case("pages", "学习 (the months)", "/console/study", lambda n: "/console/study"),
        Case("pages", f"学习 report of {month}", f"/console/study/{month}",
             lambda n: f"/console/study/{month}"),
        Case("pages", f"学习 report of {month}, a big group ({big_name})",
             f"/console/study/{month}?group=<name>", lambda n: by_group),
        Case("pages", "活动", "/console/activities", lambda n: "/console/activities"),
        Case("pages", f"an activity ({signups} sign-ups)", f"/console/activities/{activity}",
             lambda n: f"/console/activities/{activity}"),
        Case("pages", "关怀", "/console/care", lambda n: "/console/care"),
        Case("pages", "an open care report", "/console/care/<id>",
             lambda n: f"/console/care/{reports[n % len(reports)]}"),
        Case("pages", "留言", "/console/tickets", lambda n: "/console/tickets"),
        Case("pages", "an unanswered 留言", "/console/tickets/<id>",
             lambda n: f"/console/tickets/{tickets[n % len(tickets)]}"),
        Case("search", "pinyin initials", f"q={initials[0]}", query(initials)),
        Case("search", "full name", f"q={names[0]}", query(names)),
        Case("search", "one character", f"q={chars[0]}", query(chars)),
        Case("search", "phone's last four", f"q={phones[0]}", query(phones)),
        Case("search", "编号", f"q={numbers[0]}", query(numbers)),
        Case("search", "group filter", f"group={group_ids[0]}",
             lambda n: f"/console/people?group={group_ids[n % len(group_ids)]}"),
        Case("search", "htmx partial (initials, name, last four in turn)", f"q={typed[0]}, HX-Request",
             query(typed), htmx=True),
    ]


def time_pages(url: str, work: Path, requests: int, budget: float) -> dict[str, Any]:
    """Sign in, then open every case in turn, round after round; the timed rounds' milliseconds.
    A line that has spent `budget` seconds (and had FEWEST requests) is left out of later rounds."""
    from bot import create_app

    services = build(url, work)
    app = create_app(services=services)
    # As a gunicorn worker does once the app is loaded (gunicorn.conf.py, post_worker_init): what
    # start-up loaded leaves the garbage collector's rounds, which otherwise pause a request now
    # and then for as long as a whole page takes.
    gc.collect()
    gc.freeze()
    client = app.test_client()
    sign_in(client)
    with services.sessions() as session:
        timed = cases(session, requests, random.Random(7), services.settings.content_dir,
                      services.clock.now())
    results: dict[str, dict[str, Any]] = {c.label: {"table": c.table, "label": c.label, "example": c.example,
                                                    "ms": [], "found": []} for c in timed}
    for n in range(requests + WARMUP):
        for case in timed:
            spent = results[case.label]["ms"]
            if len(spent) >= FEWEST and sum(spent) > budget * 1000:
                continue
            path = case.at(n)
            started = time.perf_counter()
            response = client.get(path, headers={"HX-Request": "true"} if case.htmx else {})
            body = response.get_data(as_text=True)
            elapsed = (time.perf_counter() - started) * 1000
            if response.status_code != 200:
                raise SystemExit(f"{path}: HTTP {response.status_code}")
            if n >= WARMUP:
                results[case.label]["ms"].append(elapsed)
                if found := _FOUND.search(body) if case.table == "search" else None:
                    results[case.label]["found"].append(int(found.group(1)))
    services.close()
    return {"cases": list(results.values()),
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


# --- the export ---------------------------------------------------------------------------------

def export(url: str, work: Path) -> dict[str, Any]:
    """The export, its whole body read: once alone (time, peak memory), once with another
    transaction trying every 50 ms meanwhile (how long it had to wait)."""
    import sqlalchemy as sa

    from bot import create_app
    from bot.models import AuditEntry

    services = build(url, work)
    client = create_app(services=services).test_client()
    sign_in(client)
    before_mb, highest = _rss_mb(), [0.0]
    done = threading.Event()

    def sample() -> None:  # the resident size while exporting (the process's peak may be older)
        while not done.wait(0.01):
            highest[0] = max(highest[0], _rss_mb())
    sampler = threading.Thread(target=sample)
    sampler.start()
    first = _download(client)
    done.set()
    sampler.join()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    waits: list[float] = []
    done = threading.Event()

    def meanwhile() -> None:
        while not done.is_set():
            started = time.perf_counter()
            with services.sessions.begin() as session:
                session.execute(sa.text("SELECT 1"))
            waits.append(time.perf_counter() - started)
            done.wait(0.05)
    probe = threading.Thread(target=meanwhile)
    probe.start()
    second = _download(client)
    done.set()
    probe.join()
    with services.sessions() as session:
        logged = session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "roster.export")
                                 .order_by(AuditEntry.id.desc())).first()
    services.close()
    return {**first, "peak_mb": peak_mb, "before_mb": before_mb, "during_mb": max(highest[0], before_mb),
            "rows": logged.detail.get("rows", 0) if logged else 0, "again_seconds": second["seconds"],
            "longest_wait": max(waits, default=0.0), "tries": len(waits)}


def _rss_mb() -> float:
    """The process's resident memory now, in MB."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def _download(client: FlaskClient) -> dict[str, Any]:
    """One export: seconds until the headers (the file written), seconds for the whole body, bytes."""
    started = time.perf_counter()
    response = client.get("/console/roster/export", buffered=False)
    headers = time.perf_counter() - started
    assert response.status_code == 200, response.status
    size, head = 0, b""
    for chunk in response.iter_encoded():
        head, size = head or chunk[:2], size + len(chunk)
    response.close()
    assert head == b"PK", "the export is not an .xlsx file"
    return {"headers_seconds": headers, "seconds": time.perf_counter() - started, "bytes": size}


# --- running and printing -----------------------------------------------------------------------

def run_step(step: str, url: str, work: Path, *extra: str) -> dict[str, Any]:
    """One step in a fresh process, so its peak memory is its own; what it printed as JSON."""
    out = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--step", step,
                          "--database-url", url, "--work", str(work), *extra],
                         cwd=ROOT, check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def empty_database(url: str) -> None:
    """Create the PostgreSQL database when missing, and drop everything in it (never the tests')."""
    import sqlalchemy as sa

    from bench.webhook import empty_schema

    if sa.make_url(url).database in ("test", "postgres", None):
        raise SystemExit(f"refusing to empty the database {sa.make_url(url).database!r}: give a scratch one")
    empty_schema(url)


def p(values: list[float], percent: int) -> float:
    """The percentile of the values (inclusive: within what was measured)."""
    if len(values) < 2:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[percent - 1]


def meets(ok: bool) -> str:
    """The target column, readable by staff too."""
    return "✓ 是" if ok else "✗ 否"


def timing(c: dict[str, Any]) -> str:
    """The timing columns of a line: requests, p50, p95, max, target, whether it meets it."""
    p95 = p(c["ms"], 95)
    return (f"{len(c['ms'])} | {p(c['ms'], 50):,.1f} | {p95:,.1f} | {max(c['ms']):,.1f} "
            f"| < {TARGET_MS:.0f} ms | {meets(p95 < TARGET_MS)} |")


def print_tables(args: argparse.Namespace, database: str, setup: dict[str, Any], pages: dict[str, Any],
                 exported: dict[str, Any], seconds: float) -> None:
    """The three tables, each with the line stating its target, and what was measured beside them."""
    print(f"\nstaff console, {args.rows:,} fictional people, {database}; {args.requests} timed requests per "
          f"line after {WARMUP} untimed round (fewer, at least {FEWEST}, for a line that overruns "
          f"{args.budget:.0f} s); server time in-process (Flask test client)\n")
    print("| page | address | requests | p50 ms | p95 ms | max ms | target (p95) | meets target |")
    print("|---|---|---:|---:|---:|---:|---|---|")
    for c in pages["cases"]:
        if c["table"] == "pages":
            print(f"| {c['label']} | {c['example']} | {timing(c)}")
    print("\n| search (/console/people) | example | matches (median) | requests | p50 ms | p95 ms | max ms "
          "| target (p95) | meets target |")
    print("|---|---|---:|---:|---:|---:|---:|---|---|")
    for c in pages["cases"]:
        if c["table"] == "search":
            found = f"{statistics.median(c['found']):,.0f}" if c["found"] else "—"
            print(f"| {c['label']} | {c['example']} | {found} | {timing(c)}")
    e = exported
    print("\n| export (/console/roster/export) | rows | .xlsx MB | file written s | whole body s | again s "
          "| peak memory MB | target | meets target |")
    print("|---|---:|---:|---:|---:|---:|---:|---|---|")
    print(f"| streamed .xlsx, whole body read | {e['rows']:,} | {e['bytes'] / 2**20:.1f} "
          f"| {e['headers_seconds']:.1f} | {e['seconds']:.1f} | {e['again_seconds']:.1f} "
          f"| {e['peak_mb']:.0f} | < {TARGET_EXPORT:.0f} s | {meets(e['seconds'] < TARGET_EXPORT)} |")
    print(f"\ntargets: p95 under {TARGET_MS:.0f} ms for every page and search; the export under "
          f"{TARGET_EXPORT:.0f} s\n")
    print(f"- peak memory (max RSS): page-timing process {pages['peak_mb']:.0f} MB; export process "
          f"{e['peak_mb']:.0f} MB (resident: {e['before_mb']:.0f} MB signed in before the export, at most "
          f"{e['during_mb']:.0f} MB during it)")
    print(f"- during the second export (\"again\") another transaction (SELECT 1, tried every 50 ms, "
          f"{e['tries']} tries) waited at most {e['longest_wait'] * 1000:,.0f} ms")
    beside = ", ".join(f"{v:,} {k}" for k, v in setup.items()
                       if k not in ("imported", "import_seconds", "seconds"))
    print(f"- set-up: {setup['imported']:,} people imported in {setup['import_seconds']:.1f} s, set-up "
          f"{setup['seconds']:.1f} s in all; beside them: {beside}")
    print(f"- the whole run: {seconds:.0f} s")


def main() -> int:
    """Set the office up, time the pages and searches, export, print the tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--requests", type=int, default=30, help="timed requests per page and search")
    parser.add_argument("--budget", type=float, default=60.0,
                        help=f"seconds a line may spend; a slower one gets fewer requests (>= {FEWEST})")
    parser.add_argument("--database-url", default="")
    parser.add_argument("--step", choices=("seed", "pages", "export"), help=argparse.SUPPRESS)
    parser.add_argument("--work", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.rows < 2000:
        parser.error("--rows: at least 2000 (the office's activities and visits need that many people)")
    if args.step:  # inside a fresh process
        work = Path(args.work)
        steps = {"seed": lambda: seed(args.database_url, work, args.rows),
                 "pages": lambda: time_pages(args.database_url, work, args.requests, args.budget),
                 "export": lambda: export(args.database_url, work)}
        print(json.dumps(steps[args.step]()))
        return 0
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bench-console-") as tmp:
        work = Path(tmp)
        url = args.database_url or f"sqlite:///{work}/bench.db"
        if not url.startswith("sqlite"):
            empty_database(url)
        setup = run_step("seed", url, work, "--rows", str(args.rows))
        pages = run_step("pages", url, work, "--requests", str(args.requests), "--budget", str(args.budget))
        exported = run_step("export", url, work)
    database = "SQLite" if url.startswith("sqlite") else f"PostgreSQL ({url.split('/')[-1]})"
    print_tables(args, database, setup, pages, exported, time.perf_counter() - started)
    return 0


if __name__ == "__main__":
    sys.exit(main())
