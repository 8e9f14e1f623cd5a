"""What a webhook message costs on PostgreSQL, by kind: statements, round trips, our CPU and the
database backend's CPU, in-process (the WSGI app called directly, as bench/instructions.py does).

    .venv/bin/python bench/pg_round_trips.py [--messages 3000] [--warm 600] [--against REV]
                                             [--pg-url URL]

The mix of bench/traffic.py from 500 bound users (signed as WeChat signs them), each message
tagged with the kind of its episode. Counted per message:
- statements: what SQLAlchemy sent (its before_cursor_execute event), the BEGIN psycopg sends of
  its own, and what bot.db.round_trips sends past them (BEGIN, PREPARE, the lock, the claim; the
  conversation row, the no-flush switch, the record, COMMIT), counted in the text it sends;
- round trips: the sendto() calls on the database's socket, counted by strace in a second run of
  the same requests (one sendto a query; libpq sends a query in one call);
- our CPU: the process's CPU time (all threads: the handler runs on the gateway's pool);
- the backend's CPU: /proc/<pid>/schedstat (nanoseconds on the CPU) of the database's backends
  serving the app, before and after each message.

The database at --pg-url (default `perf_round_trips` on the local server, created when missing)
is emptied and seeded first: give it a scratch one, never the tests' `test`. --against REV runs
the same on a git worktree of REV, right after this checkout, and prints both tables.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/perf_round_trips"
PATIENT = "max_clock_skew = 86400\n"
MARK = b"@@msg "


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=3000)
    parser.add_argument("--warm", type=int, default=600)
    parser.add_argument("--pg-url", default=PG_URL)
    parser.add_argument("--against", metavar="REV")
    parser.add_argument("--repeat", type=int, default=1, help="CPU runs per revision, alternated")
    args = parser.parse_args()
    if not shutil.which("strace"):
        subprocess.run(["apt-get", "install", "-y", "-qq", "strace"], check=True)
    with tempfile.TemporaryDirectory(prefix="bench-pg-") as tmp:
        work = Path(tmp)
        roots = [ROOT]
        if args.against:
            base = work / "base"
            subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "-q", str(base),
                            args.against], check=True)
            roots.append(base)
        try:
            results: dict[Path, list[dict]] = defaultdict(list)
            for _ in range(args.repeat):
                for root in roots:
                    results[root].append(run(root, work, args, trace=False))
            for root in roots:
                traced = run(root, work, args, trace=True)
                print(f"\n{revision(root)}: {args.messages} messages after {args.warm}, PostgreSQL, "
                      "in-process\n")
                print(table(results[root], traced))
        finally:
            if args.against:
                subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(work / "base")],
                               check=True)
    return 0


def revision(root: Path) -> str:
    return subprocess.run(["git", "-C", str(root), "rev-parse", "--short", "HEAD"], capture_output=True,
                          text=True, check=True).stdout.strip()


def run(root: Path, work: Path, args: argparse.Namespace, trace: bool) -> dict:
    """One replay of root's app on a fresh database; its per-message figures (JSON)."""
    sys.path.insert(0, str(ROOT))
    from bench.webhook import Scenario, server_env, write_requests

    place = work / f"{root.name}-{int(time.time() * 1000)}"
    place.mkdir()
    requests = work / "requests.txt"
    if not requests.exists():
        write_requests(requests, args.warm + args.messages, "plain", first_id=10_000_000, traffic="mix",
                       seed=7)
    env = server_env(Scenario("ours", "plain", "postgresql", root=root), place, args.pg_url,
                     wechat_extra=PATIENT)
    env = env | {"PYTHONHASHSEED": "0", "PYTHONPATH": f"{root}{os.pathsep}{ROOT / 'bench'}"}
    out = place / "figures.json"
    command = [sys.executable, __file__, "replay", str(requests), str(args.warm), str(args.messages),
               str(out), args.pg_url]
    if trace:
        command = ["strace", "-f", "-qq", "-e", "trace=sendto,write", "-e", "signal=none", "-s", "40",
                   "-o", str(place / "strace.txt"), *command]
    subprocess.run(command, env=env, cwd=place, check=True)
    figures = json.loads(out.read_text())
    if trace:
        figures["round_trips"] = round_trips(place / "strace.txt", args.warm)
    return figures


def round_trips(strace: Path, warm: int) -> list[int]:
    """sendto() calls between the markers the replay writes before each message (counted ones)."""
    counts: list[int] = []
    for line in strace.read_text(errors="replace").splitlines():
        if "@@msg " in line and "write(" in line:
            counts.append(0)
        elif "sendto(" in line and counts:
            counts[-1] += 1
    return counts[warm:]


# ---------------------------------------------------------------------------------------------------
# The replay, in its own process (its revision's bot on PYTHONPATH).

def kinds(count: int, users: int, seed: int) -> list[str]:
    """The kind of each of bench/traffic.py's turns, in the order turns() yields them."""
    from traffic import Mix

    class Tagged(Mix):
        def episode(self):  # the same draws as Mix.episode, in the same order
            kind = self._rng.choices(self._names, self._weights)[0]
            question = self._rng.choice(self._questions)
            if kind == "policy":
                return [("policy question", ("text", question))]
            if kind == "policy_related":
                return [("policy question", ("text", question)),
                        ("number after a policy answer", ("text", "1"))]
            if kind == "policy_voice":
                return [("policy question", ("voice", question + "。"))]
            if kind == "menu":
                return [("菜单", ("text", "菜单")),
                        ("number after 菜单", ("text", str(self._rng.randint(1, 6))))]
            name = {"signup": "报名 episode", "study": "学习 episode", "tickets": "留言 episode",
                    "courtesy_voice": "greeting/courtesy"}[kind]
            return [(name, turn) for turn in self._rng.choice(self._corpus[kind])]

    mix = Tagged(seed)
    queues: list[list] = [[] for _ in range(users)]
    out = []
    for n in range(count):
        queue = queues[n % users]
        if not queue:
            queue.extend(mix.episode())
        out.append(queue.pop(0)[0])
    return out


def count_statements(sql: str) -> int:
    """The statements in a simple query: its semicolons outside quoted literals ('…' with ''
    doubled, E'…' with backslash escapes, as psycopg quotes), plus one."""
    count, i, n = 1, 0, len(sql)
    while i < n:
        c = sql[i]
        if c == "'":
            escaped = i > 0 and sql[i - 1] in "Ee" and (i < 2 or not sql[i - 2].isalnum())
            i += 1
            while i < n:
                if escaped and sql[i] == "\\":
                    i += 2
                    continue
                if sql[i] == "'":
                    if i + 1 < n and sql[i + 1] == "'":
                        i += 2
                        continue
                    break
                i += 1
        elif c == ";" and sql[i + 1:].strip():
            count += 1
        i += 1
    return count


def schedstat(pid: int) -> int:
    return int(Path(f"/proc/{pid}/schedstat").read_text().split()[0])


def replay(requests: Path, warm: int, messages: int, out: Path, pg_url: str) -> None:
    import gc
    import io

    import sqlalchemy as sa
    from sqlalchemy import event

    from bot import create_app
    from bot.db import round_trips as rt

    lines = requests.read_text(encoding="utf-8").splitlines()
    pairs = list(zip(lines[0::2], lines[1::2], strict=True))[: warm + messages]
    tags = kinds(len(pairs), 500, 7)
    app = create_app()
    services = app.extensions["yinling"]
    statements = [0]

    from psycopg import pq

    @event.listens_for(services.engine, "before_cursor_execute")
    def _count(conn, *_args):
        # psycopg sends a BEGIN of its own before a transaction's first statement (unless the
        # claim's round trip began it)
        idle = conn.connection.dbapi_connection.info.transaction_status == pq.TransactionStatus.IDLE
        statements[0] += 1 + (idle and not conn.connection.dbapi_connection.autocommit)

    original_run = rt._run

    def run(raw, sql):  # what bot.db.round_trips sends past SQLAlchemy, in one simple query
        statements[0] += count_statements(sql)
        return original_run(raw, sql)

    rt._run = run
    gc.collect()
    gc.freeze()
    monitor = sa.create_engine(sa.make_url(pg_url), isolation_level="AUTOCOMMIT").connect()
    database = sa.make_url(pg_url).database
    mine = monitor.scalar(sa.text("SELECT pg_backend_pid()"))
    marker = os.open(os.devnull, os.O_WRONLY)
    backends: list[int] = []
    rows = []
    for n, (path, body) in enumerate(pairs):
        if n == warm:
            backends = list(monitor.scalars(sa.text(
                "SELECT pid FROM pg_stat_activity WHERE datname = :d AND pid <> :me"),
                {"d": database, "me": mine}))
        os.write(marker, MARK + tags[n].encode() + b"\n")
        before_statements = statements[0]
        pg_before = sum(schedstat(p) for p in backends)
        cpu_before = time.process_time_ns()
        route, _, query = path.partition("?")
        raw = body.encode()
        environ = {"REQUEST_METHOD": "POST", "PATH_INFO": route, "QUERY_STRING": query,
                   "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "80", "SERVER_PROTOCOL": "HTTP/1.1",
                   "REMOTE_ADDR": "127.0.0.1", "wsgi.input": io.BytesIO(raw), "wsgi.url_scheme": "http",
                   "CONTENT_LENGTH": str(len(raw)), "CONTENT_TYPE": "text/xml", "wsgi.errors": sys.stderr}
        status: list[str] = []
        b"".join(app(environ, lambda code, headers, exc=None, status=status: status.append(code)))
        cpu = time.process_time_ns() - cpu_before
        pg = sum(schedstat(p) for p in backends) - pg_before
        assert status[0].startswith("200"), status
        if n >= warm:
            rows.append([tags[n], statements[0] - before_statements, cpu, pg])
    with services.engine.connect() as conn:
        routes = dict(conn.execute(sa.text(
            "SELECT msg_id, route FROM inbound_messages WHERE msg_id IS NOT NULL")).all())
    first_id = 10_000_000
    for n, row in enumerate(rows):
        row.append(routes.get(str(first_id + warm + n), routes.get(first_id + warm + n, "?")))
    out.write_text(json.dumps({"rows": rows, "backends": len(backends)}))


# ---------------------------------------------------------------------------------------------------

ORDER = ("policy question", "number after a policy answer", "报名 episode", "学习 episode", "留言 episode",
         "greeting/courtesy", "菜单", "number after 菜单")


def table(runs: list[dict], traced: dict) -> str:
    rows = traced["rows"]
    trips = traced["round_trips"]
    assert len(trips) == len(rows), (len(trips), len(rows))
    groups: dict[str, list[int]] = defaultdict(list)
    for n, row in enumerate(rows):
        groups[row[0]].append(n)
    out = ["| kind | share | statements | round trips | our CPU µs | PG backend CPU µs |",
           "|---|---:|---:|---:|---:|---:|"]

    def line(name: str, idx: list[int]) -> str:
        share = len(idx) / len(rows)
        st = statistics.fmean(rows[i][1] for i in idx)
        rt = statistics.fmean(trips[i] for i in idx)
        ours = "/".join(f"{statistics.fmean(r['rows'][i][2] for i in idx) / 1000:.0f}" for r in runs)
        pg = "/".join(f"{statistics.fmean(r['rows'][i][3] for i in idx) / 1000:.0f}" for r in runs)
        return f"| {name} | {share:.1%} | {st:.2f} | {rt:.2f} | {ours} | {pg} |"

    for name in ORDER:
        if groups.get(name):
            out.append(line(name, groups[name]))
    out.append(line("**all**", list(range(len(rows)))))
    by_route: dict[str, list[int]] = defaultdict(list)
    for n, row in enumerate(rows):
        by_route[row[4]].append(n)
    out += ["", "| route | share | statements | round trips | our CPU µs | PG backend CPU µs |",
            "|---|---:|---:|---:|---:|---:|"]
    for name, idx in sorted(by_route.items(), key=lambda kv: -len(kv[1])):
        out.append(line(name, idx))
    return "\n".join(out)


if __name__ == "__main__":
    if sys.argv[1:2] == ["replay"]:
        replay(Path(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), Path(sys.argv[5]), sys.argv[6])
    else:
        sys.exit(main())
