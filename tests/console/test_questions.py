"""没答上的问题 in the console: the chat's unanswered questions, grouped, most asked first; one
click teaches a group to a topic (the chat then answers it, on every worker, without a restart)
or marks it out of scope; a topic's answer is edited with a preview; every change is
audit-logged; a 查看 account reads only; `content export` writes the changes into content/."""

from __future__ import annotations

import re
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask

from bot.config import PROJECT_ROOT
from bot.db.engine import transaction
from bot.models import AuditEntry, PolicyOverride, PolicyQuestion
from bot.policies import load_engine
from bot.policies.engine import CONFIRMED_NOT_OURS, teaching_problem
from bot.questions import keeping
from bot.questions.export import export_changes
from bot.questions.knowledge import Knowledge
from bot.sandbox.wechat_side import WeChatSide
from bot.services import Services
from tests.console.helpers import Clerk
from tests.helpers import Chat

BUS = "地铁几号线能到你们单位"  # about 联系我们, but neither stage answers it yet
LAMP = "小区门口的路灯坏了找谁修"  # not the office's matter


def text(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def chat(console_app: Flask, wechat: WeChatSide) -> Chat:
    return Chat(console_app.test_client(), wechat)


def open_ids(desk: Services) -> list[int]:
    with desk.sessions() as session:
        return list(session.scalars(sa.select(PolicyQuestion.id).where(PolicyQuestion.state == "open")))


def teach_all(worker: Clerk, desk: Services, topic: str = "contact-office") -> None:
    worker.post("/console/questions/assign", {"ids": ",".join(map(str, open_ids(desk))), "topic": topic})


def actions(desk: Services) -> list[str]:
    with desk.sessions() as session:
        return list(session.scalars(sa.select(AuditEntry.action).order_by(AuditEntry.id)))


def test_a_group_taught_to_a_topic_is_answered_next_time(worker: Clerk, chat: Chat, desk: Services) -> None:
    assert (chat.say(BUS) or "").startswith("这个我还答不上来")
    chat.say("坐地铁几号线能到单位啊")
    chat.say("小区门口的路灯坏了找谁修")
    page = text(worker.get("/console/questions"))
    assert page.index(BUS) < page.index("小区门口的路灯坏了找谁修")  # asked twice: first
    assert "2 次" in page and "也问过：“坐地铁几号线能到单位啊”" in page
    ids = re.search(r'name="ids" value="([\d,]+)"', page).group(1)
    done = worker.post("/console/questions/assign", {"ids": ids, "topic": "contact-office"},
                       follow_redirects=True)
    assert "已把 2 个问题归入「联系我们」" in text(done)
    assert BUS not in text(done).split("刚处理过的问题")[0]  # no longer waiting
    assert chat.say(BUS).startswith("【联系我们】")
    assert "policy.teach" in actions(desk)


def test_every_worker_picks_up_the_change_without_a_restart(
        worker: Clerk, chat: Chat, desk: Services) -> None:
    other_worker = Knowledge(desk.settings.content_dir, check_every=0)
    with desk.engine.connect() as conn:
        assert other_worker.engine(conn).decide(BUS).topic is None
    chat.say(BUS)
    worker.get("/console/questions")
    teach_all(worker, desk)
    with desk.engine.connect() as conn:
        assert other_worker.engine(conn).decide(BUS).topic == "contact-office"


def test_a_question_whose_keywords_point_elsewhere_is_not_taught(worker: Clerk, desk: Services) -> None:
    with transaction(desk.sessions) as session:
        asked = keeping.keep(session, openid="o_zhang", via="chat", text="离休费每个月几号发",
                             outcome="not_this", answered="pension-payment", now=desk.clock.now()).id
    worker.get("/console/questions")
    done = text(worker.post("/console/questions/assign", {"ids": str(asked), "topic": "party-fee"},
                            follow_redirects=True))
    assert "没有归入" in done and "关键词指向别处" in done
    assert open_ids(desk) == [asked]
    with desk.sessions() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(PolicyOverride)) == 0


@pytest.mark.parametrize("question", ["我家房子漏水单位管不管", "离休费每个月几号发，怎么还没到"])
def test_every_guess_offered_is_one_teaching_takes(worker: Clerk, desk: Services, question: str) -> None:
    # A clerk picked 困难帮扶（可能是）, offered for a leaking roof, and was told it was a slip.
    with transaction(desk.sessions) as session:
        keeping.keep(session, openid="o_zhang", via="chat", text=question, outcome="unanswered",
                     now=desk.clock.now())
    page = text(worker.get("/console/questions"))
    guesses = re.findall(r'<option value="([a-z-]+)">[^<]*（可能是）', page)
    engine = load_engine(desk.settings.content_dir)
    assert guesses == [t for t in guesses if not teaching_problem(engine, t, question)]
    assert ("漏水" in question) == (guesses == [])  # someone else's matter: nothing to guess


def test_out_of_scope_leaves_the_list_is_logged_and_is_not_answered_or_kept_again(
        worker: Clerk, chat: Chat, desk: Services, tmp_path: Path) -> None:
    chat.say(LAMP)
    page = text(worker.get("/console/questions"))
    ids = re.search(r'name="ids" value="([\d,]+)"', page).group(1)
    done = text(worker.post("/console/questions/out-of-scope", {"ids": ids}, follow_redirects=True))
    assert "已把 1 个问题标为不属于政策问答" in done and "没有待处理的问题" in done
    assert "policy.out_of_scope" in actions(desk)
    assert (chat.say(LAMP) or "").startswith("这个我还答不上来")
    assert "没有待处理的问题" in text(worker.get("/console/questions"))  # not listed again
    content = Path(shutil.copytree(PROJECT_ROOT / "content", tmp_path / "content"))
    with transaction(desk.sessions) as session:
        written = export_changes(session, content, actor="cli:test", now=desk.clock.now())
    assert written == ["asked.tsv：问法 +1"]
    assert (content / "policies" / "asked.tsv").read_text(encoding="utf-8").endswith(f"\n{LAMP}\t-\n")
    assert load_engine(content).decide(LAMP).stage == CONFIRMED_NOT_OURS


def test_a_mark_not_ours_can_be_undone_until_exported(worker: Clerk, chat: Chat, desk: Services) -> None:
    chat.say(LAMP)
    worker.post("/console/questions/out-of-scope", {"ids": ",".join(map(str, open_ids(desk)))})
    page = text(worker.get("/console/questions"))
    mark = re.search(r'/console/questions/taught/(\d+)/undo', page)
    assert mark is not None and f"“{LAMP}” → 不属于政策问答" in page.split("刚处理过的问题")[1]
    done = text(worker.post(mark.group(0), {}, follow_redirects=True))
    assert "已撤销" in done and "1 个问题回到待处理" in done and "归错了可以撤销" not in done
    assert len(open_ids(desk)) == 1  # waiting for staff again
    chat.say(LAMP)  # answered (and kept) as before the mark, not refused as known
    assert len(open_ids(desk)) == 2
    assert "policy.out_of_scope_undone" in actions(desk)
    assert "政策问答：撤销「不属于」" in text(worker.get("/console/audit"))  # named for staff
    again = text(worker.post(mark.group(0), {}, follow_redirects=True))
    assert "没有这个可以撤销的记录" in again


def test_a_question_taught_to_the_wrong_topic_can_be_undone_until_exported(
        worker: Clerk, chat: Chat, desk: Services, tmp_path: Path) -> None:
    chat.say(BUS)
    teach_all(worker, desk, topic="party-fee")  # the wrong one, picked in a hurry
    assert chat.say(BUS).startswith("【党费")
    page = text(worker.get("/console/questions"))
    assert f"“{BUS}” → 归入「党费" in page and "wangli同志（wangli）" in page  # who, by name
    mark = re.search(r'/console/questions/taught/(\d+)/undo', page)
    done = text(worker.post(mark.group(0), {}, follow_redirects=True))
    assert "已撤销" in done and "1 个问题回到待处理" in done and f"“{BUS}”" in done.split("刚处理过")[0]
    assert (chat.say(BUS) or "").startswith("这个我还答不上来")  # as before it was taught
    assert "政策问答：撤销归入" in text(worker.get("/console/audit"))
    teach_all(worker, desk)  # taught right this time, and exported: no longer undone here
    content = Path(shutil.copytree(PROJECT_ROOT / "content", tmp_path / "content"))
    with transaction(desk.sessions) as session:
        export_changes(session, content, actor="cli:test", now=desk.clock.now())
    assert "刚处理过的问题" not in text(worker.get("/console/questions"))


def test_an_answer_is_previewed_checked_and_saved(worker: Clerk, chat: Chat, desk: Services) -> None:
    page = worker.get("/console/questions/topics/party-fee")
    assert "老同志看到的样子" in text(page) and "【党费缴纳】" in text(page)
    new = "党费按月交，找支部书记。电话 {office_phone}。"
    preview = text(worker.post("/console/questions/topics/party-fee", {"answer": new, "do": "preview"}))
    assert "电话 010-12345678。" in preview  # the office's phone filled in, nothing saved yet
    assert chat.say("党费能在微信上交吗").find("党费按月交") == -1
    bad = worker.post("/console/questions/topics/party-fee", {"answer": "电话 {phone_number}", "do": "save"})
    assert bad.status_code == 400 and "不是可用的办公室信息" in text(bad)
    assert "能用的有：" in text(bad) and "{office_phone}" in text(bad) and "config.example" not in text(bad)
    worker.post("/console/questions/topics/party-fee", {"answer": new, "do": "save"})
    assert "党费按月交，找支部书记。电话 010-12345678。" in chat.say("党费能在微信上交吗")
    assert "policy.answer" in actions(desk)


def test_a_viewer_reads_but_cannot_teach(viewer: Clerk, chat: Chat, desk: Services) -> None:
    chat.say(BUS)
    page = text(viewer.get("/console/questions"))
    assert BUS in page and "/console/questions/assign" not in page
    refused = viewer.post("/console/questions/assign", {"ids": ",".join(map(str, open_ids(desk))),
                                                       "topic": "contact-office"})
    assert refused.status_code == 403 and len(open_ids(desk)) == 1
    saved = viewer.post("/console/questions/topics/party-fee", {"answer": "改了", "do": "save"})
    assert saved.status_code == 403


def test_export_writes_the_changes_into_content_keeping_its_comments(
        worker: Clerk, chat: Chat, desk: Services, tmp_path: Path) -> None:
    chat.say(BUS)
    worker.get("/console/questions")
    teach_all(worker, desk)
    worker.get("/console/questions/topics/party-fee")
    worker.post("/console/questions/topics/party-fee", {"answer": "党费按月交。", "do": "save"})
    content = tmp_path / "content"
    shutil.copytree(PROJECT_ROOT / "content", content)
    with transaction(desk.sessions) as session:
        written = export_changes(session, content, actor="cli:test", now=desk.clock.now())
    assert sorted(written) == ["asked.tsv：问法 +1", "party-fee.toml：新回答"]
    asked_file = (content / "policies" / "asked.tsv").read_text(encoding="utf-8")
    assert asked_file.endswith(f"\n{BUS}\tcontact-office\n") and asked_file.startswith("# 问过的问题")
    fee_file = (content / "policies" / "party-fee.toml").read_text(encoding="utf-8")
    assert "# 老同志常见的问法" in fee_file  # comments kept
    exported = load_engine(content)
    assert exported.decide(BUS).topic == "contact-office"  # known, from the file now
    assert exported.topics["party-fee"].answer == "党费按月交。"
    with desk.sessions() as session:  # written: no longer laid on top of content/
        assert session.scalar(sa.select(sa.func.count()).select_from(PolicyOverride)
                              .where(PolicyOverride.exported_at.is_(None))) == 0
    from bot.content_check import check_content
    assert check_content(replace(desk.settings, content_dir=content)) == []


def test_a_branch_account_neither_reads_nor_changes_the_offices_questions(
        worker: Clerk, console_app: Flask, desk: Services, chat: Chat) -> None:
    from tests.console.conftest import clerk

    chat.say(BUS)
    branch_clerk = clerk(console_app, desk, "branch_one", "staff", group="第一支部")
    assert branch_clerk.get("/console/questions").status_code == 403
    refused = branch_clerk.post("/console/questions/topics/party-fee", {"answer": "改了", "do": "save"})
    assert refused.status_code == 403 and len(open_ids(desk)) == 1


def test_a_broken_content_file_mid_edit_leaves_the_bot_answering_as_before(
        desk: Services, tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(PROJECT_ROOT / "content", content)
    knowledge = Knowledge(content, check_every=0)
    with desk.engine.connect() as conn:
        assert knowledge.engine(conn).decide("党费能在微信上交吗").topic == "party-fee"
        (content / "policies" / "party-fee.toml").write_text("id = ", encoding="utf-8")  # half written
        assert knowledge.engine(conn).decide("党费能在微信上交吗").topic == "party-fee"


def test_an_answer_with_a_format_spec_is_refused(worker: Clerk) -> None:
    worker.get("/console/questions/topics/party-fee")
    bad = worker.post("/console/questions/topics/party-fee",
                      {"answer": "电话 {office_phone:>2000000000}", "do": "preview"})
    assert bad.status_code == 400 and "后面不能带格式" in text(bad)


def test_no_topic_is_chosen_for_the_clerk_and_none_chosen_teaches_nothing(
        worker: Clerk, chat: Chat, desk: Services) -> None:
    chat.say(BUS)
    page = text(worker.get("/console/questions"))
    assert '<option value="" selected>请选择话题……</option>' in page  # not the first guess
    done = worker.post("/console/questions/assign", {"ids": ",".join(map(str, open_ids(desk))), "topic": ""},
                       follow_redirects=True)
    assert "请先选一个话题" in text(done) and len(open_ids(desk)) == 1
    assert (chat.say(BUS) or "").startswith("这个我还答不上来")
