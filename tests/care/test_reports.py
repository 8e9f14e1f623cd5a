"""Care reports: recognised before policy answers, compassion first, staff alerted at once,
one short question when it is unclear who it is about, and staff closing them."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from bot import create_app
from bot.care.detect import CareWords
from bot.care.reports import KIND_LABELS, URGENT, CareError, close, may_be_the_retiree
from bot.cli import main
from bot.models import CareReport, OutboxMessage, Retiree, Signup, Ticket
from bot.sandbox.wechat_side import WeChatSide
from bot.services import Services
from tests.activities.helpers import load_activity
from tests.helpers import Chat, write_config
from tests.office_fixtures import Branch


@pytest.fixture
def chat(office: Services, wechat: WeChatSide) -> Chat:
    return Chat(create_app(services=office).test_client(), wechat)


def reports(office: Services) -> list[CareReport]:
    with office.sessions() as session:
        return list(session.scalars(sa.select(CareReport).order_by(CareReport.id)))


def staff_alerts(office: Services) -> list[OutboxMessage]:
    with office.sessions() as session:
        return list(session.scalars(sa.select(OutboxMessage).where(OutboxMessage.dedupe_key.like("care:%"))))


@pytest.mark.parametrize(("said", "kind", "subject", "caring"), [
    ("我住院了", "hospital", "self", "听说您住院了，我们很挂念"),
    ("我爸昨天住院了", "hospital", "relative", "听说您父亲住院了，我们很挂念，盼早日康复。"),
    ("老伴走了", "death", "relative", "惊闻噩耗"),
    ("我妈摔了一跤，骨折了", "fall", "relative", "您母亲摔着了，可要当心"),
    ("我爱人病危，在抢救", "critical", "relative", "听到这个消息，我们很着急"),
])
def test_a_report_gets_compassion_first_and_staff_are_alerted_at_once(
        office: Services, branch: Branch, chat: Chat, said: str, kind: str, subject: str,
        caring: str) -> None:
    reply = chat.say(said, openid="o_zhang") or ""
    assert reply.startswith(caring)
    assert "工作人员" in reply
    [report] = reports(office)
    assert (report.kind, report.subject, report.retiree_id, report.text) == (
        kind, subject, branch.ids["张明"], said)
    alerts = staff_alerts(office)
    assert sorted(a.recipient for a in alerts) == ["o_staff_1", "o_staff_2"]
    assert "报告人：张明本人" in alerts[0].payload["text"] and said in alerts[0].payload["text"]
    assert "13800000000" in alerts[0].payload["text"]


def test_a_report_in_traditional_characters_is_a_report_like_any_other(
        office: Services, branch: Branch, chat: Chat) -> None:
    # A daughter in Hong Kong writes 媽 and 醫院: the same emergency, the same care.
    reply = chat.say("我媽摔倒了，送醫院了", openid="o_sun_daughter") or ""
    assert "摔" in reply and "工作人员" in reply
    [report] = reports(office)
    assert (report.kind, report.subject, report.retiree_id) == ("fall", "relative", branch.ids["孙兰"])
    assert len(staff_alerts(office)) == 2


def test_a_death_offers_the_funeral_and_survivor_answers_by_number(
        office: Services, branch: Branch, chat: Chat) -> None:
    reply = chat.say("老伴走了抚恤金怎么算", openid="o_zhang") or ""
    assert reply.startswith("惊闻噩耗") and "回复 1" in reply and "抚恤" in reply
    answer = chat.say("1", openid="o_zhang") or ""
    assert "民发〔2011〕192号" in answer or "丧葬" in answer


@pytest.mark.parametrize("question", ["住院报销要带什么材料", "住院期间怎么看望", "他走了吗",
                                      "我今天去医院体检"])
def test_questions_and_everyday_words_are_not_reports(
        office: Services, branch: Branch, chat: Chat, question: str) -> None:
    chat.say(question, openid="o_zhang")
    assert reports(office) == [] and staff_alerts(office) == []


def test_when_it_is_unclear_who_one_short_question_is_asked(
        office: Services, branch: Branch, chat: Chat) -> None:
    assert "是您本人，还是家里人" in (chat.say("住院了", openid="o_zhang") or "")
    assert len(staff_alerts(office)) == 2  # staff know at once, before the answer
    # not 「住院：张明（没说清是谁）」, read at a glance as 张明 in hospital
    assert all("住院：没说清是谁（张明说的）" in a.payload["text"] for a in staff_alerts(office))
    assert "听说您家里人住院了" in (chat.say("2", openid="o_zhang") or "")
    [report] = reports(office)
    assert report.subject == "relative"


def test_a_voice_report_is_recognised_like_typed_text(
        office: Services, branch: Branch, chat: Chat, wechat: WeChatSide) -> None:
    reply = chat.reply_to(wechat.voice("o_zhang", "我爸昨天住院了。")) or ""
    assert "住院了" in reply and len(reports(office)) == 1


def test_family_reporting_for_the_retiree_is_shown_as_family_to_staff(
        office: Services, branch: Branch, chat: Chat) -> None:
    chat.say("我妈住院了", openid="o_sun_daughter")
    [alert, _] = staff_alerts(office)
    assert alert.payload["text"].startswith("【重要情况 1】住院：孙兰（家属说是我妈）")
    assert "报告人：孙兰的家属（女儿）" in alert.payload["text"]
    assert "python" not in alert.payload["text"]  # no terminal commands in a WeChat message


def test_a_report_made_half_way_through_binding_names_whom_the_reporter_said_they_are(
        office: Services, branch: Branch, chat: Chat) -> None:
    chat.say("我替我妈绑定", openid="o_new_daughter")
    assert "四位" in (chat.say("我是孙兰的女儿", openid="o_new_daughter") or "")  # the digits are asked
    chat.say("我妈住院了", openid="o_new_daughter")
    [alert, _] = staff_alerts(office)
    assert alert.payload["text"].startswith("【重要情况 1】住院：孙兰（未核实）（家属说是我妈）")
    assert "报告人：还没绑定的微信用户，自称孙兰的家属（女儿）" in alert.payload["text"]
    [report] = reports(office)
    assert (report.retiree_id, report.claimed) == (None, "还没绑定的微信用户，自称孙兰的家属（女儿）")
    assert "未绑定用户" not in alert.payload["text"]


def test_family_telling_of_a_relative_who_cannot_be_the_retiree_is_not_shown_as_the_retiree(
        office: Services, branch: Branch, chat: Chat) -> None:
    with office.sessions.begin() as session:
        session.get(Retiree, branch.ids["孙兰"]).gender = "女"
    chat.say("我爸昨天走了", openid="o_sun_daughter")  # her daughter's father, not 孙兰
    chat.say("我妈住院了", openid="o_sun_daughter")  # 孙兰 herself
    texts = [a.payload["text"] for a in staff_alerts(office) if a.recipient == "o_staff_1"]
    assert texts[0].startswith("【重要情况 1】去世：孙兰的家属（女儿）说的「我爸」，不是孙兰本人")
    assert texts[1].startswith("【重要情况 2】住院：孙兰（家属说是我妈）")
    # 孙兰's death cannot be recorded from news of her husband's
    with office.sessions.begin() as session, pytest.raises(CareError, match="不是名册上这位老同志本人"):
        close(session, office.settings, office.texts, 1, "已慰问", actor="test", now=office.clock.now(),
              words=CareWords.load(office.settings.content_dir), retiree_died=date(2026, 11, 21))


def test_news_of_someone_outside_the_family_is_told_apart_and_never_the_retirees_death(
        office: Services, branch: Branch, chat: Chat) -> None:
    assert "回复 3　是别人" in (chat.say("听说摔了一跤骨折了", openid="o_zhang") or "")
    caring = chat.say("都不是，是我们支部的姚文斌", openid="o_zhang") or ""
    assert caring.startswith("这位老同志摔着了") and "请问是您本人" not in caring
    [report] = reports(office)
    assert report.subject == "other"
    assert any("别人（张明说的，不是本人和家里人）" in a.payload["text"] for a in staff_alerts(office))
    with office.sessions() as session:
        assert not may_be_the_retiree(session, report, CareWords.load(office.settings.content_dir))


@pytest.mark.parametrize("said", ["我们楼下老张昨天走了", "老战友王德明昨天去世了",
                                  "我们支部的刘桂兰前天走了"])
def test_news_of_a_death_outside_the_family_is_a_report_about_someone_else_told_at_once(
        office: Services, branch: Branch, chat: Chat, said: str) -> None:
    """A neighbour's or comrade's death, told with when: a report about someone else, with no
    question whether it is the retiree themself, and without the survivors' answers, which are
    the bereaved family's; staff hear it at once. It had met 「答不上来」."""
    reply = chat.say(said, openid="o_zhang") or ""
    assert reply.startswith("收到，听到这个消息我们很难过") and "是您本人" not in reply
    assert "丧葬费" not in reply and "遗属" not in reply
    [report] = reports(office)
    assert (report.kind, report.subject) == ("death", "other")
    assert any("别人（张明说的，不是本人和家里人）" in a.payload["text"] for a in staff_alerts(office))


def test_a_death_told_by_a_full_name_on_the_roster_or_heard_of_is_passed_to_staff_never_confirmed(
        office: Services, branch: Branch, chat: Chat) -> None:
    """「王芳昨天晚上去世了」, one person on the roster being 王芳: a report about someone else, tied
    to her for staff, and the speaker hears nothing of the roster they did not say; it had asked
    「是家里人还是别人」. 「听说老姚走了是真的吗」 had met 「答不上来」: staff now find out."""
    reply = chat.say("王芳昨天晚上去世了", openid="o_zhang") or ""
    assert reply.startswith("收到，听到这个消息我们很难过") and "哪一位" not in reply
    assert "13900000003" not in reply and "第一支部" not in reply
    heard = chat.say("听说老姚走了是真的吗", openid="o_li") or ""
    assert "核实" in heard and "转告工作人员" in heard and "节哀" not in heard and "答不上来" not in heard
    [named, rumour] = reports(office)
    assert (named.kind, named.subject, named.named_id) == ("death", "other", branch.ids["王芳"])
    assert (rumour.kind, rumour.subject, rumour.named_id) == ("death", "other", None)
    told = {a.dedupe_key: a.payload["text"] for a in staff_alerts(office)}
    first, second = told["care:1:o_staff_1"], told["care:2:o_staff_1"]
    assert first.startswith("【重要情况 1】去世：名册上的王芳（张明说的")
    assert second.startswith("【重要情况 2】去世：别人（李华听说的，还没核实）")


@pytest.mark.parametrize("said", ["王芳昨天晚上走了", "王芳走了", "王芳已经走了啊"])
def test_a_full_name_right_before_走了_ending_the_message_is_news_of_that_death(
        office: Services, branch: Branch, chat: Chat, said: str) -> None:
    """「王芳昨天晚上走了」 had met 「答不上来」 (走了 counted only after a relative or a calling):
    the same report as 「王芳昨天晚上去世了」, tied to her for staff."""
    reply = chat.say(said, openid="o_zhang") or ""
    assert reply.startswith("收到，听到这个消息我们很难过") and "答不上来" not in reply
    [report] = reports(office)
    assert (report.kind, report.subject, report.named_id) == ("death", "other", branch.ids["王芳"])


def test_a_full_name_gone_heard_of_is_passed_on_to_be_checked(office: Services, branch: Branch,
                                                               chat: Chat) -> None:
    reply = chat.say("听说王芳走了", openid="o_zhang") or ""
    assert "核实" in reply and "节哀" not in reply
    [report] = reports(office)
    assert (report.kind, report.subject) == ("death", "other")


@pytest.mark.parametrize("said", ["王芳的老同事昨天去世了", "王芳的邻居昨天去世了", "邻居王芳华去世了",
                                  "王芳说老李昨天去世了"])
def test_a_name_not_right_before_the_death_word_nor_whole_ties_nobody_on_the_roster(
        office: Services, branch: Branch, chat: Chat, said: str) -> None:
    """Only the full name right before the death word is the dead: 「王芳的老同事」, 「王芳说老李」 or
    「王芳华」 had been filed as 王芳's death for staff."""
    chat.say(said, openid="o_zhang")
    [report] = reports(office)
    assert report.named_id is None
    assert not any("名册上的王芳" in a.payload["text"] for a in staff_alerts(office))


@pytest.mark.parametrize(("said", "subject"), [
    ("隔壁老李住院了", "other"), ("我邻居摔了一跤", "other"), ("我们楼下老张昨天住院了", "other"),
    ("我在朋友家摔倒了", "self"), ("我摔倒了，邻居送我去的医院", "self"),
    ("昨天跟朋友吃饭，我摔了一跤", "self"), ("昨天在楼下摔了一跤腿疼", "unknown"),
    ("昨天下午住院了，邻居帮忙叫的车", "unknown")])
def test_whom_a_report_is_about_is_someone_outside_the_family_only_when_named_so(
        office: Services, said: str, subject: str) -> None:
    found = CareWords.load(office.settings.content_dir).find(said)
    assert found is not None and found.subject == subject


@pytest.mark.parametrize("said", ["邻居搬走了", "同事刚走了", "楼下老张刚走了，他来给我送报纸",
                                  "我爸把车开走了", "我妈被我哥接走了", "我们支部的刘桂兰走了吗",
                                  "昨天同事来看我，坐了一会就走了", "昨天跟战友们走了一趟延安",
                                  "昨天和朋友走了一万步", "昨天楼下的超市鸡蛋没了",
                                  "昨天下午邻居家孩子来玩，玩到五点走了", "王芳走了没", "王芳走了吗",
                                  "张建国走了，去北京了", "王芳刚走了", "王芳刚刚走了", "王芳走了就锁门",
                                  # a surname's character before 没了/走了 in a sentence: no one died
                                  "我的钱包没了", "存折上的余额没了", "报销的单子没了", "文章不在了",
                                  "吃了你们推荐的药，毛病没了", "今天钟点工走了",
                                  "我去医院找李医生，李医生走了", "王芳来看我了，坐了一会儿王芳走了"])
def test_走了_of_a_visit_or_a_thing_taken_away_is_no_death(office: Services, said: str) -> None:
    assert CareWords.load(office.settings.content_dir).find(said) is None


@pytest.mark.parametrize("said", ["老伴被病魔带走了", "我爸被阎王爷叫走了"])
def test_taken_away_by_illness_is_a_death(office: Services, said: str) -> None:
    found = CareWords.load(office.settings.content_dir).find(said)
    assert found is not None and (found.kind.name, found.subject) == ("death", "relative")


TOLD = [  # (what is said, the kind of news, whom it is about)
    # everyday words for an emergency
    ("我老伴喊不醒了", "emergency", "relative"),
    ("老头子一下子倒了，怎么叫都不答应", "emergency", "relative"),
    ("我老伴突然不会说话了，嘴也歪了", "emergency", "relative"),
    ("我老伴喘气费劲，嘴唇发紫", "emergency", "relative"),
    ("我在地上躺着起不来", "emergency", "self"),
    ("我起不来了", "emergency", "self"),  # not said why: 120 first
    ("我腿软 起不来", "emergency", "self"),
    ("头晕眼花站不稳", "emergency", "unknown"),
    ("我老伴摔倒了起不来", "fall", "relative"),  # its answer says 120 if badly hurt
    # family telling of a parent dying; someone called or named before the news; not eating; a theft
    ("我爸快不行了", "critical", "relative"),
    ("医生说我爸不行了", "critical", "relative"),
    ("我爸进ICU了", "critical", "relative"),
    ("我听说陈志强住院了", "hospital", "other"),  # 我 is who heard it
    ("我们支部老陈也住院了", "hospital", "other"),
    ("王书记住院了", "hospital", "other"),
    ("我周末住院了", "hospital", "self"),  # 周末 begins with a surname, and names nobody
    ("我高血压住院了", "hospital", "self"),
    ("姚文斌同志昨天去世了", "death", "other"),
    ("老姚昨天去世了", "death", "other"),
    ("我们支部的刘桂兰走了", "death", "other"),
    ("我们老支书姚文斌昨天走了", "death", "other"),
    ("我爸这几天不吃不喝 也不说话", "not_eating", "relative"),
    ("家里进小偷了", "theft", "self"),  # the speaker's own home: not asked whose
    ("我钱包被偷了", "theft", "self"),
    # missed by the first rules: not answering, voice errors for 晕倒, deaths with their cause or heard of
    ("老伴叫他也不太应了", "emergency", "relative"),
    ("我老伴怎么喊都没反应", "emergency", "relative"),
    ("老伴突然说话不利落了 嘴有点歪", "emergency", "relative"),
    ("我老伴晕到了", "emergency", "relative"),
    ("我爸昨天心梗走了", "death", "relative"),  # not 120: he has died
    ("我爸晕倒了叫不醒，我怕他走了", "emergency", "relative"),  # feared, not told: 120
    ("我爸心梗了，我好怕他没了", "emergency", "relative"),
    ("我爸的心跳没了", "death", "relative"),  # 的, and then the person's own
    ("我爸走了半个多月了", "death", "relative"),
    ("我血压老高住院了", "hospital", "self"),
    ("姚文斌同志昨天心梗走了", "death", "other"),
    ("老姚昨天夜里走了", "death", "other"),
    ("听说姚文斌走了 是真的吗", "death", "other"),
    ("我们支部的陈志强走了 昨天的事", "death", "other"),
    ("救救我", "emergency", "self"),
    ("我爸拉了好多血", "emergency", "relative"),
    # fresh news beside old illness is still news
    ("我老伴好多年的老毛病，今天突然晕倒了", "emergency", "relative"),
    ("老伴住院三年了昨天走了", "death", "relative"),
    ("我老伴去年住院，今天又住院了", "hospital", "relative"),
    # whom: the one named nearest before the news; theirs is someone else; a death is never one's own
    ("我妈昨天晚上摔了一跤，我爸急得不行", "fall", "relative"),
    ("我爸的老战友姚叔叔昨天走了", "death", "other"),
    ("我邻居老张的老伴昨天走了", "death", "other"),
    ("我的老同事住院了", "hospital", "other"),
    ("我同学昨天去世了", "death", "unknown"),
    ("我的腿摔伤了", "fall", "self"),
    # unwell, alone at home: staff should call (chest pain alone is an emergency all the same)
    ("我一个人在家心慌得厉害", "alone_ill", "self"),
    ("家里就我一个，胸口有点闷", "alone_ill", "self"),
    ("一个人在家，头晕得很", "alone_ill", "self"),
    ("我爸一个人在家，说头晕", "alone_ill", "relative"),
    ("家里就我一个，胸口闷", "emergency", "self"),
    # a death heard of: someone else's, for staff to find out
    ("听说王书记也走了", "death", "other"),
    ("听说姚文斌去世了是真的吗", "death", "other"),
]
NO_NEWS = ["老伴走了三年了，今天是他的忌日，心里难受", "我老伴去世三年了",
           "我老伴去年就不在了，现在就我一个人", "我去年摔了一跤以后腿一直不好，想申请护理费",
           "这个题太难了救救我", "救救我吧，这个手机怎么弄", "我老伴心脏不舒服好多年了",
           "早上躺着起不来，懒得很", "老伴这两天拉血，去医院看了说是痔疮", "我把手机摔地上了",
           "站不稳的老人怎么申请护理", "躺在地上做操好不好", "听说小区的班车走了",
           "我上个月住院花了八千多能报多少", "我老伴上个礼拜住院了现在出院了医药费怎么报",
           "体检前要不吃不喝吗", "怎么防小偷", "手机快不行了",
           "这样怕是不行了", "我早上起不来",
           # everyday talk a second player found alarming (起不来 early, a stand, going out, a lost card)
           "我起不来这么早", "早上六点我可起不来", "冬至那天我怕起不来 能不能不去", "这手机站不住",
           "公交车上站不稳 能不能派车接", "我动不了这个手机 太难了", "我爸走了 去公园遛弯了",
           "老伴走了 下楼买菜去了", "老伴走了一圈回来了", "我爸走了两步就累", "我爸的医保卡没了 怎么补办",
           "我老伴的钱包没了", "我爸没了信号 联系不上", "你们误会了 他没去世", "我妈不行了 记性越来越差",
           "我女儿在ICU当护士 忙得很", "孙子进ICU实习了", "名额是不是都被抢了", "我的微信号被盗了",
           "我孙子挑食 青菜一口都不吃", "体检那天早上是不是不吃不喝", "老伴一整天没回来 他去女儿家了",
           "我爸一晚上没回来 在我哥家住的",
           # and what a review of the day's rules found
           "我爸这样做不太应该", "早上六点的活动我可起不来了", "我手机开机起不来了", "我头晕到了极点",
           "我爸笑得快不行了", "老李昨天走了，去海南过冬了", "保姆小王昨天走了，不干了", "群里的红包被抢了",
           "我家猫不吃不喝好几天了", "我减肥一天没吃饭了", "我这几天没怎么吃肉", "我孙子喂不进去饭"]


@pytest.mark.parametrize(("said", "kind", "subject"), TOLD)
def test_what_is_told_and_of_whom_in_everyday_words(office: Services, said: str, kind: str,
                                                     subject: str) -> None:
    found = CareWords.load(office.settings.content_dir).find(said)
    assert found is not None and (found.kind.name, found.subject) == (kind, subject)


@pytest.mark.parametrize("said", NO_NEWS)
def test_what_is_long_past_a_joke_or_a_thing_dropped_is_no_report(office: Services, said: str) -> None:
    assert CareWords.load(office.settings.content_dir).find(said) is None


def test_staff_close_a_report_and_confirm_a_death_which_stops_every_push(
        office: Services, branch: Branch, chat: Chat, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    chat.say("我妈走了", openid="o_sun_daughter")  # 孙兰's daughter: staff confirm it was 孙兰
    [report] = reports(office)
    monkeypatch.setenv("BOT_CONFIG", str(write_config(tmp_path, office.settings)))
    assert main(["care", "report", "list"]) == 0
    assert "1 份报告待处理" in capsys.readouterr().out
    assert main(["care", "report", "close", str(report.id), "--outcome", "已电话慰问",
                 "--retiree-died", "2026-11-21"]) == 0
    with office.sessions() as session:
        assert session.get(Retiree, branch.ids["孙兰"]).died_on.isoformat() == "2026-11-21"
    assert main(["care", "report", "close", str(report.id), "--outcome", "再来一次"]) == 1
    assert "已经处理过了" in capsys.readouterr().err


def test_a_death_confirmed_from_the_command_line_cancels_the_sign_ups_as_the_console_does(
        office: Services, branch: Branch, chat: Chat, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """The console's close cancelled 孙兰's sign-ups; the command line's had left them standing."""
    load_activity(office, tmp_path)
    for said in ("报名", "1", "1"):
        chat.say(said, openid="o_sun_daughter")
    chat.say("我妈走了", openid="o_sun_daughter")
    [report] = reports(office)
    monkeypatch.setenv("BOT_CONFIG", str(write_config(tmp_path, office.settings)))
    assert main(["care", "report", "close", str(report.id), "--outcome", "已电话慰问",
                 "--retiree-died", "2026-11-21"]) == 0
    assert "已取消报名：【冬至茶话会】" in capsys.readouterr().out
    with office.sessions() as session:
        status = session.scalar(sa.select(Signup.status).where(Signup.retiree_id == branch.ids["孙兰"]))
    assert status == "cancelled"


def test_content_check_names_a_care_topic_that_does_not_exist(settings, tmp_path: Path) -> None:
    import shutil
    from dataclasses import replace

    from bot.config import PROJECT_ROOT
    from bot.content_check import check_content

    content = tmp_path / "content"
    shutil.copytree(PROJECT_ROOT / "content", content)
    care = content / "care.toml"
    care.write_text(care.read_text(encoding="utf-8").replace('"survivor-allowance"', '"no-such-topic"'),
                    encoding="utf-8")
    problems = check_content(replace(settings, content_dir=content))
    assert any("no-such-topic" in p for p in problems)


def test_an_urgent_report_reaches_staff_at_once_by_template_ahead_of_a_big_notice(
        office: Services, branch: Branch, chat: Chat, standin) -> None:
    """Staff seldom write to the account, so their 48-hour window is shut: with a template for
    staff alerts, a 病危 report reaches them on the sender's next round, before 30 notices
    queued earlier."""
    from dataclasses import replace

    from bot.config import DeliverySettings
    from bot.db.engine import transaction
    from bot.delivery import outbox
    from bot.services import build_services

    settings = replace(office.settings, delivery=DeliverySettings(templates={"staff": "TPL_STAFF"}))
    sender = build_services(settings, clock=office.clock)
    try:
        with transaction(sender.sessions) as session:
            for n in range(30):
                outbox.enqueue(session, recipient="o_zhou", text=f"通知 {n}", dedupe_key=f"n:{n}",
                               now=office.clock.now() - timedelta(minutes=1), kind="notice")
        chat.say("我爱人病危，在抢救", openid="o_zhang")
        outbox.drain(sender, limit=2)
        calls = [c for c in standin.calls() if "message/template/send" in c.path]
        sent = [(c.body.get("touser"), c.body.get("template_id")) for c in calls]
        assert sorted(sent) == [("o_staff_1", "TPL_STAFF"), ("o_staff_2", "TPL_STAFF")]
        # a tap opens the console page where the report is handled, not a shell command
        assert calls[0].body["url"].startswith(settings.public_url.rstrip("/") + "/console/care/")
    finally:
        sender.close()


def test_family_are_asked_for_a_number_and_staff_get_every_number_to_call(
        office: Services, branch: Branch, chat: Chat) -> None:
    from bot.db.engine import transaction
    from bot.models import EmergencyContact

    with transaction(office.sessions) as session:
        session.add(EmergencyContact(retiree_id=branch.ids["孙兰"], name="周红", relation="女儿",
                                     phone="13600001111"))
    reply = chat.say("我妈摔倒了起不来", openid="o_sun_daughter") or ""
    assert "手机号" in reply  # staff have no number for the daughter yet
    first = staff_alerts(office)[0].payload["text"]
    assert "老同志电话：13800000000" in first and "紧急联系人：周红（女儿）13600001111" in first
    assert "已请对方回复" in first
    kept = chat.say("我的电话是 139 1234 5678", openid="o_sun_daughter") or ""
    assert "13912345678" in kept
    [report] = reports(office)
    assert report.reporter_phone == "13912345678"
    follow_up = [a for a in staff_alerts(office) if a.dedupe_key.startswith(f"care:{report.id}:phone")]
    assert len(follow_up) == 2 and "13912345678" in follow_up[0].payload["text"]


def test_the_retiree_reporting_for_themselves_is_not_asked_for_a_number(
        office: Services, branch: Branch, chat: Chat) -> None:
    reply = chat.say("我摔了一跤", openid="o_zhang") or ""
    assert reply.startswith("您摔着了") and "手机号" not in reply  # staff have their phone on file
    assert [r.subject for r in reports(office)] == ["self"]


def test_more_said_while_a_number_is_asked_for_is_kept_for_staff_not_met_with_the_question_again(
        office: Services, branch: Branch, chat: Chat) -> None:
    chat.say("我爸住院了", openid="o_sun_daughter")
    more = chat.say("他住的是人民医院，三楼", openid="o_sun_daughter") or ""
    assert more.startswith("记下了，这些也转告工作人员了") and "回复您的手机号" in more
    [report] = reports(office)
    assert report.text == "我爸住院了\n他住的是人民医院，三楼"
    assert any("他住的是人民医院，三楼" in a.payload["text"] for a in staff_alerts(office))
    assert "13700001111" in (chat.say("13700001111", openid="o_sun_daughter") or "")  # still the number
    assert reports(office)[0].reporter_phone == "13700001111"


def test_a_callback_number_is_still_taken_after_a_word_of_thanks(
        office: Services, branch: Branch, chat: Chat) -> None:
    chat.say("我爸摔倒了起不来", openid="o_sun_daughter")
    assert "手机号" in (chat.say("谢谢你们", openid="o_sun_daughter") or "")  # still asked, once
    assert "13912345678" in (chat.say("13912345678", openid="o_sun_daughter") or "")
    assert reports(office)[0].reporter_phone == "13912345678"


def test_another_emergency_while_asked_who_is_a_report_of_its_own(
        office: Services, branch: Branch, chat: Chat) -> None:
    chat.say("住院了", openid="o_zhang")  # asked: 是您本人还是家里人
    reply = chat.say("我老伴今天摔倒了起不来", openid="o_zhang") or ""
    assert "摔" in reply
    assert sorted(r.kind for r in reports(office)) == ["fall", "hospital"]


def test_a_son_named_in_the_answer_is_a_relative(office: Services, branch: Branch, chat: Chat) -> None:
    chat.say("住院了", openid="o_zhang")
    assert "您家儿子住院了" in (chat.say("是我儿子", openid="o_zhang") or "")
    assert [(r.subject, r.relative) for r in reports(office)] == [("relative", "儿子")]


def test_the_same_news_again_adds_to_the_report_and_staff_hear_only_what_is_new(
        office: Services, branch: Branch, chat: Chat) -> None:
    chat.say("我老伴住院了", openid="o_zhang")
    chat.say("我老伴住院了", openid="o_zhang")  # word for word: nothing new for staff
    assert len(staff_alerts(office)) == 2  # two staff, one alert each
    chat.say("老伴住院了，在人民医院", openid="o_zhang")
    [report] = reports(office)
    assert "人民医院" in report.text
    more = [a.payload["text"] for a in staff_alerts(office) if ":more:" in a.dedupe_key]
    assert len(more) == 2 and "补充" in more[0] and "人民医院" in more[0]


def test_news_about_someone_else_is_a_report_of_its_own(
        office: Services, branch: Branch, chat: Chat) -> None:
    chat.say("我老伴住院了", openid="o_zhang")
    reply = chat.say("我自己也住院了", openid="o_zhang") or ""
    assert reply.startswith("听说您住院了")
    assert [(r.subject, r.relative) for r in reports(office)] == [("relative", "老伴"), ("self", None)]


def test_start_up_and_content_check_say_when_staff_alerts_can_only_wait(
        office: Services, caplog: pytest.LogCaptureFixture, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    create_app(services=office)
    assert "[delivery.templates] staff" in caplog.text
    monkeypatch.setenv("BOT_CONFIG", str(write_config(tmp_path, office.settings,
                                                      staff='[staff]\nopenids = ["o_staff_1"]\n')))
    main(["content", "check"])
    assert "[delivery.templates] staff" in capsys.readouterr().out


def test_a_staff_subscription_is_enough_for_alerts_to_reach_staff_at_once(
        office: Services, caplog: pytest.LogCaptureFixture) -> None:
    from dataclasses import replace

    from bot.delivery.staff_alerts import unreachable_warning

    lasting = {"id": "TPL_STAFF_SUB", "fields": {"thing1": "title", "thing2": "summary"}, "long_term": True}
    staffed = replace(office.settings, delivery=replace(office.settings.delivery,
                                                        subscribe_templates={"staff": lasting}))
    assert unreachable_warning(staffed) is None
    assert "订阅通知" in (unreachable_warning(office.settings) or "")


@pytest.mark.parametrize(("said", "subject"), [
    ("我爸晕倒了", "relative"), ("救命", "unknown"), ("我喘不上气", "self"), ("老伴心脏病犯了", "relative"),
    ("语音:快来人啊我老头子叫不醒了。", "relative"), ("我爸中风了", "relative")])
def test_an_emergency_is_told_to_call_120_and_staff_are_alerted_without_a_question(
        office: Services, branch: Branch, chat: Chat, wechat: WeChatSide, said: str, subject: str) -> None:
    spoken = said.removeprefix("语音:")
    reply = (chat.reply_to(wechat.voice("o_zhang", spoken)) if spoken != said
             else chat.say(said, openid="o_zhang")) or ""
    assert reply.startswith("请马上打 120") and "是您本人，还是家里人" not in reply
    [report] = reports(office)
    assert (report.kind, report.subject) == ("emergency", subject)
    [alert, _] = staff_alerts(office)
    assert "急症" in alert.payload["text"] and "13800000000" in alert.payload["text"]


@pytest.mark.parametrize("question", [
    "这是我的救命钱，养老金怎么还没到", "我爸要是走了，丧葬费怎么算", "老伴走了三年了，抚恤金还能领吗",
    "脑梗住院能报多少", "我没意识到要交党费", "你们是我的救命恩人", "快来人帮我看看这个通知什么意思",
    "我有点呼吸困难的老毛病，能办慢性病卡吗", "我老伴心梗放了支架，支架能报销多少",
    "你们这个手机我搞得晕过去了"])
def test_supposing_asking_and_old_news_are_not_emergencies(
        office: Services, branch: Branch, chat: Chat, question: str) -> None:
    reply = chat.say(question, openid="o_zhang") or ""
    assert reports(office) == [] and staff_alerts(office) == []
    assert "惊闻噩耗" not in reply and "120" not in reply


@pytest.mark.parametrize("said", [
    "我老伴摔倒了，叫不醒", "我老伴住院了，现在喘不上气", "救命！如果你们看到请马上来",
    "快来人，晕倒了怎么办", "胸口疼怎么办", "我老伴叫不醒了，要是你们能派人来就好了"])
def test_an_emergency_is_one_whatever_else_is_said_with_it(office: Services, branch: Branch, chat: Chat,
                                                          said: str) -> None:
    assert (chat.say(said, openid="o_zhang") or "").startswith("请马上打 120")
    assert [r.kind for r in reports(office)] == ["emergency"]


@pytest.mark.parametrize(("said", "kind", "label", "first"), [
    ("我妈走丢了，早上出去到现在没回来", "missing", "走失", "请马上打 110"),
    ("活着没意思，真不想活了", "despair", "轻生念头", "听您这么说"),
    ("厨房里煤气味很大", "gas", "煤气泄漏", "请马上打开门窗"),
    ("家里着火了 怎么办", "fire", "火灾", "请马上离开屋子，到外面安全的地方再打 119")])
def test_a_life_at_risk_of_another_kind_is_told_what_to_do_first_and_staff_hear_it_named(
        office: Services, branch: Branch, chat: Chat, said: str, kind: str, label: str, first: str) -> None:
    assert (chat.say(said, openid="o_zhang") or "").startswith(first)
    assert [r.kind for r in reports(office)] == [kind]
    alert = staff_alerts(office)[0].payload["text"]
    assert alert.startswith("【重要情况") and label in alert


@pytest.mark.parametrize(("said", "kind"), [
    ("我妈迷路了", "missing"),
    ("我爸出去一天了没回家", "missing"),
    ("我家老头子早上出去到现在没回来", "missing"),
    ("我爸突然说话不清楚了", "emergency"),
    ("我爸把安眠药都吃了", "emergency"),
    ("老头子叫了半天没反应", "emergency"),
    ("燃气灶漏气", "gas"),
    ("闻到一股怪味，像煤气", "gas"),
    ("活腻了", "despair"),
    ("我想一了百了", "despair"),
    ("我攒了一瓶安眠药", "despair"),
    ("有人打电话说我儿子出事了，要我打钱", "scam"),
    ("我把钱转给骗子了", "scam"),
    # said plainly, as the chat's tester heard them: each a 120, 119 or scam, not 「答不上来」
    ("老伴发烧了 烧得说胡话", "emergency"),
    ("我妈发烧三天了不退", "emergency"),
    ("我妈从床上掉下来了 动不了", "emergency"),
    ("老伴倒在地上了", "emergency"),
    ("我爸跌了一跤头破了流了好多血", "emergency"),
    ("我腿摔断了", "emergency"),
    ("我被车撞了", "emergency"),
    ("我爸吃饭噎住了", "emergency"),
    ("老伴烫伤了", "emergency"),
    ("我爸血压二百多 头疼得厉害", "emergency"),
    ("我头晕得厉害站不起来了", "emergency"),
    ("厨房起火了", "fire"),
    ("有个自称你们中心的人打电话 说要给我发慰问金 让我提供银行卡号", "scam"),
    ("有个人加我微信说能帮我办高龄补贴 要我先交两百块手续费", "scam"),
    ("有人让我下载一个APP说能领养老金", "scam"),
    ("卖保健品的说他们的药能治高血压 让我先交三千块订金", "scam"),
    ("有人打电话说我孙子出车祸了要我打钱", "scam"),
    ("有人打电话说我孙子出车祸了，要五万块钱", "scam"),
    # of oneself or a grandchild, and readings as numbers (the reviewer's)
    ("我动不了了", "emergency"),
    ("我骑车出车祸了", "emergency"),
    ("我孙子出车祸了", "emergency"),
    ("血压220了", "emergency"),
    ("我烧到39度", "emergency"),
    # what families say every day that is no danger: no 110, no 120, no staff woken
    ("我妈的医保卡不见了", None),
    ("我爸的退休证找不到了", None),
    ("老伴出去买菜还没回来，我等她回来再说", None),
    ("我妈去旅游了，这几天联系不上", None),
    ("我爸手机没反应了", None),
    ("我妈说这个链接点了没反应", None),
    ("我爸高兴得说不出话了", None),
    ("我妈中风后说不出话，能办残疾证吗", None),
    ("你们是不是吃错药了", None),
    ("我不想活动了，腿疼", None),
    ("想死您了", None),
    ("超市跳楼价大甩卖了", None),
    ("烦死了算了", None),
    ("我想死后把遗体捐献", None),
    ("自行车漏气了", None),
    ("现在骗子多，千万别被骗了", None),
    ("看新闻说有老人被骗了", None),
    ("什么是安全账户", None),
    ("验证码怎么收不到", None),
    ("我手机动不了了", None),
    ("我爸的存款动不了", None),
    ("我最近上火了", None),
    ("防火灾知识讲座什么时候", None),
    ("办异地就医要交手续费吗", None),
    ("体检要带身份证吗", None),
    ("下载什么软件能看学习材料", None),
    ("老伴去年出车祸走的，抚恤金能领吗", None),
    ("发烧了医药费能报吗", None),
    # questions of money and medicine, what was heard of, and everyday sayings: no 120, 119 or 110
    ("烫伤了医保能报吗", None),
    ("被车撞了对方不赔怎么办", None),
    ("血压200多吃什么药好", None),
    ("我腿脚不好，站不起来的时候多", None),
    ("今天股票跌得我头疼得厉害", None),
    # dangers in everyday words, as voice messages say them
    ("我老头子刚才吃饭的时候突然嘴角流口水手也拿不住筷子了", "emergency"),
    ("我老头子脸一边歪了说话含含糊糊的", "emergency"),
    ("我老伴吃东西呛着了脸憋得通红", "emergency"),
    ("我家老头子喘气很费劲脸都紫了", "emergency"),
    ("我爸一直咳血", "emergency"),
    ("我心里慌得很心跳的特别快", "emergency"),
    ("我老伴血糖低得厉害出冷汗手发抖", "emergency"),
    ("我突然看不见东西了眼前一片黑", "emergency"),
    ("我老伴拉了一地的黑便人很虚", "emergency"),
    ("我吃了两回降压药怕是吃重了", "emergency"),
    ("我妈刚才从床上掉下来了起不来", "fall"),
    ("我头撞到桌角了起了个大包有点晕", "fall"),
    ("老伴走了我一个人活着也没啥意思了", "despair"),  # not a death: she is the one at risk
    ("我这几天老是想着干脆吃一把安眠药睡过去算了", "despair"),
    ("有个人上门说是老干部局派来的要给我换新的离休证收二百块工本费", "scam"),
    ("一个小伙子打电话叫我奶奶说他是我孙子出事了要钱", "scam"),
    ("电话里说我涉嫌洗钱要我把存款转到他们指定的账户", "scam"),
    ("有人打电话说我的养老金资格认证过期了要我报身份证号和银行卡号", "scam"),
    ("刚有人说中了大奖要先交税才能领", "scam"),
    ("有个人打电话说是老干部局的要给我发补贴让我先交个手续费", "scam"),
    ("刚才有人打电话说我儿子在外面出事了要我马上打五万块钱过去", "scam"),
    ("社保局的人打电话说我的医保卡被冻结了要我配合调查把钱转到安全的地方", "scam"),
    ("我的银行卡被冻结了怎么办", None),
    # everyday sentences holding a scam's or a danger's words (from the review)
    ("大夫让我马上打针", None), ("物业上门说是要检查燃气管道", None), ("居委会让我们配合调查人口普查", None),
    ("离休费打到指定的账户了吗", None), ("办老年证要先交个手续费吗", None), ("我老伴买彩票中了大奖", None),
    ("我爸出事了要我马上回去", None), ("眼睛花了看不见东西了想配个老花镜", None),
    ("看到账单吓得我直冒冷汗", None),
    ("这菜盐吃重了", None), ("我爸吃了铁剂有黑便正常吗", None), ("我困了先睡过去算了", None),
    ("退休了活着有啥意思得找点事做", None),
    ("补办离休证要工本费吗", None),
    ("黑便是怎么回事", None),
    # going to a doctor, and asking where: no 120 (a worse sign in the same words still is one)
    ("头疼得厉害去哪个医院看", None),
    ("我头晕得厉害挂哪个科", None),
    ("我爸头疼得厉害说不出话了，去哪个医院", "emergency"),
    ("我爸晕倒了送哪个医院", "emergency"),
    ("我妈血压220去哪个医院", "emergency"),
    ("今天电视上说高烧不退要去医院", None),
    ("饭烫伤了嘴", None),
    ("打火机点不着火了", None),
    ("新闻说北京起火了", None),
    ("社区说明天搞消防演练，防止着火", None),
    ("医院让我先交押金", None),
    ("物业让我先交物业费了", None),
    ("社区让我下载国家反诈中心APP", None),
    ("银行说要核实身份", None),
    ("办老年卡要登记身份证吗", None),
    ("要小心冒充公检法的", None),
    ("我心慌得厉害", None),  # unwell, but not said to be alone: a kind word, not staff
    ("我一个人在家，心里不舒服", None),
    ("一个人在家头晕的时候怎么办", None),
    # death said in other words, and the things that run out of air or are passed (not people)
    ("我爸断气了", "death"), ("老伴咽气了", "death"), ("父亲今晨病逝", "death"), ("家父于昨日逝世", "death"),
    ("我爸的氧气瓶没气了，去哪里换", None), ("我爸的电动车轮胎没气了", None),
    ("家里暖气断气了，老伴冻得不行", None),
    ("我妈已经通过身份验证了", None), ("我扶老伴翻过身了，他睡着了", None),
    ("想咨询关于我爸去世后的丧葬费", None), ("请问关于我爸住院费的报销", None),
    ("老伴住院属于哪类报销", None),
    # a serious diagnosis, not a worry about one
    ("我得了癌症", "serious"), ("我爸查出肺癌", "serious"), ("我怕自己得了癌症，心里不踏实", None),
    ("我总是咳嗽，是不是得了肺癌", None), ("体检没查出肿瘤，放心了", None),
    # readings and fits, not weights; someone missing, not their keys
    ("血压量了一下两百多 头疼", "emergency"), ("我给老伴称体重，量了一下两百斤", None),
    ("老伴糊涂了 出门找不到了 一上午没回来", "missing"), ("我爸出门找不到了钥匙", None)])
def test_dangers_are_told_apart_from_everyday_words(office: Services, said: str, kind: str | None) -> None:
    found = CareWords.load(office.settings.content_dir).find(said)
    assert (found.kind.name if found else None) == kind


@pytest.mark.parametrize("said", ["张建国昨天去世了", "张建国昨天病逝了", "张建国今晨辞世"])
def test_a_full_name_dies_by_every_death_word_that_needs_no_person(office: Services, said: str) -> None:
    """The full-name rule reads the death kind's words that say a death of themselves (content's,
    whatever it adds): 「张建国昨天病逝了」 is someone else's death as 「…去世了」 is."""
    words = CareWords.load(office.settings.content_dir)
    assert words.named_dead(said) == "张建国"
    found = words.find(said)
    assert found is not None and found.subject == "other"


def test_every_kind_of_report_is_named_for_staff_as_content_names_it(office: Services) -> None:
    kinds = CareWords.load(office.settings.content_dir).kinds
    assert {k.name: k.label for k in kinds} == KIND_LABELS
    assert {k.name for k in kinds if k.urgent} | {"death", "critical"} == set(URGENT)
    # a name longer than the column's is refused by PostgreSQL, not by SQLite
    assert all(len(k.name) <= CareReport.__table__.c.kind.type.length for k in kinds)


def test_news_with_a_year_in_it_is_still_news(office: Services, branch: Branch, chat: Chat) -> None:
    chat.say("快过年了，我老伴昨天住院了，慰问金有吗", openid="o_zhang")  # 过年了 is not 三年了
    assert [r.kind for r in reports(office)] == ["hospital"]


def test_an_emergency_in_the_quiz_says_nothing_of_the_quiz_whose_next_answer_still_counts(
        office: Services, branch: Branch, chat: Chat) -> None:
    assert "第 1 题" in (chat.say("答题", openid="o_zhang") or "")
    reply = chat.say("老伴晕倒了", openid="o_zhang") or ""
    assert reply.startswith("请马上打 120") and "题" not in reply
    assert "第 2 题" in (chat.say("A", openid="o_zhang") or "")


def test_the_same_emergency_said_again_a_while_later_tells_staff_again(
        office: Services, branch: Branch, chat: Chat, clock) -> None:
    chat.say("我摔倒了起不来", openid="o_zhang")
    clock.advance(seconds=3 * 60)
    chat.say("我摔倒了起不来", openid="o_zhang")  # staff were told three minutes ago
    assert len(staff_alerts(office)) == 2
    clock.advance(seconds=11 * 60)
    chat.say("我摔倒了起不来", openid="o_zhang")
    clock.advance(seconds=60)
    chat.say("我摔倒了起不来", openid="o_zhang")  # within the same ten minutes: once is enough
    again = [a.payload["text"] for a in staff_alerts(office) if ":again:" in a.dedupe_key]
    assert len(again) == 2 and "14 分钟后又说" in again[0] and "请马上联系" in again[0]
    assert len(reports(office)) == 1


def test_good_news_after_a_stay_in_hospital_is_kept_with_it_and_staff_hear_it(
        office: Services, branch: Branch, chat: Chat, clock) -> None:
    # Staff would otherwise still think him in hospital, and phone or visit the ward.
    chat.say("我爸住院了", openid="o_zhang")
    clock.advance(seconds=5 * 24 * 3600)
    reply = chat.say("谢谢，医生说问题不大，已经回家了", openid="o_zhang") or ""
    assert reply.startswith("太好了") and "请您父亲好好休养" in reply and "转告工作人员" in reply
    assert "不客气" not in reply
    [report] = reports(office)
    assert report.text.endswith("谢谢，医生说问题不大，已经回家了")
    good = [a.payload["text"] for a in staff_alerts(office) if ":good:" in a.dedupe_key]
    assert len(good) == 2 and "好消息" in good[0] and "张明的我爸" not in good[0] and "已经回家了" in good[0]


@pytest.mark.parametrize("said", ["我住院一周，今天出院了", "老伴已经出院了", "我爸出院了，住院的钱怎么报"])
def test_leaving_hospital_is_good_news_not_a_new_stay(
        office: Services, branch: Branch, chat: Chat, said: str) -> None:
    reply = chat.say(said, openid="o_zhang") or ""
    assert reply.startswith("太好了") and "住院了" not in reply
    assert reports(office) == [] and staff_alerts(office) == []
    assert ("【医药费报销】" in reply) == ("报" in said)  # a question asked with it is answered too


@pytest.mark.parametrize("said", ["还没出院，医生说再观察几天", "我爸出院了吗", "好多了", "老伴没事了吧"])
def test_no_news_or_a_question_is_not_good_news(
        office: Services, branch: Branch, chat: Chat, said: str) -> None:
    reply = chat.say(said, openid="o_zhang") or ""
    assert not reply.startswith("太好了")


@pytest.mark.parametrize(("said", "subject"), [("一个人在家 老伴走了好几年了 有时候真不想活了", "self"),
                                             ("我爸说他不想活了", "relative")])
def test_despair_is_the_speakers_own_unless_told_of_a_relative(
        office: Services, said: str, subject: str) -> None:
    found = CareWords.load(office.settings.content_dir).find(said)
    assert found is not None and (found.kind.name, found.subject) == ("despair", subject)


@pytest.mark.parametrize(("said", "kind"), [("我爸出院了，昨天走了", "death"),
                                          ("我爸出院了，但是又摔倒了", "fall")])
def test_news_beside_good_news_is_a_report_all_the_same(
        office: Services, branch: Branch, chat: Chat, said: str, kind: str) -> None:
    reply = chat.say(said, openid="o_zhang") or ""
    assert not reply.startswith("太好了")
    assert [r.kind for r in reports(office)] == [kind]


def test_everyday_good_news_after_a_report_is_not_passed_to_staff(
        office: Services, branch: Branch, chat: Chat) -> None:
    chat.say("我住院了", openid="o_zhang")
    for said in ("手机没事了", "天气好多了"):
        assert not (chat.say(said, openid="o_zhang") or "").startswith("太好了")
    assert not [a for a in staff_alerts(office) if ":good:" in a.dedupe_key]


def test_good_news_said_as_a_留言_is_kept_as_the_留言(office: Services, branch: Branch, chat: Chat) -> None:
    chat.say("留言", openid="o_zhang")
    reply = chat.say("我老伴出院了，想请你们帮忙问问押金退款的事", openid="o_zhang") or ""
    assert "留言编号" in reply
    with office.sessions() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Ticket)) == 1


def test_a_new_fall_told_as_not_serious_is_still_a_report(
        office: Services, branch: Branch, chat: Chat) -> None:
    chat.say("我老伴住院了", openid="o_zhang")
    reply = chat.say("我昨天摔了一跤，问题不大", openid="o_zhang") or ""
    assert "摔着了" in reply
    assert [r.kind for r in reports(office)] == ["hospital", "fall"]


def test_good_news_a_month_and_more_after_tells_staff_nothing(
        office: Services, branch: Branch, chat: Chat, clock) -> None:
    chat.say("我住院了", openid="o_zhang")
    clock.advance(seconds=31 * 24 * 3600)
    reply = chat.say("我好多了", openid="o_zhang") or ""
    assert not reply.startswith("太好了")
    assert not [a for a in staff_alerts(office) if ":good:" in a.dedupe_key]


def test_where_and_how_said_just_after_a_report_is_kept_with_it_and_small_talk_is_not(
        office: Services, branch: Branch, chat: Chat) -> None:
    """「在人民医院心内科12床」 right after 「我老伴住院了」 reaches the report and staff; 「今天天气
    真好啊」 is answered as usual and kept nowhere."""
    chat.say("我老伴住院了", openid="o_zhang")
    assert "转告工作人员" not in (chat.say("今天天气真好啊", openid="o_zhang") or "")
    assert "转告工作人员" in (chat.say("在人民医院心内科12床", openid="o_zhang") or "")
    [report] = reports(office)
    assert report.text == "我老伴住院了\n在人民医院心内科12床"
    assert any("12床" in a.payload["text"] for a in staff_alerts(office))


def test_family_telling_of_the_retirees_death_hear_that_staff_will_cancel_the_sign_ups(
        office: Services, branch: Branch, chat: Chat, tmp_path: Path) -> None:
    """孙兰's daughter, who signed her mother up for the tea party, tells of her death: the reply
    says staff will cancel it. Her father's death (「我爸」, not 孙兰) says nothing of it."""
    from bot.db.engine import transaction
    from tests.activities.helpers import load_activity, sign

    load_activity(office, tmp_path)
    with transaction(office.sessions) as session:
        session.get(Retiree, branch.ids["孙兰"]).gender = "女"
    sign(chat, "o_sun_daughter", "1", "1")
    father = chat.say("我爸昨天走了", openid="o_sun_daughter") or ""
    assert "惊闻噩耗" in father and "取消" not in father
    chat.say("0", openid="o_sun_daughter")
    mother = chat.say("我妈昨天夜里走了", openid="o_sun_daughter") or ""
    assert "孙兰同志报了名的【冬至茶话会】，工作人员会帮着取消，您不用再操心。" in mother


def test_a_death_a_roster_import_records_cancels_the_sign_ups_and_queued_greetings(
        office: Services, branch: Branch, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """The roster's 去世日期 column had set the date alone: 孙兰 stayed signed up, holding the last
    seat from 王芳 on the waitlist, and her birthday greeting still waited to go."""
    from bot.activities.signups import sign_up_by_staff
    from bot.db.engine import transaction

    tea = load_activity(office, tmp_path, capacity=1)
    now = office.clock.now()
    with transaction(office.sessions) as session:
        sign_up_by_staff(session, tea, branch.ids["孙兰"], companion=False, now=now)
        sign_up_by_staff(session, tea, branch.ids["王芳"], companion=False, now=now)
        session.add(OutboxMessage(recipient="o_sun_daughter", kind="greeting", retiree_id=branch.ids["孙兰"],
                                  dedupe_key="greeting:test", payload={"text": "生日快乐"}, created_at=now,
                                  due_at=now))
    sheet = tmp_path / "名册.csv"
    sheet.write_text("姓名,出生日期,离退休,去世日期\n孙兰,1938-03-01,退休,2026-11-21\n", encoding="utf-8")
    monkeypatch.setenv("BOT_CONFIG", str(write_config(tmp_path, office.settings)))
    assert main(["roster", "import", str(sheet), "--dry-run"]) == 0
    assert "去世（导入后会这样）：孙兰：已取消报名：【冬至茶话会】" in capsys.readouterr().out
    assert main(["roster", "import", str(sheet)]) == 0
    assert "去世：孙兰：已取消报名：【冬至茶话会】。候补的 1 位补上了" in capsys.readouterr().out
    with office.sessions() as session:
        statuses = dict(session.execute(sa.select(Signup.retiree_id, Signup.status)).all())
        greeting = session.scalar(sa.select(OutboxMessage.status).where(OutboxMessage.kind == "greeting"))
    assert statuses == {branch.ids["孙兰"]: "cancelled", branch.ids["王芳"]: "confirmed"}
    assert greeting == "cancelled"
    assert main(["roster", "import", str(sheet)]) == 0  # the same file again: nothing more to do
    assert "去世" not in capsys.readouterr().out
