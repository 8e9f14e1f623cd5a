"""The second stage's models are kept whole in the private cache for the content/ they were built
from: a start with the same content reads them back (a third of a worker's start-up otherwise),
and any change to what they are made of builds them again."""

from __future__ import annotations

import gc
import pickle
from dataclasses import replace
from pathlib import Path

import pytest

from bot.policies import load_engine, private_cache
from bot.policies.analyzer import Analyzer
from bot.policies.likeness import Likeness, load_likeness
from bot.policies.similar import features
from bot.policies.topics import Topic, read_topics

ASKED = {"activity-center": ("搓麻将那屋星期天开吗", "麻将屋几点关门")}
NOT_OURS = ("孙子学校体检去哪做", "八路公交车首班车几点发")
KEYWORDS = ("活动中心", "体检")
QUESTIONS = ("搓麻将的那屋星期六开不", "孙子中考体检在哪个医院", "今年体检几号")


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return load_engine(Path(__file__).resolve().parents[2] / "content").analyzer


@pytest.fixture(scope="module")
def topics() -> list[Topic]:
    return read_topics(Path(__file__).resolve().parents[2] / "content" / "policies")[0]


def answers(likeness: Likeness, analyzer: Analyzer) -> list[tuple]:
    """What the models say of a few questions: the likeness, the odds, the floor."""
    return [(likeness.similar.scores(q), likeness.outside.odds(features(analyzer, q)),
             likeness.not_ours_floor) for q in QUESTIONS]


def test_the_next_start_reads_the_models_back_whole(topics, analyzer, tmp_path: Path) -> None:
    built = load_likeness(topics, analyzer, ASKED, NOT_OURS, KEYWORDS, tmp_path)
    (path,) = tmp_path.glob("likeness-*.pickle")
    assert path.stat().st_mode & 0o077 == 0  # owner only
    state = pickle.loads(path.read_bytes())
    state["floor"] = 123.0  # only a reader of this file knows it
    path.write_bytes(pickle.dumps(state))
    read = load_likeness(topics, analyzer, ASKED, NOT_OURS, KEYWORDS, tmp_path)
    assert read.not_ours_floor == 123.0
    assert read.similar.state() == built.similar.state() and read.outside.state() == built.outside.state()
    assert [a[:2] for a in answers(read, analyzer)] == [a[:2] for a in answers(built, analyzer)]
    # a staff's teaching on top of a read-back index works as on a built one
    taught = {"activity-center": ("打麻将的屋子周末开不开",)}
    assert read.similar.with_examples(taught).scores(QUESTIONS[0]) == \
        built.similar.with_examples(taught).scores(QUESTIONS[0])


@pytest.mark.parametrize("change", ["asked", "not_ours", "keywords", "topic"])
def test_any_change_to_what_they_are_made_of_builds_them_again(
        topics, analyzer, tmp_path: Path, change: str) -> None:
    load_likeness(topics, analyzer, ASKED, NOT_OURS, KEYWORDS, tmp_path)
    asked = {**ASKED, "health-checkup": ("今年体检几号",)} if change == "asked" else ASKED
    not_ours = (*NOT_OURS, "孙子中考体检在哪个医院") if change == "not_ours" else NOT_OURS
    keywords = (*KEYWORDS, "麻将") if change == "keywords" else KEYWORDS
    changed = topics if change != "topic" else [
        *topics[:-1], replace(topics[-1], examples=(*topics[-1].examples, "麻将屋开吗"))]
    fresh = load_likeness(changed, analyzer, asked, not_ours, keywords, tmp_path / "fresh")
    again = load_likeness(changed, analyzer, asked, not_ours, keywords, tmp_path)
    assert len(list(tmp_path.glob("likeness-*.pickle"))) == 2  # a second key, the first kept
    assert answers(again, analyzer) == answers(fresh, analyzer)


def test_a_damaged_file_is_built_again(topics, analyzer, tmp_path: Path) -> None:
    def load() -> Likeness:
        return load_likeness(topics, analyzer, ASKED, NOT_OURS, KEYWORDS, tmp_path)

    built = load()
    (path,) = tmp_path.glob("likeness-*.pickle")
    state = pickle.loads(path.read_bytes())
    postings = state["similar"]["postings"]
    feature = next(f for f in features(analyzer, QUESTIONS[0]) if f in postings)
    postings[feature] = [("activity-center", "0.5")]  # a weight as text, where a question looks
    path.write_bytes(pickle.dumps(state))
    assert answers(load(), analyzer) == answers(built, analyzer)
    assert pickle.loads(path.read_bytes())["similar"] == built.similar.state()  # written again, whole
    path.write_bytes(b"not a pickle")
    assert answers(load(), analyzer) == answers(built, analyzer)


@pytest.mark.parametrize("reshape", [
    lambda state: state["similar"].update(postings=[]),  # a list where a dict was written
    lambda state: state.pop("outside"),  # a part missing
    lambda state: state["similar"]["postings"].update(x=[("activity-center",)]),  # a pair not a pair
])
def test_a_file_of_another_shape_is_built_again(topics, analyzer, tmp_path: Path, reshape) -> None:
    built = load_likeness(topics, analyzer, ASKED, NOT_OURS, KEYWORDS, tmp_path)
    (path,) = tmp_path.glob("likeness-*.pickle")
    state = pickle.loads(path.read_bytes())
    reshape(state)
    path.write_bytes(pickle.dumps(state))
    again = load_likeness(topics, analyzer, ASKED, NOT_OURS, KEYWORDS, tmp_path)
    assert answers(again, analyzer) == answers(built, analyzer)


@pytest.mark.parametrize("content", [None, b"not a pickle", pickle.dumps({"plain": "data"})])
def test_a_read_leaves_the_garbage_collector_as_it_found_it(tmp_path: Path, content: bytes | None) -> None:
    """The collector is paused while a file is unpickled, and switched on again only if it was on."""
    path = tmp_path / "some.pickle"
    if content is not None:
        path.write_bytes(content)
    try:
        for collecting in (True, False):
            (gc.enable if collecting else gc.disable)()
            private_cache.read(path, lambda data: isinstance(data, dict))
            assert gc.isenabled() is collecting
    finally:
        gc.enable()
