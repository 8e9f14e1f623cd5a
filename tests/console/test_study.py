"""学习 in the console: a month's report per group and per person (read, read by family, not
read and why), the 送学上门 list given to a staff member and recorded done (which counts as
read); the material edited in the browser, previewed as the reading page shows it, checked by
`content check`'s rules, and used by the next push without a restart."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime
from io import BytesIO
from pathlib import Path

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from bot import create_app
from bot.clock import SHANGHAI, FixedClock
from bot.config import PROJECT_ROOT
from bot.db.engine import transaction
from bot.models import AuditEntry, Retiree, StudyReading, StudyVisit
from bot.scheduling import jobs
from bot.services import Services, build_services
from bot.study.readings import record_reading
from tests.console.conftest import clerk
from tests.console.helpers import Clerk
from tests.office_fixtures import Branch
from tests.study.helpers import rows, stand_on

MP3 = b"ID3\x03\x00\x00\x00" + b"\x00" * 64
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def text(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def editable(desk: Services, clock: FixedClock, tmp_path: Path) -> Iterator[Services]:
    """The office with its own copy of content/, so the material can be edited."""
    shutil.copytree(PROJECT_ROOT / "content", tmp_path / "content")
    built = build_services(replace(desk.settings, content_dir=tmp_path / "content"), clock=clock)
    yield built
    built.close()


@pytest.fixture
def editor(editable: Services, branch: Branch) -> Clerk:
    return clerk(create_app(services=editable), editable, "wangli", "staff")


def read(services: Services, name_ids: dict[str, int], *names: str, family: bool = False) -> None:
    with transaction(services.sessions) as session:
        for name in names:
            record_reading(session, name_ids[name], "2026-12", datetime(2026, 11, 21, tzinfo=SHANGHAI),
                           via="page", by_agent=family)


def test_the_report_counts_each_group_and_names_each_persons_state(
        worker: Clerk, desk: Services, branch: Branch) -> None:
    read(desk, branch.ids, "张明")
    read(desk, branch.ids, "孙兰", family=True)
    page = text(worker.get("/console/study/2026-12"))
    # 第一支部: 5 living; 2 read (so reached), 1 of them by family; 3 not
    assert "<td>5</td><td>2</td><td>2</td><td>1</td><td>3</td>" in page
    assert "还没学习的 4 人" in page and "没有绑定微信" in page  # 王芳
    group = text(worker.get("/console/study/2026-12?group=第一支部"))
    assert "家属代学" in group and "已学习" in group and "未学习：已取消关注" in group  # 钱进


def test_a_visit_is_given_to_a_clerk_and_recorded_done_as_read(worker: Clerk, viewer: Clerk, desk: Services,
                                                               branch: Branch) -> None:
    wang = branch.ids["王芳"]
    choices = re.findall(r"<option[^>]*>([^<]+)</option>", text(worker.get("/console/study/2026-12")))
    assert "wangli同志" in choices and "leader同志" not in choices  # a 查看 account goes on no visit
    qian = [str(branch.ids["钱进"])]
    refused = worker.post("/console/study/2026-12/visits", {"retiree": qian, "to": "小刘"})
    assert "「小刘」不能安排" in text(worker.get(refused.headers["Location"]))  # no account of that name
    worker.post("/console/study/2026-12/visits", {"retiree": qian, "to": "wangli同志"})
    given = worker.post("/console/study/2026-12/visits", {"retiree": [str(wang)], "to": "wangli同志"})
    assert "已安排 1 位由wangli同志送学上门" in text(worker.get(given.headers["Location"]))
    worker.post(f"/console/study/2026-12/visits/{wang}/done", {"notes": "读给她听了"})
    with desk.sessions() as session:
        reading = session.scalars(sa.select(StudyReading).where(StudyReading.retiree_id == wang)).one()
        actions = set(session.scalars(sa.select(AuditEntry.action)))
    assert reading.via == "staff" and {"study.visit_assign", "study.visit_done"} <= actions
    assert "还没学习的 5 人" in text(worker.get("/console/study/2026-12"))  # of 6; 王芳 now read
    sheet = load_workbook(BytesIO(worker.get("/console/study/2026-12/visits.xlsx").data)).active
    going = {row[1]: row[-1] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert "王芳" not in going and going["钱进"] == "wangli同志"  # who goes, for the clerk printing it
    # Nobody here has a 编号: blank, as the roster export leaves it. Our record ids had stood there,
    # and a sheet read back in refused them (「编号 202 不在名册里」).
    assert {row[0] for row in sheet.iter_rows(min_row=2, values_only=True)} == {None}
    assert [c.value for c in sheet[1]][-1] == "谁去"


def test_a_viewer_sees_the_report_masked_and_cannot_assign_export_or_edit(
        viewer: Clerk, worker: Clerk, desk: Services, branch: Branch) -> None:
    with transaction(desk.sessions) as session:  # 王芳 lives alone: a 生活情况 viewers do not see
        session.get(Retiree, branch.ids["王芳"]).lives_alone = True
    page = text(viewer.get("/console/study/2026-12"))
    assert "还没学习的" in page and "13900000003" not in page and "独居" not in page
    assert "独居" in text(worker.get("/console/study/2026-12"))
    assert viewer.get("/console/study/2026-12/visits.xlsx").status_code == 403
    assert viewer.post("/console/study/2026-12/visits", {"retiree": "3", "to": "x"}).status_code == 403
    assert viewer.get("/console/study/edit").status_code == 403


def test_edited_material_is_checked_previewed_and_carried_by_the_next_push(
        editor: Clerk, editable: Services, branch: Branch, clock: FixedClock) -> None:
    form = text(editor.get("/console/study/edit"))  # next month: December, read from its file
    assert "2026-12" in form and "温暖过冬" in form
    fields = _fields(form)
    preview = editor.post("/console/study/preview", fields | {"body": "## 冬天要保暖\n\n多穿一件。"},
                          headers={"HX-Request": "true"})
    assert "iframe" in text(preview) and "冬天要保暖" in text(preview)
    broken = editor.post("/console/study/edit", fields | {f"q{n}_question": "" for n in (1, 2, 3)})
    assert broken.status_code == 400 and "题目（quiz）应有 3 到 5 道" in text(broken)
    saved = editor.post("/console/study/edit", fields | {"title": "冬日保暖要点",
                                                         "audio_file": (BytesIO(MP3), "讲解.mp3")})
    assert saved.status_code == 302, text(saved)
    stand_on(clock, 5, 9)  # the study day: the push is sent by the scheduler, which was never restarted
    jobs.run_daily(editable, "study_day")
    pushed = rows(editable, "study:2026-12:day:%")
    assert pushed and "《冬日保暖要点》" in pushed[0].payload["text"]
    assert (editable.settings.content_dir / "study/2026-12/讲解.mp3").read_bytes() == MP3


def test_everyone_and_a_group_both_ticked_is_asked_and_nothing_changes(
        editor: Clerk, editable: Services, branch: Branch) -> None:
    article = editable.settings.content_dir / "study/2026-12/article.md"
    before = article.read_text(encoding="utf-8")
    fields = _fields(text(editor.get("/console/study/edit?month=2026-12")))
    both = editor.post("/console/study/edit", fields | {"everyone": "1", "groups": ["第一支部"]})
    assert both.status_code == 400 and "「全体」（all）和分组只能选一种" in text(both)
    assert article.read_text(encoding="utf-8") == before
    one = editor.post("/console/study/edit", {k: v for k, v in fields.items() if k != "everyone"}
                      | {"groups": ["第一支部"]})
    assert one.status_code == 302 and 'groups = ["第一支部"]' in article.read_text(encoding="utf-8")


def test_an_upload_that_is_not_what_it_says_is_refused_and_nothing_changes(
        editor: Clerk, editable: Services, branch: Branch) -> None:
    article = editable.settings.content_dir / "study/2026-12/article.md"
    before = article.read_text(encoding="utf-8")
    fields = _fields(text(editor.get("/console/study/edit?month=2026-12")))
    fake = editor.post("/console/study/edit", fields | {"title": "改了",
                                                        "audio_file": (BytesIO(b"MZ\x90\x00"), "a.mp3")})
    assert fake.status_code == 400 and "文件内容不是录音" in text(fake) and "改了" in text(fake)
    exe = editor.post("/console/study/edit", fields | {"image_files": (BytesIO(b"MZ"), "virus.exe")})
    assert exe.status_code == 400 and "图片只收" in text(exe)
    assert article.read_text(encoding="utf-8") == before
    assert sorted(p.name for p in article.parent.iterdir()) == ["article.md"]


def test_a_refused_save_lists_every_problem_at_once_and_no_upload_as_kept(
        editor: Clerk, editable: Services, branch: Branch) -> None:
    """A picture sent with a form that has three problems: all three listed, the picture not
    offered as 已有 (nothing was written); a refused upload, and the form's own problems beside it."""
    folder = editable.settings.content_dir / "study/2026-12"
    fields = _fields(text(editor.get("/console/study/edit?month=2026-12")))
    broken = fields | {"title": "", "summary": fields["summary"][:2]} | {f"q{n}_question": ""
                                                                         for n in (1, 2, 3)}
    refused = editor.post("/console/study/edit", broken | {"image_files": (BytesIO(PNG), "地图.png")})
    page = text(refused)
    assert refused.status_code == 400
    assert "标题（title）不能为空" in page and "摘要（summary）应为三行" in page and "应有 3 到 5 道" in page
    assert "地图.png" not in page and sorted(p.name for p in folder.iterdir()) == ["article.md"]
    both = text(editor.post("/console/study/edit", broken | {"image_files": (BytesIO(b"MZ"), "x.png")}))
    assert "文件内容不是图片" in both and "标题（title）不能为空" in both


def _fields(page: str) -> dict[str, object]:
    """The form's values as the page fills them in (text inputs, textareas, checked boxes)."""
    fields: dict[str, object] = {}
    for name, value in re.findall(r'<input type="(?:text|hidden)"[^>]*?name="([^"]+)" value="([^"]*)"', page):
        fields.setdefault(name, [])
        fields[name].append(value)  # type: ignore[union-attr]
    for name, value in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>([^<]*)</textarea>', page, re.S):
        fields[name] = value
    for name, value in re.findall(r'<input type="checkbox" name="([^"]+)" value="([^"]*)" checked', page):
        fields.setdefault(name, [])
        fields[name].append(value)  # type: ignore[union-attr]
    selected = r'<select id="[^"]+" name="([^"]+)">.*?<option selected>([^<]*)<'
    for name, value in re.findall(selected, page, re.S):
        fields[name] = value
    return {k: (v[0] if isinstance(v, list) and len(v) == 1 and k not in ("summary", "groups") else v)
            for k, v in fields.items()}


def test_a_file_already_used_is_never_replaced_or_removed(editor: Clerk, editable: Services,
                                                         branch: Branch) -> None:
    folder = editable.settings.content_dir / "study/2026-12"
    fields = _fields(text(editor.get("/console/study/edit?month=2026-12")))
    first = editor.post("/console/study/edit", fields | {"audio_file": (BytesIO(MP3), "录音.mp3")})
    assert first.status_code == 302
    live = (folder / "录音.mp3").read_bytes()
    fields = _fields(text(editor.get("/console/study/edit?month=2026-12")))
    broken = editor.post("/console/study/edit", fields | {f"q{n}_question": "" for n in (1, 2, 3)}
                         | {"audio_file": (BytesIO(MP3 + b"new"), "录音.mp3")})
    assert broken.status_code == 400 and (folder / "录音.mp3").read_bytes() == live  # still there, unchanged
    again = editor.post("/console/study/edit", fields | {"audio_file": (BytesIO(MP3 + b"new"), "录音.mp3")})
    assert again.status_code == 302 and (folder / "录音-2.mp3").read_bytes() == MP3 + b"new"
    assert 'audio = "录音-2.mp3"' in (folder / "article.md").read_text(encoding="utf-8")
    sneaky = editor.post("/console/study/edit", fields | {"audio": "../2026-11/article.md"})
    assert sneaky.status_code == 400 and "只能用这个月份文件夹里的文件" in text(sneaky)


def test_a_branch_account_records_visits_for_its_own_people_only(console_app, desk: Services,
                                                                 branch: Branch) -> None:
    wang = branch.ids["王芳"]
    office = clerk(console_app, desk, "wangli", "staff")
    office.get("/console/study/2026-12")
    office.post("/console/study/2026-12/visits", {"retiree": [str(wang)], "to": "wangli同志"})
    clerk(console_app, desk, "yizhibu", "staff", group="第一支部")
    other = clerk(console_app, desk, "erzhibu", "staff", group="第二支部")
    page = text(other.get("/console/study/2026-12"))
    assert "王芳" not in page and "周平" in page
    # who may go: the office's and the branch's own, not another branch's secretary, who could not
    # see 周平 in the console; nor may the office give 周平 to them
    assert set(re.findall(r"<option[^>]*>([^<]+)</option>", page)) == {"wangli同志", "erzhibu同志"}
    zhou = {"retiree": [str(branch.ids["周平"])], "to": "yizhibu同志"}
    refused = office.post("/console/study/2026-12/visits", zhou)
    assert "不能安排" in text(office.get(refused.headers["Location"]))
    with desk.sessions() as session:
        assert session.scalars(sa.select(StudyVisit.assigned_to)).all() == ["wangli同志"]
    assert other.post(f"/console/study/2026-12/visits/{wang}/done", {"notes": ""}).status_code == 404
    with desk.sessions() as session:
        assert session.scalars(sa.select(StudyReading)).all() == []
