"""content/policies/asked.tsv: questions people asked, with the topic they meant. Asked again in
the same words, such a question gets that topic; in other words, the second stage finds its
topic closer. Reading 5,000 of them takes seconds, so their features are kept in the private
cache and read back at the next start."""

from __future__ import annotations

import pickle
import shutil
from pathlib import Path

import pytest

from bot.config import PROJECT_ROOT
from bot.policies import PolicyEngine, load_engine
from bot.policies.similar import asked_features

# Neither stage answers these with the shipped vocabulary alone: no keyword, few shared words.
ASKED = "搓麻将那屋星期天开吗"
REWORDED = "搓麻将的那屋星期六开不"


@pytest.fixture
def content(tmp_path: Path) -> Path:
    """A copy of content/ whose asked questions are only what a test writes."""
    copy = Path(shutil.copytree(PROJECT_ROOT / "content", tmp_path / "content"))
    (copy / "policies" / "asked.tsv").write_text("# 只有测试写的问题\n", encoding="utf-8")
    return copy


def with_asked(content: Path, *lines: str) -> PolicyEngine:
    (content / "policies" / "asked.tsv").write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
    return load_engine(content)


def test_an_asked_question_is_answered_in_its_words_and_helps_a_rewording(content: Path) -> None:
    before = load_engine(content)
    assert before.decide(ASKED).topic is None and before.decide(REWORDED).topic is None
    engine = with_asked(content, f"{ASKED}\tactivity-center", "打麻将的屋子周末开不开\tactivity-center",
                        "麻将屋几点关门\tactivity-center")
    assert engine.by_keywords(ASKED).topic == "activity-center"  # known: the first stage says so
    assert engine.by_keywords(ASKED, known=False).topic is None
    assert engine.decide(REWORDED).topic == "activity-center"  # close to what was asked


def test_a_known_question_wins_over_keywords_that_lead_elsewhere(content: Path) -> None:
    question = "他不在了以后按月给的钱还有没有"  # the monthly allowance, read as the funeral grant
    assert load_engine(content).decide(question).topic == "funeral-pension"
    engine = with_asked(content, f"{question}\tsurvivor-allowance")
    assert engine.decide(question).topic == "survivor-allowance"


def test_the_features_are_read_from_the_cache_and_recomputed_when_the_questions_change(
        tmp_path: Path) -> None:
    engine = load_engine(PROJECT_ROOT / "content")
    asked = {"activity-center": (ASKED,)}
    first = asked_features(asked, engine.analyzer, tmp_path)
    (path,) = tmp_path.glob("asked-*.pickle")
    assert path.stat().st_mode & 0o077 == 0  # owner only
    counts = pickle.loads(path.read_bytes())
    counts["activity-center"]["w:银龄测试"] = 7  # only a reader of this file knows it
    path.write_bytes(pickle.dumps(counts))
    assert asked_features(asked, engine.analyzer, tmp_path)["activity-center"]["w:银龄测试"] == 7
    changed = asked_features({"activity-center": (ASKED, REWORDED)}, engine.analyzer, tmp_path)
    assert "w:银龄测试" not in changed["activity-center"]
    assert changed["activity-center"]["b:麻将"] == first["activity-center"]["b:麻将"] + 1
    (newer,) = tmp_path.glob("asked-*.pickle")  # the old questions' file is gone
    assert newer != path
