"""Choose the second stage's thresholds on the blind rounds as they were first scored.

    .venv/bin/python bench/qa/calibrate.py [--no-asked]

The second stage matters for the questions the keywords cannot read, and on the sets that widened
the vocabulary there are hardly any left. So each blind round (sets.FIRST_SCORED_AT) is scored
again as it was first scored: the knowledge base of that commit (`git archive` of its content/),
with content/policies/asked.tsv holding only the questions read before that round (the older sets
and the earlier rounds), through today's code. Leave one round out: the thresholds are chosen on
the other rounds and scored on it; the last line gives the thresholds chosen on all of them,
which bot/policies/engine.py should carry. --no-asked scores every round with no asked questions
at all, as the second stage was before asked.tsv.

The likeness's overruling of a keyword answer, and its choice within a keyword offer (both
engine.py's weigh_keywords at OVERRULE_AT and OVERRULE_MARGIN: what is asked reads clearly like one
topic), are chosen the same way, in a second table, with the second stage's thresholds as engine.py has them:
over the keyword answers and offers they would change, the same values. A third table chooses,
the same way, how little a question another domain's words kept from the keywords' topic must read
like those not ours for the likeness to answer it (UNBLOCK_BELOW), a fourth the same for such a
question whose keywords saw no topic at all (UNBLOCK_UNSEEN_BELOW), and a fifth when the second
stage answers below its offer a topic the likeness clearly names, as the question reads far from
those not ours (OURS_AT, OURS_MARGIN, OURS_BELOW).

Choosing maximises, over every question: +1 for an answer right, +0.5 for an offer listing the
right topic first (a keyword offer too: engine.py lists it likeliest first, at any threshold), -2
for a wrong answer the likeness or the second stage gave, and -OUT_OF_SCOPE_COST for an
out-of-scope question answered or offered; a keyword answer the likeness leaves counts 0 when
wrong, as no threshold here made it. A blind set has 110 questions in scope and 25 out, so
at 4.4 a point of out-of-scope refusal weighs as much as a point of top-1.
Never add a round here before its first score is taken and recorded.
"""

from __future__ import annotations

import argparse
import itertools
import math
import os
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

from sets import FIRST_SCORED_AT, TUNED, read_set  # noqa: E402

from bot.config import ConfigError  # noqa: E402
from bot.policies import load_engine  # noqa: E402
from bot.policies.engine import (  # noqa: E402
    OFFER_CHOSEN,
    OURS_AT,
    OURS_BELOW,
    OURS_MARGIN,
    OVERRULE_AT,
    OVERRULE_MARGIN,
    OVERRULED,
    REFUSED,
    SIMILAR_ANSWER,
    SIMILAR_CLOSE,
    SIMILAR_OFFER,
    UNBLOCK_BELOW,
    UNBLOCK_UNSEEN_BELOW,
    Decision,
    by_closeness,
    unblocked,
    weigh_keywords,
)
from bot.policies.topics import ASKED_FILE, NOT_OURS, with_asked  # noqa: E402

ANSWER = (0.06, 0.08, 0.1, 0.12, 0.15, 0.18, 0.2, 0.25, 0.3)
OFFER = (0.04, 0.06, 0.08, 0.1, 0.12, 0.15, 0.18, 0.2)
CLOSE = (0.6, 0.7, 0.8, 0.9)
# A keyword answer overruled by the likeness: how close its topic, how far ahead of the next.
OVERRULE = (*itertools.product((0.06, 0.08, 0.1, 0.12, 0.15, 0.2), (1.1, 1.2, 1.5, 2.0, 3.0)), (9.0, 9.0))
# A question another domain's words kept from the keywords' topic, which the likeness clearly names:
# answered below these odds of reading like the questions confirmed not ours.
UNBLOCK = tuple((below,) for below in (-20.0, -15.0, -10.0, -8.0, -6.0, -5.0, -4.0, -3.0, -2.0, 0.0, 5.0))
# The same when the keywords saw no topic at all beside those words.
UNBLOCK_UNSEEN = tuple((below,) for below in (-30.0, -25.0, -20.0, -16.0, -12.0, -10.0, -8.0, -6.0, -4.0,
                                              -3.0))
# Below the offer, a topic the likeness clearly names (at, margin): answered when the question reads
# less like those not ours than this.
READING_OURS = (*((at, margin, below) for at, margin in itertools.product((0.04, 0.05, 0.06, 0.07, 0.08),
                                                                          (1.2, 1.5, 2.0))
                  for below in (-20.0, -12.0, -8.0, -6.0, -4.0, -2.0, 0.0)), (9.0, 9.0, -math.inf))
OUT_OF_SCOPE_COST = 110 / 25
NEVER = (9.0, 9.0)  # no closeness reaches these: the likeness never overrules the keywords
NEVER_UNBLOCK = (-math.inf,)  # no question reads less like those not ours: none unblocked
NEVER_OURS = (9.0, 9.0, -math.inf)  # nothing below the offer answered for reading far from those not ours
# The second stage refuses all, the likeness decides nothing (keyword offers still listed likeliest first).
KEYWORDS_ALONE = (9.0, 9.0, 1.0, False, *NEVER, *NEVER_UNBLOCK, *NEVER_UNBLOCK, *NEVER_OURS)
# engine.py's thresholds, and where its likeness parts sit in them
ENGINE = (SIMILAR_ANSWER, SIMILAR_OFFER, SIMILAR_CLOSE, True, OVERRULE_AT, OVERRULE_MARGIN, UNBLOCK_BELOW,
          UNBLOCK_UNSEEN_BELOW, OURS_AT, OURS_MARGIN, OURS_BELOW)
OVERRULING, UNBLOCKING, UNBLOCKING_UNSEEN, OURS = slice(4, 6), slice(6, 7), slice(7, 8), slice(8, 11)
# Read before the first blind round: their questions are asked questions for every round.
READ_FIRST = ("dev", "questions", "holdout", "fresh", "untouched", "family", "voice", "adversarial")


@dataclass(frozen=True)
class Case:
    """One question, with what the first stage did and what the second would see."""

    want: str | None
    keywords_decided: bool  # the first stage answered or asked, or refused it as another domain's
    keywords: Decision  # the keywords' decision, not yet weighed (not_ours=False; known: the confirmed one)
    other_domain: bool
    scores: tuple[tuple[str, float], ...]  # what is asked, its closeness to every topic, best first
    care: bool
    known: bool  # confirmed in these words (by an earlier round): no likeness weighed, as engine.py does
    not_ours_odds: float  # how much it reads like the questions confirmed not ours (bot.policies.outside)
    not_ours_floor: float  # the most any of that day's examples and keywords does (engine.py)
    # the topics another domain's words kept the keywords from; () when they named none; None when
    # no such word refused it or the matter is someone else's (engine.py's blocked_topics)
    blocked: tuple[str, ...] | None


def rounds(*, asked: bool = True) -> dict[str, list[Case]]:
    """Every blind round's questions, each through the knowledge base of its first score."""
    found: dict[str, list[Case]] = {}
    read = list(READ_FIRST)
    for commit, sets in FIRST_SCORED_AT.items():
        with content_at(commit, read if asked else []) as content:
            engine = load_engine(content)
            found[commit] = [_case(engine, question, want)
                             for name in sets for question, want in read_set(TUNED[name])]
        read += sets
    return found


@contextmanager
def content_at(commit: str, read: list[str]) -> Iterator[Path]:
    """content/ as it was at commit, its asked questions those of the sets read."""
    archive = subprocess.run(["git", "archive", commit, "content"], cwd=ROOT, check=True,
                             capture_output=True).stdout
    with tempfile.TemporaryDirectory() as folder:
        with tarfile.open(fileobj=BytesIO(archive)) as tar:
            tar.extractall(folder, filter="data")
        content = Path(folder) / "content"
        taught = [(topic or NOT_OURS, q) for name in read for q, topic in read_set(TUNED[name])]
        (content / "policies" / ASKED_FILE).write_text(with_asked("", taught)[0], encoding="utf-8")
        corrections = content / "dictionary" / "corrections.txt"
        if not corrections.exists():  # before bd7eca0 no change of mind was read: none listed
            corrections.write_text("# 这时还没有\n", encoding="utf-8")
        rule = content / "dictionary" / "someone_else.toml"
        try:
            load_engine(content)
        except ConfigError as exc:
            if "someone_else.toml" not in str(exc) or not rule.exists():
                raise
            # 0fc9867's younger-relative rule was written in a form today's reader refuses;
            # the round is scored without the rule (it only refuses, in the first stage).
            print(f"{commit}: {exc} — scored without dictionary/someone_else.toml", file=sys.stderr)
            rule.unlink()
        yield content


def _case(engine, question: str, want: str | None) -> Case:  # a bot.policies.PolicyEngine
    first = engine.by_keywords(question, not_ours=False)  # the likeness is scored apart
    refused = first.stage in REFUSED
    decided = first.topic is not None or bool(first.candidates) or refused
    care = engine._care is not None and engine._care.mentions(question)
    asked = engine.asked_text(question)
    return Case(want, decided, first, refused,
                tuple(engine.similar.scores(asked)), care,
                engine.confirmed(question) is not None, engine.not_ours_odds(question), engine.not_ours_floor,
                engine.blocked_topics(asked))


def second_stage(case: Case, answer: float, offer: float, close: float, ours: tuple[float, float, float]
                 ) -> tuple[str, str | None]:
    """What the engine's second stage does with these thresholds: answer/offer/refuse, first topic."""
    decision = by_closeness(list(case.scores), care=case.care, odds=case.not_ours_odds, answer=answer,
                            offer=offer, close=close, ours=ours)
    if decision.topic is not None:
        return "answer", decision.topic
    return ("offer", decision.candidates[0]) if decision.candidates else ("refuse", None)


# answer, offer, close; whether questions reading like those not ours are refused; when the
# likeness overrules a keyword answer: at, margin; when it answers a question another domain's words
# kept from the keywords' topic: below these odds, and when they saw no topic: below these; when the
# second stage answers below its offer a topic the likeness clearly names, reading far from those
# not ours: at, margin, odds (engine.py)
Thresholds = tuple[float, float, float, bool, float, float, float, float, float, float, float]
# What each outcome is worth (the module's docstring); "other": a keyword answer the likeness left
# that is not right, or an offer listing another topic first.
VALUE = {"right": 1.0, "offered": 0.5, "wrong": -2.0, "let through": -OUT_OF_SCOPE_COST,
         "other": 0.0, "refused": 0.0}


def outcome(case: Case, thresholds: Thresholds) -> str:
    """What both stages and the likeness to questions not ours do with the case (VALUE's keys)."""
    answer, offer, close, likeness, at, margin, unblock_below, unseen_below = thresholds[:OURS.start]
    if case.other_domain:
        liked = None if case.known or case.blocked is None else unblocked(
            case.blocked, list(case.scores), case.not_ours_odds, below=unblock_below,
            unseen_below=unseen_below, at=at, margin=margin)
        if liked is None:
            return "refused"
        result = "right" if liked == case.want else "wrong"
    elif case.keywords_decided:
        weighed = case.keywords if case.known else weigh_keywords(
            case.keywords, list(case.scores), at=at, margin=margin)
        if weighed.stage in (OVERRULED, OFFER_CHOSEN):  # the likeness decided
            result = "right" if weighed.topic == case.want else "wrong"
        elif weighed.topic is not None:
            result = "right" if weighed.topic == case.want else "other"
        else:
            result = "offered" if weighed.candidates[0] == case.want else "other"
    else:
        action, topic = second_stage(case, answer, offer, close, thresholds[OURS])
        if action == "refuse":
            return "refused"
        right = topic == case.want
        result = ("right" if right else "wrong") if action == "answer" else ("offered" if right else "other")
    if likeness and not case.known and case.not_ours_odds > case.not_ours_floor:
        return "refused"
    return "let through" if case.want is None else result


def gain(cases: list[Case], thresholds: Thresholds) -> float:
    """What the choice maximises (the module's docstring)."""
    return sum(VALUE[outcome(case, thresholds)] for case in cases)


def measure(cases: list[Case], thresholds: Thresholds) -> dict[str, float]:
    """Both stages: top-1 and offers right first (shares of in scope), out-of-scope refused."""
    inside = [outcome(c, thresholds) for c in cases if c.want is not None]
    outside = [outcome(c, thresholds) for c in cases if c.want is None]
    return {"top1": inside.count("right") / max(1, len(inside)),
            "offered": inside.count("offered") / max(1, len(inside)),
            "refused": outside.count("refused") / max(1, len(outside))}


def choose(cases: list[Case]) -> Thresholds:
    """The best second-stage thresholds on these cases, engine.py's likeness pairs kept (offer
    never above answer; ties: the higher ones)."""
    grid = [(a, o, c, True, *ENGINE[4:]) for a, o, c in itertools.product(ANSWER, OFFER, CLOSE) if o <= a]
    return max(grid, key=lambda g: (gain(cases, g), g))


def choose_pair(cases: list[Case], part: slice, pairs: tuple[tuple[float, ...], ...]) -> Thresholds:
    """The best values of pairs at ENGINE[part] (OVERRULING's at and margin,
    UNBLOCKING's or UNBLOCKING_UNSEEN's odds, OURS' at, margin and odds) on these cases, engine.py's
    other thresholds kept (ties: the higher ones)."""
    grid = [(*ENGINE[:part.start], *values, *ENGINE[part.stop:]) for values in pairs]
    return max(grid, key=lambda g: (gain(cases, g), g[part]))


def _held_out(found: dict[str, list[Case]], commit: str) -> list[Case]:
    return [c for other, cases in found.items() if other != commit for c in cases]


def _row(commit: str, chosen: str, measured: list[dict[str, float]], *, offered: bool = False) -> str:
    first = measured[0]
    shares = [first["top1"], *([first["offered"]] if offered else []), first["refused"]]
    own = " | ".join(f"{share:.1%}" for share in shares)
    others = " | ".join(f"{m['top1']:.1%} / {m['refused']:.1%}" for m in measured[1:])
    return f"| {' '.join(FIRST_SCORED_AT[commit])} ({commit}) | {chosen} | {own} | {others} |"


def pair_table(found: dict[str, list[Case]], name: str, part: slice, pairs: tuple[tuple[float, ...], ...],
               *, never_values: tuple[float, ...] = NEVER, label: str = "(at, margin)") -> None:
    """Print one likeness part's held-out table, then its choice on all rounds."""
    never = (*ENGINE[:part.start], *never_values, *ENGINE[part.stop:])
    print(f"\n| held out (first scored at) | {name} {label} | top-1 | out of scope refused "
          f"| engine.py's {ENGINE[part]}: top-1 / refused | never {name}: top-1 / refused |")
    print("|---|---|---:|---:|---:|---:|")
    for commit, held in found.items():
        chosen = choose_pair(_held_out(found, commit), part, pairs)
        print(_row(commit, str(chosen[part]), [measure(held, t) for t in (chosen, ENGINE, never)]))
    everything = [c for cases in found.values() for c in cases]
    print(f"\n{name} chosen on all rounds: {choose_pair(everything, part, pairs)[part]}")


def main() -> int:
    """Cross-validate, print one line per held-out round, then the thresholds chosen on all."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-asked", action="store_true", help="no asked questions in any round")
    asked = not parser.parse_args().no_asked
    # Each round's asked questions have features of their own: cached apart from the user's cache,
    # whose file for today's content/ they would otherwise replace.
    os.environ["XDG_CACHE_HOME"] = str(Path(tempfile.gettempdir()) / f"yinling-calibrate-{os.getuid()}")
    found = rounds(asked=asked)
    print("| held out (first scored at) | thresholds (answer, offer, close) | top-1 | + offers right first "
          f"| out of scope refused | engine.py's {ENGINE[:3]}: top-1 / refused | the same without refusing "
          "what reads like not ours | keywords alone |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for commit, held in found.items():
        chosen = choose(_held_out(found, commit))
        thresholds = (chosen, ENGINE, (*ENGINE[:3], False, *ENGINE[4:]), KEYWORDS_ALONE)
        print(_row(commit, str(chosen[:3]), [measure(held, t) for t in thresholds], offered=True))
    print(f"\nchosen on all rounds: {choose([c for cases in found.values() for c in cases])[:3]}")
    pair_table(found, "overruling", OVERRULING, OVERRULE)
    pair_table(found, "unblocking a blocked topic", UNBLOCKING, UNBLOCK, never_values=NEVER_UNBLOCK,
               label="(odds below)")
    pair_table(found, "unblocking with no topic seen", UNBLOCKING_UNSEEN, UNBLOCK_UNSEEN,
               never_values=NEVER_UNBLOCK, label="(odds below)")
    pair_table(found, "answering what reads like ours", OURS, READING_OURS, never_values=NEVER_OURS,
               label="(at, margin, odds below)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
