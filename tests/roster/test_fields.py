"""Roster columns and cell values: what staff type by hand becomes clean values or a Chinese reason."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.roster.fields import (
    COLUMN_BY_FIELD,
    COLUMNS,
    FieldError,
    PartialDate,
    field_for_header,
    match_headers,
    normalize_header,
    parse_cell,
    parse_date,
    parse_gender,
    parse_health,
    parse_lunar_flag,
    parse_name,
    parse_party_member,
    parse_phone,
    parse_status,
    parse_text,
    parse_yes_no,
    unknown_headers,
)

TODAY = dt.date(2026, 11, 22)
EMPTY = [None, "", "   ", "\u3000", float("nan")]
ALL_PARSERS = [parse_date, parse_gender, parse_status, parse_yes_no, parse_health, parse_phone,
               parse_text, parse_lunar_flag, parse_party_member, parse_name]


def day(y: int, m: int, d: int) -> PartialDate:
    return PartialDate(dt.date(y, m, d), "day")


def month(y: int, m: int) -> PartialDate:
    return PartialDate(dt.date(y, m, 1), "month")


def year(y: int) -> PartialDate:
    return PartialDate(dt.date(y, 1, 1), "year")


# ---------------------------------------------------------------------------------------------------
# Headers


def test_columns_are_in_export_order_with_the_three_required_ones() -> None:
    assert [c.title for c in COLUMNS[:6]] == ["编号", "姓名", "性别", "出生日期", "过农历生日", "离休/退休"]
    assert {c.field for c in COLUMNS if c.required} == {"name", "birth_date", "status"}
    assert len({c.field for c in COLUMNS}) == len(COLUMNS)


def test_no_header_names_two_columns() -> None:
    # A header that two columns accept would be matched silently to whichever came first.
    seen: dict[str, str] = {}
    for column in COLUMNS:
        for header in (column.title, *column.aliases):
            key = normalize_header(header)
            assert seen.setdefault(key, column.field) == column.field, header


def test_every_title_and_alias_finds_its_column() -> None:
    for column in COLUMNS:
        for header in (column.title, *column.aliases):
            assert field_for_header(header) == column.field, header


@pytest.mark.parametrize(("header", "expected"), [
    ("出生日期（公历）", "出生日期"),
    ("出生日期(公历)", "出生日期"),
    ("出 生 日 期", "出生日期"),
    ("\u3000姓\u3000名\u3000", "姓名"),
    ("*姓名", "姓名"),
    ("姓名＊", "姓名"),
    ("联系电话：", "联系电话"),
    ("联系电话【手机】", "联系电话"),
    ("出生日期\n(格式:1938-05-06)", "出生日期"),
    ("出生日期（公历", "出生日期"),
    ("紧急联系人２", "紧急联系人2"),
    ("离休／退休", "离休/退休"),
    ("Email", "email"),
])
def test_normalize_header(header: str, expected: str) -> None:
    assert normalize_header(header) == expected


@pytest.mark.parametrize(("header", "field"), [
    ("姓名", "name"), ("姓　名", "name"), ("名字", "name"), ("*姓名", "name"),
    ("出生年月", "birth_date"), ("出生日期（公历）", "birth_date"), ("生日", "birth_date"),
    ("出生时间", "birth_date"), ("出生年月日", "birth_date"),
    ("生日类型", "lunar_birthday"), ("农历生日", "lunar_birthday"),
    ("离/退休", "status"), ("离退休", "status"), ("人员类别", "status"), ("类别", "status"),
    ("参加工作（革命）时间", "work_start"), ("参加工作(革命)时间", "work_start"),
    ("参加革命工作时间", "work_start"), ("工作时间", "work_start"),
    ("政治面貌", "party_member"), ("是否党员", "party_member"),
    ("手机号", "phone"), ("联系方式", "phone"), ("电话（手机）", "phone"),
    ("身体状况", "health"), ("是否独居", "lives_alone"), ("困难情况", "hardship"),
    ("易地安置", "relocated"), ("居住地（异地）", "relocated_to"), ("居住地(异地)", "relocated_to"),
    ("联系人", "contact1_name"), ("紧急联系人1", "contact1_name"), ("与本人关系", "contact1_relation"),
    ("紧急联系电话", "contact1_phone"), ("联系人２", "contact2_name"), ("紧急联系人2电话", "contact2_phone"),
    ("逝世日期", "died_on"), ("说明", "notes"), ("人员编号", "number"), ("社区", "area"),
])
def test_header_variants_find_their_field(header: str, field: str) -> None:
    assert field_for_header(header) == field


@pytest.mark.parametrize("header", ["序号", "居住地", "籍贯", "身份证号", "", None, "（备注）"])
def test_headers_that_name_no_column(header: str | None) -> None:
    # 序号 counts rows; 「居住地」 alone is not the relocated-to place its bracketed alias means.
    assert field_for_header(header) is None


def test_match_headers_maps_indices_to_fields() -> None:
    headers = ["序号", "姓　名", "性别", "出生年月", "离/退休", "籍贯", "电话（手机）", None, "备注"]
    mapping, errors = match_headers(headers)
    assert errors == []
    assert mapping == {1: "name", 2: "gender", 3: "birth_date", 4: "status", 6: "phone", 8: "notes"}


def test_unknown_headers_are_listed_as_written() -> None:
    headers = ["序号", "姓名", "  籍贯 ", None, "", "出生日期", "居住地", "离休/退休"]
    assert unknown_headers(headers) == ["序号", "籍贯", "居住地"]
    assert match_headers(headers)[1] == []


def test_two_aliases_of_one_column_are_an_error_naming_both() -> None:
    mapping, errors = match_headers(["姓名", "出生日期", "离退休", "生日"])
    assert errors == ["第2列“出生日期”和第4列“生日”都表示“出生日期”，请只保留其中一列"]
    assert mapping[1] == "birth_date"
    assert 3 not in mapping


def test_the_same_header_twice_is_an_error() -> None:
    _, errors = match_headers(["姓名", "出生日期", "类别", "电话", "手机", "联系电话"])
    assert errors == ["第4列“电话”、第5列“手机”和第6列“联系电话”都表示“联系电话”，请只保留其中一列"]
    _, errors = match_headers(["姓名", "姓名", "出生日期", "类别"])
    assert errors == ["第1列“姓名”和第2列“姓名”都表示“姓名”，请只保留其中一列"]


def test_missing_required_columns_are_named_with_their_aliases() -> None:
    mapping, errors = match_headers(["序号", "姓名", "性别"])
    assert mapping == {1: "name", 2: "gender"}
    assert errors == [
        "缺少必填列“出生日期”（表头也可以写作：出生年月、出生年月日、生日、出生时间）",
        "缺少必填列“离休/退休”（表头也可以写作：离退休、离/退休、离退休类别、离退休类型、类别、人员类别）",
    ]


def test_an_empty_header_row_misses_all_required_columns() -> None:
    mapping, errors = match_headers([None, "", " "])
    assert mapping == {}
    assert [e.split("”")[0] for e in errors] == ["缺少必填列“姓名", "缺少必填列“出生日期",
                                                  "缺少必填列“离休/退休"]


# ---------------------------------------------------------------------------------------------------
# Empty cells


@pytest.mark.parametrize("parse", ALL_PARSERS)
@pytest.mark.parametrize("raw", EMPTY)
def test_every_parser_reads_an_empty_cell_as_none(parse, raw: object) -> None:
    assert parse(raw) is None


@pytest.mark.parametrize("parse", [parse_date, parse_gender, parse_status, parse_health, parse_phone,
                                   parse_text, parse_name])
@pytest.mark.parametrize("raw", ["无", "-", "/", "—", "——", "－", "／", " 暂无 "])
def test_placeholders_mean_empty(parse, raw: str) -> None:
    assert parse(raw) is None


# ---------------------------------------------------------------------------------------------------
# Dates


@pytest.mark.parametrize(("raw", "expected"), [
    ("1938-05-06", day(1938, 5, 6)),
    ("1938/5/6", day(1938, 5, 6)),
    ("1938.5.6", day(1938, 5, 6)),
    ("1938.05.06", day(1938, 5, 6)),
    ("1938年5月6日", day(1938, 5, 6)),
    ("1938年05月06日", day(1938, 5, 6)),
    ("1938年5月6号", day(1938, 5, 6)),
    ("1938 年 5 月 6 日", day(1938, 5, 6)),
    ("１９３８年５月６日", day(1938, 5, 6)),
    (" 1938-05-06 00:00:00 ", day(1938, 5, 6)),
    ("1938/5/6 0:00", day(1938, 5, 6)),
    ("1938-05-06T00:00:00", day(1938, 5, 6)),
    ("19380506", day(1938, 5, 6)),
    ("1938年5月", month(1938, 5)),
    ("1938年12月", month(1938, 12)),
    ("1938.5", month(1938, 5)),
    ("1938.05", month(1938, 5)),
    ("1938.10", month(1938, 10)),
    ("1938.12", month(1938, 12)),
    ("1938-5", month(1938, 5)),
    ("1938/05", month(1938, 5)),
    ("193805", month(1938, 5)),
    ("1938年", year(1938)),
    ("1938", year(1938)),
    ("2026-11-22", day(2026, 11, 22)),
    ("2026年11月", month(2026, 11)),
    ("2026", year(2026)),
    ("1900-01-01", day(1900, 1, 1)),
    ("2024-02-29", day(2024, 2, 29)),
    (dt.date(1938, 5, 6), day(1938, 5, 6)),
    (dt.datetime(1938, 5, 6, 13, 30), day(1938, 5, 6)),
    (1938, year(1938)),
    (1938.0, year(1938)),
    (193805, month(1938, 5)),
    (19380506, day(1938, 5, 6)),
    (19380506.0, day(1938, 5, 6)),
    (1938.5, month(1938, 5)),
    (1938.05, month(1938, 5)),
    (1938.12, month(1938, 12)),
    (1938.11, month(1938, 11)),
])
def test_dates_staff_type(raw: object, expected: PartialDate) -> None:
    assert parse_date(raw, today=TODAY) == expected


@pytest.mark.parametrize(("raw", "number_format", "expected"), [
    # 1938.10 typed into a cell showing two decimals is stored as 1938.1.
    (1938.1, "0.00", month(1938, 10)),
    (1938.1, "#,##0.00", month(1938, 10)),
    (1938.1, "0.0", month(1938, 1)),
    (1938.5, "0.00", month(1938, 5)),
    (1938.5, "General", month(1938, 5)),
    # Text in an xlsx cell is exactly what was typed.
    ("1938.1", "General", month(1938, 1)),
    ("1938.1", "@", month(1938, 1)),
    # Serial day numbers in a date-formatted cell.
    (14006, "yyyy-mm-dd", day(1938, 5, 6)),
    (14006.75, "yyyy/m/d h:mm", day(1938, 5, 6)),
    (14006, 'yyyy"年"m"月"d"日"', day(1938, 5, 6)),
    (14006, "[$-804]yyyy年m月d日", day(1938, 5, 6)),
    (14006, 'yyyy"年"m"月"', month(1938, 5)),
    (14006, "mmm-yy", month(1938, 5)),
    (14006, "yyyy", year(1938)),
    (1, "yyyy-mm-dd", day(1900, 1, 1)),
    (59, "yyyy-mm-dd", day(1900, 2, 28)),
    (61, "yyyy-mm-dd", day(1900, 3, 1)),
    (46348, "yyyy-mm-dd", day(2026, 11, 22)),
    # A date cell shows only what its format shows.
    (dt.datetime(1938, 5, 6), "yyyy-mm", month(1938, 5)),
    (dt.datetime(1938, 5, 6), "yyyy", year(1938)),
    (dt.datetime(1938, 5, 6), "General", day(1938, 5, 6)),
    (dt.date(1938, 5, 6), "yyyy-mm-dd", day(1938, 5, 6)),
])
def test_dates_with_their_excel_number_format(raw: object, number_format: str,
                                              expected: PartialDate) -> None:
    assert parse_date(raw, number_format=number_format, today=TODAY) == expected


INVALID = "不是有效日期"
UNREADABLE = "不是可识别的日期，请写成 1938-05-06、1938年5月6日、1938年5月 或 1938年 这样的格式"
AMBIGUOUS = ("分不清是1月还是10月（Excel 会把 1938.10 显示成 1938.1），"
             "请改写成 1938年1月 或 1938年10月（也可写 1938-01 或 1938-10）")
FUTURE = "晚于今天（2026年11月22日），请核对"


@pytest.mark.parametrize(("raw", "number_format", "message"), [
    ("1938.13", None, "“1938.13”不是有效日期：月份应在 1–12 之间"),
    ("1938-13-01", None, "“1938-13-01”不是有效日期：月份应在 1–12 之间"),
    ("1938年0月", None, "“1938年0月”不是有效日期：月份应在 1–12 之间"),
    ("193813", None, "“193813”不是有效日期：月份应在 1–12 之间"),
    (1938.13, None, "“1938.13”不是有效日期：月份应在 1–12 之间"),
    ("1938-02-30", None, "“1938-02-30”不是有效日期：1938年2月只有28天"),
    ("1940-02-30", None, "“1940-02-30”不是有效日期：1940年2月只有29天"),
    ("1938年4月31日", None, "“1938年4月31日”不是有效日期：1938年4月只有30天"),
    ("19380230", None, "“19380230”不是有效日期：1938年2月只有28天"),
    ("1938-05-00", None, "“1938-05-00”不是有效日期：日应从 1 开始"),
    ("1899-12-31", None, "“1899-12-31”早于 1900 年，请核对年份"),
    ("1899", None, "“1899”早于 1900 年，请核对年份"),
    (1899.5, None, "“1899.5”早于 1900 年，请核对年份"),
    (dt.date(1899, 5, 6), None, "“1899-05-06”早于 1900 年，请核对年份"),
    ("2026-11-23", None, f"“2026-11-23”{FUTURE}"),
    ("2026年12月", None, f"“2026年12月”{FUTURE}"),
    ("2027", None, f"“2027”{FUTURE}"),
    (dt.datetime(2030, 1, 1), None, f"“2030-01-01 00:00:00”{FUTURE}"),
    (46349, "yyyy-mm-dd", f"“46349”{FUTURE}"),
    (1938.1, None, f"“1938.1”{AMBIGUOUS}"),
    (1938.1, "General", f"“1938.1”{AMBIGUOUS}"),
    (1938.1, "0", f"“1938.1”{AMBIGUOUS}"),
    ("1938.1", None, f"“1938.1”{AMBIGUOUS}"),
    ("38.5.6", None, "“38.5.6”的年份只有两位，请写满四位，如 1938-05-06"),
    ("38年5月", None, "“38年5月”的年份只有两位，请写满四位，如 1938-05-06"),
    (38.5, None, "“38.5”的年份只有两位，请写满四位，如 1938-05-06"),
    ("一九三八年五月", None, f"“一九三八年五月”{UNREADABLE}"),
    ("5/6/1938", None, f"“5/6/1938”{UNREADABLE}"),
    ("1938-05/06", None, f"“1938-05/06”{UNREADABLE}"),
    ("不详", None, f"“不详”{UNREADABLE}"),
    ("193", None, f"“193”{UNREADABLE}"),
    (1938.123, None, f"“1938.123”{UNREADABLE}"),
    (14006, None, f"“14006”{UNREADABLE}"),
    (14006, "General", f"“14006”{UNREADABLE}"),
    (-1938, None, f"“-1938”{UNREADABLE}"),
    (float("inf"), None, f"“inf”{UNREADABLE}"),
    (True, None, "“True”不是日期，请写成 1938-05-06、1938年5月6日、1938年5月 或 1938年 这样的格式"),
    (0, "yyyy-mm-dd", "“0”不是有效日期：超出 1900–2100 年的范围"),
    (80000, "yyyy-mm-dd", "“80000”不是有效日期：超出 1900–2100 年的范围"),
    (60, "yyyy-mm-dd", "“60”不是有效日期：1900年2月只有28天"),
])
def test_dates_that_are_refused_with_the_reason(raw: object, number_format: str | None, message: str) -> None:
    with pytest.raises(FieldError) as caught:
        parse_date(raw, number_format=number_format, today=TODAY)
    assert str(caught.value) == message


def test_today_defaults_to_the_real_date() -> None:
    assert parse_date(dt.date.today().isoformat()) == PartialDate(dt.date.today(), "day")
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    with pytest.raises(FieldError, match="晚于今天"):
        parse_date(tomorrow)


def test_a_long_value_is_shortened_in_the_message() -> None:
    text = "出生于一九三八年五月六日清晨，" * 3
    with pytest.raises(FieldError) as caught:
        parse_date(text)
    assert str(caught.value) == f"“{text[:30]}…”{UNREADABLE}"


# ---------------------------------------------------------------------------------------------------
# Choices


@pytest.mark.parametrize(("raw", "expected"), [
    ("男", "男"), ("女", "女"), (" 男性 ", "男"), ("女性", "女"), ("M", "男"), ("f", "女"),
    ("Male", "男"), ("FEMALE", "女"), ("Ｍ", "男"),
])
def test_gender(raw: str, expected: str) -> None:
    assert parse_gender(raw) == expected


@pytest.mark.parametrize(("raw", "message"), [
    ("1", "“1”不能判断性别：请直接填“男”或“女”，不要用数字代码"),
    (2, "“2”不能判断性别：请直接填“男”或“女”，不要用数字代码"),
    (1.0, "“1”不能判断性别：请直接填“男”或“女”，不要用数字代码"),
    ("男女", "“男女”不能判断性别：请填“男”或“女”"),
    ("未知", "“未知”不能判断性别：请填“男”或“女”"),
])
def test_gender_refused(raw: object, message: str) -> None:
    with pytest.raises(FieldError) as caught:
        parse_gender(raw)
    assert str(caught.value) == message


@pytest.mark.parametrize(("raw", "expected"), [
    ("离休", "离休"), ("退休", "退休"), ("离休干部", "离休"), ("退休干部", "退休"),
    ("离休人员", "离休"), ("退休人员", "退休"), (" 退休职工 ", "退休"), ("离休老干部", "离休"),
])
def test_status(raw: str, expected: str) -> None:
    assert parse_status(raw) == expected


@pytest.mark.parametrize("raw", ["离退休", "退职", "在职", "是", 1])
def test_status_refused(raw: object) -> None:
    with pytest.raises(FieldError) as caught:
        parse_status(raw)
    assert str(caught.value) == f"“{raw}”应填“离休”或“退休”"


@pytest.mark.parametrize(("raw", "expected"), [
    ("是", True), ("否", False), ("有", True), ("无", False), ("没有", False), ("不是", False),
    ("Y", True), ("n", False), ("yes", True), ("No", False), ("√", True), ("×", False), ("✓", True),
    ("✔", True), ("x", False), ("X", False), ("True", True), ("false", False), ("1", True), ("0", False),
    (True, True), (False, False), (1, True), (0, False), (1.0, True), (0.0, False), (" 是 ", True),
])
def test_yes_no(raw: object, expected: bool) -> None:
    assert parse_yes_no(raw) is expected


@pytest.mark.parametrize("raw", ["也许", "2", 2, "低保", "是否"])
def test_yes_no_refused(raw: object) -> None:
    with pytest.raises(FieldError) as caught:
        parse_yes_no(raw)
    assert str(caught.value) == f"“{raw}”应填“是”或“否”"


@pytest.mark.parametrize(("raw", "expected"), [
    ("农历", True), ("阴历", True), ("旧历", True), ("按农历", True), ("是", True), ("√", True),
    ("公历", False), ("阳历", False), ("新历", False), ("否", False), ("无", False), (0, False),
])
def test_lunar_flag(raw: object, expected: bool) -> None:
    assert parse_lunar_flag(raw) is expected


@pytest.mark.parametrize("raw", ["五月初六", "都过", "1938-05-06"])
def test_lunar_flag_refused(raw: str) -> None:
    with pytest.raises(FieldError) as caught:
        parse_lunar_flag(raw)
    assert str(caught.value) == f"“{raw}”应填“农历”或“公历”（也可填“是”或“否”）"


@pytest.mark.parametrize(("raw", "expected"), [
    ("是", True), ("否", False), ("中共党员", True), ("党员", True), ("中共预备党员", True),
    ("预备党员", True), ("共产党员", True), ("群众", False), ("共青团员", False), ("无党派人士", False),
    ("民盟盟员", False), ("农工党党员", False), ("九三学社社员", False), ("民革党员", False),
    ("无", False), ("√", True),
])
def test_party_member(raw: str, expected: bool) -> None:
    assert parse_party_member(raw) is expected


@pytest.mark.parametrize("raw", ["入党积极分子", "不清楚"])
def test_party_member_refused(raw: str) -> None:
    with pytest.raises(FieldError) as caught:
        parse_party_member(raw)
    assert str(caught.value) == f"“{raw}”不能判断是否党员：请填“是”或“否”，或填政治面貌如“中共党员”“群众”"


@pytest.mark.parametrize(("raw", "expected"), [
    ("健康", "健康"), ("良好", "健康"), ("身体健康", "健康"), ("好", "健康"),
    ("一般", "一般"), ("基本健康", "一般"), ("尚可", "一般"),
    ("长年有病", "长年有病"), ("长期患病", "长年有病"), ("慢性病", "长年有病"), ("体弱多病", "长年有病"),
    ("不健康，但生活能自理", "长年有病"), ("常年有病", "长年有病"),
    ("生活不能自理", "生活不能自理"), ("不能自理", "生活不能自理"), ("失能", "生活不能自理"),
    ("卧床", "生活不能自理"), ("长期卧床", "生活不能自理"), ("半失能", "生活不能自理"),
    (" 一般。", "一般"),
])
def test_health(raw: str, expected: str) -> None:
    assert parse_health(raw) == expected


@pytest.mark.parametrize("raw", ["较差", "差", "高血压", "一般，有高血压", "1"])
def test_health_refused(raw: str) -> None:
    with pytest.raises(FieldError) as caught:
        parse_health(raw)
    assert str(caught.value) == (f"“{raw}”不是健康状况的规定写法："
                                 "请填 健康、一般、长年有病 或 生活不能自理 之一（具体病情可写在备注）")


# ---------------------------------------------------------------------------------------------------
# Phones and text


@pytest.mark.parametrize(("raw", "expected"), [
    ("13912345678", "13912345678"),
    ("139 1234 5678", "13912345678"),
    ("139-1234-5678", "13912345678"),
    ("１３９１２３４５６７８", "13912345678"),
    ("+86 139 1234 5678", "13912345678"),
    ("+8613912345678", "13912345678"),
    ("8613912345678", "13912345678"),
    ("008613912345678", "13912345678"),
    (13912345678, "13912345678"),
    (13912345678.0, "13912345678"),
    ("19912345678", "19912345678"),
    ("010-12345678", "010-12345678"),
    ("(010)12345678", "010-12345678"),
    ("（010）12345678", "010-12345678"),
    ("01012345678", "010-12345678"),
    ("021 6543 2109", "021-65432109"),
    ("0571-8765432", "0571-8765432"),
    ("0571-87654321", "0571-87654321"),
    ("057187654321", "0571-87654321"),
    ("8765432", "8765432"),
    ("87654321", "87654321"),
    (87654321, "87654321"),
    (87654321.0, "87654321"),
])
def test_phone(raw: object, expected: str) -> None:
    assert parse_phone(raw) == expected


SEVERAL = "像是填了多个号码：这一格只留一个号码，其余可写在备注"
NOT_DIGITS = "不是电话号码：只能有数字、空格、“-”和括号（分机号请写在备注）"
LOST_ZERO = "（若是带区号的座机，Excel 去掉了开头的 0：请把这一列设为文本格式后重填）"


@pytest.mark.parametrize(("raw", "message"), [
    ("1391234567", "“1391234567”不是有效的手机号：应为 11 位，现在是 10 位"),
    ("139123456789", "“139123456789”不是有效的手机号：应为 11 位，现在是 12 位"),
    ("12912345678", "“12912345678”不是有效的手机号：第二位应是 3–9"),
    (1012345678, f"“1012345678”不是有效的手机号：应为 11 位，现在是 10 位{LOST_ZERO}"),
    (12912345678.0, f"“12912345678”不是有效的手机号：第二位应是 3–9{LOST_ZERO}"),
    ("010-123456", "“010-123456”不是有效的座机号：区号 010 后应为 7 或 8 位，现在是 6 位"),
    ("0571-876543210", "“0571-876543210”不是有效的座机号：区号 0571 后应为 7 或 8 位，现在是 9 位"),
    ("010-02345678", "“010-02345678”不是有效的座机号：区号后的号码不应以 0 开头（区号是否写了两遍？）"),
    ("0571-0571876", "“0571-0571876”不是有效的座机号：区号后的号码不应以 0 开头（区号是否写了两遍？）"),
    ("123456", "“123456”不是有效的手机号：应为 11 位，现在是 6 位"),
    ("765432", "“765432”位数不对：手机号应为 11 位，不带区号的座机号应为 7 或 8 位，现在是 6 位"),
    ("13912345678/010-12345678", f"“13912345678/010-12345678”{SEVERAL}"),
    ("13912345678，13812345678", f"“13912345678，13812345678”{SEVERAL}"),
    ("13912345678或13812345678", f"“13912345678或13812345678”{SEVERAL}"),
    ("0571-87654321转8001", f"“0571-87654321转8001”{NOT_DIGITS}"),
    ("张三", f"“张三”{NOT_DIGITS}"),
    (1391234.5, "“1391234.5”不是电话号码"),
    (True, "“True”不是电话号码"),
])
def test_phone_refused(raw: object, message: str) -> None:
    with pytest.raises(FieldError) as caught:
        parse_phone(raw)
    assert str(caught.value) == message


@pytest.mark.parametrize(("raw", "expected"), [
    ("  市委组织部 ", "市委组织部"),
    ("\u3000老干部局\u3000", "老干部局"),
    ("无锡路12号", "无锡路12号"),
    ("无党派", "无党派"),
    ("-5", "-5"),
    ("N/A型", "N/A型"),
    (1001, "1001"),
    (1001.0, "1001"),
    (3.5, "3.5"),
    ("001", "001"),
    (dt.datetime(1938, 5, 6), "1938-05-06"),
])
def test_text_keeps_real_text(raw: object, expected: str) -> None:
    assert parse_text(raw) == expected


@pytest.mark.parametrize(("raw", "expected"), [
    ("王　芳", "王芳"), ("张  三", "张三"), (" 李 建 国 ", "李建国"), ("阿依古丽·买买提", "阿依古丽·买买提"),
    ("Li Ming", "Li Ming"),
])
def test_name_drops_spaces_typed_for_alignment(raw: str, expected: str) -> None:
    assert parse_name(raw) == expected


# ---------------------------------------------------------------------------------------------------
# One cell of a known column


def test_parse_cell_puts_the_column_title_before_the_reason() -> None:
    with pytest.raises(FieldError) as caught:
        parse_cell("birth_date", "1938.13")
    assert str(caught.value) == "出生日期“1938.13”不是有效日期：月份应在 1–12 之间"
    with pytest.raises(FieldError, match=r"^联系人电话“12345”"):
        parse_cell("contact1_phone", "12345")
    with pytest.raises(FieldError, match=r"^离休/退休“在职”应填"):
        parse_cell("status", "在职")


@pytest.mark.parametrize(("field", "raw", "expected"), [
    ("number", 1001.0, "1001"),
    ("name", "王　芳", "王芳"),
    ("gender", "女性", "女"),
    ("birth_date", "1938年5月", month(1938, 5)),
    ("lunar_birthday", "阴历", True),
    ("status", "离休干部", "离休"),
    ("work_start", "1956.9", month(1956, 9)),
    ("party_member", "中共党员", True),
    ("party_join_date", dt.datetime(1958, 7, 1), day(1958, 7, 1)),
    ("phone", "139 1234 5678", "13912345678"),
    ("health", "良好", "健康"),
    ("lives_alone", "√", True),
    ("hardship", "无", False),
    ("relocated", "否", False),
    ("relocated_to", "海南三亚", "海南三亚"),
    ("contact1_name", "李　明", "李明"),
    ("contact1_relation", "儿子", "儿子"),
    ("contact2_phone", "010-12345678", "010-12345678"),
    ("died_on", "无", None),
    ("notes", "  腿脚不便 ", "腿脚不便"),
])
def test_parse_cell_uses_the_column_s_parser(field: str, raw: object, expected: object) -> None:
    assert parse_cell(field, raw, today=TODAY) == expected


def test_parse_cell_passes_the_number_format_and_today_to_dates() -> None:
    assert parse_cell("birth_date", 1938.1, number_format="0.00", today=TODAY) == month(1938, 10)
    with pytest.raises(FieldError, match=r"^去世日期“2026-11-23”晚于今天"):
        parse_cell("died_on", "2026-11-23", today=TODAY)


def test_every_column_has_a_title_in_column_by_field() -> None:
    assert COLUMN_BY_FIELD["status"].title == "离休/退休"
    for column in COLUMNS:
        assert parse_cell(column.field, None) is None


def test_every_health_word_reads_as_one_of_the_recorded_states() -> None:
    from bot.models.roster import HEALTH_STATES
    from bot.roster.fields import _HEALTH

    assert set(_HEALTH.values()) == set(HEALTH_STATES)
