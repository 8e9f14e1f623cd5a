"""Webhook benchmark: our /wechat vs WeRoBot 1.13.1, both under gunicorn with 2 workers.

    .venv/bin/python bench/webhook.py [--duration 10] [--rounds 3] [--connections 50] [--skip-pg]
                                      [--pg-url URL] [--against REV]

Two kinds of traffic: the mix retirees really send (bench/traffic.py: policy questions typed and
spoken, numbered replies inside steps, 学习, 报名 with confirmation, 留言, greetings — from 500
bound users, each in order) and 「联系我们」 alone from 300 users, the cheapest path.

The PostgreSQL database at --pg-url (default: `bench` on the local server, created when missing)
is emptied before each of its scenarios: give it a scratch one, never the tests' `test`.

wrk (installed from Debian's packages when missing) replays pre-signed deliveries with distinct
MsgIds from a few hundred users. Prints requests/s and p50/p99 latency per server, mode and
database, and how ours compares with WeRoBot. The scenarios run in rounds, one of each per round,
and the table shows each one's median: on a shared machine the speed drifts from minute to
minute, and a round keeps ours and WeRoBot's runs minutes apart at most.

--against REV also runs each of our scenarios on revision REV (a git worktree of it), right
after this checkout's, and gives this checkout's requests/s over REV's, round by round: a
change's cost measured side by side, not against figures from another hour.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import urlencode

import requests
import sqlalchemy

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.traffic import turns, user_openid  # noqa: E402
from bot.config import WeChatSettings  # noqa: E402
from bot.sandbox.wechat_side import WeChatSide  # noqa: E402

PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/bench"  # not the tests' database
TOKEN = "bench_token"
WECHAT = WeChatSettings(appid="wx_bench_appid", secret="bench_secret", token=TOKEN,
                        encoding_aes_key="abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG")
USERS = {"mix": 500, "contact": 300}
# A member of staff with a template for alerts, as in production: reports and 留言 in the mix
# queue their alerts like any office's.
STAFF = '[staff]\nopenids = ["o_bench_staff_01"]\n[delivery.templates]\nstaff = "TPL_STAFF"\n'
# Both servers are served the same way: 2 sync workers (gunicorn.conf.py's), and the same
# hook that takes what the app loaded out of the garbage collector's rounds.
GUNICORN = ["-w", "2"]  # sync workers: measured faster than gthread for this CPU-bound path
OTHERS_CONF = ("import gc\n\n\ndef post_worker_init(worker):\n"
               "    gc.collect()\n    gc.freeze()\n")


@dataclass(frozen=True)
class Scenario:
    """One server under test."""

    server: str  # "ours", "werobot" or "empty" (the floor: an app that answers at once)
    mode: str
    database: str  # "sqlite" or "postgresql"
    traffic: str = "mix"  # "mix" (bench/traffic.py) or "contact" (「联系我们」 alone)
    root: Path = ROOT  # the checkout whose bot is served (another revision with --against)


@dataclass(frozen=True)
class Result:
    """What wrk measured for one scenario."""

    scenario: Scenario
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int
    cpu_ms: float = 0.0
    steal: float = 0.0  # share of the machine's CPU time the hypervisor gave to other guests


def ensure_tools() -> None:
    """wrk from Debian's packages and WeRoBot from PyPI, installed when missing."""
    if not shutil.which("wrk"):
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True)
    try:
        import werobot  # noqa: F401
    except ImportError:
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", "-e", f"{ROOT}[bench]"],
                       check=True)


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def write_requests(path: Path, count: int, mode: str, first_id: int, traffic: str, seed: int) -> None:
    """count signed deliveries of the traffic, two lines each (each with a nonce of its own)."""
    side = WeChatSide(WeChatSettings(**{**WECHAT.__dict__, "mode": mode}))
    said = (turns(count, USERS["mix"], seed) if traffic == "mix"
            else ((n % USERS["contact"], ("text", "联系我们")) for n in range(count)))
    with path.open("w", encoding="utf-8") as out:
        for n, (user, (kind, text)) in enumerate(said):
            xml = (side.voice(user_openid(user), text, msg_id=first_id + n) if kind == "voice"
                   else side.text(user_openid(user), text, msg_id=first_id + n))
            delivery = side.deliver(xml, encrypted=(mode == "safe"))
            body = delivery.body.decode().replace("\n", "")
            out.write(f"/wechat?{urlencode(delivery.params)}\n{body}\n")


def start_server(s: Scenario, work: Path, pg_url: str) -> tuple[subprocess.Popen, int]:
    """gunicorn with 2 sync workers serving the scenario's app."""
    port = free_port()
    env = server_env(s, work, pg_url)
    app = {"ours": "bot:create_app()", "empty": "empty_app:app", "werobot": "werobot_app:app"}[s.server]
    conf = s.root / "gunicorn.conf.py"  # ours: its production settings
    if s.server != "ours":  # the others get the same worker settings, without our config check
        conf = work / "gunicorn.conf.py"
        conf.write_text(OTHERS_CONF, encoding="utf-8")
    proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", str(conf), *GUNICORN,
                             "-b", f"127.0.0.1:{port}", "--log-level", "warning", app],
                            env=env, cwd=work)
    _wait_for(port, proc)
    return proc, port


def server_env(s: Scenario, work: Path, pg_url: str, wechat_extra: str = "") -> dict[str, str]:
    """The environment the scenario's app runs in. Ours: its config written in work (wechat_extra:
    more [wechat] settings), its database emptied and upgraded, and for the mix the sample
    office with every bench user bound."""
    env = dict(os.environ)
    if s.server == "empty":
        return env | {"PYTHONPATH": str(ROOT / "bench")}
    if s.server == "werobot":
        return env | {"BENCH_TOKEN": TOKEN, "BENCH_WEROBOT_DB": str(work / "werobot.sqlite3"),
                      "PYTHONPATH": str(ROOT / "bench")}
    db = pg_url if s.database == "postgresql" else f"sqlite:///{work / 'bot.db'}"
    config = work / "bench.toml"
    wechat = "".join(f'{k} = "{v}"\n' for k, v in {**WECHAT.__dict__, "mode": s.mode}.items()
                     if isinstance(v, str))
    config.write_text(f'database_url = "{db}"\npublic_url = "http://127.0.0.1"\n[wechat]\n{wechat_extra}'
                      f"{wechat}{STAFF}", encoding="utf-8")
    env["BOT_CONFIG"] = str(config)
    if s.database == "postgresql":
        empty_schema(pg_url)
    env["PYTHONPATH"] = str(s.root)  # ahead of the editable install, which is this checkout
    subprocess.run([sys.executable, "-m", "bot", "db", "upgrade"], env=env, check=True,
                   cwd=s.root, capture_output=True)
    if s.traffic == "mix":  # the sample office, every bench user bound to one of its people
        subprocess.run([sys.executable, str(s.root / "bench" / "traffic.py"), "seed", str(USERS["mix"])],
                       env=env, check=True, cwd=s.root, capture_output=True)
    return env


def empty_schema(pg_url: str) -> None:
    """Drop every table at pg_url (creating the database if it is missing): each scenario starts
    from an empty database on PostgreSQL too, as it does from a new file on SQLite (a table grown
    by earlier runs to hundreds of MB, more than shared_buffers, slowed every insert)."""
    url = sqlalchemy.make_url(pg_url)
    server = sqlalchemy.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        if not conn.scalar(sqlalchemy.text("SELECT 1 FROM pg_database WHERE datname = :name"),
                           {"name": url.database}):
            conn.execute(sqlalchemy.text(f'CREATE DATABASE "{url.database}"'))
    server.dispose()
    engine = sqlalchemy.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sqlalchemy.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()


def _wait_for(port: int, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert proc.poll() is None, "server exited during start-up"
        try:
            requests.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return
        except requests.RequestException:
            time.sleep(0.2)
    raise RuntimeError("server did not start")


def run_wrk(port: int, requests_file: Path, seconds: int, connections: int) -> str:
    """wrk's report for one run."""
    env = dict(os.environ, BENCH_REQUESTS=str(requests_file), BENCH_THREADS="2")
    out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency",
                          "-s", str(ROOT / "bench" / "wrk_requests.lua"),
                          f"http://127.0.0.1:{port}"], env=env, capture_output=True, text=True,
                         check=True)
    return out.stdout


def _ms(value: str, unit: str) -> float:
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def parse_wrk(report: str, scenario: Scenario) -> Result:
    """Requests/s, p50, p99 and error counts from wrk's text."""
    lat = dict(re.findall(r"^\s+(50|99)%\s+([\d.]+(?:us|ms|s))\s*$", report, re.M))
    split = {k: re.match(r"([\d.]+)(us|ms|s)", v).groups() for k, v in lat.items()}
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", report)
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)",
                              report)
    total = int(re.search(r"(\d+) requests in", report).group(1))
    errs = (int(errors.group(1)) if errors else 0) + (
        sum(map(int, socket_errors.groups())) if socket_errors else 0)
    return Result(scenario, float(re.search(r"Requests/sec:\s+([\d.]+)", report).group(1)),
                  _ms(*split["50"]), _ms(*split["99"]), total, errs)


def measure(s: Scenario, args: argparse.Namespace) -> Result:
    """Start the server, warm it up, measure, stop it."""
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        work = Path(tmp)
        count = max(20_000, args.duration * 4_000)
        base = int(time.time() * 1000)
        write_requests(work / "warm.txt", 3_000, s.mode, first_id=base, traffic=s.traffic, seed=1)
        write_requests(work / "main.txt", count, s.mode, first_id=base + 10_000, traffic=s.traffic, seed=2)
        proc, port = start_server(s, work, args.pg_url)
        try:
            run_wrk(port, work / "warm.txt", 2, args.connections)
            return measured(proc.pid, s, lambda: run_wrk(port, work / "main.txt", args.duration,
                                                         args.connections))[0]
        finally:
            proc.terminate()
            proc.wait(timeout=20)


def measured(server: int, s: Scenario, run: Callable[[], str]) -> tuple[Result, str]:
    """What wrk's run reported, with the CPU time the server (gunicorn's master pid) spent a
    request and the share of the machine's time stolen by the hypervisor meanwhile; and the
    report itself."""
    before, ticks = server_cpu_seconds(server), cpu_ticks()
    report = run()
    cpu = server_cpu_seconds(server) - before
    spent = [after - then for then, after in zip(ticks, cpu_ticks(), strict=True)]
    result = parse_wrk(report, s)
    return replace(result, cpu_ms=1000 * cpu / max(result.requests, 1),
                   steal=spent[7] / max(sum(spent), 1)), report


def cpu_ticks() -> list[int]:
    """The machine's CPU time so far by kind (user, nice, system, idle, …, steal), /proc/stat."""
    return [int(n) for n in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]


def server_cpu_seconds(master: int) -> float:
    """CPU time used so far by gunicorn's master and its workers (the database server's own
    time is not counted: PostgreSQL's is shared by every scenario that uses it)."""
    children = subprocess.run(["pgrep", "-P", str(master)], capture_output=True,
                              text=True).stdout.split()
    total = 0.0
    for pid in [str(master), *children]:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def median_of(runs: list[Result]) -> Result:
    """One scenario's runs summed up: the median of each figure, the total of requests/errors."""
    def mid(field: str) -> float:
        return statistics.median(getattr(r, field) for r in runs)
    return Result(runs[0].scenario, mid("rps"), mid("p50_ms"), mid("p99_ms"),
                  sum(r.requests for r in runs), sum(r.errors for r in runs), mid("cpu_ms"),
                  mid("steal"))


def ratios(rounds: list[list[Result]], scenario: Scenario, against: str) -> list[float]:
    """scenario's requests/s over `against`'s (werobot on the same traffic, the empty app, or
    "base": the same scenario on the --against revision), round by round."""
    def other(r: Result) -> bool:
        if against == "base":
            return r.scenario == replace(scenario, root=r.scenario.root) and r.scenario.root != ROOT
        return r.scenario.server == against and (against == "empty" or r.scenario.traffic == scenario.traffic)
    out = []
    for results in rounds:
        ours = next(r.rps for r in results if r.scenario == scenario)
        out.append(ours / next(r.rps for r in results if other(r)))
    return out


def revision(root: Path) -> str:
    """The short commit checked out at root."""
    return subprocess.run(["git", "-C", str(root), "rev-parse", "--short", "HEAD"], capture_output=True,
                          text=True, check=True).stdout.strip()


NAMES = {"ours": "银龄助手", "werobot": "WeRoBot 1.13.1", "empty": "(empty app: the floor)"}
TRAFFIC = {"mix": "mix", "contact": "联系我们"}


def table(rounds: list[list[Result]], base: Path | None = None) -> str:
    """A Markdown table: each scenario's medians over the rounds, ours against WeRoBot (and
    against the base revision's same scenario, with --against)."""
    against = f" | vs {revision(base)} (each round)" if base else ""
    lines = ["| server | traffic | mode | database | requests/s | p50 ms | p99 ms | CPU ms/request "
             f"| steal | requests | errors | vs WeRoBot (each round){against} | share of the empty app |",
             "|---|---|---|---|---:|---:|---:|---:|---:|---:|---:|---|" + ("---|" if base else "") + "---:|"]
    for runs in zip(*rounds, strict=True):
        r = median_of(list(runs))
        vs = share = "—"
        if r.scenario.server != "empty":
            share = f"{statistics.median(ratios(rounds, r.scenario, 'empty')):.0%}"
        if r.scenario.server == "ours":
            vs = _each(ratios(rounds, r.scenario, "werobot"))
        if base:
            vs += " | " + (_each(ratios(rounds, r.scenario, "base"))
                           if r.scenario.server == "ours" and r.scenario.root == ROOT else "—")
        traffic = "—" if r.scenario.server == "empty" else TRAFFIC[r.scenario.traffic]
        ours_at = base and r.scenario.server == "ours"
        name = NAMES[r.scenario.server] + (f" {revision(r.scenario.root)}" if ours_at else "")
        lines.append(f"| {name} | {traffic} | {r.scenario.mode} | "
                     f"{r.scenario.database} | {r.rps:,.0f} | {r.p50_ms:.1f} | {r.p99_ms:.1f} | "
                     f"{r.cpu_ms:.2f} | {r.steal:.0%} | {r.requests:,} | {r.errors} | {vs} | {share} |")
    return "\n".join(lines)


def _each(ratios: list[float]) -> str:
    """The median ratio, then each round's."""
    return f"{statistics.median(ratios):.2f}× ({' / '.join(f'{x:.2f}' for x in ratios)})"


def main() -> int:
    """Run every scenario, round after round, and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--pg-url", default=PG_URL, help="a scratch database: it is emptied")
    parser.add_argument("--skip-pg", action="store_true")
    parser.add_argument("--against", metavar="REV", help="also run our scenarios on this git revision")
    args = parser.parse_args()
    ensure_tools()
    with tempfile.TemporaryDirectory(prefix="bench-base-") as tmp:
        base = None
        if args.against:
            base = Path(tmp) / "base"
            subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "-q", str(base),
                            args.against], check=True)
        try:
            return _run(args, base)
        finally:
            if base:
                subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(base)],
                               check=True)


def _run(args: argparse.Namespace, base: Path | None) -> int:
    """Every scenario, round after round (each of ours followed by its twin on base), then the table."""
    scenarios = [Scenario("empty", "plain", "—"),
                 Scenario("werobot", "plain", "sqlite", "mix"),
                 Scenario("werobot", "plain", "sqlite", "contact"),
                 Scenario("ours", "plain", "sqlite", "mix"), Scenario("ours", "safe", "sqlite", "mix"),
                 Scenario("ours", "plain", "sqlite", "contact")]
    if not args.skip_pg:
        scenarios += [Scenario("ours", "plain", "postgresql", "mix"),
                      Scenario("ours", "safe", "postgresql", "mix"),
                      Scenario("ours", "plain", "postgresql", "contact")]
    if base:
        scenarios = [twin for s in scenarios
                     for twin in ([s, replace(s, root=base)] if s.server == "ours" else [s])]
    rounds = []
    for n in range(1, args.rounds + 1):
        results = []
        for s in scenarios:
            print(f"… round {n}: {s.server} {s.mode} {s.database} {s.traffic} {s.root.name}", file=sys.stderr,
                  flush=True)
            results.append(measure(s, args))
        rounds.append(results)
    print(f"\nwrk -t2 -c{args.connections} -d{args.duration}s, gunicorn -w 2 (sync), loopback, "
          f"{os.cpu_count()} cores; the mix from {USERS['mix']} bound users (bench/traffic.py), "
          f"「联系我们」 from {USERS['contact']}; distinct MsgIds; medians of {args.rounds} rounds\n")
    print(table(rounds, base))
    return 0


if __name__ == "__main__":
    sys.exit(main())
