"""Study in chat: 学习, 往期, 学完了 and the quiz, for a retiree and for family acting for one."""

from __future__ import annotations

from datetime import datetime

import pytest
import sqlalchemy as sa

from bot import create_app
from bot.clock import SHANGHAI, FixedClock
from bot.models import StudyReading
from bot.sandbox.wechat_side import WeChatSide
from bot.services import Services
from tests.helpers import Chat
from tests.office_fixtures import Branch


@pytest.fixture
def chat(office: Services, wechat: WeChatSide, clock: FixedClock) -> Chat:
    """A member of 第一支部 talking to the bot on 6 December 2026."""
    clock.advance(seconds=(datetime(2026, 12, 6, 10, tzinfo=SHANGHAI) - clock.now()).total_seconds())
    return Chat(create_app(services=office).test_client(), wechat)


def readings(office: Services) -> list[StudyReading]:
    with office.sessions() as session:
        return list(session.scalars(sa.select(StudyReading)))


def test_study_gives_this_months_summary_and_the_persons_own_link(
        chat: Chat, branch: Branch) -> None:
    reply = chat.say("学习", openid="o_zhang") or ""
    assert "【12 月学习】《温暖过冬，健康相伴》" in reply
    assert "头、颈、脚最怕冻" in reply
    assert f"/study/2026-12?t={branch.ids['张明']}." in reply
    assert "回复「学完了」" in reply


def test_wanting_to_study_said_in_a_sentence_gives_the_summary(chat: Chat, branch: Branch) -> None:
    assert "【12 月学习】《温暖过冬，健康相伴》" in (chat.say("我想学习一下", openid="o_zhang") or "")


def test_earlier_months_are_numbered_and_a_number_opens_one(chat: Chat, branch: Branch) -> None:
    listing = chat.say("往期", openid="o_zhang") or ""
    assert "回复 1　2026 年 11 月《铭记长征精神" in listing
    assert "回复 2　2026 年 10 月《九九重阳，敬老爱老》" in listing
    picked = chat.say("2", openid="o_zhang") or ""
    assert "《九九重阳，敬老爱老》" in picked and "/study/2026-10?t=" in picked


def test_a_month_not_listed_is_asked_again(chat: Chat, branch: Branch) -> None:
    chat.say("往期", openid="o_zhang")
    assert "没有这个数字" in (chat.say("5", openid="o_zhang") or "")
    assert "《九九重阳，敬老爱老》" in (chat.say("2", openid="o_zhang") or "")


def test_done_is_recorded_once(office: Services, chat: Chat, branch: Branch) -> None:
    assert "记下了" in (chat.say("学完了", openid="o_zhang") or "")
    assert "已经记下了" in (chat.say("我学完了", openid="o_zhang") or "")
    [reading] = readings(office)
    assert (reading.retiree_id, reading.month, reading.via, reading.by_agent) == (
        branch.ids["张明"], "2026-12", "chat", False)


@pytest.mark.parametrize("said", ["看完了", "我读完了", "学好了。", "我都学了"])
def test_finished_said_the_way_people_say_it_is_recorded(office: Services, chat: Chat, branch: Branch,
                                                         said: str) -> None:
    chat.say("学习", openid="o_zhang")
    assert "记下了" in (chat.say(said, openid="o_zhang") or "")
    [reading] = readings(office)
    assert (reading.retiree_id, reading.month) == (branch.ids["张明"], "2026-12")


def test_before_the_study_day_study_and_done_are_about_last_months_material(
        office: Services, chat: Chat, branch: Branch, clock: FixedClock) -> None:
    clock.advance(days=-4)  # 2 December: December's material goes out on the 5th
    assert "【11 月学习】" in (chat.say("学习", openid="o_zhang") or "")
    assert "记下了" in (chat.say("学完了", openid="o_zhang") or "")
    [reading] = readings(office)
    assert reading.month == "2026-11"
    assert "回复 1　2026 年 10 月" in (chat.say("往期", openid="o_zhang") or "")


def test_family_record_it_for_the_retiree_and_are_thanked_as_family(
        office: Services, chat: Chat, branch: Branch) -> None:
    reply = chat.say("学完了", openid="o_sun_daughter") or ""
    assert "孙兰同志已学完" in reply and "谢谢您帮忙" in reply
    [reading] = readings(office)
    assert (reading.retiree_id, reading.by_agent) == (branch.ids["孙兰"], True)


def test_someone_not_bound_is_asked_to_bind_first(office: Services, chat: Chat) -> None:
    reply = chat.say("学习", openid="o_stranger_0001") or ""
    assert "绑定" in reply
    assert readings(office) == []


def test_the_quiz_goes_one_question_at_a_time_by_letter_or_number(chat: Chat, branch: Branch) -> None:
    first = chat.say("答题", openid="o_zhang") or ""
    assert "一共 3 道小题" in first and "第 1 题：冬天早上起床" in first and "B. 醒后先躺一会儿" in first
    second = chat.say("b", openid="o_zhang") or ""  # right, in lower case
    assert second.startswith("答对了！") and "第 2 题：" in second
    third = chat.say("1", openid="o_zhang") or ""  # 1 means A: wrong
    assert third.startswith("没关系，正确答案是 B. 保持通风") and "第 3 题：" in third
    unclear = chat.say("不知道", openid="o_zhang") or ""
    assert "第 3 题" in unclear and "回复 A、B、C" in unclear  # asked again, not dropped
    last = chat.say("Ａ", openid="o_zhang") or ""  # full-width, right
    assert last.startswith("答对了！") and "题目做完了" in last
    assert "分" not in last and "排名" not in last  # no score, no ranking
    assert "也给您记为已学" in last  # the whole quiz done: the month counts as studied
    assert "已经记下了" in (chat.say("学完了", openid="o_zhang") or "")


def test_a_quiz_answer_said_in_words_is_taken_as_its_choice(chat: Chat, branch: Branch) -> None:
    chat.say("答题", openid="o_zhang")
    first = chat.say("慢慢坐起，再下床", openid="o_zhang") or ""  # a part only B has
    assert first.startswith("答对了！") and "第 2 题：" in first
    second = chat.say("应该是保持通风，装一氧化碳报警器吧", openid="o_zhang") or ""  # B's whole text
    assert second.startswith("答对了！") and "第 3 题：" in second
    other = chat.say("我想出门走走", openid="o_zhang") or ""  # shares 出门 with A, but says more
    assert "答对了" not in other and "正确答案" not in other and "第 3 题" in other
    last = chat.say("走快一点", openid="o_zhang") or ""  # B's words: wrong, and the quiz is done
    assert last.startswith("没关系，正确答案是 A.") and "题目做完了" in last


def test_zero_leaves_the_quiz(chat: Chat, branch: Branch) -> None:
    chat.say("答题", openid="o_zhang")
    assert "不做了" in (chat.say("0", openid="o_zhang") or "")
    assert "答对了" not in (chat.say("B", openid="o_zhang") or "")


def test_before_a_months_material_is_out_study_says_so_kindly(
        chat: Chat, branch: Branch, clock: FixedClock) -> None:
    clock.advance(days=40)  # January 2027: no material yet
    reply = chat.say("学习", openid="o_zhang") or ""
    assert "还没发布" in reply and "往期" in reply


def test_the_main_menu_leads_to_this_months_study(chat: Chat, branch: Branch) -> None:
    menu = chat.say("菜单", openid="o_zhang") or ""
    assert "回复 5　本月学习" in menu
    assert "《温暖过冬，健康相伴》" in (chat.say("5", openid="o_zhang") or "")
