"""Routing questions as retirees and their families ask them: typed, spoken, misspelt."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import pytest

from bot.config import PROJECT_ROOT
from bot.language.words import sentences
from bot.policies import PolicyEngine
from bot.policies.engine import (
    OTHER_DOMAIN,
    OURS_AT,
    OURS_BELOW,
    OURS_MARGIN,
    OVERRULE_AT,
    OVERRULE_MARGIN,
    READS_OURS,
    SIMILAR_OFFER,
    UNBLOCK_BELOW,
    UNBLOCK_UNSEEN_BELOW,
    UNBLOCKED,
    by_closeness,
    clearly_like,
    unblocked,
)
from tests.helpers import Chat

# Two questions per topic, written for these tests (not the examples in the topic files).
REPRESENTATIVE = [
    ("离休费一般几号打到卡里", "pension-payment"),
    ("我妈的养老金这个月怎么少了两百", "pension-payment"),
    ("明年退休费还涨不涨", "pension-adjustment"),
    ("调整后的差额什么时候补给我们", "pension-adjustment"),
    ("今年的生存认证还没做会不会停发", "pension-certification"),
    ("在手机上刷脸认证怎么操作", "pension-certification"),
    ("住院的医药费报销要准备什么单据", "medical-reimbursement"),
    ("离休干部买药的发票交给谁", "medical-reimbursement"),
    ("我常年住在女儿家在外省看病怎么备案", "offsite-medical"),
    ("异地就医的发票能寄回去报吗", "offsite-medical"),
    ("今年体检安排在几月份", "health-checkup"),
    ("体检要不要空腹去", "health-checkup"),
    ("我爸瘫痪在床护理费能申请吗", "nursing-allowance"),
    ("护理费标准是多少", "nursing-allowance"),
    ("老父亲病危住院了单位要报告吗", "hospital-visit"),
    ("住院了组织上会派人来看看吗", "hospital-visit"),
    ("老伴去世了抚恤金怎么领", "funeral-pension"),
    ("丧葬费要带哪些材料去办", "funeral-pension"),
    ("遗属每个月的生活补助怎么申请", "survivor-allowance"),
    ("我是遗属补助标准是多少", "survivor-allowance"),
    ("家里经济困难单位有补助吗", "hardship-aid"),
    ("得了癌症花钱太多有没有大病帮扶", "hardship-aid"),
    ("过年单位会上门慰问吗", "festival-visits"),
    ("重阳节有没有慰问品", "festival-visits"),
    ("我父亲明年满一百岁单位会来祝寿吗", "birthday-greetings"),
    ("八十大寿单位有什么表示", "birthday-greetings"),
    ("退休党员每月党费怎么算", "party-fee"),
    ("党费能不能用微信交", "party-fee"),
    ("搬到儿子那里住党组织关系怎么转", "party-transfer"),
    ("组织关系转到居住地社区要什么手续", "party-transfer"),
    ("行动不便参加不了支部活动怎么办", "party-life"),
    ("主题党日退休党员也要参加吗", "party-life"),
    ("这个月的集中学习日是几号", "study-day"),
    ("学习材料去哪里拿", "study-day"),
    ("光荣在党50年纪念章什么时候发", "party-medal"),
    ("我入党满五十年了能领纪念章吗", "party-medal"),
    ("老年大学秋季什么时候报名", "senior-university"),
    ("老年大学有哪些课程", "senior-university"),
    ("活动中心阅览室几点开", "activity-center"),
    ("棋牌室能不能预约场地", "activity-center"),
    ("今年的报纸一直没收到", "newspapers"),
    ("一报一刊是订哪些报刊", "newspapers"),
    ("合唱团还招人吗", "sports-culture"),
    ("书画展的作品交到哪里", "sports-culture"),
    ("今年有没有组织去疗养", "outings"),
    ("外出参观八十岁以上能报名吗", "outings"),
    ("紧急联系人换了怎么改", "info-update"),
    ("我搬家了新住址要登记吗", "info-update"),
    ("退休证丢了去哪补", "retirement-certificate"),
    ("离休证旧了能换新的吗", "retirement-certificate"),
    ("我要反映问题找哪个部门", "petition"),
    ("信访接待日是每周几", "petition"),
    ("对单位工作有建议往哪提", "suggestions"),
    ("征文比赛的稿子投到哪里", "suggestions"),
    ("老党员想参加志愿服务怎么报名", "volunteer"),
    ("关工委的活动怎么参加", "volunteer"),
    ("你们的办公电话是多少", "contact-office"),
    ("中心办公地点在哪里", "contact-office"),
    ("想开一个退休证明去哪开", "archives"),
    ("怎么查自己的人事档案", "archives"),
    ("社区有老年食堂吗", "elderly-care"),
    ("居家养老上门服务怎么申请", "elderly-care"),
]

OUT_OF_SCOPE = ["今天会不会下雨", "帮我买一张去上海的高铁票", "基金现在能买吗", "给我讲个笑话",
                "红烧肉怎么做好吃", "手机话费怎么充值", "血压高吃什么好", "生日蛋糕哪家好吃",
                "体检报告上血脂偏高是什么意思", "春节放几天假"]


TOPICS = Path(__file__).with_name("topics.tsv")  # a copy of ../shared/qa/topics.tsv
SHARED_TOPICS = PROJECT_ROOT.parent / "shared" / "qa" / "topics.tsv"


def test_the_knowledge_base_covers_every_topic_with_the_shared_ids(engine: PolicyEngine) -> None:
    with TOPICS.open(encoding="utf-8") as fh:
        ids = {row["id"] for row in csv.DictReader(fh, delimiter="\t")}
    assert set(engine.topics) == ids


def test_the_copy_of_the_topic_list_is_the_shared_one() -> None:
    if not SHARED_TOPICS.exists():  # a clean clone alone (CI): the copy is what there is
        pytest.skip(f"{SHARED_TOPICS} is not beside this checkout")
    assert TOPICS.read_text(encoding="utf-8") == SHARED_TOPICS.read_text(encoding="utf-8")


def test_every_topic_has_two_representative_questions_here(engine: PolicyEngine) -> None:
    assert {topic for _, topic in REPRESENTATIVE} == set(engine.topics)


@pytest.mark.parametrize(("question", "topic"), REPRESENTATIVE)
def test_a_question_reaches_its_topic(engine: PolicyEngine, question: str, topic: str) -> None:
    assert engine.decide(question).topic == topic


@pytest.mark.parametrize("question", OUT_OF_SCOPE)
def test_an_unrelated_question_gets_no_policy_answer(engine: PolicyEngine, question: str) -> None:
    decision = engine.decide(question)
    assert decision.topic is None and not decision.ask_which


@pytest.mark.parametrize(("question", "topic"), [
    ("离修费几号发", "pension-payment"),          # 离修 for 离休
    ("医药费怎么报消", "medical-reimbursement"),  # 报消 for 报销
    ("今年体捡什么时候", "health-checkup"),        # 体捡 for 体检
    ("丧藏费怎么领", "funeral-pension"),           # 藏, another reading of the same sound
    ("一次性抚血金怎么算", "funeral-pension"),      # 血 sounds near 恤, inside the word
    ("党废交多少", "party-fee"),
])
def test_typos_and_homophones_are_understood(engine: PolicyEngine, question: str, topic: str) -> None:
    assert engine.decide(question).topic == topic


@pytest.mark.parametrize(("question", "topic"), [
    ("呃那个请问一下离休费是每个月几号发的", "pension-payment"),
    ("那个 嗯 我想问一下就是我老伴住院了要不要跟单位说一声", "hospital-visit"),
    ("请问一下那个呃党费现在交多少", "party-fee"),
    ("嗯就是我父亲走了以后那个丧葬费找谁办", "funeral-pension"),
])
def test_voice_transcripts_with_fillers_and_no_punctuation(engine: PolicyEngine, question: str,
                                                           topic: str) -> None:
    assert engine.decide(question).topic == topic


@pytest.mark.parametrize(("question", "topic"), [
    ("看病的钱怎么报", "medical-reimbursement"),   # 看病的钱 → 医药费
    ("老伴走了丧事办完了有什么钱可以领", "funeral-pension"),  # 老伴走了 → 去世
    ("今年涨钱了吗", "pension-adjustment"),          # 涨钱 → 待遇调整
])
def test_colloquial_forms_map_to_the_standard_words(engine: PolicyEngine, question: str,
                                                    topic: str) -> None:
    assert engine.decide(question).topic == topic


def test_a_colloquial_form_is_not_read_across_two_words(engine: PolicyEngine) -> None:
    """年检 (the yearly certification) sits inside 去年检查, and 退休前 is one stroke from 退休钱 (the
    pension): 去年 and 退休前 are read as words first, never rewritten."""
    assert engine.analyzer.rewrite("去年检查的报告丢了") == "去年检查的报告丢了"
    assert engine.analyzer.rewrite("我退休前是老师") == "我退休前是老师"
    assert engine.decide("爷爷去年检查的报告丢了，你们那还有底吗").topic == "health-checkup"
    assert engine.decide("每年年检要本人去吗").topic == "pension-certification"


def test_the_last_rewrite_kept_for_the_second_stage_is_never_another_question_s(
        engine: PolicyEngine) -> None:
    """Both stages read a question's rewrite, done once; a new question is rewritten anew."""
    first, second = "看病的钱怎么报", "今年涨钱了吗"
    assert engine.analyzer.rewrite(first) == engine.analyzer.rewrite(first) == "医药费怎么报"
    assert engine.analyzer.rewrite(second) == "今年待遇调整了吗"
    assert engine.analyzer.rewrite(first) == "医药费怎么报"


def test_question_words_tell_close_topics_apart(engine: PolicyEngine) -> None:
    # The same subject; 几号发 asks about payment, 涨了多少 about the yearly adjustment.
    assert engine.decide("退休费几号发").topic == "pension-payment"
    assert engine.decide("退休费今年涨了多少").topic == "pension-adjustment"


def test_a_keyword_of_two_parts_needs_both_even_inside_longer_words(engine: PolicyEngine) -> None:
    """党员+钱 is 党费 in other words, 退休金 (离退休费) + 涨 the yearly adjustment, 外地+看病 a
    doctor away from home even with 看病 inside a longer matched word (看病的票); one part alone
    is not that keyword."""
    assert engine.decide("党员的钱可以一次交一年吗").topic == "party-fee"
    assert engine.decide("在外地看病的票据能寄回来报吗").topic == "offsite-medical"
    assert engine.decide("今年的退休金啥时候涨").topic == "pension-adjustment"
    assert engine.decide("今年的退休金啥时候发").topic == "pension-payment"
    alone = engine.by_keywords("党员可以一次来几个")
    assert alone.topic is None and not alone.ask_which


def test_a_generic_word_yields_to_the_specific_one(engine: PolicyEngine) -> None:
    # 离休费 is mentioned, but the question is about the nursing allowance.
    assert engine.decide("护理费是跟离休费一起发吗").topic == "nursing-allowance"


def test_two_close_topics_are_offered_as_a_choice(engine: PolicyEngine) -> None:
    decision = engine.decide("体检和党费")
    assert decision.topic is None and decision.ask_which
    assert set(decision.candidates) == {"health-checkup", "party-fee"}


@pytest.mark.parametrize(("question", "other"), [
    ("我想问两个事，一个是离休费什么时候发，一个是体检什么时候", "pension-payment"),
    ("党费怎么交，另外老年大学什么时候开学", "party-fee"),
])
def test_a_second_question_in_another_clause_is_offered_first_to_read_next(
        engine: PolicyEngine, question: str, other: str) -> None:
    decision = engine.first_answer(question)
    assert decision.topic not in (None, other) and engine.also_offered(question, decision)[0] == other


def test_one_question_in_several_clauses_offers_nothing_more(engine: PolicyEngine) -> None:
    question = "你好，离休费什么时候发"
    decision = engine.first_answer(question)
    assert decision.topic == "pension-payment" and engine.also_offered(question, decision) == ()


def test_a_word_of_another_domain_does_not_block_a_clear_question(engine: PolicyEngine) -> None:
    # 放假 usually means a holiday question, but the activity centre lists it as its own word.
    assert engine.decide("活动中心过年放不放假").topic == "activity-center"


def test_another_domain_s_word_gives_way_when_the_question_clearly_reads_like_the_topic(
        engine: PolicyEngine) -> None:
    # 部队 is the army's own affairs' word: it keeps the keywords' 党费 from answering, but the
    # question reads clearly like 党费 and nothing like the questions confirmed not ours.
    question = "转业时党费按部队工资交，退休后标准变没变"
    assert engine.by_keywords(question, known=False).stage == OTHER_DOMAIN
    decision = engine.decide(question, known=False)
    assert (decision.topic, decision.stage) == ("party-fee", UNBLOCKED)


def test_a_question_whose_keywords_saw_no_topic_is_answered_when_it_reads_far_from_those_not_ours(
        engine: PolicyEngine) -> None:
    # 积水 (a doctor's word) refuses it, and none of its words is a keyword: the likeness alone
    # names 外出活动, and the question reads nothing like the questions confirmed not ours.
    question = "膝盖积水了，组织老同志去外地转转那趟我还能跟着去吗"
    asked = engine.asked_text(question)
    assert engine.by_keywords(question, known=False).stage == OTHER_DOMAIN
    assert engine.blocked_topics(asked) == ()
    decision = engine.decide(question, known=False)
    assert (decision.topic, decision.stage) == ("outings", UNBLOCKED)
    # the same outing, the son's workplace's: his to answer, however much it reads like ours
    theirs = "儿子单位组织老同志去外地转转那趟我还能跟着去吗"
    assert clearly_like(engine.similar.scores(engine.asked_text(theirs))) == "outings"
    assert engine.decide(theirs, known=False).stage == OTHER_DOMAIN


@pytest.mark.parametrize("question", ["孙子中考体检在哪个医院", "手机银行刷脸认证通不过咋办"])
def test_another_domain_s_question_stays_refused_when_it_reads_like_those_not_ours(
        engine: PolicyEngine, question: str) -> None:
    asked = engine.asked_text(question)
    # the likeness alone would answer it: the odds of reading like those not ours refuse it
    assert clearly_like(engine.similar.scores(asked)) in engine.blocked_topics(asked)
    decision = engine.decide(question, known=False)
    assert (decision.topic, decision.ask_which, decision.stage) == (None, False, OTHER_DOMAIN)


def test_someone_else_s_matter_is_never_unblocked(engine: PolicyEngine) -> None:
    # The company's word blocks 体检 here, but the matter is the son's: nothing to unblock.
    assert engine.blocked_topics("我儿子公司体检在哪个医院做，他想问问") is None
    assert engine.blocked_topics("我们公司以前退休的体检在哪个医院做") == ("health-checkup",)
    assert engine.blocked_topics("体检在哪个医院做") is None  # no word of another domain: nothing blocked
    assert engine.decide("女儿单位的护理费怎么申请", known=False).stage == OTHER_DOMAIN


# No keyword, and no topic close enough to offer: its likeness alone, and how far it reads from
# the questions confirmed not ours, make it the office's and plainly this topic.
FAR_FROM_NOT_OURS = "交上去的那些单子，钱几时能退回来"


@pytest.mark.parametrize(("question", "topic"), [
    (FAR_FROM_NOT_OURS, "medical-reimbursement"),
    ("去年我满了八十，单位那边一点动静都没有，是不是漏掉了", "birthday-greetings"),
])
def test_below_the_offer_a_question_reading_far_from_those_not_ours_is_answered(
        engine: PolicyEngine, question: str, topic: str) -> None:
    asked = engine.asked_text(question)
    assert not engine.by_keywords(question, known=False).names_a_topic
    (first, best), *_ = engine.similar.scores(asked)
    assert first == topic and OURS_AT <= best < SIMILAR_OFFER
    assert engine.not_ours_odds(question) < OURS_BELOW
    decision = engine.decide(question, known=False)
    assert (decision.topic, decision.stage) == (topic, READS_OURS)


@pytest.mark.parametrize(("question", "why"), [
    ("老伴前天走了，后面的事单位要我们准备些啥", "care"),  # like 丧葬费, but a care situation
    ("八路公交车首班车几点发", "not ours"),  # reads like 联系我们, and nearer those not ours than -4
])
def test_below_the_offer_a_care_situation_or_one_reading_near_those_not_ours_is_not_answered(
        engine: PolicyEngine, question: str, why: str) -> None:
    scored = engine.similar.scores(engine.asked_text(question))
    assert clearly_like(scored, at=OURS_AT, margin=OURS_MARGIN) and scored[0][1] < SIMILAR_OFFER
    # below the bar where it would read as not ours and be refused for that alone
    assert engine.not_ours_odds(question) <= engine.not_ours_floor
    assert (engine.not_ours_odds(question) >= OURS_BELOW) == (why == "not ours")
    assert not engine.decide(question, known=False).names_a_topic


def test_in_chat_a_question_reading_far_from_those_not_ours_is_answered(chat: Chat) -> None:
    reply = chat.say(FAR_FROM_NOT_OURS)
    assert reply is not None and reply.startswith("【医药费报销")


@pytest.mark.parametrize(("odds", "care", "scored", "topic"), [
    (OURS_BELOW - 1, False, [("a", OURS_AT), ("b", OURS_AT / OURS_MARGIN)], "a"),  # at every bar: answered
    (OURS_BELOW, False, [("a", OURS_AT), ("b", OURS_AT / OURS_MARGIN)], None),  # too like those not ours
    (-math.inf, False, [("a", OURS_AT)], None),           # none confirmed not ours: nothing to tell by
    (OURS_BELOW - 1, True, [("a", OURS_AT)], None),       # a care situation is never guessed at
    (OURS_BELOW - 1, False, [("a", OURS_AT - 0.001)], None),  # not close enough
    (OURS_BELOW - 1, False, [("a", OURS_AT), ("b", OURS_AT / OURS_MARGIN + 0.001)], None),  # not far ahead
])
def test_below_the_offer_only_a_clear_likeness_far_from_those_not_ours_answers(
        odds: float, care: bool, scored: list[tuple[str, float]], topic: str | None) -> None:
    decision = by_closeness(scored, care=care, odds=odds)
    assert decision.topic == topic and (decision.stage == READS_OURS) == (topic is not None)


@pytest.mark.parametrize(("blocked", "odds", "topic"), [
    (("a",), UNBLOCK_BELOW - 1, "a"),                  # a blocked topic, reading unlike those not ours
    (("a",), UNBLOCK_BELOW + 1, None),                 # … but not unlike enough
    (("b",), -100.0, None),                            # the likeness names a topic nothing blocked
    ((), UNBLOCK_UNSEEN_BELOW - 1, "a"),               # no topic seen: the stricter bar
    ((), (UNBLOCK_BELOW + UNBLOCK_UNSEEN_BELOW) / 2, None),  # below the first bar, above the stricter
    ((), -math.inf, None),                             # no question confirmed not ours: nothing to tell by
])
def test_the_likeness_unblocks_only_below_its_bar(blocked: tuple[str, ...], odds: float,
                                                  topic: str | None) -> None:
    clearly_a = [("a", OVERRULE_AT), ("b", OVERRULE_AT / OVERRULE_MARGIN / 2)]
    assert unblocked(blocked, clearly_a, odds) == topic


def test_small_talk_in_a_sentence_of_its_own_does_not_turn_the_question_away(engine: PolicyEngine) -> None:
    # 血压 and 推荐 are other domains' words (a doctor's, a shop's): before the question, in a
    # sentence of their own, they are small talk; within its sentence they still count.
    small_talk = "最近血压有点高，心里不踏实。今年单位组织查身体什么时候开始，有没有推荐的？"
    assert engine.decide(small_talk, known=False).topic == "health-checkup"
    assert engine.decide(small_talk.replace("。", "，"), known=False).topic is None


@pytest.mark.parametrize(("question", "topic"), [
    ("谢谢你们帮我报销。老伴住院了，单位能来看看吗", "hospital-visit"),        # thanks for something
    ("感谢重阳节来慰问。护理费一个月多少", "nursing-allowance"),
    ("过年的慰问品收到了，太谢谢了。护理费怎么申请", "nursing-allowance"),      # closing with thanks
    ("春节的慰问品收到了，谢谢。老伴住院了单位会来看吗", "hospital-visit"),
    # a relative's workplace thanked for is not the matter asked (「女儿单位的护理费」 would be)
    ("女儿单位的慰问品收到了，太谢谢了。护理费怎么申请", "nursing-allowance"),
])
def test_thanks_for_one_matter_before_a_question_about_another_is_small_talk(
        engine: PolicyEngine, question: str, topic: str) -> None:
    decision = engine.decide(question, known=False)
    assert decision.topic == topic
    assert not decision.also_close  # the matter thanked for is not offered to read next either


@pytest.mark.parametrize("question", [
    "谢谢，体检几号？我老伴住院了",          # thanks ahead for the answer, not for a matter
    "谢谢你们，体检几号？我老伴住院了",
    "谢谢领导，体检几号？我老伴住院了",      # a sentence that asks never only thanks
    "体检几号，谢谢。我老伴住院了单位能来看吗",
    "我老伴住院了。想问体检什么时候，谢谢",  # the last sentence's thanks is for the answer
])
def test_thanks_for_the_answer_keeps_the_question_it_comes_with(engine: PolicyEngine, question: str) -> None:
    assert "health-checkup" in engine.decide(question, known=False).candidates


def test_a_question_closing_with_thanks_is_still_the_question(engine: PolicyEngine) -> None:
    assert engine.decide("护理费怎么申请，谢谢。我老伴住院了", known=False).topic == "nursing-allowance"


def test_worried_to_death_is_not_a_death(engine: PolicyEngine) -> None:
    # 死了 is how 去世 is said (synonyms.toml), but 急死了 and 气死了 are only worry and anger.
    assert engine.decide("卡上的钱几号到，急死了", known=False).topic != "funeral-pension"


def test_a_phone_number_given_in_a_self_introduction_is_not_asked_about(engine: PolicyEngine) -> None:
    # 「电话138……」 tells how to reach the writer: not 更新信息's 电话 beside the 改 asked.
    introduced = "本人原教育局退休干部王某，电话13812345678，退休证上的名字写错了，能改吗"
    decision = engine.decide(introduced, known=False)
    assert (decision.topic, decision.also_close) == ("retirement-certificate", ())
    assert "电话" not in engine.analyzer.tokens("原商业局退休干部 电话 139…… 驾照到期了")
    # a number told as what to change is still the phone's
    for changed in ("我新电话13812345678，帮我改一下", "手机号13812345678不用了，怎么改",
                    "你好，手机号13812345678已经不用了，帮我更新一下"):
        assert engine.decide(changed, known=False).topic == "info-update"
    # given after a full stop, or with digits hidden, it is still only given
    assert "电话" not in engine.analyzer.tokens("我是老王。电话138****5678。退休证上的名字写错了")


@pytest.mark.parametrize(("question", "topic"), [
    ("醫藥費報銷要帶什麼單據", "medical-reimbursement"),
    ("今年體檢什麼時候", "health-checkup"),
    ("報紙沒送來", "newspapers"),
    ("離休費幾號發", "pension-payment"),
])
def test_traditional_characters_are_read_as_simplified(
        engine: PolicyEngine, question: str, topic: str) -> None:
    assert engine.decide(question, known=False).topic == topic


def test_a_pause_or_a_decimal_point_does_not_end_a_sentence(engine: PolicyEngine) -> None:
    # 「……」 is a pause, as a comma is: the doctor's and the shop's words still count against it.
    paused = "最近血压有点高……今年单位组织查身体什么时候开始，有没有推荐的？"
    assert engine.decide(paused, known=False).topic is None
    assert sentences("体检3.5号开始吗？天冷了．") == ["体检3.5号开始吗", "天冷了"]


def test_no_word_is_read_across_punctuation(engine: PolicyEngine) -> None:
    # Run together, 「您好吃了吗」 holds 好吃 (a food question's word); 「您好，吃了吗」 does not.
    assert "好吃" not in engine.analyzer.tokens("您好，吃了吗？体检几号")
    assert "好吃" in engine.analyzer.tokens("您好吃了吗体检几号")


@pytest.mark.parametrize("question", [
    "孙子上小学报名要带户口本吗", "我女儿她们公司下周体检，要空腹吗", "儿子单位发的购物卡能在哪刷",
    "孙子在大学入党了他的党费谁帮他交", "儿子单位的年度体检能带上我吗",
    "孙子学校组织参观博物馆，家长要交钱吗", "孙女上初中要体检在哪个医院做", "女婿单位报销车费要啥发票",
    # told first, then asked of their school or them: still theirs
    "孙子刚上小学。他们学校体检要空腹吗", "女儿在公司上班。单位体检是哪家医院",
    "我女儿学校要开家庭经济困难证明，去哪里开",  # a certificate of theirs, not the retiree's
    "孫子剛上小學。他們體檢什麼時候安排",  # in traditional characters too
    "闺女说她们单位医疗费报销要院长签字，我能帮她问问吗",  # 说 then 她们: her unit, not ours
])
def test_a_younger_relative_s_own_school_or_company_is_not_the_office_s_matter(
        engine: PolicyEngine, question: str) -> None:
    decision = engine.decide(question, known=False)  # by the rule, not because it was read before
    assert (decision.topic, decision.ask_which, decision.stage) == (None, False, OTHER_DOMAIN)
    assert engine.by_similarity(question).topic is None  # the chat's later try refuses it too


@pytest.mark.parametrize(("question", "topic"), [
    ("孩子给我报了老年大学，几号开学", "senior-university"),         # the retiree's own school
    ("我爸单位体检今年什么时候", "health-checkup"),                   # a parent's unit is the office's
    ("我儿子出国了，单位登记的联系人电话要换成我女儿的", "info-update"),  # a comma parts the two
    # Spoken, no punctuation: the child only acts, the unit is the retiree's own.
    ("儿子说单位要给我们发慰问金吗", "festival-visits"),
    ("女儿陪我去单位体检要空腹吗", "health-checkup"),
    ("孩子们帮我去单位交党费", "party-fee"),
    ("儿子帮我查厂里的退休金", "pension-payment"),
    ("孩子他爸单位的遗属补助怎么领", "survivor-allowance"),  # 孩子他爸: the retiree's husband
    ("我儿子出国了单位登记的联系人电话要换成我女儿的", "info-update"),
    # what their school or workplace asks of the retiree: a certificate the office writes
    ("孙子单位政审要爷爷的证明，你们给开吗", "archives"),
    ("女儿单位要我开个离休干部身份证明，找谁", "archives"),
])
def test_the_retiree_s_own_unit_and_school_are_still_answered(engine: PolicyEngine, question: str,
                                                              topic: str) -> None:
    assert engine.decide(question).topic == topic


@pytest.mark.parametrize(("question", "topic"), [
    ("孙子刚上小学，可省心了。我常年住在外省，看病的票据能寄回去报吗", "offsite-medical"),
    ("女儿在公司当会计！我的离休费这个月怎么还没到", "pension-payment"),
])
def test_a_relative_s_school_told_in_a_sentence_of_its_own_is_small_talk(
        engine: PolicyEngine, question: str, topic: str) -> None:
    assert engine.decide(question, known=False).topic == topic


@pytest.mark.parametrize("question", [
    "我爸住进医院了，我在外地，医院这边要不要告诉单位",       # a son away: his father's stay is at home
    "我妈住院一个礼拜了，我在外省，单位会来医院看望吗",
    "老伴住院了，孩子们都在外地，单位能派人来看看吗",          # the children away, whoever writes
    "爸爸住院了、我在外地、单位知道吗",                        # any punctuation parts the clauses
    "我媽住院了，我在外地，單位會來醫院看望嗎",                # traditional characters too
])
def test_where_the_writer_is_does_not_read_as_the_retiree_living_elsewhere(
        engine: PolicyEngine, question: str) -> None:
    assert engine.decide(question, known=False).topic == "hospital-visit"


@pytest.mark.parametrize("question", [
    "我在外地看病，医药费怎么报",                # the retiree themself away
    "我爸在外地住院了，票据怎么寄回去报",          # the parent away, in the same clause
    "我妈跟我住在外地，她在这边看病怎么报",
    "孩子他爸在外地住院了，医药费怎么报",        # the husband named through the children
])
def test_a_retiree_living_elsewhere_is_still_read_so(engine: PolicyEngine, question: str) -> None:
    assert engine.decide(question, known=False).topic == "offsite-medical"


@pytest.mark.parametrize(("question", "topic"), [
    ("我想问看病报销的事，哦不对，是体检的事", "health-checkup"),
    ("组织关系转到社区的事，不是不是，是党费交多少", "party-fee"),
    ("体检，口误，我问的是丧葬费", "funeral-pension"),
    ("我想問看病報銷的事，哦不對，是體檢的事", "health-checkup"),  # traditional: the same change of mind
    ("想问一下刷脸的事，不是，我是想问每个月几号发退休费", "pension-payment"),  # 不是 as a clause of its own
    ("药费单子还能报吗，哦我说错了，是前年的", "medical-reimbursement"),  # a date corrected: read whole
    ("我想问体检，哦不对，你们知道哪里能买到便宜的机票吗", None),  # changed to another matter: refused
    ("不是问看病报销，是问每年体检安排在几月份", "health-checkup"),  # what is not asked, then what is
    ("我老伴住院了，我不是要问探望，是问住院花的钱怎么报销", "medical-reimbursement"),
    ("我想问体检几号，我不是想问报销", "health-checkup"),  # what is not asked said last
    # the topic ruled out still fills the question: what is asked is read, by likeness too
    ("不是问党费，是问养老金几号发", "pension-payment"),
    ("党费的事，哦不对，是养老金的事", "pension-payment"),
])
def test_a_writer_who_changes_their_mind_is_answered_on_what_they_finally_ask(
        engine: PolicyEngine, question: str, topic: str | None) -> None:
    assert engine.decide(question, known=False).topic == topic


@pytest.mark.parametrize(("question", "topic"), [
    ("就是档案里的出生日期不对咋整", "archives"),  # 不对 alone is what is wrong, not a change of mind
    ("我不是党员，党费要交吗", "party-fee"),
    ("离退休证上名字写错了", "retirement-certificate"),
    ("党费交多少，说错了吗", "party-fee"),  # too little after it: the whole question is read
    ("医药费报销是不是不是住院的不给报", "medical-reimbursement"),  # 不是不是 inside 是不是不是
    ("退休证上的出生日期打错了，会影响养老金吗", "retirement-certificate"),  # what went wrong, not a change
    ("不是问题吧，党费交多少", "party-fee"),  # 不是问题 does not say what is not asked
])
def test_words_of_what_is_wrong_are_not_a_change_of_mind(
        engine: PolicyEngine, question: str, topic: str) -> None:
    assert engine.analyzer.change_of_mind(question) is None
    assert engine.decide(question, known=False).topic == topic


def test_in_chat_the_answer_is_to_what_the_writer_finally_asks(chat: Chat) -> None:
    reply = chat.say("我想问看病报销的事，哦不对，是体检的事")
    assert reply is not None and reply.startswith("【健康体检】")


@pytest.mark.parametrize(("question", "topic"), [
    ("刚才电话里说体检排在十月份，能换个近点的医院吗", "health-checkup"),  # not 电话 changed
    ("邻居念报纸说离休费改到每月10号发了，是真的吗", "pension-payment"),  # not the newspaper
])
def test_where_news_came_from_is_not_what_is_asked(engine: PolicyEngine, question: str, topic: str) -> None:
    assert engine.decide(question, known=False).topic == topic


def test_what_is_not_asked_is_left_out_by_the_chat_s_second_stage_too(engine: PolicyEngine) -> None:
    question = "不是问孙子学校的事，是问开春那一期有没有学智能手机的班"
    assert engine.by_similarity(question).stage != OTHER_DOMAIN  # the chat, after its intents
    assert engine.decide(question).topic == "senior-university"  # the API and the terminal
