"""The second stage: how close a question is to each topic, for questions the keywords miss, and
to check the answers they give (a keyword said in passing: bot.policies.engine's OVERRULE_AT).

Each topic is one document: its title and keywords (twice: they are what the topic is), its
broad words, hints and examples, and the questions people asked about it (content/policies/
asked.tsv: thousands, which read by the rounds' first-score conditions add about two points of
top-1 — bench/qa/calibrate.py --no-asked). A question and a document are compared as TF-IDF vectors
(cosine) over two kinds of feature: the analyser's words (typos fixed, colloquial forms mapped)
and the Chinese character pairs of the rewritten text, which still meet when a word is split
differently or misspelt. Tried on the tuned question sets, every in-scope question scored as if
the keywords had missed it (2026-12-03): top-1 97.9 % this way, 97.3 % with the answers' text
in the documents, 85.5 % with one document per example; BM25 over jieba words alone (bench/qa)
finds a topic for nearly every out-of-scope question, so it was not a candidate.
"""

from __future__ import annotations

import copy
import hashlib
import math
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from itertools import pairwise
from pathlib import Path
from typing import Any

import opencc
import pypinyin

from bot.policies import private_cache
from bot.policies.analyzer import BREAK, PAUSE, Analyzer
from bot.policies.topics import Topic

# A topic is close to a question through two of its words at least: one word in common is a
# coincidence (a grandchild's 学习, a bank card a machine swallowed, 讲个故事). Tried on every
# question set scored before (2026-12-04): of the second stage's answers and offers, this
# refuses 13 of 16 out-of-scope questions and 1 of 17 right ones.
MIN_SHARED_WORDS = 2

# Words that say nothing about a topic: they would make every question look like every topic.
_FUNCTION_WORDS = frozenset((
    "的", "了", "吗", "呢", "啊", "吧", "呀", "么", "是", "我", "你", "他", "她", "在", "有", "和",
    "就", "都", "也", "还", "要", "会", "能", "给", "这", "那", "个", "一", "下", "请问", "一下",
    "一个", "怎么", "怎么办", "什么", "可以", "我们", "你们", "这个", "那个", "还有", "需要", "没有",
    "现在", "时候", "哪里", "哪儿", "去", "到", "不", "咋", "啥", "想", "能不能", "有没有", "是不是", "怎样",
    "如何", "嘛", "呗", "哪", "几")) | {BREAK, PAUSE}  # the analyser's punctuation marks: in every long text


class SimilarityIndex:
    """Cosine similarity of a question to each topic's document."""

    def __init__(self, topics: Iterable[Topic], analyzer: Analyzer,
                 asked: Mapping[str, Sequence[str]] | None = None,
                 read: Mapping[str, Mapping[str, int]] | None = None) -> None:
        """Documents of the topics and their asked questions; read: texts' features already known
        (read_features), the others are read here."""
        self._analyzer = analyzer
        known = read or {}
        documents: dict[str, Counter[str]] = {}
        for topic in topics:
            document = documents[topic.id] = Counter()
            for text in (*document_texts(topic), *(asked or {}).get(topic.id, ())):
                counts = known.get(text)
                document.update(counts if counts is not None else features(analyzer, text))
        self._index(documents)

    @classmethod
    def from_state(cls, analyzer: Analyzer, state: Mapping[str, Any]) -> SimilarityIndex:
        """The index state() gave, for this analyser (bot.policies.likeness: the private cache)."""
        index = cls.__new__(cls)
        index._analyzer = analyzer
        index._documents = {tid: Counter(counts) for tid, counts in state["documents"].items()}
        index._idf = state["idf"]
        index._postings = state["postings"]
        return index

    def state(self) -> dict[str, Any]:
        """The index as plain data: its documents, IDF and postings (from_state reads it back)."""
        return {"documents": {tid: dict(counts) for tid, counts in self._documents.items()},
                "idf": self._idf, "postings": dict(self._postings)}

    def with_examples(self, examples: Mapping[str, Sequence[str]]) -> SimilarityIndex:
        """This index with more questions in some topics' documents (staff's taught questions):
        only theirs are read, as every text's features are not kept (tens of megabytes)."""
        changed = copy.copy(self)
        documents = {tid: Counter(counts) for tid, counts in self._documents.items()}
        for tid, questions in examples.items():
            if tid not in documents:  # a topic content/ no longer has: no document to add to
                continue
            for question in questions:
                documents[tid].update(features(self._analyzer, question))
        changed._index(documents)
        return changed

    def _index(self, documents: dict[str, Counter[str]]) -> None:
        """IDF and postings over the topics' documents (kept, for with_examples)."""
        self._documents = documents
        df = Counter(f for counts in documents.values() for f in counts)
        self._idf = {f: math.log((len(documents) + 1) / (n + 0.5)) for f, n in df.items()}
        # Each feature's topics and weights: a question's features meet two topics on average,
        # so its cosines are summed over those alone (every topic's vector looked up for every
        # feature took twice as long; every policy question is scored, bot.policies.engine).
        self._postings: dict[str, list[tuple[str, float]]] = defaultdict(list)
        for tid, counts in documents.items():
            for feature, weight in self._weights(counts).items():
                self._postings[feature].append((tid, weight))

    def scores(self, question: str, shared_words: int = MIN_SHARED_WORDS) -> list[tuple[str, float]]:
        """Every topic sharing shared_words words with the question, closest first, with its cosine
        (0 for staff's guesses: a person confirms them, so a character pair is enough)."""
        cosines: dict[str, float] = {}
        shared: dict[str, int] = {}  # words in common; a character pair counts none, so is not counted
        for feature, weight in self.vector(question).items():
            postings = self._postings.get(feature)
            if not postings:
                continue
            for tid, topic_weight in postings:
                cosines[tid] = cosines.get(tid, 0.0) + weight * topic_weight
            if feature.startswith("w:"):
                for tid, _ in postings:
                    shared[tid] = shared.get(tid, 0) + 1
        scored = [(tid, round(cosine, 3)) for tid, cosine in cosines.items()
                  if shared.get(tid, 0) >= shared_words]
        return sorted((s for s in scored if s[1] > 0), key=lambda s: (-s[1], s[0]))

    def vector(self, text: str) -> dict[str, float]:
        """text as a unit vector over the topics' features (two texts' dot product: their cosine)."""
        return self._weights(Counter(f for f in features(self._analyzer, text) if f in self._idf))

    def _weights(self, counts: Counter[str]) -> dict[str, float]:
        """Sub-linear TF-IDF weights, scaled to length one."""
        weights = {f: (1 + math.log(n)) * self._idf[f] for f, n in counts.items()}
        norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
        return {f: w / norm for f, w in weights.items()}


def features(analyzer: Analyzer, text: str) -> list[str]:
    """The text's content words (w:) and the pairs of Chinese characters (b:) in it."""
    rewritten = analyzer.rewrite(text.replace("+", " "))
    words = [w for w in analyzer.words(rewritten) if w.strip() and w not in _FUNCTION_WORDS]
    chars = [c for c in rewritten if "\u4e00" <= c <= "\u9fff"]
    return [f"w:{w}" for w in words] + [f"b:{a}{b}" for a, b in pairwise(chars)]


# What the features of a text depend on besides the analyser's dictionaries: this code.
_HERE = Path(__file__).parent
_FEATURE_SOURCE = private_cache.code_digest(
    _HERE / "similar.py", _HERE / "analyzer.py", _HERE / "typos.py", _HERE / "spelled.py",
    _HERE.parent / "language" / "words.py")


FEATURE_FILES_KEPT = 3


def read_features(texts: Iterable[str], analyzer: Analyzer,
                  cache_dir: Path | None = None) -> dict[str, dict[str, int]]:
    """Each text's feature counts (the topics' words and examples, the asked questions). Reading a
    text takes about half a millisecond (2.5 s for the 5,000 asked questions at every start), so
    they are kept in the private cache, for this analyser and this code: a start reads them back,
    and a few questions added (content export) cost a few milliseconds."""
    folder = cache_dir or private_cache.default_cache_dir()
    path = folder / f"features-{feature_key(analyzer)}.pickle" if folder else None
    cached = (private_cache.read(path, is_counts) if path is not None else None) or {}
    wanted = list(dict.fromkeys(texts))
    # One string object per feature, shared by every text holding it, in memory and in the cache
    # (pickle writes a shared object once, and reads it back once): with 16,000 asked questions,
    # 454,000 strings where 52,000 say the same (a worker's start-up peak 238 → 204 MB with the
    # texts' features no longer kept by the engine). Texts read now share the cached ones' too.
    missing = [text for text in wanted if not cached.get(text)]
    shared = {feature: feature for counts in cached.values() for feature in counts} if missing else {}
    read = {text: cached.get(text) or _shared_keys(Counter(features(analyzer, text)), shared)
            for text in wanted}
    if path is not None and any(text not in cached for text in wanted):
        # only today's texts kept; two older keys' files too (a content/ rolled back, or tests'
        # own dictionaries beside the real one), as reading them all again takes 20 s
        private_cache.write(path, read, family="features-*.pickle", keep=FEATURE_FILES_KEPT)
    return read


def _shared_keys(counts: Mapping[str, int], shared: dict[str, str]) -> dict[str, int]:
    """counts with each key replaced by the one string object shared for it."""
    return {shared.setdefault(feature, feature): n for feature, n in counts.items()}


def feature_key(analyzer: Analyzer) -> str:
    """What a text's features depend on: the analyser's dictionaries, this code, the libraries
    and Python (pypinyin reads the typos, OpenCC's tables simplify, unicodedata normalises)."""
    state = (analyzer.signature, _FEATURE_SOURCE, pypinyin.__version__, opencc.__version__,
             sys.version_info[:3])
    return hashlib.sha256(repr(state).encode()).hexdigest()[:16]


def is_counts(data: Any) -> bool:
    """data is texts' (or documents') feature counts: {name: {feature: count}}."""
    return private_cache.is_table(data, str, dict) and all(
        private_cache.is_table(counts, str, int) for counts in data.values())


def document_texts(topic: Topic) -> list[str]:
    """The texts of a topic's own document (its keywords twice: they are what the topic is)."""
    return [topic.title, topic.title, *topic.keywords, *topic.keywords, *topic.broad, *topic.hints,
            *topic.examples]
