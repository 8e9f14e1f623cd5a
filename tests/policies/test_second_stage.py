"""The second stage: a question the keywords miss is answered by similarity when one topic is
close and alone, offered 「您是想问」 when two are close or a care situation is mentioned, and
refused when nothing is close or it belongs to another domain; a keyword answer the whole
question clearly reads against gives way to the topic it reads like. Over content/ with the questions
these tests teach (conftest.SECOND_STAGE_ASKED) as the only ones asked."""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path

import pytest

from bot.config import Settings
from bot.language.office import office_values
from bot.language.texts import Texts
from bot.policies import PolicyEngine, load_engine
from bot.policies.engine import (
    KEYWORDS,
    OFFER_CHOSEN,
    OURS_AT,
    OURS_MARGIN,
    OVERRULE_AT,
    OVERRULE_MARGIN,
    OVERRULED,
    SIMILAR,
    SIMILAR_ANSWER,
    SIMILAR_CLOSE,
    SIMILAR_OFFER,
    Decision,
    clearly_like,
    teaching_problem,
    weigh_keywords,
)
from bot.policies.replies import answer_text, longest_answer_text, related_topics
from bot.questions.teaching import answer_problems
from bot.wechat_api.rules import WECHAT_TEXT_LIMIT
from tests.helpers import Chat


@pytest.fixture(scope="module")
def engine(taught: Path) -> PolicyEngine:
    """The router over content/ with this module's asked questions."""
    return load_engine(taught)


@pytest.fixture
def settings(settings: Settings, taught: Path) -> Settings:
    """The bot's settings, reading that same content/."""
    return replace(settings, content_dir=taught)


# 退木证: a slip neither the sound nor the look-alike table knows; no keyword matches it, the
# character pairs do
MISSPELT = "退木证上的名字写错了能改吗"
TWO_CLOSE = MISSPELT + " 党组织想转到住的地方怎么办"  # no keyword in either: both offered


def test_a_question_the_keywords_miss_is_answered_by_similarity(engine: PolicyEngine) -> None:
    assert engine.by_keywords(MISSPELT).topic is None
    decision = engine.decide(MISSPELT)
    assert (decision.topic, decision.stage) == ("retirement-certificate", SIMILAR)


def test_two_close_topics_are_offered_never_guessed(engine: PolicyEngine) -> None:
    question = TWO_CLOSE
    [(first, best), (second, runner_up)] = engine.similar.scores(question)[:2]
    assert best >= SIMILAR_ANSWER and runner_up >= SIMILAR_CLOSE * best  # either alone would be answered
    decision = engine.decide(question)
    assert decision.topic is None and decision.ask_which
    assert decision.candidates[:2] == (first, second)


def test_a_care_situation_is_never_answered_by_a_guess(engine: PolicyEngine) -> None:
    question = "摔伤以后" + MISSPELT
    assert engine.similar.scores(question)[0][1] >= SIMILAR_ANSWER
    decision = engine.decide(question)
    assert decision.topic is None and decision.ask_which
    assert decision.candidates == ("retirement-certificate",)


def test_another_domains_question_is_refused_however_similar(engine: PolicyEngine) -> None:
    question = "每年免费体捡的报告单上尿酸高是什么意思"  # 尿酸: the doctor's question, not the office's
    [(closest, closeness), *_] = engine.similar.scores(question)
    assert closest == "health-checkup" and closeness >= SIMILAR_ANSWER
    decision = engine.decide(question)
    assert decision.topic is None and not decision.ask_which


def test_nothing_close_enough_is_refused(engine: PolicyEngine) -> None:
    question = "单位门口的路灯坏了找谁修"  # nothing of the office's in it but 单位 and 找谁
    assert 0 < engine.similar.scores(question)[0][1] < SIMILAR_OFFER
    decision = engine.decide(question)
    assert decision.topic is None and not decision.ask_which


def test_one_word_in_common_is_no_closeness(engine: PolicyEngine) -> None:
    """A grandchild's 学习 is not the study day, a story is not volunteering: a topic sharing a
    single word with the question is not close to it, however rare the word."""
    for question in ("我孙女学习跟不上怎么办", "给我讲个故事"):
        decision = engine.decide(question)
        assert decision.topic is None and not decision.ask_which


def test_a_question_word_is_not_a_shared_word(engine: PolicyEngine) -> None:
    """Where to buy a nursing bed is not the 护理费 topic: besides 护理 it shares only 哪里, a
    word every topic's examples ask with."""
    for question in ("护理床哪里能买到", "女儿想考护理证去哪里报名培训"):
        decision = engine.decide(question)
        assert decision.topic is None and not decision.ask_which, question


def test_in_chat_the_offer_is_numbered_and_a_number_answers(chat: Chat) -> None:
    offer = chat.say("摔伤以后" + MISSPELT)
    assert offer is not None and "您是想问" in offer and "回复 1" in offer and "离退休证" in offer
    answer = chat.say("1")
    assert answer is not None and answer.startswith("【离退休证")


def test_in_chat_a_command_or_an_intent_comes_before_a_guess(chat: Chat) -> None:
    reply = chat.say("我要学习")  # similar to 集中学习日, but it asks for this month's material
    assert reply is not None and not reply.startswith("【集中学习日】")


# 涨 and 物价 lead the keywords to 待遇调整; the whole question is about a survivor's allowance.
IN_PASSING = "我婆婆领的家属补助一个月才几百，物价涨了能不能多给点"


def test_a_keyword_said_in_passing_gives_way_to_what_the_question_reads_like(engine: PolicyEngine) -> None:
    assert engine.by_keywords(IN_PASSING).topic == "pension-adjustment"
    (first, best), (_, runner_up) = engine.similar.scores(IN_PASSING)[:2]
    assert first == "survivor-allowance" and best >= OVERRULE_AT and best >= OVERRULE_MARGIN * runner_up
    decision = engine.decide(IN_PASSING)
    assert (decision.topic, decision.stage) == ("survivor-allowance", OVERRULED)


ANSWERED_A = Decision("a", ("a", "b"))
OFFERED_AB = Decision(None, ("a", "b"))


@pytest.mark.parametrize(("first", "scored", "topic", "candidates", "stage"), [
    (ANSWERED_A, [("b", 0.2), ("a", 0.05)], "b", ("b", "a"), OVERRULED),  # far ahead, close enough
    (ANSWERED_A, [("b", 0.2)], "b", ("b", "a"), OVERRULED),               # alone
    (ANSWERED_A, [("a", 0.2), ("b", 0.05)], "a", ("a", "b"), KEYWORDS),   # the likeness agrees
    (ANSWERED_A, [("b", OVERRULE_AT - 0.01)], "a", ("a", "b"), KEYWORDS),  # not close enough
    (ANSWERED_A, [("b", 0.2), ("a", 0.2 / OVERRULE_MARGIN + 0.01)], "a", ("a", "b"), KEYWORDS),  # near
    (ANSWERED_A, [], "a", ("a", "b"), KEYWORDS),
    (OFFERED_AB, [("b", 0.2), ("c", 0.05)], "b", ("b", "a"), OFFER_CHOSEN),  # one offered topic clearly
    (OFFERED_AB, [("c", 0.2), ("b", 0.05)], None, ("b", "a"), KEYWORDS),     # clearly another: still asks
    (OFFERED_AB, [("b", 0.1), ("a", 0.09)], None, ("b", "a"), KEYWORDS),     # not clearly: likeliest first
])
def test_only_a_clear_likeness_decides_what_the_keywords_found(
        first: Decision, scored: list[tuple[str, float]], topic: str | None, candidates: tuple[str, ...],
        stage: str) -> None:
    weighed = weigh_keywords(first, scored)
    assert (weighed.topic, weighed.candidates, weighed.stage) == (topic, candidates, stage)


def test_in_a_care_situation_the_likeness_still_checks_the_keywords_answer(engine: PolicyEngine) -> None:
    # The keywords chose to answer; a death told first (去世: a care situation) does not stop the
    # likeness from naming the topic asked: the widow's own allowance, not the funeral grant.
    question = "老伴去世后给我的那份补助，每年还要重新审核吗"
    assert engine.by_keywords(question).topic == "funeral-pension"
    decision = engine.decide(question)
    assert (decision.topic, decision.stage) == ("survivor-allowance", OVERRULED)
    assert decision.also_close == ("funeral-pension",)


# 涨 and 退休 offer 待遇调整 first; the whole question reads like 老年大学's fees.
CLEAR_AMONG_OFFERED = "老年大学书法班学费又涨了？我们退休的能有几个钱，学费到底多少？"


def test_a_keyword_offer_the_likeness_clearly_chooses_in_is_answered(engine: PolicyEngine) -> None:
    offer = engine.by_keywords(CLEAR_AMONG_OFFERED)
    assert offer.ask_which and offer.candidates == ("pension-adjustment", "senior-university")
    decision = engine.decide(CLEAR_AMONG_OFFERED)
    assert (decision.topic, decision.stage) == ("senior-university", OFFER_CHOSEN)
    assert decision.also_close == ("pension-adjustment",)


def test_an_offer_the_likeness_leans_in_lists_its_topic_first(engine: PolicyEngine) -> None:
    question = "郊游是自己出钱还是单位出？要不要交体检证明"  # 体检 said in passing
    assert engine.by_keywords(question).candidates == ("health-checkup", "outings")
    decision = engine.decide(question)
    assert decision.ask_which and decision.candidates == ("outings", "health-checkup")


def test_in_a_care_situation_the_likeness_still_chooses_within_the_keywords_offer(
        engine: PolicyEngine) -> None:
    question = "老伴走了，亲戚说办后事的钱和给家属的钱是两笔，要分开办吗？先办哪个？"
    assert engine.by_keywords(question).candidates == ("funeral-pension", "survivor-allowance")
    decision = engine.decide(question)
    assert (decision.topic, decision.stage) == ("funeral-pension", OFFER_CHOSEN)
    assert decision.also_close == ("survivor-allowance",)  # the other 笔 offered to read next


def test_in_chat_a_chosen_offer_is_answered_and_the_other_topic_is_offered_first(chat: Chat) -> None:
    reply = chat.say(CLEAR_AMONG_OFFERED)
    assert reply is not None and reply.startswith("【老年大学】") and "您是想问" not in reply
    assert "回复 1\u3000待遇调整和补发" in reply  # it may have asked about both
    other = chat.say("1")
    assert other is not None and other.startswith("【待遇调整和补发】")


def test_in_chat_a_question_about_two_topics_gets_one_answer_and_the_other_by_number(chat: Chat) -> None:
    reply = chat.say("我想问问体检，还有党费怎么交")  # the keywords find both equally
    assert reply is not None and reply.startswith("【党费缴纳】")
    assert "回复 1\u3000健康体检" in reply
    other = chat.say("1")
    assert other is not None and other.startswith("【健康体检】")


def test_in_chat_an_overruled_answer_offers_the_keywords_topic_first(chat: Chat) -> None:
    reply = chat.say(IN_PASSING)
    assert reply is not None and reply.startswith("【遗属生活困难补助】")
    assert "回复 1\u3000待遇调整和补发" in reply


def test_with_no_question_confirmed_not_ours_nothing_below_the_offer_is_answered(
        engine: PolicyEngine) -> None:
    # The shipped knowledge base answers it (test_routing): it reads clearly like 生日祝寿 and far
    # from the questions confirmed not ours. Here none is confirmed, so nothing tells how far.
    question = "去年我满了八十，单位那边一点动静都没有，是不是漏掉了"
    assert not engine.by_keywords(question).names_a_topic
    scored = engine.similar.scores(question)
    assert clearly_like(scored, at=OURS_AT, margin=OURS_MARGIN) == "birthday-greetings"
    assert scored[0][1] < SIMILAR_OFFER
    assert engine.not_ours_odds(question) == -math.inf
    assert not engine.decide(question).names_a_topic


def test_in_chat_the_answer_is_the_topic_the_question_reads_like(chat: Chat) -> None:
    reply = chat.say(IN_PASSING)
    assert reply is not None and reply.startswith("【遗属生活困难补助】")


def test_staff_may_teach_the_topic_the_likeness_answers(engine: PolicyEngine) -> None:
    assert teaching_problem(engine, "survivor-allowance", IN_PASSING) == ""
    assert "关键词指向别处" in teaching_problem(engine, "party-fee", IN_PASSING)


def test_related_topics_put_the_close_ones_first_without_repeats(engine: PolicyEngine) -> None:
    own = engine.topics["senior-university"].related
    also = (own[1], "pension-adjustment", "senior-university")
    listed = related_topics(engine, "senior-university", also=also)
    assert listed[:2] == [own[1], "pension-adjustment"] and "senior-university" not in listed
    assert sorted(listed) == sorted({*own, "pension-adjustment"})


def test_the_size_check_counts_the_titles_a_chosen_offer_adds(engine: PolicyEngine,
                                                              settings: Settings) -> None:
    texts = Texts.load(settings.content_dir, settings)
    longest = longest_answer_text(engine, texts, "archives")
    plain = answer_text(engine, texts, "archives")
    longest_titles = sorted((t.title for t in engine.topics.values()
                             if t.id != "archives" and t.id not in engine.topics["archives"].related),
                            key=lambda title: -len(title.encode()))[:2]
    assert len(longest) > len(plain) and all(f"\u3000{title}" in longest for title in longest_titles)


def test_staff_cannot_save_an_answer_that_fits_only_without_the_offered_titles(
        engine: PolicyEngine, settings: Settings) -> None:
    texts = Texts.load(settings.content_dir, settings)
    office = office_values(settings)
    shortest = answer_text(engine.with_changes([], {"archives": "。"}), texts, "archives")
    longest = longest_answer_text(engine.with_changes([], {"archives": "。"}), texts, "archives")
    room = WECHAT_TEXT_LIMIT - len(shortest.encode())  # what an answer may add without the titles
    assert len(longest.encode()) - len(shortest.encode()) > 3  # the titles take more than one 好
    answer = "。" + "好" * (room // 3)  # 3 bytes each: it fits alone, not with the titles
    shown = answer_text(engine.with_changes([], {"archives": answer}), texts, "archives")
    assert len(shown.encode()) <= WECHAT_TEXT_LIMIT
    assert any("回答太长" in p for p in answer_problems(engine, texts, office, "archives", answer))
