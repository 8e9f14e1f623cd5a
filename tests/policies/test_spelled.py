"""Words written in pinyin letters by someone who could not find the characters."""

from __future__ import annotations

import pytest

from bot.policies import PolicyEngine
from bot.policies.spelled import SpelledReader


@pytest.mark.parametrize(("question", "topic"), [
    ("tijian 几号开始", "health-checkup"),
    ("wo de tuixiu fei zhe ge yue mei dao", "pension-payment"),
    ("dangfei怎么交", "party-fee"),
    ("lao nian da xue 报名", "senior-university"),
    ("DANG FEI 怎么交", "party-fee"),  # capitals too
    ("护理fei 每个月多少", "nursing-allowance"),  # the characters found, the rest in letters
    ("离xiu证 丢了咋办", "retirement-certificate"),
    ("请问tijian几号开始", "health-checkup"),  # not 请问题 + jian: the reading with most letters read
    ("wodetuixiufeimeidao", "pension-payment"),  # no spaces at all
])
def test_a_question_partly_in_pinyin_reaches_its_topic(
        engine: PolicyEngine, question: str, topic: str) -> None:
    assert engine.decide(question, known=False).topic == topic


def test_letters_that_spell_nothing_known_are_left_as_written() -> None:
    reader = SpelledReader(["体检", "党费", "去世", "西安"], lambda word: 1)
    assert reader.read("my email address changed") == "my email address changed"
    assert reader.read("手机调成silent了") == "手机调成silent了"  # not pinyin through and through: not 去世
    assert reader.read("xian") == "xian"  # one syllable (先, 现, 线), not 西安
    assert reader.read("fei") == "fei"  # one syllable could be any of dozens of characters


def test_english_never_reaches_a_topic(engine: PolicyEngine) -> None:
    assert engine.decide("手机调成silent了怎么调回来", known=False).topic is None


def test_the_reading_with_the_most_letters_read_wins() -> None:
    reader = SpelledReader(["退休", "退休费", "没到", "问题", "体检"], lambda word: 1)
    assert reader.read("tuixiufeimeidao") == "退休费没到"
    assert reader.read("wo de tuixiu fei") == "wo de 退休费"
    assert reader.read("请问tijian") == "请问体检"


def test_of_two_words_spelt_alike_the_commoner_is_read() -> None:
    reader = SpelledReader(["会议", "回忆"], {"会议": 50_000, "回忆": 20_000}.get)
    assert reader.read("huiyi") == "会议"


def test_characters_written_stay_as_written() -> None:
    """Only letters are read: 「哪个qudao」 is not 哪歌曲 + dao, 「我有jianyi」 not 我邮寄 + anyi."""
    reader = SpelledReader(["歌曲", "邮寄", "建议", "护理费"], lambda word: 1)
    assert reader.read("哪个qudao") == "哪个qudao"
    assert reader.read("我有jianyi") == "我有建议"
    assert reader.read("护理fei") == "护理费"
    assert reader.read("户里费") == "户里费"  # characters alone: a homophone slip is the typo table's
