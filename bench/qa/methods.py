"""The routers compared by bench/qa, each built over the same knowledge base.

- keywords: bot.policies' first stage alone (jieba + domain dictionary, synonyms, typo fixing,
  keyword scores); it may ask between close topics.
- two-stage: bot.policies as the bot runs it: the keywords, then similarity (bot.policies.similar)
  for what they leave, which answers, offers 「您是想问」 or refuses.
- keyword: the admin panel's keyword auto-reply (关键词回复, 「半匹配」): the first topic one of
  whose keywords is contained in the question.
- bm25: BM25 (rank-bm25) over jieba tokens of each topic's title, keywords, hints and examples;
  no topic when no word is shared.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

# A router gives the topic it answers, or the topics it offers (a list), or None: refused.
Router = Callable[[str], str | list[str] | None]


def build(method: str, content_dir: Path, *, known: bool = True) -> Router:
    """The named router, fully loaded (jieba initialised) before it returns; known=False: our
    routers as if no question had been confirmed in its words (content/policies/asked.tsv)."""
    if method in ("keywords", "two-stage"):
        return {"keywords": _keywords, "two-stage": _two_stage}[method](content_dir, known)
    return {"keyword": _keyword, "bm25": _bm25}[method](content_dir)


def _keywords(content_dir: Path, known: bool) -> Router:
    from bot.policies import load_engine

    engine = load_engine(content_dir)
    return lambda question: _outcome(engine.by_keywords(question, known=known))


def _two_stage(content_dir: Path, known: bool) -> Router:
    from bot.policies import load_engine

    engine = load_engine(content_dir)
    return lambda question: _outcome(engine.decide(question, known=known))


def _outcome(decision) -> str | list[str] | None:  # a bot.policies.Decision, imported late
    if decision.topic is not None:
        return decision.topic
    return list(decision.candidates) if decision.ask_which else None


def _topics(content_dir: Path) -> list:
    from bot.policies.topics import read_topics

    return read_topics(content_dir / "policies")[0]


def _keyword(content_dir: Path) -> Router:
    # The admin panel has no "A+B" rules; such keywords are left out, as an office would have to.
    rules = [(t.id, [k for k in t.keywords if "+" not in k]) for t in _topics(content_dir)]

    def route(question: str) -> str | None:
        return next((topic for topic, words in rules if any(w in question for w in words)), None)
    return route


def _bm25(content_dir: Path) -> Router:
    import logging

    import jieba
    from rank_bm25 import BM25Okapi

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    topics = _topics(content_dir)
    documents = [" ".join([t.title, *t.keywords, *t.hints, *t.examples]).replace("+", " ")
                 for t in topics]
    index = BM25Okapi([_words(jieba, d) for d in documents])

    def route(question: str) -> str | None:
        scores = index.get_scores(_words(jieba, question))
        best = max(range(len(topics)), key=lambda i: scores[i])
        return topics[best].id if scores[best] > 0 else None
    return route


def _words(jieba, text: str) -> list[str]:
    return [w for w in jieba.lcut(text) if w.strip()]
