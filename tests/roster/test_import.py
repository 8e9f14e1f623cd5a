"""Importing and exporting the roster: all or nothing, a clear report, updates in place."""

from __future__ import annotations

import time
from pathlib import Path

import openpyxl
import pytest
import sqlalchemy as sa

from bot.models import AuditEntry, Group, Retiree
from bot.roster.commands import report
from bot.roster.export import export_file
from bot.sandbox.sample_roster import BRANCHES, HEADERS, generate
from bot.sandbox.seed import SAMPLE_ROSTER
from bot.services import Services
from tests.roster.helpers import ACTOR, run_import, write_csv


def people(services: Services) -> list[Retiree]:
    with services.sessions() as session:
        return list(session.scalars(sa.select(Retiree).order_by(Retiree.id)))


def count(services: Services) -> int:
    with services.sessions() as session:
        return session.scalar(sa.select(sa.func.count()).select_from(Retiree)) or 0


def test_the_sample_roster_imports_with_groups_and_contacts(with_groups: Services) -> None:
    plan = run_import(with_groups, SAMPLE_ROSTER)
    assert plan.ok and (plan.rows, len(plan.creates)) == (200, 200)
    first = generate(1)[0]
    with with_groups.sessions() as session:
        person = session.scalar(sa.select(Retiree).where(Retiree.number == first[0]))
        assert person.name == first[1] and person.phone == first[15]
        assert [(c.name, c.relation) for c in person.contacts] == [(first[21], first[22])]
        assert {g.name for g in person.groups} == {v for v in (first[11], first[12], first[13]) if v}
        branch = session.scalar(sa.select(Group).where(Group.name == BRANCHES[0]))
        assert len(branch.members) > 10
        entry = session.scalars(sa.select(AuditEntry)).one()
        assert (entry.actor, entry.action, entry.detail["created"]) == (ACTOR, "roster.import", 200)


def test_re_importing_the_same_file_changes_nobody_and_duplicates_nobody(
        with_groups: Services) -> None:
    run_import(with_groups, SAMPLE_ROSTER)
    again = run_import(with_groups, SAMPLE_ROSTER)
    assert (len(again.creates), again.updated, again.unchanged) == (0, 0, 200)
    assert count(with_groups) == 200


def test_an_updated_file_updates_people_in_place(with_groups: Services, tmp_path: Path) -> None:
    rows = generate(5)
    run_import(with_groups, write_csv(tmp_path / "v1.csv", rows))
    rows[1][15] = "13800001111"  # a new phone number
    rows[3][14] = "示例市新华路 8 号"  # moved house
    plan = run_import(with_groups, write_csv(tmp_path / "v2.csv", rows))
    assert (len(plan.creates), plan.updated, plan.unchanged) == (0, 2, 3)
    by_number = {p.number: p for p in people(with_groups)}
    assert by_number[rows[1][0]].phone == "13800001111"
    assert by_number[rows[3][0]].address == "示例市新华路 8 号"
    assert count(with_groups) == 5


def test_a_sheet_of_numbers_and_one_column_corrects_only_that_column(with_groups: Services,
                                                                     tmp_path: Path) -> None:
    rows = generate(3)
    run_import(with_groups, write_csv(tmp_path / "all.csv", rows))
    before = {p.number: (p.name, p.birth_date, p.address) for p in people(with_groups)}
    fix = [[rows[0][0].lower(), "13800001111"], [rows[2][0], "13800002222"]]
    plan = run_import(with_groups, write_csv(tmp_path / "fix.csv", fix, ["人员编号", "联系电话"]))
    assert plan.ok and (len(plan.creates), plan.updated) == (0, 2)
    named = [line.split("：")[0] for line in plan.changes]  # the preview names each, not 「None」
    assert named == [f"第 2 行 {rows[0][1]}", f"第 3 行 {rows[2][1]}"]
    after = {p.number: p for p in people(with_groups)}
    assert [after[r[0]].phone for r in rows] == ["13800001111", rows[1][15], "13800002222"]
    assert {n: (p.name, p.birth_date, p.address) for n, p in after.items()} == before


def test_a_correction_sheet_adds_nobody_and_checks_names_against_numbers(with_groups: Services,
                                                                         tmp_path: Path) -> None:
    rows = generate(2)
    run_import(with_groups, write_csv(tmp_path / "all.csv", rows))
    fix = [[rows[0][0], "李四海", "13800001111"], ["LT99999", rows[1][1], "13800002222"],
           ["", "王五", "13800003333"], [rows[1][0], rows[1][1], "13800004444"]]
    plan = run_import(with_groups, write_csv(tmp_path / "fix.csv", fix, ["编号", "姓名", "联系电话"]))
    assert [(p.row, p.column) for p in plan.problems] == [(2, "编号"), (3, "编号"), (4, "编号")]
    assert "本行是李四海" in str(plan.problems[0]) and "不在名册里" in str(plan.problems[1])
    assert "只能按编号更正" in str(plan.problems[2])
    assert count(with_groups) == 2 and {p.phone for p in people(with_groups)} == {rows[0][15], rows[1][15]}
    only_numbers = run_import(with_groups, write_csv(tmp_path / "n.csv", [[rows[0][0]]], ["编号"]))
    assert ["只有“编号”一列" in p.message for p in only_numbers.problems] == [True]


def test_without_numbers_people_are_matched_by_name_and_birth_date(with_groups: Services,
                                                                   tmp_path: Path) -> None:
    rows = [r[:] for r in generate(3)]
    for row in rows:
        row[0] = ""
    run_import(with_groups, write_csv(tmp_path / "a.csv", rows))
    rows[0][16] = "生活不能自理"
    plan = run_import(with_groups, write_csv(tmp_path / "b.csv", rows))
    assert (len(plan.creates), plan.updated) == (0, 1)
    assert count(with_groups) == 3


@pytest.mark.parametrize("written", ["{y}年{m}月", "{y}.{m:02d}"])
def test_a_birth_month_as_花名册_keep_it_matches_and_keeps_the_exact_birthday(
        with_groups: Services, tmp_path: Path, written: str) -> None:
    # Birthday greetings and 祝寿 visits need the day: a sheet that knows only the month must
    # neither wipe it nor add the same person again.
    rows = [r[:] for r in generate(3)]
    run_import(with_groups, write_csv(tmp_path / "a.csv", rows))
    exact = {p.name: (p.birth_date, p.birth_precision) for p in people(with_groups)}
    for row in rows:
        year, month = row[3][:4], int(row[3][5:7])
        row[0], row[3] = "", written.format(y=year, m=month)
    rows[1][15] = "13800001111"
    plan = run_import(with_groups, write_csv(tmp_path / "b.csv", rows))
    assert (len(plan.creates), plan.updated) == (0, 1) and "出生日期" not in "".join(plan.changes)
    assert {p.name: (p.birth_date, p.birth_precision) for p in people(with_groups)} == exact
    assert count(with_groups) == 3


def test_a_birth_year_alone_does_not_make_a_namesake_the_same_person(with_groups: Services,
                                                                      tmp_path: Path) -> None:
    rows = [r[:] for r in generate(1)]
    rows[0][0] = ""
    run_import(with_groups, write_csv(tmp_path / "a.csv", rows))
    rows[0][3], rows[0][15] = rows[0][3][:4], "13800001111"  # 「1932」: another 韦庆祥 of that year?
    plan = run_import(with_groups, write_csv(tmp_path / "b.csv", rows), dry_run=True)
    assert plan.updated == 0 and "13800001111" not in "".join(plan.changes)


BAD_ROWS = {
    "impossible-date": (3, "出生日期", "1938-02-30"),
    "month-13": (3, "出生日期", "1938.13"),
    "no-name": (1, "姓名", ""),
    "bad-phone": (15, "联系电话", "12345"),
    "bad-gender": (2, "性别", "未知"),
    "unknown-branch": (11, "党支部", "第九党支部"),
    "bad-status": (5, "离休/退休", "在职"),
}


@pytest.mark.parametrize("column,title,value", BAD_ROWS.values(), ids=BAD_ROWS.keys())
def test_a_file_with_a_bad_row_changes_nothing_and_names_row_and_column(
        with_groups: Services, tmp_path: Path, column: int, title: str, value: str) -> None:
    rows = generate(4)
    rows[2][column] = value
    if title == "党支部":
        rows[2][9] = "是"
    plan = run_import(with_groups, write_csv(tmp_path / "bad.csv", rows))
    assert not plan.ok
    assert [(p.row, p.column) for p in plan.problems] == [(4, title)]  # row 4: header is row 1
    assert count(with_groups) == 0


def test_the_same_person_twice_in_a_file_is_reported(with_groups: Services, tmp_path: Path) -> None:
    rows = generate(3)
    rows.append(list(rows[0]))
    plan = run_import(with_groups, write_csv(tmp_path / "dup.csv", rows))
    assert [(p.row, "第 2 行" in p.message) for p in plan.problems] == [(5, True)]
    assert count(with_groups) == 0


def test_a_missing_required_column_is_reported_once(with_groups: Services, tmp_path: Path) -> None:
    headers = [h for h in HEADERS if h != "出生日期"]
    rows = [[v for h, v in zip(HEADERS, r, strict=True) if h != "出生日期"] for r in generate(3)]
    plan = run_import(with_groups, write_csv(tmp_path / "cols.csv", rows, headers))
    assert len(plan.problems) == 1 and "出生日期" in plan.problems[0].message


def test_header_variants_and_written_dates_are_understood(with_groups: Services,
                                                          tmp_path: Path) -> None:
    headers = ["姓名", "出生年月", "离退休类别", "手机", "政治面貌", "党支部"]
    rows = [["王建国", "1938.5", "离休干部", "139 1234 5678", "中共党员", "第一党支部"],
            ["李　芳", "1940年3月6日", "退休", "", "群众", ""],
            ["张国强", "1936-11-02", "退休人员", "", "", ""]]
    plan = run_import(with_groups, write_csv(tmp_path / "v.csv", rows, headers))
    assert plan.ok, plan.problems
    found = {p.name: p for p in people(with_groups)}
    assert (found["王建国"].birth_date.isoformat(), found["王建国"].birth_precision) == (
        "1938-05-01", "month")
    assert found["王建国"].status == "离休" and found["王建国"].phone == "13912345678"
    assert found["王建国"].party_member and not found["李芳"].party_member
    assert found["李芳"].birth_date.isoformat() == "1940-03-06"


def test_an_xlsx_with_excel_dates_and_a_two_decimal_month_imports(with_groups: Services,
                                                                  tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["姓名", "出生日期", "离休/退休", "参加工作时间"])
    sheet.append(["赵德明", 1938.1, "离休", None])
    sheet["B2"].number_format = "0.00"  # shown as 1938.10: October
    import datetime as dt

    sheet.append(["钱淑珍", dt.datetime(1941, 7, 1), "退休", dt.datetime(1958, 9, 1)])
    book.save(tmp_path / "r.xlsx")
    plan = run_import(with_groups, tmp_path / "r.xlsx")
    assert plan.ok, plan.problems
    found = {p.name: p for p in people(with_groups)}
    assert found["赵德明"].birth_date.isoformat() == "1938-10-01"
    assert found["钱淑珍"].work_start.isoformat() == "1958-09-01"


def test_a_title_and_a_blank_row_above_the_header_are_passed_over(with_groups: Services,
                                                                  tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["2026年离退休干部名册", None, None, "制表日期：2026-12"])
    sheet.merge_cells("A1:C1")  # as clerks make a title: merged across the columns, a date beside it
    sheet.append([])
    sheet.append(["姓名", "出生日期", "离休/退休", "联系电话"])
    sheet.append(["赵德明", "1938-10-01", "离休", "13800001234"])
    book.save(tmp_path / "r.xlsx")
    plan = run_import(with_groups, tmp_path / "r.xlsx")
    assert plan.ok, plan.problems
    assert [p.name for p in people(with_groups)] == ["赵德明"]
    sheet["A4"] = "赵德明"
    sheet["E3"], sheet["E4"] = "出生地", "北京"  # a bad row is named by its row in the sheet
    sheet["B4"] = "1938年13月"
    book.save(tmp_path / "r.xlsx")
    assert [p.row for p in run_import(with_groups, tmp_path / "r.xlsx").problems] == [4]


def test_every_problem_of_a_sheet_is_named_in_one_pass_in_row_order(with_groups: Services,
                                                                    tmp_path: Path) -> None:
    rows = generate(2)
    rows[0][3], rows[0][11] = "1938年13月", "第1党支部"  # a bad date and a branch nobody made
    rows[1][15] = "1391111222"  # a phone one digit short
    plan = run_import(with_groups, write_csv(tmp_path / "a.csv", rows))
    assert [(p.row, p.column) for p in plan.problems] == [(2, "出生日期"), (2, "党支部"), (3, "联系电话")]


def test_a_number_in_small_letters_is_the_one_on_file(with_groups: Services, tmp_path: Path) -> None:
    rows = generate(1)
    run_import(with_groups, write_csv(tmp_path / "a.csv", rows))
    number = rows[0][0]
    rows[0][0], rows[0][15] = number.lower(), "13800001111"
    plan = run_import(with_groups, write_csv(tmp_path / "b.csv", rows))
    assert plan.ok, plan.problems
    [person] = people(with_groups)
    assert (person.number, person.phone) == (number, "13800001111")  # updated, the 编号 as on file
    twice = run_import(with_groups, write_csv(tmp_path / "c.csv", [rows[0], [number, *rows[0][1:]]]))
    assert [(p.row, "同一个人" in p.message) for p in twice.problems] == [(3, True)]  # lt… repeats LT…


def test_a_file_that_is_not_a_table_is_refused(with_groups: Services, tmp_path: Path) -> None:
    (tmp_path / "roster.pdf").write_bytes(b"%PDF-1.4")
    plan = run_import(with_groups, tmp_path / "roster.pdf")
    assert not plan.ok and ".xlsx" in str(plan.problems[0])


def test_export_writes_what_import_reads(with_groups: Services, tmp_path: Path) -> None:
    run_import(with_groups, SAMPLE_ROSTER)
    for suffix in (".xlsx", ".csv"):
        exported = export_file(with_groups.sessions, tmp_path / f"out{suffix}", actor=ACTOR,
                               now=with_groups.clock.now())
        assert exported == 200
        again = run_import(with_groups, tmp_path / f"out{suffix}")
        assert (len(again.creates), again.updated, again.unchanged) == (0, 0, 200), again.problems
    with with_groups.sessions() as session:
        actions = [e.action for e in session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id))]
    assert actions.count("roster.export") == 2
    sheet = openpyxl.load_workbook(tmp_path / "out.xlsx").active  # as a clerk opens it in Excel:
    assert sheet.freeze_panes == "A2" and sheet["A1"].font.b  # the header stays in sight, bold
    address = next(c.column_letter for c in sheet[1] if c.value == "现住址")
    assert sheet.column_dimensions[address].width >= 30  # an address is not cut at eight characters


def test_an_empty_number_never_erases_the_one_on_file(with_groups: Services, tmp_path: Path) -> None:
    rows = generate(2)
    run_import(with_groups, write_csv(tmp_path / "a.csv", rows))
    rows[0][0] = ""  # this year's sheet lost the 编号 column's value
    plan = run_import(with_groups, write_csv(tmp_path / "b.csv", rows))
    assert plan.ok and (len(plan.creates), plan.updated) == (0, 0)
    assert {p.number for p in people(with_groups)} == {rows[1][0], generate(1)[0][0]}


def test_a_number_that_belongs_to_someone_else_is_reported(with_groups: Services,
                                                           tmp_path: Path) -> None:
    rows = generate(2)
    run_import(with_groups, write_csv(tmp_path / "a.csv", rows))
    rows[0][0], rows[1][0] = rows[1][0], rows[0][0]  # the numbers were swapped by mistake
    plan = run_import(with_groups, write_csv(tmp_path / "b.csv", rows))
    assert [p.row for p in plan.problems] == [2, 3]
    assert "对不上" in plan.problems[0].message
    assert {(p.number, p.name) for p in people(with_groups)} == {(r[0], r[1]) for r in generate(2)}


def test_a_changed_number_for_the_same_person_is_reported(with_groups: Services,
                                                          tmp_path: Path) -> None:
    rows = generate(1)
    run_import(with_groups, write_csv(tmp_path / "a.csv", rows))
    rows[0][0] = "LT99999"
    plan = run_import(with_groups, write_csv(tmp_path / "b.csv", rows))
    assert len(plan.problems) == 1 and "编号是 LT00001" in plan.problems[0].message
    assert count(with_groups) == 1


def test_a_number_added_later_is_taken_on(with_groups: Services, tmp_path: Path) -> None:
    rows = [r[:] for r in generate(1)]
    numbered = rows[0][0]
    rows[0][0] = ""
    run_import(with_groups, write_csv(tmp_path / "a.csv", rows))
    rows[0][0] = numbered
    plan = run_import(with_groups, write_csv(tmp_path / "b.csv", rows))
    assert (len(plan.creates), plan.updated) == (0, 1)
    assert [p.number for p in people(with_groups)] == [numbered]


def test_a_row_with_and_a_row_without_a_number_for_one_person_are_duplicates(
        with_groups: Services, tmp_path: Path) -> None:
    rows = generate(1)
    twin = list(rows[0])
    twin[0] = ""
    plan = run_import(with_groups, write_csv(tmp_path / "a.csv", [rows[0], twin]))
    assert [(p.row, "第 2 行" in p.message) for p in plan.problems] == [(3, True)]


def test_a_file_without_the_second_contact_keeps_it(with_groups: Services, tmp_path: Path) -> None:
    headers = [*HEADERS, "紧急联系人2", "联系人2关系", "联系人2电话"]
    rows = [generate(1)[0] + ["周秀英", "女儿", "13600001111"]]
    run_import(with_groups, write_csv(tmp_path / "a.csv", rows, headers))
    run_import(with_groups, SAMPLE_ROSTER)  # the usual sheet, one contact column set only
    with with_groups.sessions() as session:
        person = session.scalar(sa.select(Retiree).where(Retiree.number == rows[0][0]))
        assert [c.name for c in person.contacts] == [rows[0][21], "周秀英"]


def test_a_value_longer_than_the_roster_keeps_is_reported(with_groups: Services,
                                                          tmp_path: Path) -> None:
    rows = generate(1)
    rows[0][22] = "远房表姑父的外甥女婿的弟弟" * 2  # 联系人关系: 26 characters, the roster keeps 20
    plan = run_import(with_groups, write_csv(tmp_path / "a.csv", rows))
    assert [(p.column, "太长" in p.message) for p in plan.problems] == [("联系人关系", True)]


def test_a_date_before_the_birth_date_is_reported_but_a_coarser_one_in_its_year_is_not(
        with_groups: Services, tmp_path: Path) -> None:
    rows = generate(2)
    column = HEADERS.index
    rows[0][column("出生日期")], rows[0][column("参加工作时间")] = "1938-05-06", "1928-09"  # 1958 mistyped
    rows[1][column("出生日期")], rows[1][column("参加工作时间")] = "1938-05-06", "1938年"  # a child soldier
    plan = run_import(with_groups, write_csv(tmp_path / "a.csv", rows))
    assert [str(p) for p in plan.problems] == ["第 2 行 · 参加工作时间：早于出生日期（1938-05-06），请核对"]
    assert count(with_groups) == 0


def test_a_plan_names_who_changes_each_column_before_and_after(with_groups: Services,
                                                                tmp_path: Path) -> None:
    rows = generate(3)
    run_import(with_groups, write_csv(tmp_path / "a.csv", rows))
    phone, address = rows[1][15], rows[1][14]
    rows[1][15], rows[1][14] = "13800001111", "示例市新华路 8 号"
    plan = run_import(with_groups, write_csv(tmp_path / "b.csv", rows), dry_run=True)
    assert plan.changes == [f"第 3 行 {rows[1][1]}：现住址 {address} → 示例市新华路 8 号；"
                            f"联系电话 {phone} → 13800001111"]


def test_each_person_an_import_changes_is_in_the_audit_log_with_before_and_after(
        with_groups: Services, tmp_path: Path) -> None:
    rows = generate(3)
    run_import(with_groups, write_csv(tmp_path / "a.csv", rows))
    phone = rows[1][15]
    rows[1][15] = "13800001111"
    run_import(with_groups, write_csv(tmp_path / "b.csv", rows))
    with with_groups.sessions() as session:
        person = session.scalar(sa.select(Retiree).where(Retiree.number == rows[1][0]))
        [entry] = session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "roster.import_change"))
    assert entry.target == f"retiree:{person.id}" and entry.detail["file"] == "b.csv"
    assert entry.detail["changes"] == {"联系电话": [phone, "13800001111"]}  # as a hand edit logs it


def test_columns_the_roster_does_not_know_are_named_as_not_imported(with_groups: Services,
                                                                    tmp_path: Path) -> None:
    rows = [[*row, "110101193208081234", n] for n, row in enumerate(generate(2), start=1)]
    plan = run_import(with_groups, write_csv(tmp_path / "a.csv", rows, [*HEADERS, "身份证号", "序号"]))
    assert plan.ok and plan.ignored == ["身份证号", "序号"]
    assert "这几列不认识，没有导入：身份证号、序号" in report(plan, "a.csv", dry_run=False)


@pytest.mark.parametrize("name", ["名册.csv", "名册.xlsx"])
def test_a_file_that_is_not_there_is_one_clear_sentence(services: Services, tmp_path: Path,
                                                        name: str) -> None:
    plan = run_import(services, tmp_path / name, dry_run=True)
    missing = f"找不到文件 {tmp_path / name}：请检查文件名和所在的文件夹。"
    assert [p.message for p in plan.problems] == [missing]


def test_a_control_character_in_a_cell_names_its_row_and_column(with_groups: Services,
                                                                tmp_path: Path) -> None:
    """A NUL pasted into a name: refused before anything reaches the database (PostgreSQL
    cannot even be asked about such a name), the row and column named."""
    rows = generate(2)
    rows[1][1] = "王\x00建国"
    plan = run_import(with_groups, write_csv(tmp_path / "名册.csv", rows), dry_run=True)
    [problem] = plan.problems
    assert str(problem) == "第 3 行 · 姓名：有看不见的控制字符（比如 NUL），请删去"
    assert plan.creates == []


def test_a_zip_bomb_is_refused_before_it_is_unpacked(services: Services, tmp_path: Path) -> None:
    """A real workbook whose sheet unpacks to 120 MB of rows from well under 1 MB."""
    import zipfile

    small, bomb = tmp_path / "small.xlsx", tmp_path / "名册.xlsx"
    book = openpyxl.Workbook()
    book.active.append(HEADERS)
    book.save(small)
    packed = zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED)
    with zipfile.ZipFile(small) as source, packed as target:
        for part in source.infolist():
            if part.filename != "xl/worksheets/sheet1.xml":
                target.writestr(part, source.read(part))
                continue
            with target.open(part.filename, "w") as sheet:
                sheet.write(b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                            b"<sheetData>")
                row = b'<row><c t="inlineStr"><is><t>' + b"a" * 1000 + b"</t></is></c></row>"
                for _ in range(120_000):
                    sheet.write(row)
                sheet.write(b"</sheetData></worksheet>")
    assert bomb.stat().st_size < 2**20
    started = time.monotonic()
    plan = run_import(services, bomb, dry_run=True)
    assert time.monotonic() - started < 2
    assert len(plan.problems) == 1 and "不像一份名册" in plan.problems[0].message


def test_a_sum_line_under_the_table_is_no_person(with_groups: Services, tmp_path: Path) -> None:
    """「合计 3 人」 had been refused as a row without 姓名, and the whole file with it."""
    rows = generate(3)
    total = [""] * len(HEADERS)
    total[0] = "合 计"
    total[-1] = "3人"
    plan = run_import(with_groups, write_csv(tmp_path / "名册.csv", [*rows, total]))
    assert plan.ok and len(plan.creates) == 3
