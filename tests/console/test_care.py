"""关怀 in the console: open reports with who reported, for whom, their words and a phone, the
urgent first; closing one as a death with its date stops that person's greetings; a 上门祝寿
task done records the visit; the overlooked living are listed until someone visits them."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import sqlalchemy as sa

from bot.activities.signups import sign_up
from bot.clock import FixedClock
from bot.db.engine import transaction
from bot.models import AuditEntry, CareReport, CareTask, CareVisit, Retiree, Signup
from bot.services import Services
from tests.activities.helpers import load_activity
from tests.console.helpers import Clerk
from tests.greetings.test_morning import greetings, morning, set_person, stand_on
from tests.office_fixtures import Branch


def text(response) -> str:
    return response.get_data(as_text=True)


def report(services: Services, retiree_id: int | None, kind: str, said: str, **extra: object) -> int:
    with transaction(services.sessions) as session:
        made = CareReport(openid="o_x", retiree_id=retiree_id, kind=kind, subject="self", text=said,
                          created_at=services.clock.now(), **extra)
        session.add(made)
        session.flush()
        return made.id


def test_open_reports_name_who_and_the_urgent_come_first(worker: Clerk, desk: Services,
                                                         branch: Branch) -> None:
    report(desk, branch.ids["李华"], "fall", "我摔了一跤")
    report(desk, branch.ids["张明"], "critical", "父亲病危，在市医院", reporter_phone="13700001111")
    page = text(worker.get("/console/care"))
    assert page.index("父亲病危") < page.index("我摔了一跤")
    assert "13700001111" in page and "张明" in page and "病危" in page


def test_a_report_from_someone_half_way_through_binding_shows_whom_they_said_they_are(
        worker: Clerk, desk: Services, branch: Branch) -> None:
    claim = "还没绑定的微信用户，自称孙兰的家属（女儿）"
    number = report(desk, None, "hospital", "我妈住院了", claimed=claim)
    assert claim in text(worker.get("/console/care"))
    assert claim in text(worker.get(f"/console/care/{number}"))


def test_closing_a_report_as_a_death_stops_the_persons_greetings(
        worker: Clerk, desk: Services, branch: Branch, clock: FixedClock, tmp_path: Path) -> None:
    zhang = branch.ids["张明"]
    activity = load_activity(desk, tmp_path)
    with transaction(desk.sessions) as session:
        sign_up(session, activity, zhang, openid="o_zhang", by_agent=False, companion=False, now=clock.now())
    set_person(desk, zhang, birth_date=date(1940, 11, 25))
    set_person(desk, branch.ids["李华"], birth_date=date(1940, 11, 25))  # born the same day, alive
    number = report(desk, zhang, "death", "我父亲昨天走了")
    worker.get(f"/console/care/{number}")
    empty = worker.post(f"/console/care/{number}", {"outcome": " ", "died": "1", "died_on": "2026-11-21"})
    assert empty.status_code == 400 and "请写明处理情况" in text(empty) and "--outcome" not in text(empty)
    done = worker.post(f"/console/care/{number}", {"outcome": "已电话慰问家属", "died": "1",
                                                   "died_on": "2026-11-21"})
    assert "祝福和推送都已停止。已取消报名：【冬至茶话会】" in text(worker.get(done.headers["Location"]))
    with desk.sessions() as session:
        assert session.get(Retiree, zhang).died_on == date(2026, 11, 21)
        assert session.scalar(sa.select(Signup.status).where(Signup.retiree_id == zhang)) == "cancelled"
        assert session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "care.close")).one()
    stand_on(clock, date(2026, 11, 25))  # his birthday
    morning(desk)
    assert set(greetings(desk)) == {"o_li"}


def test_a_birthday_visit_done_is_recorded_and_the_overlooked_shrink(
        worker: Clerk, desk: Services, branch: Branch) -> None:
    li = branch.ids["李华"]
    set_person(desk, li, lives_alone=True, address="人民路 8 号")
    with transaction(desk.sessions) as session:
        task = CareTask(retiree_id=li, kind="上门祝寿", due_on=desk.clock.now().date() + timedelta(days=3),
                        detail="九十大寿", created_at=desk.clock.now())
        session.add(task)
        session.flush()
        task_id = task.id
    page = text(worker.get("/console/care"))
    assert "九十大寿" in page and "人民路 8 号" in page
    assert "可能需要上门的 1 人" in page and "独居" in page
    worker.post(f"/console/care/tasks/{task_id}/done", {"visitor": "王丽"})
    page = text(worker.get("/console/care"))
    assert "已记下这次上门祝寿" in page and "可能需要上门的 0 人" in page and "生日 1 次" in page
    with desk.sessions() as session:
        [visit] = session.scalars(sa.select(CareVisit)).all()
    assert (visit.retiree_id, visit.visitor, visit.kind) == (li, "王丽", "生日")


def test_a_visit_is_recorded_by_name_and_bad_input_changes_nothing(worker: Clerk, desk: Services,
                                                                  branch: Branch) -> None:
    worker.get("/console/care")
    # A name typed wrong: refused, and everything typed is back in the form, the notes too
    nobody = worker.post("/console/care/visits", {"person": "张名", "kind": "节日",
                                                  "visited_on": "2026-11-20", "visitor": "王丽",
                                                  "notes": "老人说腿疼，要安排体检"})
    page = text(nobody)
    assert nobody.status_code == 400 and "名册里没有" in page and "没有记下，改好再点「记下」" in page
    assert 'value="张名"' in page and ">老人说腿疼，要安排体检</textarea>" in page
    # the page comes back at the form, not at its top 5,000 pixels above the reason
    assert 'action="/console/care/visits#visit" id="visit"' in page
    assert "<option selected>节日" in page
    future = worker.post("/console/care/visits", {"person": "王芳", "kind": "日常",
                                                  "visited_on": "2026-12-20", "visitor": "王丽"})
    assert future.status_code == 400 and "不能在今天以后" in text(future)
    assert 'value="2026-12-20"' in text(future)
    worker.post("/console/care/visits", {"person": "王芳", "kind": "节日", "visited_on": "2026-11-20",
                                         "visitor": "王丽", "notes": "送了月饼"})
    with desk.sessions() as session:
        [visit] = session.scalars(sa.select(CareVisit)).all()
    assert visit.retiree_id == branch.ids["王芳"] and visit.notes == "送了月饼"


def test_a_viewer_sees_reports_but_cannot_close_them(viewer: Clerk, desk: Services, branch: Branch) -> None:
    number = report(desk, branch.ids["张明"], "hospital", "住院了")
    page = text(viewer.get(f"/console/care/{number}"))
    assert "住院" in page and "记为已处理" not in page
    assert "住院了" not in page and "仅管理员、工作人员可见" in page  # their words are health details
    assert viewer.post(f"/console/care/{number}", {"outcome": "x"}).status_code == 403
    assert viewer.post("/console/care/visits", {"person": "王芳"}).status_code == 403


def test_a_branch_account_cannot_close_another_branchs_task(console_app, desk: Services,
                                                            branch: Branch) -> None:
    from tests.console.conftest import clerk

    with transaction(desk.sessions) as session:
        task = CareTask(retiree_id=branch.ids["李华"], kind="上门祝寿", due_on=date(2026, 11, 30),
                        detail="九十大寿", created_at=desk.clock.now())
        session.add(task)
        session.flush()
        task_id = task.id
    other = clerk(console_app, desk, "erzhibu", "staff", group="第二支部")
    other.get("/console/care")
    assert other.post(f"/console/care/tasks/{task_id}/done", {"visitor": "x"}).status_code == 404
    with desk.sessions() as session:
        assert session.get(CareTask, task_id).done_at is None


def test_what_was_done_about_a_report_is_health_too_and_hidden_from_a_viewer(
        worker: Clerk, viewer: Clerk, desk: Services, branch: Branch) -> None:
    number = report(desk, branch.ids["张明"], "hospital", "住院了")
    worker.get(f"/console/care/{number}")
    worker.post(f"/console/care/{number}", {"outcome": "已电话慰问，确诊脑梗，下周出院"})
    for path in (f"/console/care/{number}", "/console/care"):
        assert "确诊脑梗" in text(worker.get(path)), path
        shown = text(viewer.get(path))
        assert "确诊脑梗" not in shown and "仅管理员、工作人员可见" in shown, path


def test_a_death_in_the_retirees_family_is_not_recorded_as_the_retirees_own(
        worker: Clerk, desk: Services, branch: Branch) -> None:
    zhang, sun = branch.ids["张明"], branch.ids["孙兰"]
    with transaction(desk.sessions) as session:  # 张明 himself tells of his wife; 孙兰's daughter of her
        wife = CareReport(openid="o_zhang", retiree_id=zhang, kind="death", subject="relative",
                          relative="老伴", text="老伴今天早上走了", created_at=desk.clock.now())
        mother = CareReport(openid="o_sun_daughter", retiree_id=sun, kind="death", subject="relative",
                            relative="我妈", text="我妈昨天走了", created_at=desk.clock.now())
        session.add_all([wife, mother])
        session.flush()
        numbers = wife.id, mother.id
    page = text(worker.get(f"/console/care/{numbers[0]}"))
    assert "张明同志已去世" not in page and 'name="died"' not in page
    assert f'href="/console/people/{zhang}"' in page  # who reported is still named, to call back
    forged = worker.post(f"/console/care/{numbers[0]}", {"outcome": "已电话慰问", "died": "1",
                                                         "died_on": "2026-11-21"})
    assert forged.status_code == 400 and "不是名册上这位老同志本人" in text(forged)
    assert "孙兰同志已去世" in text(worker.get(f"/console/care/{numbers[1]}"))
    worker.post(f"/console/care/{numbers[1]}", {"outcome": "已上门慰问", "died": "1",
                                                "died_on": "2026-11-21"})
    with desk.sessions() as session:
        assert session.get(Retiree, zhang).died_on is None
        assert session.get(Retiree, sun).died_on == date(2026, 11, 21)


def test_a_death_recorded_by_mistake_is_taken_back_after_asking(worker: Clerk, desk: Services,
                                                                branch: Branch) -> None:
    li = branch.ids["李华"]
    worker.post(f"/console/people/{li}/died", {"died_on": "2026-11-21", "confirmed": "1"})
    asked = text(worker.get(f"/console/people/{li}/died/undo"))
    assert "确定李华同志还健在" in asked
    with desk.sessions() as session:
        assert session.get(Retiree, li).died_on == date(2026, 11, 21)  # asked: nothing done yet
    worker.post(f"/console/people/{li}/died/undo", {"confirmed": "1"})
    page = text(worker.get(f"/console/people/{li}"))
    assert "已撤销李华的去世登记" in page and "登记去世（此后不再发" in page
    with desk.sessions() as session:
        assert session.get(Retiree, li).died_on is None
        undone = session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "roster.died_undone"))
    assert undone.target == f"retiree:{li}"
    assert "撤销去世登记" in text(worker.get("/console/audit"))


def test_a_death_told_by_name_names_that_person_only_to_accounts_that_see_them(
        console_app, worker: Clerk, desk: Services, branch: Branch) -> None:
    """张明 (第一支部) says 周平 (第二支部) died: the office sees 周平 named; 第一支部's secretary
    reads the report of their own member, but not who in another branch it names."""
    from tests.console.conftest import clerk

    number = report(desk, branch.ids["张明"], "death", "周平昨天去世了", named_id=branch.ids["周平"])
    assert "名册上的" in text(worker.get(f"/console/care/{number}"))
    secretary = clerk(console_app, desk, "yizhibu", "staff", group="第一支部")
    page = text(secretary.get(f"/console/care/{number}"))
    assert "周平昨天去世了" in page and "名册上的" not in page
