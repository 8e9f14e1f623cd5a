"""Instructions a webhook message costs, counted by valgrind's callgrind: ours against WeRoBot
1.13.1, and against another revision of ours.

    .venv/bin/python bench/instructions.py [--messages 400] [--warm 600] [--against REV]

webhook.py's requests/s swing by a third from one minute to the next on this shared machine, and
more when the hypervisor steals time, so a change of a few per cent cannot be seen there.
callgrind counts the instructions the CPU runs, the same whatever else the machine is doing. Each
server is called in-process, as a WSGI app (no gunicorn, no sockets), with the mix retirees send
(bench/traffic.py, from 500 bound users, signed as WeChat signs them) on SQLite.

Each figure is two runs from the same start, under callgrind: the warm-up alone, and the warm-up
followed by --messages more. Their difference over --messages is what a message costs, with the
start-up (jieba's dictionary, the knowledge base: some 13 billion instructions) taken out. Both
runs see the same requests, each a database seeded alike, with PYTHONHASHSEED fixed; each
revision's derived caches (the user's cache folder) are built once before, outside callgrind, so
no counted run builds them.

What it does not count: the kernel's work, and time spent waiting. WeRoBot's SQLite session
storage writes, syncs and deletes a journal file for every message, in system calls and waits for
the disk that webhook.py's requests/s include and this does not; so "against WeRoBot's" here is
the work each does in its own code and libraries alone. Needs valgrind (Debian's package;
installed when missing).
"""

from __future__ import annotations

import argparse
import io
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if sys.argv[1:2] != ["replay"]:  # a replay imports only the app it calls: its revision's, on PYTHONPATH
    sys.path.insert(0, str(ROOT))
    from bench.webhook import PG_URL, USERS, Scenario, revision, server_env, write_requests

# The requests are signed before the runs, which take minutes under callgrind: ours must accept
# their timestamps for that long (WeRoBot checks none).
PATIENT = "max_clock_skew = 86400\n"
COLLECTED = re.compile(r"Collected : (\d+)")


@dataclass(frozen=True)
class Count:
    """Instructions a message cost one server, in one mode."""

    scenario: Scenario
    per_message: float


def main() -> int:
    """Count every scenario and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=400, help="messages counted, after the warm-up")
    # Every bench user speaks before counting starts: a process's first message from a user does
    # first-contact work (the follower row's upsert, the first reads) that a gunicorn worker does
    # in its first seconds and then not for minutes. bench/traffic.py's users take turns, so with
    # the warm-up at 100 (before 2026-12-06) each of the 400 counted messages was its user's first.
    parser.add_argument("--warm", type=int, default=USERS["mix"] + 100, help="messages before counting")
    parser.add_argument("--against", metavar="REV", help="also count this git revision of ours")
    args = parser.parse_args()
    if not shutil.which("valgrind"):
        subprocess.run(["apt-get", "install", "-y", "-qq", "valgrind"], check=True)
    with tempfile.TemporaryDirectory(prefix="bench-instructions-") as tmp:
        work = Path(tmp)
        base = None
        if args.against:
            base = work / "base"
            subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "-q", str(base),
                            args.against], check=True)
        try:
            counts = count_all(scenarios(base), work, args.warm, args.messages)
            print(f"\ncallgrind, in-process WSGI, SQLite, the mix from 500 bound users (bench/traffic.py); "
                  f"{args.messages} messages after {args.warm}, start-up subtracted\n")
            print(table(counts, base))
        finally:
            if base:
                subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(base)],
                               check=True)
    return 0


def scenarios(base: Path | None) -> list[Scenario]:
    """WeRoBot, then ours in plain and safe mode (each followed by its twin on base)."""
    return [Scenario("werobot", "plain", "sqlite"),
            *(Scenario("ours", mode, "sqlite", root=root) for mode in ("plain", "safe")
              for root in (ROOT, base) if root is not None)]


def count_all(todo: list[Scenario], work: Path, warm: int, messages: int) -> list[Count]:
    """Each scenario's instructions a message: two callgrind runs each, as many at once as cores."""
    for mode in {s.mode for s in todo}:
        write_requests(work / f"{mode}.txt", warm + messages, mode, first_id=10_000_000, traffic="mix",
                       seed=7)
    runs = []
    for i, s in enumerate(todo):
        for count in (warm, warm + messages):
            place = work / f"{i}-{count}"
            place.mkdir()
            runs.append((s, count, place, server_env(s, place, PG_URL, wechat_extra=PATIENT)))
    for root in {s.root for s in todo if s.server == "ours"}:  # each revision's caches, built
        place = work / f"caches-{root.name}"
        place.mkdir()
        env = server_env(Scenario("ours", "plain", "sqlite", root=root), place, PG_URL, wechat_extra=PATIENT)
        _replay(["replay", "ours", str(work / "plain.txt"), "0"], env, place)
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        totals = list(pool.map(lambda run: instructions(*run, requests=work / f"{run[0].mode}.txt"), runs))
    return [Count(s, (totals[2 * i + 1] - totals[2 * i]) / messages) for i, s in enumerate(todo)]


def instructions(s: Scenario, count: int, place: Path, env: dict[str, str], requests: Path) -> int:
    """What callgrind collected over one replay of the first count requests, in place (its own
    database, seeded by server_env)."""
    stderr = _replay(["replay", s.server, str(requests), str(count)], env | {"PYTHONHASHSEED": "0"}, place,
                     under=["valgrind", "--tool=callgrind", f"--callgrind-out-file={place}/callgrind.out"])
    return int(COLLECTED.findall(stderr)[-1])


def _replay(args: list[str], env: dict[str, str], place: Path, under: list[str] | None = None) -> str:
    """This script's replay in place (under valgrind, when given); its stderr. A failed replay
    raises with the end of what it said."""
    out = subprocess.run([*(under or []), sys.executable, __file__, *args], env=env, cwd=place,
                         capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(f"replay {' '.join(args)} failed:\n{out.stderr[-2000:]}")
    return out.stderr


def replay(server: str, requests: Path, count: int) -> None:
    """Under callgrind: the server's WSGI app called with the first count requests; each must be
    answered 200."""
    lines = requests.read_text(encoding="utf-8").splitlines()
    app = _app(server)
    for path, body in list(zip(lines[0::2], lines[1::2], strict=True))[:count]:
        status = _call(app, path, body.encode())
        assert status.startswith("200"), f"{server} answered {status}"


def _app(server: str) -> Callable:
    if server == "werobot":
        from werobot_app import app  # bench/, on PYTHONPATH (server_env)
        return app
    import gc

    from bot import create_app
    app = create_app()
    gc.collect()
    gc.freeze()  # as gunicorn.conf.py does once a worker has loaded the app
    return app


def _call(app: Callable, path: str, body: bytes) -> str:
    route, _, query = path.partition("?")
    environ = {"REQUEST_METHOD": "POST", "PATH_INFO": route, "QUERY_STRING": query,
               "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "80", "SERVER_PROTOCOL": "HTTP/1.1",
               "REMOTE_ADDR": "127.0.0.1", "wsgi.input": io.BytesIO(body), "wsgi.url_scheme": "http",
               "CONTENT_LENGTH": str(len(body)), "CONTENT_TYPE": "text/xml", "wsgi.errors": sys.stderr}
    status: list[str] = []
    b"".join(app(environ, lambda code, headers, exc=None: status.append(code)))
    return status[0]


def table(counts: Iterable[Count], base: Path | None) -> str:
    """A Markdown table: millions of instructions a message, against WeRoBot and against base."""
    counts = list(counts)
    werobot = next(c.per_message for c in counts if c.scenario.server == "werobot")
    against = f" | vs {revision(base)}" if base else ""
    lines = [f"| server | mode | instructions a message | against WeRoBot's{against} |",
             "|---|---|---:|---:|" + ("---:|" if base else "")]
    for c in counts:
        name = "WeRoBot 1.13.1" if c.scenario.server == "werobot" else f"银龄助手 {revision(c.scenario.root)}"
        vs = "—" if c.scenario.server == "werobot" else f"{c.per_message / werobot:.2f}×"
        if base:
            twin = next((b.per_message for b in counts if b.scenario.root == base
                         and b.scenario.mode == c.scenario.mode), None)
            vs += (f" | {c.per_message / twin:.3f}×" if twin and c.scenario.server == "ours"
                   and c.scenario.root == ROOT else " | —")
        lines.append(f"| {name} | {c.scenario.mode} | {c.per_message / 1e6:.2f} million | {vs} |")
    return "\n".join(lines)


if __name__ == "__main__":
    if sys.argv[1:2] == ["replay"]:
        replay(sys.argv[2], Path(sys.argv[3]), int(sys.argv[4]))
    else:
        sys.exit(main())
