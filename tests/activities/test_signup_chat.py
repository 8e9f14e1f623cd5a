"""Signing up in chat: the list, the details, confirming (alone, with family, as family), the
waitlist, withdrawing, and a kind sentence with nothing changed whenever it cannot be done."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.activities.signups import Places, Refusal, SignupRefused, places, sign_up
from bot.clock import FixedClock
from bot.db.engine import transaction
from bot.models import Activity, Retiree
from bot.services import Services
from tests.activities.helpers import add_member, load_activity, queued, sign, signups
from tests.helpers import Chat
from tests.office_fixtures import Branch


def test_the_list_the_details_and_a_confirmation_with_everything_to_know(
        office: Services, branch: Branch, tea: int, chat: Chat) -> None:
    listing = chat.say("报名", openid="o_zhang") or ""
    assert "回复 1　冬至茶话会" in listing and "12 月 21 日（周一）下午 2:30，老干部活动中心二楼" in listing
    detail = chat.say("1", openid="o_zhang") or ""
    assert "集合：中心大门口" in detail and "注意：请带上老年证" in detail and "还剩 3 个名额" in detail
    assert "回复 1 确认报名，回复 2 带一位家属，回复 0 不报了。" in detail
    done = chat.say("1", openid="o_zhang") or ""
    assert done.startswith("报名成功！") and "集合：中心大门口" in done and "活动前一天会再提醒您" in done
    assert signups(office) == [(branch.ids["张明"], "confirmed", 1, False)]


def test_a_number_not_offered_is_asked_again_instead_of_jumping_to_the_menu(
        office: Services, branch: Branch, tea: int, chat: Chat) -> None:
    again = sign(chat, "o_zhang", "1", "3")  # 1, 2 and 0 were offered; 3 is the main menu's 留言
    assert "没有这个数字" in again and "留言" not in again
    assert signups(office) == []
    assert (chat.say("1", openid="o_zhang") or "").startswith("报名成功！")  # the question is still open


def test_a_sign_up_said_in_a_sentence_shows_the_activity_it_names(
        office: Services, branch: Branch, tea: int, chat: Chat) -> None:
    assert "回复 1　冬至茶话会" in (chat.say("我想报名参加活动", openid="o_zhang") or "")  # the list
    named = chat.say("我想报名参加茶话会", openid="o_zhang") or ""
    assert "【冬至茶话会】" in named and "回复 1 确认报名" in named  # the one it names, not the list
    chat.say("1", openid="o_zhang")
    asked = chat.say("茶话会我去不了了，想取消报名", openid="o_zhang") or ""
    assert "要取消这个报名吗？【冬至茶话会】" in asked


def test_with_a_companion_two_seats_are_taken(office: Services, branch: Branch, tea: int, chat: Chat) -> None:
    assert "（带一位家属）" in sign(chat, "o_zhang", "1", "2")
    assert "已报上（带一位家属）" in (chat.say("我的报名", openid="o_zhang") or "")  # and 我的报名 says so
    assert signups(office) == [(branch.ids["张明"], "confirmed", 2, False)]
    assert "还剩 1 个名额" in sign(chat, "o_li", "1")


def test_family_sign_up_the_retiree_they_act_for_and_are_shown_as_such(
        office: Services, branch: Branch, tea: int, chat: Chat) -> None:
    assert "为孙兰同志报名" in sign(chat, "o_sun_daughter", "1", "1")
    assert signups(office) == [(branch.ids["孙兰"], "confirmed", 1, True)]


def test_when_full_the_waitlist_is_offered_with_the_position(
        office: Services, branch: Branch, tea: int, chat: Chat) -> None:
    sign(chat, "o_zhang", "1", "2")
    sign(chat, "o_li", "1", "1")
    wu = add_member(office, "吴刚", "o_wu")
    offer = sign(chat, "o_wu", "1")
    assert "名额已经报满了" in offer and "您会是第 1 位" in offer
    assert "已为您排上候补，第 1 位" in (chat.say("1", openid="o_wu") or "")
    assert "候补第 1 位" in (chat.say("我的报名", openid="o_wu") or "")
    assert signups(office)[-1] == (wu, "waiting", 1, False)


def test_a_freed_place_goes_to_the_first_waiting_who_is_told_exactly_once(
        office: Services, branch: Branch, tea: int, chat: Chat) -> None:
    sign(chat, "o_zhang", "1", "2")
    sign(chat, "o_li", "1", "1")
    wu, zheng = add_member(office, "吴刚", "o_wu"), add_member(office, "郑和", "o_zheng")
    sign(chat, "o_wu", "1", "1")
    sign(chat, "o_zheng", "1", "1")
    assert "要取消这个报名吗？【冬至茶话会】" in (chat.say("取消报名", openid="o_li") or "")
    assert "已取消【冬至茶话会】的报名" in (chat.say("1", openid="o_li") or "")
    states = {r: s for r, s, _, _ in signups(office)}
    assert (states[wu], states[zheng]) == ("confirmed", "waiting")
    [told] = queued(office, "activity:%:promoted:%")
    assert told.recipient == "o_wu" and "您已从候补补上了" in told.payload["text"]
    chat.say("取消报名", openid="o_li")  # nothing left to cancel: nobody promoted twice
    assert len(queued(office, "activity:%:promoted:%")) == 1
    assert "候补第 1 位" in (chat.say("我的报名", openid="o_zheng") or "")


def test_someone_outside_the_activitys_groups_is_not_offered_it_and_cannot_join(
        office: Services, branch: Branch, tea: int, chat: Chat) -> None:
    assert "现在没有可以报名的活动" in (chat.say("报名", openid="o_zhou") or "")
    with transaction(office.sessions) as session, pytest.raises(SignupRefused) as refused:
        sign_up(session, tea, branch.ids["周平"], openid="o_zhou", by_agent=False, companion=False,
                now=office.clock.now())
    assert refused.value.reason == Refusal.NOT_ELIGIBLE
    assert signups(office) == []


def test_signing_up_twice_shows_ones_own_sign_up_and_changes_nothing(
        office: Services, branch: Branch, tea: int, chat: Chat) -> None:
    sign(chat, "o_zhang", "1", "1")
    again = sign(chat, "o_zhang", "1")
    assert "您报了【冬至茶话会】：已报上。" in again and "集合：中心大门口" in again
    assert "回复 1 确认报名" not in again and "带家属" not in again
    assert "报名成功" not in (chat.say("1", openid="o_zhang") or "")  # no sign-up waits for a 1
    assert len(signups(office)) == 1


def test_asked_about_a_companion_once_signed_up_the_question_is_answered(
        office: Services, branch: Branch, tea: int, chat: Chat) -> None:
    """「冬至茶话会能带家属吗」 from 张明, signed up alone: yes, and how. It had answered
    「您已经报过名了」. With a companion booked, the sign-up says so; the question changes nothing."""
    sign(chat, "o_zhang", "1", "1")
    asked = chat.say("冬至茶话会能带家属吗", openid="o_zhang") or ""
    assert "您报了【冬至茶话会】：已报上。" in asked and "可以带一位家属：想带，回复「带家属」" in asked
    assert signups(office) == [(branch.ids["张明"], "confirmed", 1, False)]
    assert "给家属也留了位置" in (chat.say("带家属", openid="o_zhang") or "")
    booked = chat.say("茶话会可以带老伴吗", openid="o_zhang") or ""
    assert "已报上（带一位家属）" in booked and "想带" not in booked
    assert signups(office) == [(branch.ids["张明"], "confirmed", 2, False)]


def test_where_no_companion_may_come_the_signed_up_are_told_so_without_numbers(
        office: Services, branch: Branch, tea: int, chat: Chat) -> None:
    sign(chat, "o_zhang", "1", "1")
    with transaction(office.sessions) as session:
        session.get(Activity, tea).companion_seats = 0
    assert "这个活动不能带家属。" in (chat.say("冬至茶话会能带家属吗", openid="o_zhang") or "")
    refused = chat.say("我想带老伴一起去", openid="o_zhang") or ""
    assert refused == "这个活动不能带家属。您自己的报名不变。"
    assert signups(office) == [(branch.ids["张明"], "confirmed", 1, False)]


def test_after_the_deadline_a_pending_confirmation_is_refused_and_nothing_changes(
        office: Services, branch: Branch, tea: int, chat: Chat, clock: FixedClock) -> None:
    clock.advance(days=26, hours=7, minutes=20)  # 18 December, 16:50: ten minutes left
    sign(chat, "o_zhang", "1")
    clock.advance(minutes=15)  # the answer comes after the deadline
    assert "报名已经截止了" in (chat.say("1", openid="o_zhang") or "")
    assert signups(office) == []
    assert "现在没有可以报名的活动" in (chat.say("报名", openid="o_zhang") or "")


def test_a_cancelled_activity_tells_everyone_once_and_takes_no_more(
        office: Services, branch: Branch, tea: int, chat: Chat, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.cli import main
    from tests.helpers import write_config

    sign(chat, "o_zhang", "1", "2")
    sign(chat, "o_li", "1", "1")
    add_member(office, "吴刚", "o_wu")
    sign(chat, "o_wu", "1", "1")  # waiting
    sign(chat, "o_sun_daughter", "1")  # about to confirm
    monkeypatch.setenv("BOT_CONFIG", str(write_config(tmp_path, office.settings)))
    assert main(["activity", "cancel", str(tea)]) == 0
    assert main(["activity", "cancel", str(tea)]) == 0  # again: nobody told twice
    told = queued(office, "activity:%:cancelled:%")
    assert sorted(m.recipient for m in told) == ["o_li", "o_wu", "o_zhang"]
    assert "取消了，不再举行" in told[0].payload["text"]
    assert "取消了" in (chat.say("1", openid="o_sun_daughter") or "")
    assert len(signups(office)) == 3


def test_withdrawing_after_the_cut_off_is_refused_with_the_phone_number(
        office: Services, branch: Branch, tea: int, chat: Chat, clock: FixedClock) -> None:
    sign(chat, "o_zhang", "1", "1")
    clock.advance(days=28, hours=3)  # 20 December afternoon
    chat.say("取消报名", openid="o_zhang")
    reply = chat.say("1", openid="o_zhang") or ""
    assert "已经不能在这里取消" in reply and "010-12345678" in reply
    assert signups(office)[0][1] == "confirmed"


def test_a_companion_where_none_may_come_is_refused(
        office: Services, branch: Branch, chat: Chat, tmp_path: Path) -> None:
    no_family = tmp_path / "no-family"
    no_family.mkdir()
    activity_id = load_activity(office, no_family)
    with transaction(office.sessions) as session:
        from bot.models import Activity

        session.get(Activity, activity_id).companion_seats = 0
    detail = sign(chat, "o_zhang", "1")
    assert "带一位家属" not in detail
    assert "不能带家属" in (chat.say("2", openid="o_zhang") or "")
    assert "报名成功" in (chat.say("1", openid="o_zhang") or "")


def test_the_main_menu_leads_to_sign_ups(office: Services, branch: Branch, tea: int, chat: Chat) -> None:
    assert "回复 6　活动报名" in (chat.say("菜单", openid="o_zhang") or "")
    assert "回复 1　冬至茶话会" in (chat.say("6", openid="o_zhang") or "")


def test_a_newcomer_waits_behind_those_already_waiting_even_with_a_seat_free(
        office: Services, branch: Branch, tea: int, chat: Chat) -> None:
    sign(chat, "o_zhang", "1", "2")  # two of the three seats
    add_member(office, "郑和", "o_zheng")
    sign(chat, "o_zheng", "1", "1")  # the third, then given back: a cancelled sign-up takes none
    chat.say("取消报名", openid="o_zheng")
    assert "已取消" in (chat.say("1", openid="o_zheng") or "")
    assert "已为您排上候补，第 1 位" in sign(chat, "o_li", "1", "2")  # two seats wanted, one free
    wu = add_member(office, "吴刚", "o_wu")
    offer = sign(chat, "o_wu", "1")
    assert "名额已经报满了" in offer and "您会是第 2 位" in offer  # the free seat is not 吴's to take first
    assert "已为您排上候补，第 2 位" in (chat.say("1", openid="o_wu") or "")
    assert signups(office)[-1] == (wu, "waiting", 1, False)
    with office.sessions() as session:  # what the staff console and the API show
        assert places(session, session.get(Activity, tea)) == Places(left=1, waiting=2)


def test_family_asking_for_someone_other_than_the_elder_they_act_for_are_told_and_nothing_is_done(
        office: Services, branch: Branch, tea: int, chat: Chat) -> None:
    """孙兰's daughter (孙兰 is a woman on file) asks for her father: 孙兰 is not signed up in his
    place, she hears whom she is bound to and where her father's matters go; 1 goes on for 孙兰."""
    with transaction(office.sessions) as session:
        session.get(Retiree, branch.ids["孙兰"]).gender = "女"
    for asked in ("帮我爸报名", "帮我爸报个冬至茶话会", "我妈让我帮我爸报个名"):
        told = chat.say(asked, openid="o_sun_daughter") or ""
        assert "您绑定的是孙兰同志" in told and "您父亲的事，请回复「留言」" in told, asked
        assert "冬至茶话会" not in told and "确认报名" not in told
    assert "回复 1　冬至茶话会" in (chat.say("1", openid="o_sun_daughter") or "")  # on, for 孙兰
    chat.say("菜单", openid="o_sun_daughter")
    assert "回复 1　冬至茶话会" in (chat.say("我爸让我帮她报名", openid="o_sun_daughter") or "")  # 她: 孙兰
    chat.say("菜单", openid="o_sun_daughter")
    assert "确认报名" in (chat.say("帮我妈报个冬至茶话会", openid="o_sun_daughter") or "")  # her, as bound
    assert signups(office) == []


def test_family_told_of_their_elders_move_up_read_whom_it_is_for(
        office: Services, branch: Branch, tea: int, chat: Chat) -> None:
    """孙兰's daughter signed her up; 「您已从候补补上了」 alone read as the daughter's own news."""
    sign(chat, "o_zhang", "1", "2")
    sign(chat, "o_li", "1", "1")
    sign(chat, "o_sun_daughter", "1", "1")  # the tea party is full: 孙兰 waits
    chat.say("取消报名", openid="o_li")
    chat.say("1", openid="o_li")
    [told] = queued(office, "activity:%:promoted:%")
    assert told.recipient == "o_sun_daughter"
    assert told.payload["text"].startswith("（给孙兰同志的通知）\n好消息！【冬至茶话会】有人取消")


def test_no_longer_bringing_a_companion_frees_the_seat_for_the_first_waiting(
        office: Services, branch: Branch, tea: int, chat: Chat) -> None:
    """Three seats: 张明 with a companion and 李华 fill them, 吴刚 waits. 「我不带家属了」: 张明's
    sign-up takes one seat, and 吴刚 is in and told. It had met 「答不上来」."""
    sign(chat, "o_zhang", "1", "2")
    sign(chat, "o_li", "1", "1")
    wu = add_member(office, "吴刚", "o_wu")
    sign(chat, "o_wu", "1", "1")
    assert "「冬至茶话会」改成一个人去了：已报上" in (chat.say("我不带家属了", openid="o_zhang") or "")
    assert signups(office) == [(branch.ids["张明"], "confirmed", 1, False),
                               (branch.ids["李华"], "confirmed", 1, False), (wu, "confirmed", 1, False)]
    [told] = queued(office, "activity:%:promoted:%")
    assert told.recipient == "o_wu"


def test_bringing_a_companion_after_all_takes_a_seat_if_one_is_free_and_nobody_waits(
        office: Services, branch: Branch, tea: int, chat: Chat) -> None:
    """「算了还是带老伴一起去吧」 after signing up alone: two seats. When the last free seat has
    gone, the companion is refused and the sign-up stays as it was. A question changes nothing."""
    sign(chat, "o_zhang", "1", "1")
    assert "改" not in (chat.say("冬至茶话会能带家属吗", openid="o_zhang") or "")
    assert signups(office) == [(branch.ids["张明"], "confirmed", 1, False)]
    added = chat.say("算了还是带老伴一起去吧", openid="o_zhang") or ""
    assert "给家属也留了位置：已报上（带一位家属）" in added
    assert signups(office) == [(branch.ids["张明"], "confirmed", 2, False)]
    sign(chat, "o_li", "1", "1")  # the third and last seat
    sign(chat, "o_sun_daughter", "1", "1")  # 孙兰 waits
    assert "名额不够了，这次带不了家属" in (chat.say("我和老伴一起去吧", openid="o_li") or "")
    assert signups(office)[1] == (branch.ids["李华"], "confirmed", 1, False)


def test_with_one_seat_left_a_companion_is_said_to_wait_and_going_alone_takes_the_seat(
        office: Services, branch: Branch, tea: int, chat: Chat) -> None:
    """张明 takes two of three seats; 李华 is offered 2 with a companion as a wait, not as a seat, and
    waiting is not put down to the activity filling up just then. 「不带家属了」 takes the seat
    left, told in the reply alone (nobody cancelled: no 「有人取消」 message)."""
    sign(chat, "o_zhang", "1", "2")
    offer = sign(chat, "o_li", "1")
    assert "还剩 1 个名额" in offer and "回复 2 带一位家属（名额不够两个人，要排候补）" in offer
    waits = chat.say("2", openid="o_li") or ""
    assert waits.startswith("剩下的名额不够两个人，已为您排上候补，第 1 位") and "刚刚名额报满了" not in waits
    assert waits.endswith("想先一个人报上，回复「不带家属了」。")
    assert "改成一个人去了：已报上" in (chat.say("不带家属了", openid="o_li") or "")
    assert signups(office)[1] == (branch.ids["李华"], "confirmed", 1, False)
    assert queued(office, "activity:%:promoted:%") == []


def test_an_activity_named_in_a_question_no_keyword_answers_is_shown_not_guessed_at(
        office: Services, branch: Branch, tea: int, chat: Chat) -> None:
    """「我那个茶话会可以带人吗」: no policy topic's keyword; the guess by likeness took it for the
    activity centre. The tea party it names comes first; the activity centre is still answered."""
    named = chat.say("我那个茶话会可以带人吗", openid="o_zhang") or ""
    assert "【冬至茶话会】" in named and "回复 2 带一位家属" in named and "活动中心欢迎" not in named
    chat.say("0", openid="o_zhang")
    assert "【活动中心】" in (chat.say("活动中心几点开门", openid="o_zhang") or "")
