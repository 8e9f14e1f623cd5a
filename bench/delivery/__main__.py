"""Delivery benchmark: one notice to 10,000 people through the local WeChat stand-in.

    .venv/bin/python bench/delivery [--people 10000] [--mix] [--skip-pg] [--pg-url URL] [--no-reports]

For SQLite (one sender) and PostgreSQL (one and two senders): the time to enqueue the notice
(audience resolution included), the time for the senders (`python -m bot outbox run`
processes) to send every copy, and messages/s. Then the same with the sender killed by SIGKILL
half-way and started again: the duplicates in the stand-in's record (must be 0), how many
people never got it, and how many copies were uncertain (the sender died during their call)
and how many of those were still uncertain at the end. As WeChat does, the stand-in reports
each template message to the account's server (the gateway, under gunicorn as in production),
whose reports settle the uncertain ones (bot.delivery.reports); --no-reports leaves the
stand-in silent and the gateway out, to measure the senders alone. The senders run with the
default [delivery] settings but for the per-minute limit and report_wait (5 s, not 600).
The stand-in answers at once; first, as the ceiling the senders are measured against, a bare
client (the senders' HTTP layer, as many threads as a sender keeps in flight, no wechatpy, no
database) shows how many template sends a second the stand-in itself serves on this machine.

Every copy goes as a template message (the template-only scenario); with --mix each run is
followed at once by the same run with the channel mix (MIX): a quarter of the people wrote
within 48 hours (客服消息), a fifth hold a long-term 订阅通知 grant and a tenth a one-time one
(bizsend), a tenth are reached only through the mini-program (half with a subscribe grant,
half with none: 我的通知, the mailbox), the rest get the template message. Their windows and
grants are seeded in the database and in the stand-in alike. Each run counts the copies WeChat
took by channel, those left in the mailbox, and the calls WeChat refused.

The PostgreSQL database named by --pg-url (created when missing; never the tests' `test`) has
its public schema dropped and recreated. Targets: enqueue under 3 s, sending over 500 messages/s.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import requests
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bot.config import DeliverySettings  # noqa: E402
from bot.models import (  # noqa: E402
    Binding,
    Channel,
    DeliveryReport,
    Follower,
    InboundMessage,
    MiniUser,
    OutboxMessage,
    OutboxStatus,
    Retiree,
    SubscribeGrant,
)
from bot.wechat_api.http import PooledHttp  # noqa: E402

PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/bench_delivery"  # not the tests' `test`
APPID, SECRET = "wx_bench_delivery", "bench_secret"
MINI_APPID, MINI_SECRET = "wx_bench_delivery_mini", "bench_mini_secret"
TEMPLATE = "cgi-bin/message/template/send"
# The send APIs in the stand-in's record, by the channel each is.
SENDS = {"cgi-bin/message/custom/send": Channel.CUSTOM,
         "cgi-bin/message/subscribe/bizsend": Channel.BIZSEND,
         "cgi-bin/message/subscribe/send": Channel.SUBSCRIBE,
         TEMPLATE: Channel.TEMPLATE}
COLUMNS = (Channel.CUSTOM, Channel.BIZSEND, Channel.SUBSCRIBE, Channel.TEMPLATE, Channel.MAILBOX)
PARALLEL = DeliverySettings().parallel
TOKEN = "t"
REPORT_WAIT = 5  # seconds; 600 by default, which would only make the killed runs wait

# The channel mix: each person's lot, as shares of the people (the rest: template only).
WINDOW, LONG_TERM, ONE_TIME, MINI_GRANT, MINI_NONE, PLAIN = (
    "window", "long-term", "one-time", "mini+grant", "mini", "template")
MIX = {WINDOW: 0.25, LONG_TERM: 0.20, ONE_TIME: 0.10, MINI_GRANT: 0.05, MINI_NONE: 0.05}
SUB_TEMPLATE = {"id": "TPL_BENCH_SUB", "fields": {"thing1": "title", "thing2": "summary", "time3": "time"},
                "long_term": True}
MINI_TEMPLATE = {"id": "TPL_BENCH_MINI", "fields": {"thing1": "title", "thing2": "summary", "time3": "time"},
                 "page": "pages/notices/index"}
LASTING = 1000  # messages a long-term grant allows in the stand-in (WeChat: until withdrawn)
WROTE_AGO = timedelta(hours=1)  # when the windowed people last wrote


@dataclass(frozen=True)
class Row:
    """One line of the table."""

    scenario: str  # "template" or "mix"
    database: str
    senders: int
    killed: bool
    enqueue_s: float
    send_s: float
    sent: int  # copies WeChat took, all channels
    duplicates: int
    missed: int  # people WeChat never got the notice for, and not in their mailbox either
    uncertain: int  # the most uncertain at any one time
    uncertain_left: int
    copies: dict[str, int] = field(default_factory=dict)  # by channel, the mailbox included
    refused: dict[str, int] = field(default_factory=dict)  # "path errcode" → calls WeChat refused


def main() -> int:
    """Run every scenario and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--mix", action="store_true",
                        help="after each template-only run, the same with the channel mix")
    parser.add_argument("--skip-pg", action="store_true")
    parser.add_argument("--pg-url", default=PG_URL)
    parser.add_argument("--no-reports", action="store_true", help="no delivery reports, no gateway")
    args = parser.parse_args()
    if sa.make_url(args.pg_url).database == "test" and not args.skip_pg:
        raise SystemExit("--pg-url names the tests' database `test`: the bench would empty it")
    # The ceiling on a silent stand-in of its own: its 3,000 sends' reports would still be on
    # their way during the first runs.
    port, silent = _start_standin([])
    try:
        ceiling = _standin_ceiling(port)
    finally:
        silent.terminate()
        silent.wait()
    print(f"stand-in alone: {ceiling:.0f} template sends/s", flush=True)
    gateway_port = None if args.no_reports else _free_port()
    port, standin = _start_standin([] if gateway_port is None else [
        "--report-to", f"http://127.0.0.1:{gateway_port}/wechat", "--report-token", TOKEN])
    rows: list[Row] = []
    scenarios = ("template", "mix") if args.mix else ("template",)
    try:
        with tempfile.TemporaryDirectory(prefix="bench-delivery-") as tmp:
            databases = [("sqlite", f"sqlite:///{tmp}/bench.db", 1)]
            if not args.skip_pg:
                _create_database(args.pg_url)
                databases += [("postgresql", args.pg_url, 1), ("postgresql", args.pg_url, 2)]
            for name, url, senders in databases:
                for killed in (False, True):
                    if killed and senders > 1:
                        continue
                    for scenario in scenarios:
                        rows.append(run(scenario, name, url, senders, killed, args.people,
                                        (port, gateway_port), Path(tmp)))
                        print(_line(rows[-1]), flush=True)
                        if rows[-1].refused:
                            print(f"  refused by WeChat: {rows[-1].refused}", flush=True)
    finally:
        standin.terminate()
        standin.wait()
    print(f"\none notice to {args.people:,} people, stand-in answering at once; template: every copy a "
          "template message" + (f"; mix: {_mix_summary(args.people)}" if args.mix else "") + "\n")
    print("| scenario | database | senders | SIGKILL half-way | enqueue s | sending s | messages/s "
          "| custom | bizsend | mini subscribe | template | mailbox | refused "
          "| duplicates | never delivered | uncertain → left |\n"
          "|---|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(_line(r))
    print(f"| stand-in alone (bare client, {PARALLEL} threads, no database) | | | | | | {ceiling:.0f} "
          "| | | | | | | | | |")
    print("\nmessages/s: copies WeChat took (all channels; the mailbox needs no call) ÷ sending s")
    print("targets: enqueue under 3 s, over 500 messages/s, 0 duplicates")
    return 0


def _start_standin(options: list[str]) -> tuple[int, subprocess.Popen]:
    """A stand-in process on a free port, serving (bot.standin with the bench's endpoints); its
    port and process."""
    port = _free_port()
    proc = subprocess.Popen([sys.executable, str(Path(__file__).with_name("standin.py")), "--port", str(port),
                             "--appid", APPID, "--secret", SECRET, "--mini-appid", MINI_APPID,
                             "--mini-secret", MINI_SECRET, "--minute-limit", "10000000", *options],
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _wait_up(f"http://127.0.0.1:{port}/_standin/bench/status")
    return port, proc


def _standin_ceiling(port: int, calls: int = 3000) -> float:
    """Template sends a second the stand-in serves to a client that does nothing else."""
    base = f"http://127.0.0.1:{port}/cgi-bin/"
    http = PooledHttp(base)  # the senders' own HTTP layer, without wechatpy or the database
    token = http.get(base + "token", timeout=10, params={
        "grant_type": "client_credential", "appid": APPID, "secret": SECRET}).json()["access_token"]

    def send(n: int) -> None:
        body = {"touser": f"o_ceiling_{n}", "template_id": "TPL_BENCH", "data": {"first": {"value": "x"}}}
        http.post(base + "message/template/send", params={"access_token": token},
                  data=json.dumps(body).encode(), timeout=10)

    started = time.perf_counter()
    with ThreadPoolExecutor(PARALLEL) as pool:
        list(pool.map(send, range(calls)))
    return calls / (time.perf_counter() - started)


def run(scenario: str, name: str, url: str, senders: int, killed: bool, people: int,
        ports: tuple[int, int | None], tmp: Path) -> Row:
    """One scenario on a fresh database; ports: the stand-in's and the gateway's (None: no reports)."""
    port, gateway_port = ports
    mix = scenario == "mix"
    _fresh_database(url)
    lots = _lots(people) if mix else [PLAIN] * people
    _seed(url, lots, port)
    config = tmp / "bench.toml"
    config.write_text(f'database_url = "{url}"\npublic_url = "http://127.0.0.1"\n[wechat]\n'
                      f'appid = "{APPID}"\nsecret = "{SECRET}"\ntoken = "{TOKEN}"\nmode = "plain"\n'
                      f'api_base_url = "http://127.0.0.1:{port}/"\n'
                      + (f'[miniprogram]\nappid = "{MINI_APPID}"\nsecret = "{MINI_SECRET}"\n' if mix else "")
                      + '[delivery]\nsends_per_minute = 10000000\n'  # else the defaults
                      f'report_wait = {REPORT_WAIT}\n[delivery.templates]\nnotice = "TPL_BENCH"\n'
                      + (f"[delivery.subscribe_templates]\nnotice = {_toml(SUB_TEMPLATE)}\n"
                         f"[delivery.mini_templates]\nnotice = {_toml(MINI_TEMPLATE)}\n" if mix else ""),
                      encoding="utf-8")
    env = {**os.environ, "BOT_CONFIG": str(config), "PYTHONPATH": str(ROOT)}
    gateway = _gateway(env, gateway_port) if gateway_port is not None else None
    try:
        since = _standin_status(port)["last_call"]
        enqueue_s = _enqueue(env)
        started = time.perf_counter()
        procs = [_sender(env) for _ in range(senders)]
        if killed:
            _wait(lambda: _done(url) >= people // 2)
            procs[0].send_signal(signal.SIGKILL)
            procs[0].wait()
            procs = [_sender(env)]
        uncertain = _Peak(lambda: _count(url, OutboxStatus.UNCERTAIN))
        # Without reports the uncertain stay uncertain: only the sending is waited for. Reports
        # settle template messages only: an uncertain 客服消息 or subscription message stays.
        _wait(lambda: _left(url) == 0 and (uncertain.read() == 0 or gateway is None
                                          or _uncertain_templates(url) == 0),
              timeout=600, give_up_quietly=True)
        send_s = time.perf_counter() - started
        for p in procs:
            p.terminate()
            p.wait()
        # Not timed: the reports still on their way, so none spills into the next scenario.
        if gateway:
            _wait(lambda: _unreported(url) == 0 and _standin_status(port)["pushes_queued"] == 0,
                  timeout=300)
            time.sleep(0.5)  # the push in flight
    finally:
        if gateway:
            gateway.terminate()
            gateway.wait()
    calls = [c for c in _calls(port, since) if c["path"] in SENDS]
    delivered = Counter(openid for c in calls for openid in c["delivered"])
    copies = Counter({channel: 0 for channel in COLUMNS})
    copies.update(SENDS[c["path"]] for c in calls for _ in c["delivered"])
    refused = Counter(f"{SENDS[c['path']]} {c['response'].get('errcode')}" for c in calls
                      if c["response"].get("errcode", 0) != 0)
    in_mailbox = _mailboxes(url)
    copies[Channel.MAILBOX] = len(in_mailbox)
    _check_records(url, copies)
    return Row(scenario, name, senders, killed, enqueue_s, send_s, sum(delivered.values()),
               sum(n - 1 for n in delivered.values() if n > 1), people - len(set(delivered) | in_mailbox),
               uncertain.most, _count(url, OutboxStatus.UNCERTAIN), dict(copies), dict(refused))


class _Peak:
    """A count read again and again, remembering the most it has been."""

    def __init__(self, read: Callable[[], int]) -> None:
        self._read, self.most = read, 0

    def read(self) -> int:
        value = self._read()
        self.most = max(self.most, value)
        return value


def _gateway(env: dict[str, str], port: int) -> subprocess.Popen:
    """The account's server (gunicorn with gunicorn.conf.py), where the stand-in's reports go."""
    proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "-b", f"127.0.0.1:{port}", "bot:create_app()"],
                            env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _wait_up(f"http://127.0.0.1:{port}/healthz")
    return proc


def _enqueue(env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "bot", "notice", "send", "--to", "all", "--text",
                    "12 月 5 日上午九点在老干部活动中心集中学习，请准时参加。"],
                   env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def _sender(env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "bot", "outbox", "run", "--interval", "0.05"],
                            env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _create_database(url: str) -> None:
    """The database --pg-url names, created if missing."""
    named = sa.make_url(url)
    server = sa.create_engine(named.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        known = sa.text("SELECT 1 FROM pg_database WHERE datname = :name")
        if not conn.scalar(known, {"name": named.database}):
            conn.execute(sa.text(f'CREATE DATABASE "{named.database}"'))
    server.dispose()


def _fresh_database(url: str) -> None:
    from bot.db.migrate import upgrade

    _watcher(url).dispose()  # its connections hold the old file or the old tables
    if url.startswith("postgresql"):
        engine = sa.create_engine(url)
        with engine.begin() as conn:
            conn.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        engine.dispose()
    else:
        Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)
    upgrade(url)


def _lots(people: int) -> list[str]:
    """Each person's lot in the mix, MIX's shares of them, shuffled the same way every run."""
    lots = [lot for lot, share in MIX.items() for _ in range(round(people * share))]
    lots += [PLAIN] * (people - len(lots))
    random.Random(23).shuffle(lots)
    return lots


def _mix_summary(people: int) -> str:
    counted = Counter(_lots(people))
    return ", ".join(f"{lot} {counted[lot]:,}" for lot in (*MIX, PLAIN))


def _openid(n: int, lot: str) -> str:
    return f"o_mini_{n:06d}" if lot in (MINI_GRANT, MINI_NONE) else f"o_bench_{n:06d}"


def _seed(url: str, lots: list[str], port: int) -> None:
    """A retiree per lot: their own WeChat account bound and following, or (mini lots) only a
    family member in the mini-program; the windowed wrote an hour ago; grants as their lot says,
    kept in the database and given in the stand-in alike."""
    now = datetime.now(UTC)
    wrote = now - WROTE_AGO
    people = range(len(lots))
    mini = {n for n in people if lots[n] in (MINI_GRANT, MINI_NONE)}
    followers = [n for n in people if lots[n] not in (MINI_GRANT, MINI_NONE)]
    grants = [(n, lots[n]) for n in people if lots[n] in (LONG_TERM, ONE_TIME, MINI_GRANT)]
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.insert(Retiree), [
            {"id": n + 1, "name": f"测试{n}", "birth_date": date(1940, 1, 1), "status": "退休",
             "created_at": now, "updated_at": now} for n in people])
        if followers:
            conn.execute(sa.insert(Follower), [
                {"openid": _openid(n, lots[n]), "active": True, "first_seen_at": now} for n in followers])
        if mini:
            conn.execute(sa.insert(MiniUser), [
                {"openid": _openid(n, lots[n]), "created_at": now, "last_login_at": now}
                for n in sorted(mini)])
        conn.execute(sa.insert(Binding), [
            {"openid": _openid(n, lots[n]), "retiree_id": n + 1, "bound_at": now,
             **({"app": MiniUser.APP, "role": "agent", "relation": "子女"} if n in mini
                else {"app": Follower.APP, "role": "self"})} for n in people])
        if windows := [n for n in people if lots[n] == WINDOW]:
            conn.execute(sa.insert(InboundMessage), [
                {"dedupe_key": f"bench:{n}", "openid": _openid(n, WINDOW), "msg_type": "text", "text": "收到",
                 "sent_at": wrote, "received_at": wrote, "route": "bench", "retiree_id": n + 1}
                for n in windows])
        if grants:
            conn.execute(sa.insert(SubscribeGrant), [
                {"openid": _openid(n, lot), "app": MiniUser.APP if lot == MINI_GRANT else Follower.APP,
                 "template_id": (MINI_TEMPLATE if lot == MINI_GRANT else SUB_TEMPLATE)["id"],
                 "long_term": lot == LONG_TERM, "source": "event", "granted_at": wrote} for n, lot in grants])
        if url.startswith("postgresql"):
            conn.execute(sa.text("SELECT setval('retirees_id_seq', :n)"), {"n": len(lots)})
    engine.dispose()
    if windows or grants:  # what WeChat knows of the same people
        requests.post(f"http://127.0.0.1:{port}/_standin/bench/people", timeout=60, json={
            "windows": [[_openid(n, WINDOW), wrote.timestamp()] for n in windows],
            "grants": [[_openid(n, lot), (MINI_TEMPLATE if lot == MINI_GRANT else SUB_TEMPLATE)["id"],
                        LASTING if lot == LONG_TERM else 1] for n, lot in grants]}).raise_for_status()


def _toml(table: dict) -> str:
    """An inline TOML table of strings, booleans and tables of strings."""
    def value(v: object) -> str:
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, dict):
            return _toml(v)
        return json.dumps(v, ensure_ascii=False)
    return "{ " + ", ".join(f"{k} = {value(v)}" for k, v in table.items()) + " }"


@functools.cache
def _watcher(url: str) -> sa.Engine:
    """One engine per database for the counts polled while senders run: a new engine (and
    PostgreSQL connection) ten times a second took CPU from the very processes measured."""
    return sa.create_engine(url)


def _count(url: str, *statuses: str) -> int:
    return _rows(url, OutboxMessage, OutboxMessage.status.in_(statuses))


def _uncertain_templates(url: str) -> int:
    """Uncertain template messages (what delivery reports can settle)."""
    return _rows(url, OutboxMessage, OutboxMessage.status == OutboxStatus.UNCERTAIN,
                 OutboxMessage.channel == Channel.TEMPLATE)


def _unreported(url: str) -> int:
    """Messages WeChat took whose report has not come in yet."""
    reported = sa.select(DeliveryReport.id).where(DeliveryReport.msgid == OutboxMessage.msgid)
    return _rows(url, OutboxMessage, OutboxMessage.msgid.is_not(None), ~reported.exists(),
                 OutboxMessage.channel == Channel.TEMPLATE)


def _rows(url: str, model: type, *where: sa.ColumnElement[bool]) -> int:
    with _watcher(url).connect() as conn:
        return conn.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def _done(url: str) -> int:
    """Copies settled: taken by WeChat, or left in the mailbox."""
    return _count(url, OutboxStatus.SENT, OutboxStatus.MAILBOX)


def _left(url: str) -> int:
    return _count(url, OutboxStatus.PENDING, OutboxStatus.SENDING)


def _mailboxes(url: str) -> set[str]:
    """Whose copy waits in their mailbox (我的通知)."""
    with _watcher(url).connect() as conn:
        return set(conn.scalars(sa.select(OutboxMessage.recipient).where(
            OutboxMessage.status == OutboxStatus.MAILBOX)))


def _check_records(url: str, copies: Counter) -> None:
    """Print where our record of what went by which channel differs from the stand-in's (only
    the uncertain may: the sender never heard WeChat's answer)."""
    with _watcher(url).connect() as conn:
        ours = Counter(dict(conn.execute(sa.select(OutboxMessage.channel, sa.func.count())
                                         .where(OutboxMessage.status == OutboxStatus.SENT)
                                         .group_by(OutboxMessage.channel)).all()))
        other = Counter(f"{status} {channel}" for status, channel in conn.execute(sa.select(
            OutboxMessage.status, OutboxMessage.channel).where(
                OutboxMessage.status.not_in((OutboxStatus.SENT, OutboxStatus.MAILBOX)))))
    differ = {str(c): (ours.get(c, 0), copies[c]) for c in COLUMNS
              if c != Channel.MAILBOX and ours.get(c, 0) != copies[c]}
    if differ or other:
        print(f"  sent by channel, ours vs the stand-in's: {differ or 'the same'}; "
              f"not sent: {dict(other) or 'none'}", flush=True)


def _standin_status(port: int) -> dict:
    return requests.get(f"http://127.0.0.1:{port}/_standin/bench/status", timeout=30).json()


def _calls(port: int, since: int) -> list[dict]:
    return requests.get(f"http://127.0.0.1:{port}/_standin/calls", params={"since": since},
                        timeout=60).json()


def _wait(condition, timeout: float = 120, give_up_quietly: bool = False) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            if give_up_quietly:  # the table shows what was left
                return
            raise SystemExit("timed out")
        time.sleep(0.1)


def _wait_up(url: str) -> None:
    _wait(lambda: _up(url), timeout=20)


def _up(url: str) -> bool:
    try:
        return requests.get(url, timeout=1).ok
    except requests.RequestException:
        return False


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _line(r: Row) -> str:
    counts = " | ".join(f"{r.copies.get(c, 0):,}" for c in COLUMNS)
    return (f"| {r.scenario} | {r.database} | {r.senders} | {'yes' if r.killed else 'no'} "
            f"| {r.enqueue_s:.2f} | {r.send_s:.1f} | {r.sent / r.send_s:.0f} | {counts} "
            f"| {sum(r.refused.values())} "
            f"| {r.duplicates} | {r.missed} | {r.uncertain} → {r.uncertain_left} |")


if __name__ == "__main__":
    sys.exit(main())
