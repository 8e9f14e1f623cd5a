"""Whether a question reads like those confirmed not to be the office's matter.

A question can hold an office word and still be someone else's matter: a grandson's school
体检, a daughter's company 疗养, a bank's 年审 call. The keywords answer it; the second stage's
similarity, which compares it with the office's topics alone, cannot tell either. What can is the
questions people already asked that staff (or a read question set) confirmed as not ours —
content/policies/asked.tsv's lines with 「-」 for a topic — set against those confirmed as ours.

Naive Bayes over the presence of the second stage's features (the analyser's words and the
character pairs): the log-odds that a question is like the ones not ours. Scored by the blind
rounds as first scored (bench/qa/calibrate.py: each round with only the questions read before
it), it refuses about two in five of the out-of-scope questions that were answered, for at most
one in-scope answer a round. Read the other way, a question far from those not ours is plainly the
office's: the likeness may then answer what the keywords could not (bot.policies.engine's
UNBLOCK_BELOW and OURS_BELOW).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any


class OutsideModel:
    """The log-odds that a question is like the ones confirmed not ours rather than ours."""

    def __init__(self, ours: Iterable[Mapping[str, int]], not_ours: Iterable[Mapping[str, int]]) -> None:
        """ours, not_ours: each question's feature counts (bot.policies.similar.read_features)."""
        counts: tuple[Counter[str], Counter[str]] = (Counter(), Counter())
        sizes = [0, 0]
        for side, questions in enumerate((ours, not_ours)):
            for features in questions:
                counts[side].update(features.keys())
                sizes[side] += 1
        self._prior = math.log(sizes[1] / sizes[0]) if all(sizes) else -math.inf
        # Laplace-smoothed: a feature seen on one side only still counts, not infinitely.
        self._weights = {feature: math.log((counts[1][feature] + 1) / (sizes[1] + 2))
                         - math.log((counts[0][feature] + 1) / (sizes[0] + 2))
                         for feature in counts[0].keys() | counts[1].keys()} if all(sizes) else {}

    @classmethod
    def from_state(cls, state: Mapping[str, Any]) -> OutsideModel:
        """The model state() gave (bot.policies.likeness: the private cache)."""
        model = cls.__new__(cls)
        model._prior, model._weights = state["prior"], state["weights"]
        return model

    def state(self) -> dict[str, Any]:
        """The model as plain data: its prior and its features' weights."""
        return {"prior": self._prior, "weights": self._weights}

    def odds(self, features: Iterable[str]) -> float:
        """Log-odds (natural) that a question of these features is not ours; -inf with no
        question confirmed on either side."""
        # fsum: exact, so the same features give the same odds in any order (a set's order varies).
        return math.fsum((self._prior, *(self._weights.get(feature, 0.0) for feature in set(features))))
