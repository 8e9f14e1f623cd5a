"""Choose the second stage's thresholds by leave-one-set-out cross-validation.

    .venv/bin/python bench/qa/calibrate.py [--sets dev,questions,...]

For each question set in turn, the thresholds are chosen on the other sets and scored on it; the
last line gives the thresholds chosen on all of them, which bot/policies/engine.py should carry.
Choosing on the others: the second stage must not take any set's out-of-scope refusal under
90 % (nor, where the keywords alone refuse less than that, under theirs: such a set allows the
second stage no out-of-scope answer at all), then the most in-scope questions answered right,
an offer listing the right topic first counting half and a wrong answer costing two. Every
in-scope question is scored as if the keywords had missed it (they rarely miss on these sets,
which widened the vocabulary), so that the second stage is judged on questions of every kind;
out-of-scope ones go through both stages as in the bot.
Never run this with the sets whose first score is to be reported: their score would be tuned.
"""

from __future__ import annotations

import argparse
import itertools
import sys
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

from sets import TUNED, read_set  # noqa: E402

from bot.policies import load_engine  # noqa: E402
from bot.policies.engine import MAX_CHOICES, OTHER_DOMAIN, by_closeness  # noqa: E402

ANSWER = (0.12, 0.15, 0.18, 0.2, 0.22, 0.25, 0.3, 0.35, 0.4, 0.5)
OFFER = (0.08, 0.1, 0.12, 0.15, 0.18, 0.2, 0.25, 0.3)
CLOSE = (0.6, 0.7, 0.8, 0.9)
REFUSED_AT_LEAST = 0.9
KEYWORDS_ALONE = (9.0, 9.0, 1.0)  # thresholds no closeness reaches: the second stage refuses all
# Nearly all out of scope by design (questions that hold a topic's word): no threshold keeps 90 %
# of it refused, since the keywords answer many; it only trains the second stage's own refusals.
ADVERSARIAL = "adversarial"


@dataclass(frozen=True)
class Case:
    """One question, with what the first stage did and what the second would see."""

    set: str
    want: str | None
    keywords_decided: bool  # the first stage answered or asked, or refused it as another domain's
    keywords_right: bool
    other_domain: bool
    scores: tuple[tuple[str, float], ...]
    care: bool


def cases(sets: dict[str, Path]) -> list[Case]:
    """Every question of every set, through the real engine."""
    engine = load_engine(ROOT / "content")
    found = []
    for name, path in sets.items():
        for question, want in read_set(path):
            first = engine.by_keywords(question)
            decided = first.topic is not None or bool(first.candidates) or first.stage == OTHER_DOMAIN
            care = engine._care is not None and engine._care.mentions(question)
            found.append(Case(name, want, decided, first.topic == want, first.stage == OTHER_DOMAIN,
                              tuple(engine.similar.scores(question)[:MAX_CHOICES]), care))
    return found


def second_stage(case: Case, answer: float, offer: float, close: float) -> tuple[str, str | None]:
    """What the engine's second stage does with these thresholds: answer/offer/refuse, first topic."""
    decision = by_closeness(list(case.scores), care=case.care, answer=answer, offer=offer, close=close)
    if decision.topic is not None:
        return "answer", decision.topic
    return ("offer", decision.candidates[0]) if decision.candidates else ("refuse", None)


def measure(found: list[Case], thresholds: tuple[float, float, float], *,
            as_missed: bool) -> dict[str, float]:
    """Top-1, offers right first, wrong answers (shares of in scope) and out-of-scope refused."""
    right = offered = wrong = refused = 0
    inside = [c for c in found if c.want is not None]
    outside = [c for c in found if c.want is None]
    for case in inside:
        if case.keywords_decided and not as_missed:
            right += case.keywords_right
            continue
        action, topic = second_stage(case, *thresholds)
        right += action == "answer" and topic == case.want
        wrong += action == "answer" and topic != case.want
        offered += action == "offer" and topic == case.want
    for case in outside:
        refused += case.other_domain or (
            not case.keywords_decided and second_stage(case, *thresholds)[0] == "refuse")
    n = max(1, len(inside))
    return {"top1": right / n, "offered": offered / n, "wrong": wrong / n,
            "refused": refused / max(1, len(outside))}


def objective(found: list[Case], thresholds: tuple[float, float, float],
              floors: dict[str, tuple[list[Case], float]]) -> float:
    """What the choice maximises; minus one when the second stage takes a set's out-of-scope
    refusal under its floor (`floors`), or when it lets through more than a tenth of the
    out-of-scope questions that reach it (all sets together, the adversarial one included): the
    keywords refusing well must not make room for the second stage to guess."""
    for one_set, floor in floors.values():
        if measure(one_set, thresholds, as_missed=True)["refused"] < floor:
            return -1.0
    reaching = [c for c in found if c.want is None and not c.keywords_decided]
    refused = sum(second_stage(c, *thresholds)[0] == "refuse" for c in reaching)
    if reaching and refused / len(reaching) < REFUSED_AT_LEAST:
        return -1.0
    m = measure([c for c in found if c.set != ADVERSARIAL], thresholds, as_missed=True)
    return m["top1"] + 0.5 * m["offered"] - 2 * m["wrong"]


def refusal_floors(found: list[Case]) -> dict[str, tuple[list[Case], float]]:
    """Each set's cases (the adversarial one aside) and the out-of-scope refusal the second stage
    must keep there: 90 %, or what the keywords alone refuse where that is lower."""
    floors = {}
    for name in {c.set for c in found} - {ADVERSARIAL}:
        one_set = [c for c in found if c.set == name]
        floors[name] = (one_set, min(REFUSED_AT_LEAST,
                                     measure(one_set, KEYWORDS_ALONE, as_missed=True)["refused"]))
    return floors


def choose(found: list[Case]) -> tuple[float, float, float]:
    """The best thresholds on these cases (offer never above answer)."""
    grid = [(a, o, c) for a, o, c in itertools.product(ANSWER, OFFER, CLOSE) if o <= a]
    floors = refusal_floors(found)
    return max(grid, key=lambda g: (objective(found, g, floors), g))


def main() -> int:
    """Cross-validate, print one line per held-out set, then the thresholds chosen on all."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", default=",".join(TUNED), help="never the unseen sets")
    args = parser.parse_args()
    found = cases({name: TUNED[name] for name in args.sets.split(",")})
    print("| held out | thresholds (answer, offer, close) | top-1 | + offers right first | wrong | "
          "out of scope refused | keywords alone: top-1 / refused |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for name in dict.fromkeys(c.set for c in found if c.set != ADVERSARIAL):  # it always trains
        chosen = choose([c for c in found if c.set != name])
        held = [c for c in found if c.set == name]
        m = measure(held, chosen, as_missed=False)
        alone = measure(held, KEYWORDS_ALONE, as_missed=False)
        print(f"| {name} | {chosen} | {m['top1']:.1%} | {m['offered']:.1%} | {m['wrong']:.1%} | "
              f"{m['refused']:.1%} | {alone['top1']:.1%} / {alone['refused']:.1%} |")
    print(f"\nchosen on all sets: {choose(found)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
