"""API benchmark: the mini-program's common calls at /api/v1, side by side with /wechat, in one run.

    .venv/bin/python bench/api.py [--duration 10] [--rounds 3] [--connections 50] [--users 500]
                                  [--logins 4] [--skip-pg] [--pg-url URL] [--mix-only]

Each scenario gets the same server as bench/webhook.py's (gunicorn.conf.py, 2 sync workers, on
loopback) over a new database, and wrk (installed from Debian's packages when missing) holds 50
connections for --duration seconds, after 2 seconds of warming up:

- the empty app (bench/empty_app.py, bench/webhook.py's floor: a WSGI app that answers at once):
  the yardstick for another day, when the machine itself is faster or slower;
- /wechat: bench/webhook.py's own scenario, unchanged (its measure(): the mix retirees send, from
  500 bound chat users, bench/traffic.py), so its row reads like that bench's;
- /api/v1 (mix): what a mini-program asks as families use it (MIX: opening it asks for 我的 and
  我的通知, then 活动, 学习 and 政策问答), then each of those calls alone, one scenario each
  (not with --mix-only).

The API's database is the webhook's (bench/traffic.py's seed: the sample office, its tea party for
everyone, 500 chat users bound) plus, seeded here (`bench/api.py seed`, with BOT_CONFIG): --users
mini-program users bound to the office's people (the first 200 as themselves, the rest as family),
each logged in --logins times through bot.accounts.miniprogram.open_session (every request carries
another of these tokens than the one before); two more activities (one for a branch only); 60
people signed up to the tea party through the real sign_up (30 seats: a waitlist); three notices
to everyone sent through bot.notices.sending.send and marked sent, the oldest read by half the
users; half the people's readings of last month's study material.

The rate limits (bot/api/limits.py: 300 calls a minute an address, 120 a login) stay on, as in
production with the shared store in the database: each call still counts itself, twice. The
bench stands where nginx does in production, on loopback, so the X-Forwarded-For it sends is
taken for the caller's address: each login calls from an address of its own (in 198.18.0.0/15,
the range set aside for benchmarks; nothing is sent there), and with 2,000 logins no address nor
login comes near its limit in a scenario (a 429 would show in the table's non-2xx column, which
also counts wrk's socket errors, as bench/webhook.py's does: timeouts after wrk's 2 s among them;
which they were is printed as they happen). Before the mix's wrk, every call is made by three users and an
answer that is not 2xx is printed with its body, so a broken setup is plain, and what the first
user was shown is summed up (bound, how many notices, activities…).

The scenarios run in rounds, one of each per round, and the table shows each one's median, its
requests/s over /wechat's on the same database in the same round (the machine drifts from minute
to minute), and its share of the empty app's. The PostgreSQL database at --pg-url (default
`bench` on the local server, created when missing) is emptied before each scenario: a scratch one,
never the tests' `test`.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.traffic import _questions, user_openid  # noqa: E402  (_questions: how people ask)
from bench.webhook import (  # noqa: E402
    PG_URL,
    USERS,
    Result,
    Scenario,
    _each,
    measured,
    median_of,
    start_server,
)
from bench.webhook import measure as measure_webhook  # noqa: E402

PREFIX = "/api/v1"
WECHAT = "/wechat"
EMPTY = "(empty app: the floor)"
API_MIX = f"{PREFIX} (mix)"


@dataclass(frozen=True)
class Call:
    """One of the API's common calls; {month} is the study month being studied now."""

    method: str
    path: str
    share: int  # per cent of the mix

    @property
    def name(self) -> str:
        return f"{self.method} {PREFIX}{self.path}"


# What a mini-program asks as families use it: opening it, 我的 and the unread count of 我的通知;
# then 活动, 学习 (the months, this month's article) and 政策问答.
MIX = (Call("GET", "/me", 20), Call("GET", "/me/notices", 20), Call("GET", "/activities", 15),
       Call("GET", "/study/months", 10), Call("GET", "/study/{month}", 10), Call("POST", "/policy/ask", 25))

# wrk script: replay the requests, one a line (method, path, token, address, JSON body: tab-separated),
# every thread taking its own share of them in turn.
WRK_SCRIPT = r"""
local counter = 0
function setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
end

function init(args)
  requests_ = {}
  for line in io.lines(os.getenv("BENCH_REQUESTS")) do
    local method, path, token, address, body = line:match("^([^\t]*)\t([^\t]*)\t([^\t]*)\t([^\t]*)\t(.*)$")
    local headers = {["Authorization"] = "Bearer " .. token, ["X-Forwarded-For"] = address}
    if body == "" then
      body = nil
    else
      headers["Content-Type"] = "application/json"
    end
    requests_[#requests_ + 1] = wrk.format(method, path, headers, body)
  end
  step_ = tonumber(os.getenv("BENCH_THREADS"))
  index_ = tid
end

function request()
  local r = requests_[(index_ % #requests_) + 1]
  index_ = index_ + step_
  return r
end
"""


@dataclass(frozen=True)
class Client:
    """One login of a mini-program user: its token and the address it calls from."""

    token: str
    address: str


def clients_of(work: Path) -> tuple[list[Client], str]:
    """The logins the seed wrote (in a fixed shuffled order), each with an address of its own,
    and the study month being studied now."""
    seeded = json.loads((work / "clients.json").read_text(encoding="utf-8"))
    tokens = seeded["tokens"]
    random.Random(3).shuffle(tokens)
    return ([Client(t, f"198.{18 + n // 65_536}.{n // 256 % 256}.{n % 256}") for n, t in enumerate(tokens)],
            seeded["month"])


def request_line(call: Call, client: Client, month: str, rng: random.Random, questions: list[str]) -> str:
    """One request as the wrk script reads it (a question drawn for POST /policy/ask)."""
    body = ""
    if call.method == "POST":
        body = json.dumps({"question": rng.choice(questions)}, ensure_ascii=False)
    path = PREFIX + call.path.format(month=month)
    return "\t".join((call.method, path, client.token, client.address, body))


def write_requests(path: Path, calls: tuple[Call, ...], clients: list[Client], month: str,
                   count: int) -> None:
    """count requests, the logins taking turns, each a call drawn in the calls' shares."""
    rng, questions = random.Random(5), _questions()
    weights = [c.share for c in calls]
    with path.open("w", encoding="utf-8") as out:
        for n in range(count):
            call = calls[0] if len(calls) == 1 else rng.choices(calls, weights)[0]
            out.write(request_line(call, clients[n % len(clients)], month, rng, questions) + "\n")


def check(port: int, clients: list[Client], month: str) -> str:
    """Every call, made by a few users: any answer not 2xx is printed with its body, once a call.
    What the users see, in a few words (so an empty list is as plain as an error)."""
    rng, questions, seen = random.Random(9), _questions(), []
    for call in MIX:
        for client in clients[:3]:
            method, path, _, _, body = request_line(call, client, month, rng, questions).split("\t")
            answer = requests.request(method, f"http://127.0.0.1:{port}{path}", timeout=10,
                                      data=body.encode() or None,
                                      headers={"Authorization": f"Bearer {client.token}",
                                               "X-Forwarded-For": client.address,
                                               **({"Content-Type": "application/json"} if body else {})})
            if not 200 <= answer.status_code < 300:
                print(f"!! {method} {path} → {answer.status_code}: {answer.text[:500]}", file=sys.stderr,
                      flush=True)
                break
            if client is clients[0]:
                seen.append(_gist(call, answer.json()))
    return "; ".join(seen)


def _gist(call: Call, got: dict) -> str:
    if call.path == "/me":
        return f"me: {'bound' if got['person'] else 'NOT BOUND'}, {len(got['agents'])} family"
    if call.path == "/me/notices":
        return f"notices: {len(got['notices'])} ({got['unread']} unread)"
    if call.path == "/activities":
        return f"activities: {len(got['activities'])}"
    if call.path == "/study/months":
        return f"months: {len(got['months'])}"
    if call.path == "/study/{month}":
        return f"article: {len(got['html'])} chars of HTML"
    return f"ask: {'an answer' if got['topic'] else 'which?' if got['candidates'] else 'no answer'}"


def run_wrk(port: int, work: Path, requests_file: Path, seconds: int, connections: int) -> str:
    """wrk's report for one run of the API's requests."""
    script = work / "api_requests.lua"
    script.write_text(WRK_SCRIPT, encoding="utf-8")
    env = dict(os.environ, BENCH_REQUESTS=str(requests_file), BENCH_THREADS="2")
    return subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", str(script),
                           f"http://127.0.0.1:{port}"], env=env, capture_output=True, text=True,
                          check=True).stdout


def measure_api(s: Scenario, calls: tuple[Call, ...], args: argparse.Namespace) -> Result:
    """Start the server on a new database, seed it, check every call, warm up, measure, stop."""
    with tempfile.TemporaryDirectory(prefix="bench-api-") as tmp:
        work = Path(tmp)
        proc, port = start_server(replace(s, traffic="mix"), work, args.pg_url)  # the office, chat users
        try:
            env = dict(os.environ, BOT_CONFIG=str(work / "bench.toml"), PYTHONPATH=str(ROOT))
            subprocess.run([sys.executable, str(Path(__file__).resolve()), "seed", str(work), str(args.users),
                            str(args.logins)], env=env, check=True, cwd=work)
            clients, month = clients_of(work)
            write_requests(work / "requests.txt", calls, clients, month, max(20_000, args.duration * 4_000))
            if s.traffic == API_MIX:
                print(f"    {check(port, clients, month)}", file=sys.stderr, flush=True)
            run_wrk(port, work, work / "requests.txt", 2, args.connections)
            result, report = measured(proc.pid, s, lambda: run_wrk(port, work, work / "requests.txt",
                                                                    args.duration, args.connections))
            if result.errors:  # the table adds them up: say which (a timeout is wrk's, after 2 s)
                said = re.findall(r"Non-2xx or 3xx responses: \d+|Socket errors: .*", report)
                print(f"    {s.traffic} {s.database}: {'; '.join(said)}", file=sys.stderr, flush=True)
            return result
        finally:
            proc.terminate()
            proc.wait(timeout=20)


def seed(work: Path, users: int, logins: int) -> None:
    """The mini-program's side of the office, on the database BOT_CONFIG names (bench/traffic.py's
    seed already run): users bound and logged in, activities and sign-ups, notices, readings. Writes
    the tokens and the month being studied to work/clients.json."""
    import sqlalchemy as sa

    from bot.accounts.miniprogram import mark_read, open_session
    from bot.activities.signups import sign_up
    from bot.config import load_settings
    from bot.db.engine import transaction
    from bot.delivery.inbox import messages_for
    from bot.models import Activity, ActivityStatus, Binding, MiniUser, OutboxMessage, OutboxStatus, Retiree
    from bot.notices.sending import send
    from bot.sandbox.sample_roster import BRANCHES
    from bot.services import build_services
    from bot.study import material as materials
    from bot.study.readings import record_reading

    services = build_services(load_settings())
    settings, now, tokens = services.settings, services.clock.now(), []
    try:
        with transaction(services.sessions) as session:
            people = list(session.scalars(sa.select(Retiree.id).order_by(Retiree.id)))
            for n in range(users):
                openid = f"o_bench_mini_{n:04d}"
                for login in range(logins):  # made now: none is due to slide its expiry during the run
                    token, _ = open_session(session, openid=openid, unionid=None, session_key=f"k{n}_{login}",
                                            now=now, days=30)
                    tokens.append(token)
                family = n >= len(people)
                session.add(Binding(openid=openid, app="mini", retiree_id=people[n % len(people)],
                                    role="agent" if family else "self", relation="女儿" if family else None,
                                    bound_at=now))
            tea = session.scalar(sa.select(Activity).where(Activity.starts_at > now))  # the sample's, for all
            for title, days, groups in (("重阳登高", 20, ["all"]), ("支部参观学习", 10, [BRANCHES[0]])):
                starts = now + timedelta(days=days)
                session.add(Activity(title=title, kind="外出", starts_at=starts, place="城郊森林公园",
                                     capacity=40, deadline=starts - timedelta(days=2),
                                     cancel_until=starts - timedelta(days=1), groups=groups,
                                     companion_seats=1, status=ActivityStatus.OPEN, created_at=now,
                                     updated_at=now))
            for n, person in enumerate(people[:60]):  # 30 seats: 30 on the waitlist
                sign_up(session, tea.id, person, openid=user_openid(n), by_agent=False, companion=False,
                        now=now)
            for days, title in ((20, "冬季体检安排"), (7, "元旦慰问"), (1, "支部会")):
                notice, _ = send(session, settings, title=title, audience="all", actor="bench",
                                 text=f"各位老同志：{title}的通知，请留意时间地点，有问题请留言。",
                                 now=now - timedelta(days=days))
                session.execute(sa.update(OutboxMessage).where(OutboxMessage.notice_id == notice.id)
                                .values(status=OutboxStatus.SENT, channel="custom", attempts=1,
                                        sent_at=now - timedelta(days=days)))
            for user in session.scalars(sa.select(MiniUser).where(MiniUser.id % 2 == 0)):  # the oldest read
                binding = session.scalar(sa.select(Binding).where(Binding.openid == user.openid))
                if shown := messages_for(session, openid=user.openid, retiree_id=binding.retiree_id):
                    mark_read(session, user, shown[-1].id, now)
            months = materials.months(settings.content_dir)
            for person in people[::2] if len(months) > 1 else ():  # half have read last month's
                record_reading(session, person, months[1], now - timedelta(days=20), via="oa")
            current = materials.current(settings.content_dir, settings.study.day, now.date())
        (work / "clients.json").write_text(json.dumps({"tokens": tokens, "month": current.month if current
                                                       else months[0]}), encoding="utf-8")
    finally:
        services.close()


def table(rounds: list[list[Result]]) -> str:
    """A Markdown table: each scenario's medians over the rounds; its requests/s over /wechat's on
    the same database, round by round; and its share of the empty app's (the median of the rounds':
    comparable across days, when the machine itself is faster or slower)."""
    lines = ["| path | database | requests/s | p50 ms | p99 ms | non-2xx | CPU ms/request | "
             "vs /wechat (each round) | share of the empty app |",
             "|---|---|---:|---:|---:|---:|---:|---|---:|"]

    def ratios(scenario: Scenario, other: Scenario) -> list[float]:
        return [next(x.rps for x in results if x.scenario == scenario) /
                next(x.rps for x in results if x.scenario == other) for results in rounds]

    empty = next(r.scenario for r in rounds[0] if r.scenario.traffic == EMPTY)
    for runs in zip(*rounds, strict=True):
        r = median_of(list(runs))
        vs = share = "—"
        if r.scenario.traffic not in (WECHAT, EMPTY):
            vs = _each(ratios(r.scenario, replace(r.scenario, traffic=WECHAT)))
        if r.scenario.traffic != EMPTY:
            share = f"{statistics.median(ratios(r.scenario, empty)):.0%}"
        lines.append(f"| {r.scenario.traffic} | {r.scenario.database} | {r.rps:,.0f} | {r.p50_ms:.1f} | "
                     f"{r.p99_ms:.1f} | {r.errors} | {r.cpu_ms:.2f} | {vs} | {share} |")
    return "\n".join(lines)


def main() -> int:
    """Run every scenario, round after round, and print the table."""
    if sys.argv[1:2] == ["seed"]:
        seed(Path(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--users", type=int, default=500, help="mini-program users, bound")
    parser.add_argument("--logins", type=int, default=4, help="logins (tokens) per user")
    parser.add_argument("--pg-url", default=PG_URL, help="a scratch database: it is emptied")
    parser.add_argument("--skip-pg", action="store_true")
    parser.add_argument("--mix-only", action="store_true", help="not each call alone")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True)
    plan: list[tuple[Scenario, tuple[Call, ...] | None]] = [(Scenario("empty", "plain", "—", EMPTY), None)]
    for database in ("sqlite",) + (() if args.skip_pg else ("postgresql",)):
        plan.append((Scenario("ours", "plain", database, WECHAT), None))
        plan.append((Scenario("ours", "plain", database, API_MIX), MIX))
        if not args.mix_only:
            plan += [(Scenario("ours", "plain", database, call.name), (call,)) for call in MIX]
    rounds = []
    for n in range(1, args.rounds + 1):
        results = []
        for s, calls in plan:
            print(f"… round {n}: {s.traffic} {s.database}", file=sys.stderr, flush=True)
            if calls is None:  # bench/webhook.py's: ours on the mix, or the empty app
                results.append(replace(measure_webhook(replace(s, traffic="mix"), args), scenario=s))
            else:
                results.append(measure_api(s, calls, args))
        rounds.append(results)
    print(f"\nwrk -t2 -c{args.connections} -d{args.duration}s, gunicorn -w 2 (sync), loopback, "
          f"{os.cpu_count()} cores; /wechat: bench/webhook.py's mix from {USERS['mix']} bound chat users; "
          f"/api/v1: {args.users} bound mini-program users × {args.logins} logins, each from an "
          f"address of its own; mix: {', '.join(f'{c.method} {c.path} {c.share}%' for c in MIX)}; "
          f"medians of {args.rounds} rounds\n")
    print(table(rounds))
    return 0


if __name__ == "__main__":
    sys.exit(main())
