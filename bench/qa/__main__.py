"""Policy-answer benchmark: the keyword router, the two-stage router, the keyword auto-reply, BM25.

    .venv/bin/python bench/qa [--sets dev,questions,...,blind_p] [--unknown] [--misses]

Each router runs in a fresh process over the same knowledge base (content/), on each question
set (bench/qa/sets.py): the shared development set (../shared/qa/dev.tsv), the sets that were
each scored once while nobody had looked at them and then used to widen the vocabulary, and the
blind sets nobody has tuned anything on yet. Prints, per set and router: the set's first,
untuned score (sets.py keeps them), top-1 accuracy in scope (answered right), the same counting
an offer 「您是想问」 that lists the right topic first as half a hit, out-of-scope refused (an
offer is not a refusal), latency p50/p99, start-up time and peak memory. The sets already read
are in content/policies/asked.tsv, so the bot knows their questions word for word; --unknown
routes as if it did not (their words still in the second stage's documents): what a new
phrasing costs in time, and an upper bound of what it meets. --misses lists the two-stage
router's misses under each set read (wanted, got, question: what reading a round starts from),
never those of a set nobody has read (sets.UNSEEN).
Targets: ≥ 95 % top-1 (offers as half), ≥ 90 % refused, p99 < 5 ms, start-up < 1.5 s, < 250 MB.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(HERE))

from sets import FIRST_SCORES, SETS, UNSEEN, read_set  # noqa: E402

METHODS = ("keywords", "two-stage", "keyword", "bm25")


@dataclass(frozen=True)
class Row:
    """One router's results on one question set."""

    method: str
    in_scope: float
    with_offers: float  # an offer listing the right topic first counts half
    refused: float
    p50_ms: float
    p99_ms: float
    startup_s: float
    peak_mb: float


def run(method: str, questions: list[str],
        known: bool = True) -> tuple[list[str | None], list[float], float, float]:
    """Answers, latencies, start-up seconds and peak MB of one router in a fresh process."""
    start = time.perf_counter()
    worker = subprocess.Popen([sys.executable, str(HERE / "worker.py"), method, str(ROOT / "content"),
                               "known" if known else "unknown"],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT)
    assert worker.stdout is not None and worker.stdin is not None
    if worker.stdout.readline().strip() != "ready":
        raise SystemExit(f"{method} failed to start")
    startup = time.perf_counter() - start
    worker.stdin.write(json.dumps(questions) + "\n")
    worker.stdin.flush()
    report = json.loads(worker.stdout.readline())
    worker.wait()
    return report["answers"], report["latencies_ms"], startup, report["peak_mb"]


def score(method: str, labelled: list[tuple[str, str | None]],
          known: bool = True) -> tuple[Row, list[str]]:
    """Run one router over one set: its summary, and a line for each question it missed."""
    answers, latencies, startup, peak = run(method, [q for q, _ in labelled], known)
    pairs = list(zip(labelled, answers, strict=True))
    misses = [f"{want or '-'}\t{'/'.join(got) if isinstance(got, list) else got or '-'}\t{question}"
              for (question, want), got in pairs if got != want]
    in_scope = [got == want for (_, want), got in pairs if want is not None]
    halves = [0.5 * (isinstance(got, list) and got[:1] == [want])
              for (_, want), got in pairs if want is not None]
    refused = [got is None for (_, want), got in pairs if want is None]
    cuts = statistics.quantiles(latencies, n=100)
    return Row(method, _share(in_scope), _share(in_scope) + _share(halves), _share(refused),
               statistics.median(latencies), cuts[98], startup, peak), misses


def _share(flags: list[bool]) -> float:
    return sum(flags) / len(flags) if flags else float("nan")


def table(name: str, size: tuple[int, int], rows: list[Row]) -> str:
    """A Markdown table for one question set."""
    lines = [f"\n{name}: {size[0]} in scope, {size[1]} out of scope",
             "| router | first score, untuned: top-1 / refused | top-1 in scope | offers as half "
             "| out of scope refused | p50 ms | p99 ms | start-up s | peak MB |",
             "|---|---|---|---|---|---|---|---|---|"]
    lines += [f"| {r.method} | {_first(name, r.method)} | {r.in_scope:.1%} | {r.with_offers:.1%} "
              f"| {r.refused:.1%} | {r.p50_ms:.2f} | {r.p99_ms:.2f} | {r.startup_s:.2f} | {r.peak_mb:.0f} |"
              for r in rows]
    return "\n".join(lines)


def _first(name: str, method: str) -> str:
    """The set's first score with this router (bench/qa/sets.py), or — when it had none."""
    first = FIRST_SCORES.get(name, {}).get(method)
    return "—" if first is None else f"{first[0]:.1f}% / {first[1]:.1f}%"


def main() -> int:
    """Run every router on every chosen set and print the tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", default=",".join(SETS))
    parser.add_argument("--unknown", action="store_true",
                        help="no question known in its words (asked.tsv still in the second stage)")
    parser.add_argument("--misses", action="store_true",
                        help="list the two-stage router's misses on each set already read")
    args = parser.parse_args()
    print("targets: top-1 ≥ 95%, refused ≥ 90%, p99 < 5 ms, start-up < 1.5 s, peak < 250 MB")
    for name in args.sets.split(","):
        if not SETS[name].exists():
            print(f"\n{name}: {SETS[name]} not found, skipped")
            continue
        labelled = read_set(SETS[name])
        size = (sum(t is not None for _, t in labelled), sum(t is None for _, t in labelled))
        scored = {m: score(m, labelled, not args.unknown) for m in METHODS}
        print(table(name, size, [row for row, _ in scored.values()]), flush=True)
        if args.misses and name in UNSEEN:
            print("(unread: its misses are not listed)")
        elif args.misses:
            misses = scored["two-stage"][1]
            print("\n".join(["wanted\tgot\tquestion", *misses]) if misses else "(no miss)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
