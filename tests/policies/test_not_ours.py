"""Questions confirmed not the office's (asked.tsv's 「-」 lines): refused word for word, and a
new question that reads like them more than any of the office's own examples is refused too,
even when an office word in it leads the keywords to a topic."""

from __future__ import annotations

from pathlib import Path

from bot.policies import load_engine
from bot.policies.engine import CONFIRMED_NOT_OURS, LIKE_NOT_OURS, own_question, teaching_problem
from bot.policies.topics import NOT_OURS, read_asked
from bot.services import Services
from tests.helpers import Chat
from tests.policies.test_asked import with_asked
from tests.policies.test_kept_questions import kept

# A grandchild's school check-up: the keywords read 体检 and answer the office's check-up.
SCHOOL_CHECKUP = "外孙上学的学校要体检，去哪个医院做"
GRANDCHILDREN_S_CHECKUPS = ["孙子学校要体检去哪做", "孙女上学的体检在哪家医院", "外孙女学校组织体检要交钱吗",
                            "孙子入学体检在哪个医院做", "我孙子学校体检报告去哪拿", "孙女幼儿园入园体检去哪",
                            "外孙上学体检找哪个医院", "孙子中考体检在哪做"]


def test_a_question_confirmed_not_ours_is_refused_in_its_words(content: Path) -> None:
    question = "小区广场舞放音乐太吵了，晚上睡不着找谁"
    assert load_engine(content).decide(question).topic == "sports-culture"
    engine = with_asked(content, f"{question}\t{NOT_OURS}")
    decision = engine.decide(question)
    assert (decision.topic, decision.candidates, decision.stage) == (None, (), CONFIRMED_NOT_OURS)
    assert engine.by_similarity(question).stage == CONFIRMED_NOT_OURS  # the chat's later try too


def test_a_new_question_like_those_not_ours_is_refused(content: Path) -> None:
    assert load_engine(content).decide(SCHOOL_CHECKUP).topic == "health-checkup"
    engine = with_asked(content, *(f"{q}\t{NOT_OURS}" for q in GRANDCHILDREN_S_CHECKUPS))
    assert engine.by_keywords(SCHOOL_CHECKUP, not_ours=False).topic == "health-checkup"
    refused = engine.decide(SCHOOL_CHECKUP)
    assert (refused.topic, refused.stage) == (None, LIKE_NOT_OURS)
    # The office's own check-up questions are still answered: the examples set the bar.
    assert engine.decide("我爸的体检去哪个医院").topic == "health-checkup"
    assert engine.decide("体检在哪个医院做").topic == "health-checkup"


def test_no_example_or_keyword_of_a_topic_is_refused_for_its_likeness(content: Path) -> None:
    # Many questions not ours about square dancing: 广场舞 asked alone still finds its topic.
    noise = [f"小区{place}跳广场舞太吵了{n}点还在放歌找谁管" for place in ("楼下", "门口", "广场")
             for n in range(8, 12)]
    engine = with_asked(content, *(f"{q}\t{NOT_OURS}" for q in noise))
    assert engine.reads_not_ours("楼下广场舞天天吵到半夜找谁管")
    for topic in engine.topics.values():
        for question in (*topic.examples, *(own_question(k) for k in topic.keywords)):
            assert not engine.reads_not_ours(question), question


def test_staff_may_still_teach_a_question_refused_for_its_likeness(content: Path) -> None:
    engine = with_asked(content, *(f"{q}\t{NOT_OURS}" for q in GRANDCHILDREN_S_CHECKUPS))
    assert teaching_problem(engine, "health-checkup", SCHOOL_CHECKUP) == ""
    taught = engine.with_changes([("health-checkup", SCHOOL_CHECKUP)], {})
    assert taught.decide(SCHOOL_CHECKUP).topic == "health-checkup"
    # … but not to a topic its keywords do not lead to: that is a slip of the hand.
    assert "关键词指向别处" in teaching_problem(engine, "activity-center", SCHOOL_CHECKUP)


def test_the_later_of_teaching_and_marking_not_ours_wins(content: Path) -> None:
    engine = load_engine(content)
    marked = engine.with_changes([("health-checkup", SCHOOL_CHECKUP), (NOT_OURS, SCHOOL_CHECKUP)], {})
    assert marked.decide(SCHOOL_CHECKUP).stage == CONFIRMED_NOT_OURS
    assert SCHOOL_CHECKUP not in marked.topics["health-checkup"].examples  # no longer a way of asking
    taught = engine.with_changes([(NOT_OURS, SCHOOL_CHECKUP), ("health-checkup", SCHOOL_CHECKUP)], {})
    assert taught.decide(SCHOOL_CHECKUP).topic == "health-checkup"
    assert SCHOOL_CHECKUP in taught.topics["health-checkup"].examples


def test_asked_tsv_takes_a_dash_for_not_ours_and_still_refuses_unknown_topics(tmp_path: Path) -> None:
    path = tmp_path / "asked.tsv"
    path.write_text("孙子学校体检去哪做\t-\n离休费几号发\tpension-payment\n股票怎么买\tstocks\n",
                    encoding="utf-8")
    asked, problems = read_asked(path, {"pension-payment"})
    assert asked.by_topic == {NOT_OURS: ("孙子学校体检去哪做",), "pension-payment": ("离休费几号发",)}
    assert problems == ["asked.tsv 第 3 行：「stocks」不是已有的话题。"]


def test_in_the_chat_a_bank_s_call_is_not_answered_as_the_pension_and_is_kept_for_staff(
        chat: Chat, services: Services) -> None:
    question = "农业银行打电话说我的卡要去年审，不去就冻结，是真的吗"  # not in asked.tsv
    assert load_engine(services.settings.content_dir).by_keywords(
        question, known=False, not_ours=False).topic == "pension-payment"
    reply = chat.say(question)
    assert reply is not None and "回复" in reply and "发放" not in reply  # the kind fallback
    [kept_question] = kept(services)
    assert (kept_question.outcome, kept_question.text) == ("unanswered", question)
