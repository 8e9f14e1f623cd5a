"""Delivery benchmark: one notice to 10,000 people through the local WeChat stand-in.

    .venv/bin/python bench/delivery [--people 10000] [--skip-pg] [--pg-url URL] [--no-reports]

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
The PostgreSQL database named by --pg-url has its public schema dropped and recreated.
Targets: enqueue under 3 s, sending over 500 messages/s.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import requests
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bot.config import DeliverySettings  # noqa: E402
from bot.models import Binding, DeliveryReport, Follower, OutboxMessage, OutboxStatus, Retiree  # noqa: E402
from bot.wechat_api.http import PooledHttp  # noqa: E402

PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
APPID, SECRET = "wx_bench_delivery", "bench_secret"
TEMPLATE = "cgi-bin/message/template/send"
PARALLEL = DeliverySettings().parallel
TOKEN = "t"
REPORT_WAIT = 5  # seconds; 600 by default, which would only make the killed runs wait


@dataclass(frozen=True)
class Row:
    """One line of the table."""

    database: str
    senders: int
    killed: bool
    enqueue_s: float
    send_s: float
    sent: int
    duplicates: int
    missed: int  # recipients WeChat never got the notice for
    uncertain: int  # the most uncertain at any one time
    uncertain_left: int


def main() -> int:
    """Run every scenario and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--skip-pg", action="store_true")
    parser.add_argument("--pg-url", default=PG_URL)
    parser.add_argument("--no-reports", action="store_true", help="no delivery reports, no gateway")
    args = parser.parse_args()
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
    try:
        with tempfile.TemporaryDirectory(prefix="bench-delivery-") as tmp:
            scenarios = [("sqlite", f"sqlite:///{tmp}/bench.db", 1)]
            if not args.skip_pg:
                scenarios += [("postgresql", args.pg_url, 1), ("postgresql", args.pg_url, 2)]
            for name, url, senders in scenarios:
                for killed in (False, True):
                    if killed and senders > 1:
                        continue
                    rows.append(run(name, url, senders, killed, args.people, (port, gateway_port),
                                    Path(tmp)))
                    print(_line(rows[-1]), flush=True)
    finally:
        standin.terminate()
        standin.wait()
    print(f"\none notice to {args.people:,} people, template messages, stand-in answering at once\n")
    print("| database | senders | SIGKILL half-way | enqueue s | sending s | messages/s "
          "| duplicates | never delivered | uncertain → left |\n|---|---:|---|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(_line(r))
    print(f"| stand-in alone (bare client, {PARALLEL} threads, no database) | | | | | {ceiling:.0f} | | | |")
    print("\ntargets: enqueue under 3 s, over 500 messages/s, 0 duplicates")
    return 0


def _start_standin(options: list[str]) -> tuple[int, subprocess.Popen]:
    """A stand-in process on a free port, serving; its port and process."""
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "bot.standin", "--port", str(port), "--appid", APPID,
                             "--secret", SECRET, "--minute-limit", "10000000", *options],
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _wait_up(f"http://127.0.0.1:{port}/_standin/calls?path=none")
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


def run(name: str, url: str, senders: int, killed: bool, people: int, ports: tuple[int, int | None],
        tmp: Path) -> Row:
    """One scenario on a fresh database; ports: the stand-in's and the gateway's (None: no reports)."""
    port, gateway_port = ports
    _fresh_database(url)
    _seed(url, people)
    config = tmp / "bench.toml"
    config.write_text(f'database_url = "{url}"\npublic_url = "http://127.0.0.1"\n[wechat]\n'
                      f'appid = "{APPID}"\nsecret = "{SECRET}"\ntoken = "{TOKEN}"\nmode = "plain"\n'
                      f'api_base_url = "http://127.0.0.1:{port}/"\n'
                      '[delivery]\nsends_per_minute = 10000000\n'  # else the defaults
                      f'report_wait = {REPORT_WAIT}\n[delivery.templates]\nnotice = "TPL_BENCH"\n',
                      encoding="utf-8")
    env = {**os.environ, "BOT_CONFIG": str(config), "PYTHONPATH": str(ROOT)}
    gateway = _gateway(env, gateway_port) if gateway_port is not None else None
    try:
        since = len(_calls(port))
        enqueue_s = _enqueue(env)
        started = time.perf_counter()
        procs = [_sender(env) for _ in range(senders)]
        if killed:
            _wait(lambda: _sent(url) >= people // 2)
            procs[0].send_signal(signal.SIGKILL)
            procs[0].wait()
            procs = [_sender(env)]
        uncertain = _Peak(lambda: _count(url, OutboxStatus.UNCERTAIN))
        # Without reports the uncertain stay uncertain: only the sending is waited for.
        _wait(lambda: _left(url) == 0 and (uncertain.read() == 0 or gateway is None), timeout=600,
              give_up_quietly=True)
        send_s = time.perf_counter() - started
        for p in procs:
            p.terminate()
            p.wait()
        # Not timed: the reports still on their way, so none spills into the next scenario.
        if gateway:
            _wait(lambda: _unreported(url) == 0, timeout=300)
    finally:
        if gateway:
            gateway.terminate()
            gateway.wait()
    delivered = Counter(openid for c in _calls(port)[since:] for openid in c["delivered"])
    return Row(name, senders, killed, enqueue_s, send_s, sum(delivered.values()),
               sum(n - 1 for n in delivered.values() if n > 1), people - len(delivered),
               uncertain.most, _count(url, OutboxStatus.UNCERTAIN))


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


def _seed(url: str, people: int) -> None:
    """people retirees, each with their own WeChat account bound and following."""
    now = datetime.now(UTC)
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.insert(Retiree), [
            {"id": n + 1, "name": f"测试{n}", "birth_date": date(1940, 1, 1), "status": "退休",
             "created_at": now, "updated_at": now} for n in range(people)])
        conn.execute(sa.insert(Follower), [
            {"openid": f"o_bench_{n:06d}", "active": True, "first_seen_at": now} for n in range(people)])
        conn.execute(sa.insert(Binding), [
            {"openid": f"o_bench_{n:06d}", "retiree_id": n + 1, "role": "self", "bound_at": now}
            for n in range(people)])
        if url.startswith("postgresql"):
            conn.execute(sa.text("SELECT setval('retirees_id_seq', :n)"), {"n": people})
    engine.dispose()


@functools.cache
def _watcher(url: str) -> sa.Engine:
    """One engine per database for the counts polled while senders run: a new engine (and
    PostgreSQL connection) ten times a second took CPU from the very processes measured."""
    return sa.create_engine(url)


def _count(url: str, *statuses: str) -> int:
    return _rows(url, OutboxMessage, OutboxMessage.status.in_(statuses))


def _unreported(url: str) -> int:
    """Messages WeChat took whose report has not come in yet."""
    reported = sa.select(DeliveryReport.id).where(DeliveryReport.msgid == OutboxMessage.msgid)
    return _rows(url, OutboxMessage, OutboxMessage.msgid.is_not(None), ~reported.exists())


def _rows(url: str, model: type, *where: sa.ColumnElement[bool]) -> int:
    with _watcher(url).connect() as conn:
        return conn.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def _sent(url: str) -> int:
    return _count(url, OutboxStatus.SENT)


def _left(url: str) -> int:
    return _count(url, OutboxStatus.PENDING, OutboxStatus.SENDING)


def _calls(port: int) -> list[dict]:
    return requests.get(f"http://127.0.0.1:{port}/_standin/calls", params={"path": TEMPLATE},
                        timeout=30).json()


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
    return (f"| {r.database} | {r.senders} | {'yes' if r.killed else 'no'} | {r.enqueue_s:.2f} "
            f"| {r.send_s:.1f} | {r.sent / r.send_s:.0f} | {r.duplicates} | {r.missed} "
            f"| {r.uncertain} → {r.uncertain_left} |")


if __name__ == "__main__":
    sys.exit(main())
