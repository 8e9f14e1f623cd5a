"""The second stage's models, built once for a content/ and kept whole in the private cache: the
similarity index (bot.policies.similar), the not-ours odds (bot.policies.outside) and their floor.

Built from every text's features they took a third of a worker's start-up (0.5 s of 1.7 on
2026-12-05's machine, with 22,000 asked questions); read back whole, about 0.07 s. The file's key
is everything they are made of: the features' key (analyser, code, libraries), the models' code,
and every text in the order it is used, so any change to content/ builds them again — from the
texts' features, which have their own cache (only new texts are read then).
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from bot.policies import private_cache
from bot.policies.analyzer import Analyzer
from bot.policies.outside import OutsideModel
from bot.policies.private_cache import is_table
from bot.policies.similar import SimilarityIndex, document_texts, feature_key, is_counts, read_features
from bot.policies.topics import Topic

LIKENESS_FILES_KEPT = 3  # as the features': a rolled-back content/'s, or the tests', beside today's
_HERE = Path(__file__).parent
_MODEL_SOURCE = private_cache.code_digest(_HERE / "likeness.py", _HERE / "outside.py", _HERE / "similar.py")


class Likeness(NamedTuple):
    """The second stage's models for one content/."""

    similar: SimilarityIndex
    outside: OutsideModel
    # No question reads as not ours unless it does more than each example and keyword of the
    # office's own topics: they say what is ours, and content check asks that all be answered.
    not_ours_floor: float


def load_likeness(topics: Sequence[Topic], analyzer: Analyzer, asked: Mapping[str, Sequence[str]],
                  not_ours: Sequence[str], keyword_questions: Sequence[str],
                  cache_dir: Path | None = None) -> Likeness:
    """The models for the topics, their asked questions, the questions confirmed not ours and the
    keywords asked alone: read from the private cache when it holds these, else built and kept."""
    folder = cache_dir or private_cache.default_cache_dir()
    path = (folder / f"likeness-{_key(topics, analyzer, asked, not_ours, keyword_questions)}.pickle"
            if folder else None)
    state = private_cache.read(path, _is_state) if path is not None else None
    if state is not None:
        return Likeness(SimilarityIndex.from_state(analyzer, state["similar"]),
                        OutsideModel.from_state(state["outside"]), state["floor"])
    built = _build(topics, analyzer, asked, not_ours, keyword_questions, cache_dir)
    if path is not None:
        state = {"similar": built.similar.state(), "outside": built.outside.state(),
                 "floor": built.not_ours_floor}
        private_cache.write(path, state, family="likeness-*.pickle", keep=LIKENESS_FILES_KEPT)
    return built


def _build(topics: Sequence[Topic], analyzer: Analyzer, asked: Mapping[str, Sequence[str]],
           not_ours: Sequence[str], keyword_questions: Sequence[str], cache_dir: Path | None) -> Likeness:
    examples = [q for t in topics for q in t.examples]
    own = [*examples, *keyword_questions]
    asked_ours = [q for questions in asked.values() for q in questions]
    texts = [*(text for t in topics for text in document_texts(t)), *asked_ours, *not_ours, *own]
    read = read_features(texts, analyzer, cache_dir)  # not kept: tens of megabytes (similar.py)
    similar = SimilarityIndex(topics, analyzer, asked, read)
    outside = OutsideModel((read[q] for q in [*examples, *asked_ours]), (read[q] for q in not_ours))
    floor = max((outside.odds(read[q]) for q in own), default=-math.inf)
    return Likeness(similar, outside, floor)


def _key(topics: Sequence[Topic], analyzer: Analyzer, asked: Mapping[str, Sequence[str]],
         not_ours: Sequence[str], keyword_questions: Sequence[str]) -> str:
    """What the models are made of, hashed: another of any of it is another file."""
    digest = hashlib.sha256(f"{feature_key(analyzer)}:{_MODEL_SOURCE}".encode())
    texts = ([(t.id, tuple(document_texts(t))) for t in topics],
             [(tid, tuple(questions)) for tid, questions in asked.items()],
             tuple(not_ours), tuple(keyword_questions))
    digest.update(repr(texts).encode())
    return digest.hexdigest()[:16]


def _is_state(data: Any) -> bool:
    """The shape state() writes, down to each number (a damaged file reads as absent; a check
    that trips on another shape reads so too, private_cache.read)."""
    similar, outside = data["similar"], data["outside"]
    postings = similar["postings"]
    return (type(data["floor"]) is float and type(outside["prior"]) is float
            and is_counts(similar["documents"]) and is_table(similar["idf"], str, float)
            and is_table(outside["weights"], str, float) and is_table(postings, str, list)
            and {(type(tid), type(w)) for pairs in postings.values() for tid, w in pairs} <= {(str, float)})
