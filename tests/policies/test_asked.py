"""content/policies/asked.tsv: questions people asked, with the topic they meant. Asked again in
the same words, such a question gets that topic; in other words, the second stage finds its
topic closer. Reading 5,000 of them takes seconds, so their features are kept in the private
cache and read back at the next start."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from pathlib import Path

from bot.config import PROJECT_ROOT
from bot.policies import PolicyEngine, load_engine, private_cache, topics
from bot.policies.engine import teaching_problem
from bot.policies.similar import FEATURE_FILES_KEPT, read_features

# Neither stage answers these with the shipped vocabulary alone: no keyword, few shared words.
ASKED = "搓麻将那屋星期天开吗"
REWORDED = "搓麻将的那屋星期六开不"


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


def test_each_text_s_features_are_read_from_the_cache_and_only_new_ones_computed(
        tmp_path: Path) -> None:
    engine = load_engine(PROJECT_ROOT / "content")
    first = read_features([ASKED], engine.analyzer, tmp_path)
    (path,) = tmp_path.glob("features-*.pickle")
    assert path.stat().st_mode & 0o077 == 0  # owner only
    counts = pickle.loads(path.read_bytes())
    counts[ASKED]["w:银龄测试"] = 7  # only a reader of this file knows it
    path.write_bytes(pickle.dumps(counts))
    more = read_features([ASKED, REWORDED], engine.analyzer, tmp_path)
    assert more[ASKED]["w:银龄测试"] == 7 and more[ASKED]["b:麻将"] == first[ASKED]["b:麻将"]  # read back
    assert more[REWORDED]["b:麻将"] == 1  # the new one, read now
    assert set(pickle.loads(path.read_bytes())) == {ASKED, REWORDED}
    read_features([REWORDED], engine.analyzer, tmp_path)  # nothing new: the file is left as it is
    assert set(pickle.loads(path.read_bytes())) == {ASKED, REWORDED}


def test_taught_questions_become_clean_lines_and_a_correction_changes_its_line(tmp_path: Path) -> None:
    path = tmp_path / "asked.tsv"
    path.write_text("# 问过的问题\n离休费几号发\tpension-payment\n", encoding="utf-8")
    text, changed = topics.with_asked(path.read_text(encoding="utf-8"), [
        ("health-checkup", "体检\n在哪里做"),     # a line break typed in the chat
        ("archives", "#要开个证明"),              # would read as a comment
        ("contact-office", "你们\t电话多少"),     # a tab
        ("medical-reimbursement", "离休费 几号发？"),  # the same words: staff correct its topic
        ("contact-office", "在哪办"), ("archives", "在哪办"),  # taught twice: the later wins
    ])
    path.write_text(text, encoding="utf-8")
    _, problems = topics.read_asked(path, {"pension-payment", "health-checkup", "archives",
                                           "contact-office", "medical-reimbursement"})
    assert problems == [] and changed == 6
    assert text.splitlines() == ["# 问过的问题", "离休费几号发\tmedical-reimbursement",
                                 "体检 在哪里做\thealth-checkup", "要开个证明\tarchives",
                                 "你们 电话多少\tcontact-office", "在哪办\tarchives"]


def test_the_later_teaching_of_the_same_words_wins(engine: PolicyEngine) -> None:
    taught = engine.with_changes([("contact-office", "别的问题"), ("activity-center", ASKED),
                                  ("contact-office", ASKED)], {})
    assert taught.decide(ASKED).topic == "contact-office"
    assert taught.decide(ASKED + "？").topic == "contact-office"  # punctuation aside


def test_someone_else_s_matter_cannot_be_taught(engine: PolicyEngine) -> None:
    """The keywords refuse a grandchild's school on purpose: teaching it would undo that."""
    assert "别人的事" in teaching_problem(engine, "health-checkup", "孙子上小学报名要体检吗")
    assert "指向别处" in teaching_problem(engine, "party-fee", "离休费每个月几号发")
    assert teaching_problem(engine, "activity-center", ASKED) == ""


def test_a_dictionary_change_reads_every_text_again(content: Path, tmp_path: Path) -> None:
    read_features([ASKED], load_engine(content).analyzer, tmp_path / "cache")
    (before,) = (tmp_path / "cache").glob("features-*.pickle")
    words = content / "dictionary" / "words.txt"
    words.write_text(words.read_text(encoding="utf-8") + "搓麻将\n", encoding="utf-8")  # one word more
    after = read_features([ASKED], load_engine(content).analyzer, tmp_path / "cache")
    assert len(set((tmp_path / "cache").glob("features-*.pickle")) - {before}) == 1  # the new key's
    assert after[ASKED]["w:搓麻将"] == 1  # read with the new word
    assert before.exists()  # kept: going back to the old dictionary reads no text again


def test_the_cache_keeps_the_newest_three_dictionaries_files(tmp_path: Path) -> None:
    folder = tmp_path / "cache"
    for key in range(4):
        private_cache.write(folder / f"features-{key}.pickle", {}, family="features-*.pickle",
                            keep=FEATURE_FILES_KEPT)
        os.utime(folder / f"features-{key}.pickle", (1_000_000 + key, 1_000_000 + key))
    assert sorted(f.name for f in folder.glob("features-*.pickle")) == [
        "features-1.pickle", "features-2.pickle", "features-3.pickle"]


def test_the_next_start_reads_the_cache_the_last_one_wrote(content: Path, tmp_path: Path) -> None:
    """Another process (another string hash seed) must find the same cache files, not rebuild
    them: with asked.tsv's 12,000 questions a rebuild is a 7-second start."""
    load = ("from pathlib import Path; from bot.policies import load_engine; "
            f"load_engine(Path({str(content)!r}))")
    seen = []
    for seed in ("1", "2"):
        env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache"), "PYTHONHASHSEED": seed}
        subprocess.run([sys.executable, "-c", load], env=env, check=True, cwd=PROJECT_ROOT)
        seen.append(sorted((path.name, path.stat().st_mtime_ns) for family in ("features", "likeness")
                           for path in (tmp_path / "cache" / "yinling").glob(f"{family}-*.pickle")))
    assert len(seen[0]) == 2 and seen[1] == seen[0]  # the texts' features, the models built of them


def test_a_taught_question_weighs_in_the_likeness_as_an_asked_one_does(content: Path) -> None:
    """Staff's teaching adds the question to its topic's document without the engine keeping
    every text's features: the likeness is the same as with the question in asked.tsv."""
    base = load_engine(content)
    before = base.similar.scores(REWORDED)
    taught = base.with_changes([("activity-center", ASKED)], {})
    asked = with_asked(content, f"{ASKED}\tactivity-center")
    assert taught.similar.scores(REWORDED) == asked.similar.scores(REWORDED)
    assert taught.similar.scores(REWORDED)[0][0] == "activity-center"
    # the engine every request shares is left as it was: teaching again gives the same
    assert base.similar.scores(REWORDED) == before
    assert base.with_changes([("activity-center", ASKED)], {}).similar.scores(REWORDED) == \
        taught.similar.scores(REWORDED)
    # a topic content/ no longer has is taught nothing
    assert base.with_changes([("no-such-topic", ASKED)], {}).similar.scores(REWORDED) == before


def test_texts_share_one_object_per_feature_in_memory_and_in_the_cache(content: Path, tmp_path: Path) -> None:
    """With 16,000 asked questions, 454,000 copies of 52,000 feature strings were tens of megabytes
    of every worker."""
    analyzer = load_engine(content).analyzer
    texts = ["体检在哪个医院做", "今年体检几号"]
    for _ in range(2):  # computed, then read back from the cache
        first, second = read_features(texts, analyzer, tmp_path / "cache").values()
        (mine,) = (key for key in first if key == "w:体检")
        (theirs,) = (key for key in second if key == "w:体检")
        assert mine is theirs
