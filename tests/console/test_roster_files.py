"""名册 files in the console: an upload is checked row by row before anything is written, then
confirmed; a file that is not a roster, or too big, is refused in Chinese; the export is an
Excel file that runs no formula, audit-logged, and never for a 查看 account."""

from __future__ import annotations

import io
import re
import time
from pathlib import Path

import openpyxl
import sqlalchemy as sa
from flask import Flask

from bot.db.engine import transaction
from bot.models import AuditEntry, Retiree
from bot.roster.sheets import write_sheet
from bot.sandbox.sample_roster import HEADERS, generate
from bot.services import Services
from tests.console.conftest import clerk
from tests.console.helpers import Clerk
from tests.office_fixtures import Branch

BRANCH, CLASS, AREA, BIRTH = (HEADERS.index(t) for t in ("党支部", "老年大学班级", "居住片区", "出生日期"))


def roster(tmp_path: Path, count: int = 3, suffix: str = ".xlsx", branch: str = "第一支部",
           extra: tuple[str, ...] = (), **bad: str) -> io.BytesIO:
    """An .xlsx of new people in the branch; bad={"2": "1938-02-30"} gives row 2 that birth date;
    extra: more columns (headers), each cell filled with its header."""
    rows = generate(count)
    for row in rows:
        row[BRANCH], row[CLASS], row[AREA] = branch, "", ""
        row.extend(extra)
    for number, birth in bad.items():
        rows[int(number) - 1][BIRTH] = birth
    path = tmp_path / f"名册{suffix}"
    write_sheet(path, [*HEADERS, *extra], rows)
    return io.BytesIO(path.read_bytes())


def upload(clerk: Clerk, data: io.BytesIO, name: str = "名册.xlsx") -> str:
    """Upload through the form; the status page's address."""
    clerk.get("/console/roster/import")
    sent = clerk.post("/console/roster/import", {"file": (data, name)}, content_type="multipart/form-data")
    assert sent.status_code == 302, sent.get_data(as_text=True)
    return sent.headers["Location"]


def finished(clerk: Clerk, status: str) -> str:
    """The status page once the background check or import has finished (polled as htmx does)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        part = clerk.get(status, headers={"HX-Request": "true"}).get_data(as_text=True)
        if "hx-trigger" not in part:
            return clerk.get(status).get_data(as_text=True)
        time.sleep(0.05)
    raise AssertionError("the import did not finish in 30 s")


def people(services: Services) -> int:
    with services.sessions() as session:
        return session.scalar(sa.select(sa.func.count()).select_from(Retiree)) or 0


def test_a_bad_row_is_reported_and_nothing_is_written_then_the_fixed_file_goes_in(
        worker: Clerk, desk: Services, tmp_path: Path) -> None:
    before = people(desk)
    report = finished(worker, upload(worker, roster(tmp_path, **{"2": "1938-02-30"})))
    assert "没有导入任何数据" in report and "出生日期" in report
    assert re.search(r"<td>3</td><td>出生日期</td>", report)  # the spreadsheet's row, header counted
    assert people(desk) == before
    status = upload(worker, roster(tmp_path, extra=("身份证号",), **{"2": "1938.5"}))
    checked = finished(worker, status)
    assert "将新增的人" in checked and re.search(r"第 3 行 \w+，1938-05 出生", checked)  # 1938.5 read as May
    assert "检查通过，共 3 行：将新增 <strong>3</strong> 人" in checked and "还没有写入" in checked
    assert "这几列不认识，<strong>不会导入</strong>：身份证号" in checked  # not believed imported
    assert people(desk) == before  # checked, not yet written
    confirm = re.search(r'action="([^"]+/confirm)"', checked).group(1)
    assert worker.post(confirm).status_code == 302
    assert "已导入 3 行：新增 3 人" in finished(worker, status)
    assert people(desk) == before + 3
    with desk.sessions() as session:
        entry = session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "roster.import")).one()
    assert entry.actor == "console:wangli"


def test_a_roster_of_a_thousand_people_is_taken_and_confirmed_once(worker: Clerk, desk: Services,
                                                                   tmp_path: Path) -> None:
    before = people(desk)
    upload_ = roster(tmp_path, 1000, ".csv")
    assert len(upload_.getvalue()) > 64 * 1024  # more than the app's limit for other requests
    status = upload(worker, upload_, "名册.csv")
    checked = finished(worker, status)
    assert "将新增 <strong>1000</strong> 人" in checked
    assert worker.post(f"{status}/confirm").status_code == 302
    assert worker.post(f"{status}/confirm").status_code == 400  # a second click imports nothing
    done = finished(worker, status)
    assert "已导入 1000 行：新增 1000 人" in done, done[-1500:]
    assert people(desk) == before + 1000


def test_a_branch_account_neither_imports_nor_exports(console_app: Flask, desk: Services,
                                                      branch: Branch) -> None:
    secretary = clerk(console_app, desk, "shuji", "staff", group="第二支部")
    assert secretary.get("/console/roster/import").status_code == 403
    assert secretary.get("/console/roster/export").status_code == 403


def test_a_group_not_yet_made_is_reported_with_where_to_make_it(worker: Clerk, desk: Services,
                                                                  tmp_path: Path) -> None:
    before = people(desk)
    report = finished(worker, upload(worker, roster(tmp_path, branch="第九支部")))
    assert "没有叫“第九支部”的党支部" in report and "/console/groups" in report
    assert "python -m" not in report  # a clerk is told where in the console, not a command
    assert people(desk) == before


def test_a_confirmation_without_a_passed_check_changes_nothing(worker: Clerk, desk: Services,
                                                                tmp_path: Path) -> None:
    status = upload(worker, roster(tmp_path, **{"1": "1938-13-01"}))
    finished(worker, status)
    assert worker.post(f"{status}/confirm").status_code == 400
    assert worker.post("/console/roster/import/not-a-token/confirm").status_code == 404


def test_a_file_that_is_not_a_roster_is_refused_in_chinese(worker: Clerk, desk: Services) -> None:
    before = people(desk)
    worker.get("/console/roster/import")
    refused = worker.post("/console/roster/import", {"file": (io.BytesIO(b"MZ\x90\x00"), "setup.exe")},
                          content_type="multipart/form-data")
    assert refused.status_code == 400 and "不是名册文件" in refused.get_data(as_text=True)
    garbage = finished(worker, upload(worker, io.BytesIO(b"PK\x03\x04 not really a zip")))
    assert "没有导入任何数据" in garbage or "中断" in garbage
    assert people(desk) == before


def test_a_50_mb_upload_gets_a_413_in_chinese(worker: Clerk, desk: Services) -> None:
    worker.get("/console/roster/import")
    # The body built by hand: werkzeug's test client leaves its own temporary file open otherwise.
    body = (f'--b\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{worker.token}\r\n'
            '--b\r\nContent-Disposition: form-data; name="file"; filename="roster.csv"\r\n\r\n').encode()
    body += b"0" * (50 * 2**20 + 1) + b"\r\n--b--\r\n"
    refused = worker.client.post("/console/roster/import", data=body,
                                 content_type="multipart/form-data; boundary=b")
    assert refused.status_code == 413 and "名册文件不超过 50 MB" in refused.get_data(as_text=True)
    assert not list(Path(desk.settings.console.upload_dir).glob("*/*"))


def test_someone_elses_import_is_not_found(worker: Clerk, admin: Clerk, tmp_path: Path) -> None:
    status = upload(worker, roster(tmp_path))
    finished(worker, status)
    assert admin.get(status).status_code == 404


def test_the_export_runs_no_formula_and_is_logged(worker: Clerk, viewer: Clerk, desk: Services,
                                                  branch: Branch) -> None:
    with transaction(desk.sessions) as session:
        session.get(Retiree, branch.ids["张明"]).name = '=HYPERLINK("http://example.com","点我")'
    download = worker.get("/console/roster/export")
    assert download.status_code == 200 and "attachment" in download.headers["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(download.get_data())).active
    names = {cell.value: cell.data_type for [cell] in sheet.iter_rows(min_row=2, min_col=2, max_col=2)}
    assert "李华" in names
    assert names['=HYPERLINK("http://example.com","点我")'] == "s"  # kept as text: Excel runs nothing
    with desk.sessions() as session:
        entry = session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "roster.export")).one()
    assert entry.actor == "console:wangli" and entry.detail["rows"] == len(names)
    assert not list(Path(desk.settings.console.upload_dir).glob("export-*/*"))  # nothing left behind
    assert viewer.get("/console/roster/export").status_code == 403


def test_a_death_in_the_file_is_shown_before_it_cancels_the_persons_sign_ups(
        worker: Clerk, desk: Services, branch: Branch, tmp_path: Path) -> None:
    from bot.activities.signups import sign_up_by_staff
    from bot.models import Signup
    from tests.activities.helpers import load_activity

    tea = load_activity(desk, tmp_path)
    with transaction(desk.sessions) as session:
        sign_up_by_staff(session, tea, branch.ids["孙兰"], companion=False, now=desk.clock.now())
    sheet = io.BytesIO("姓名,出生日期,离退休,去世日期\n孙兰,1938-03-01,退休,2026-11-21\n".encode())
    status = upload(worker, sheet, "名册.csv")
    checked = finished(worker, status)
    assert "登记去世的人：导入后会取消他们以后的报名" in checked
    assert "孙兰：已取消报名：【冬至茶话会】" in checked
    with desk.sessions() as session:  # shown, not yet done
        assert session.scalar(sa.select(Signup.status)) == "confirmed"
    assert worker.post(f"{status}/confirm").status_code == 302
    assert "孙兰：已取消报名：【冬至茶话会】" in finished(worker, status)
    with desk.sessions() as session:
        assert session.scalar(sa.select(Signup.status)) == "cancelled"


def test_a_correction_sheet_that_would_blank_phones_says_so_before_anything_is_written(
        worker: Clerk, desk: Services, branch: Branch) -> None:
    """A blank cell clears what is on file: a clerk who left it blank for 「不改」 had to spot
    「→ （空）」 among the changes."""
    rows = "姓名,出生日期,离退休,联系电话\n张明,1938-03-01,退休,\n李华,1938-03-01,退休,13911112222\n"
    sheet = io.BytesIO(rows.encode())
    checked = finished(worker, upload(worker, sheet, "更正.csv"))
    assert "空着的格子会<strong>清空</strong>名册里原有的内容：联系电话 1 处" in checked
    with desk.sessions() as session:
        assert session.get(Retiree, branch.ids["张明"]).phone == "13800000000"  # checked, not written
