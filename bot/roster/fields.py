"""Reading the retiree roster: which spreadsheet column is which, and what a hand-typed cell means.

Offices keep their rosters in their own spreadsheets, so headers vary and values are typed by hand.
Everything here works on plain Python values (str, int, float, date), so xlsx and csv imports share
the same rules. Errors are Chinese sentences that can be shown to staff as they are.
"""

from __future__ import annotations

import calendar
import datetime
import math
import re
import unicodedata
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass

from bot.models.roster import HEALTH_STATES


class FieldError(ValueError):
    """A cell value that cannot be read; str() is the Chinese reason."""


# ---------------------------------------------------------------------------------------------------
# Columns and headers


@dataclass(frozen=True)
class Column:
    """One known roster column: its field, its header when exporting, and the headers accepted."""

    field: str
    title: str
    aliases: tuple[str, ...]
    required: bool = False


# In export order. 「序号」 is deliberately not an alias of 编号: in most sheets it only counts rows.
COLUMNS: tuple[Column, ...] = (
    Column("number", "编号", ("人员编号", "工号")),
    Column("name", "姓名", ("名字",), required=True),
    Column("gender", "性别", ()),
    Column("birth_date", "出生日期", ("出生年月", "出生年月日", "生日", "出生时间"), required=True),
    Column("lunar_birthday", "过农历生日",
           ("农历生日", "生日类型", "按农历过生日", "是否过农历生日", "是否农历生日")),
    Column("status", "离休/退休",
           ("离退休", "离/退休", "离退休类别", "离退休类型", "类别", "人员类别"), required=True),
    Column("work_start", "参加工作时间",
           ("参加革命工作时间", "参加工作（革命）时间", "工作时间", "参加工作日期", "参工时间")),
    Column("former_unit", "原单位", ("原工作单位", "退休前单位", "离退休前单位", "单位", "工作单位")),
    Column("rank", "职级", ("职务级别", "待遇级别", "职级待遇", "享受待遇", "原职级", "职务职级")),
    Column("party_member", "党员", ("是否党员", "政治面貌")),
    Column("party_join_date", "入党时间", ("入党日期", "入党年月")),
    Column("branch", "党支部", ("所在支部", "支部", "所在党支部")),
    Column("class_name", "老年大学班级", ("班级", "老年大学")),
    Column("area", "居住片区", ("片区", "所属片区", "居住区域", "所在社区", "社区")),
    Column("address", "现住址",
           ("住址", "家庭住址", "家庭地址", "居住地址", "现居住地址", "现居地址", "地址")),
    Column("phone", "联系电话",
           ("电话", "手机", "手机号", "手机号码", "电话号码", "本人电话", "本人手机", "联系方式")),
    Column("health", "健康状况", ("身体状况", "健康情况", "身体情况")),
    Column("lives_alone", "独居", ("是否独居",)),
    Column("hardship", "生活困难", ("是否困难", "是否生活困难", "困难情况")),
    Column("relocated", "异地安置", ("是否异地安置", "易地安置", "是否易地安置")),
    Column("relocated_to", "安置地",
           ("异地安置地", "易地安置地", "居住地（异地）", "安置地点", "异地安置地点")),
    Column("contact1_name", "紧急联系人", ("紧急联系人1", "联系人", "联系人1")),
    Column("contact1_relation", "联系人关系",
           ("紧急联系人关系", "紧急联系人1关系", "联系人1关系", "关系", "与本人关系")),
    Column("contact1_phone", "联系人电话",
           ("紧急联系人电话", "紧急联系人1电话", "联系人1电话", "紧急联系电话")),
    Column("contact2_name", "紧急联系人2", ("联系人2",)),
    Column("contact2_relation", "联系人2关系", ("紧急联系人2关系",)),
    Column("contact2_phone", "联系人2电话", ("紧急联系人2电话",)),
    Column("died_on", "去世日期", ("逝世日期", "死亡日期", "去世时间", "逝世时间")),
    Column("notes", "备注", ("说明",)),
)
COLUMN_BY_FIELD: dict[str, Column] = {column.field: column for column in COLUMNS}

# Staff mark required columns with * and sometimes end a header with a colon.
_HEADER_NOISE = re.compile(r"[\s*:]+")
# A note in brackets, e.g. 「出生日期（公历）」「电话(手机)」; an unclosed bracket runs to the end.
_HEADER_NOTE = re.compile(r"[(\[【].*?(?:[)\]】]|$)")


def _header_key(text: str) -> str:
    """NFKC, no spaces or * or colons, case-folded; bracketed notes kept."""
    return _HEADER_NOISE.sub("", unicodedata.normalize("NFKC", text)).casefold()


def normalize_header(text: str) -> str:
    """A header without spaces (full-width too), * marks or bracketed notes, NFKC, case-folded."""
    return _HEADER_NOTE.sub("", _header_key(text))


def _build_header_index() -> tuple[dict[str, str], dict[str, str]]:
    """Exact keys (notes kept) and loose keys (notes dropped) of every title and alias -> field."""
    exact: dict[str, str] = {}
    loose: dict[str, str] = {}
    for column in COLUMNS:
        for header in (column.title, *column.aliases):
            exact[_header_key(header)] = column.field
            # An alias whose note is what tells it apart (「居住地（异地）」) must not match
            # 「居住地」 once the note is dropped, so only note-free aliases get a loose key.
            if normalize_header(header) == _header_key(header):
                loose[normalize_header(header)] = column.field
    return exact, loose


_EXACT_HEADERS, _LOOSE_HEADERS = _build_header_index()


def field_for_header(header: object) -> str | None:
    """The field a header names, or None for an empty or unknown header."""
    if header is None:
        return None
    text = str(header)
    return _EXACT_HEADERS.get(_header_key(text)) or _LOOSE_HEADERS.get(normalize_header(text))


def _show_header(index: int, header: object) -> str:
    return f"第{index + 1}列“{str(header).strip()}”"


def match_headers(headers: Sequence[str | None]) -> tuple[dict[int, str], list[str]]:
    """Map column index (0-based) -> field for a header row, and list the problems in Chinese.

    Problems are a required column missing or two columns meaning the same field; any problem
    means the sheet should not be imported. Of duplicated columns the mapping keeps the first.
    Unknown headers are not problems: they are ignored here and listed by unknown_headers().
    A sheet with 编号 needs no other column: it corrects the people it numbers (see
    missing_required), as a clerk's 「编号、联系电话」 sheet does.
    """
    found: dict[str, list[int]] = {}
    for index, header in enumerate(headers):
        field = field_for_header(header)
        if field is not None:
            found.setdefault(field, []).append(index)

    errors: list[str] = []
    for column in COLUMNS:
        indices = found.get(column.field, [])
        if len(indices) > 1:
            named = [_show_header(i, headers[i]) for i in indices]
            both = "、".join(named[:-1]) + "和" + named[-1]
            errors.append(f"{both}都表示“{column.title}”，请只保留其中一列")
    if "number" not in found:
        errors += missing_required(found)
    elif set(found) == {"number"}:
        errors.append("只有“编号”一列：请在编号旁边加上要更正的列，比如“联系电话”")
    mapping = {indices[0]: field for field, indices in found.items()}
    return dict(sorted(mapping.items())), errors


def missing_required(fields: Collection[str]) -> list[str]:
    """A problem for each required column a sheet's fields lack; a sheet lacking any only
    corrects people on file by 编号 (a correction sheet)."""
    missing = [c for c in COLUMNS if c.required and c.field not in fields]
    return [f"缺少必填列“{c.title}”" + (f"（表头也可以写作：{'、'.join(c.aliases)}）" if c.aliases else "")
            for c in missing]


def unknown_headers(headers: Sequence[str | None]) -> list[str]:
    """The non-empty headers that name no known column, as written, in sheet order."""
    return [str(h).strip() for h in headers
            if h is not None and str(h).strip() and field_for_header(h) is None]


# ---------------------------------------------------------------------------------------------------
# Shared helpers for cell values

# What staff type to leave a cell empty on purpose. Exact matches only, so real text stays text.
_PLACEHOLDERS = frozenset({"", "-", "--", "/", "\\", "—", "——", "–", "无", "暂无", "空",
                           "null", "none", "n/a", "nan"})


def _token(raw: object) -> str:
    """A cell as a lookup key: NFKC, no whitespace, case-folded."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(raw))).casefold()


def _is_blank(raw: object) -> bool:
    if raw is None:
        return True
    if isinstance(raw, float):
        return math.isnan(raw)  # pandas and some csv readers give NaN for an empty cell
    return isinstance(raw, str) and _token(raw) in _PLACEHOLDERS


def _show(raw: object) -> str:
    """The value as staff would recognise it in their sheet, for error messages."""
    if isinstance(raw, float) and raw.is_integer():
        text = str(int(raw))
    elif isinstance(raw, datetime.datetime):
        text = raw.isoformat(sep=" ")
    elif isinstance(raw, datetime.date):
        text = raw.isoformat()
    else:
        text = str(raw).strip()
    return text if len(text) <= 30 else text[:30] + "…"


def _fail(raw: object, reason: str) -> FieldError:
    # Every reason starts with the quoted value, so parse_cell can put the column title in front.
    return FieldError(f"“{_show(raw)}”{reason}")


# ---------------------------------------------------------------------------------------------------
# Dates


@dataclass(frozen=True)
class PartialDate:
    """A date known to the day, the month or only the year; unknown parts are 1."""

    value: datetime.date
    precision: str  # "day" | "month" | "year"


_EARLIEST_YEAR = 1900
# The Excel 1900 date system; serial 60 is the 1900-02-29 that never was (kept for Lotus 1-2-3).
_EXCEL_EPOCH = datetime.date(1899, 12, 30)
_MAX_SERIAL = (datetime.date(2100, 12, 31) - _EXCEL_EPOCH).days
_CHINESE_DATE = re.compile(r"(\d+)年(?:(\d{1,2})月(?:(\d{1,2})[日号]?)?)?")
_SEPARATED_DATE = re.compile(r"(\d+)([-/.])(\d{1,2})(?:\2(\d{1,2}))?")
# A csv export of a date cell may carry a time, e.g. 「1938-05-06 00:00:00」.
_TIME_SUFFIX = re.compile(r"(?:\s+|T)\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?$")
_DATE_HINT = "请写成 1938-05-06、1938年5月6日、1938年5月 或 1938年 这样的格式"


def _clean_format(number_format: str | None) -> str:
    """The first section of an Excel number format without literals, locales and colours."""
    if not number_format:
        return ""
    text = re.sub(r'"[^"]*"|\[[^\]]*\]|\\.|_.|\*.', "", number_format)
    return text.split(";")[0].lower()


def _format_precision(number_format: str | None) -> str | None:
    """How much of a date an Excel format shows, or None if it is not a date format."""
    cleaned = _clean_format(number_format)
    if "d" in cleaned:
        return "day"
    if "m" in cleaned:
        return "month"
    return "year" if "y" in cleaned else None


def _format_decimals(number_format: str | None) -> int | None:
    """How many decimals an Excel number format shows; None for General or no format."""
    cleaned = _clean_format(number_format)
    if not re.search(r"[0#?]", cleaned):
        return None
    match = re.search(r"\.([0#?]+)", cleaned)
    return len(match.group(1)) if match else 0


def _truncate(value: datetime.date, precision: str) -> PartialDate:
    if precision == "year":
        return PartialDate(value.replace(month=1, day=1), "year")
    if precision == "month":
        return PartialDate(value.replace(day=1), "month")
    return PartialDate(value, "day")


def _make_date(raw: object, year: int, month: int | None, day: int | None) -> PartialDate:
    """A PartialDate from typed parts, or the reason they are not a date."""
    if year < _EARLIEST_YEAR:
        raise _fail(raw, f"早于 {_EARLIEST_YEAR} 年，请核对年份")
    if month is None:
        return PartialDate(datetime.date(year, 1, 1), "year")
    if not 1 <= month <= 12:
        raise _fail(raw, "不是有效日期：月份应在 1–12 之间")
    if day is None:
        return PartialDate(datetime.date(year, month, 1), "month")
    last = calendar.monthrange(year, month)[1]
    if day < 1:
        raise _fail(raw, "不是有效日期：日应从 1 开始")
    if day > last:
        raise _fail(raw, f"不是有效日期：{year}年{month}月只有{last}天")
    return PartialDate(datetime.date(year, month, day), "day")


def _year_or_fail(raw: object, digits: str) -> int:
    if len(digits) == 2:
        # 「38.5」 could be 1938 or 2038; guessing a century would silently file a wrong birthday.
        raise _fail(raw, "的年份只有两位，请写满四位，如 1938-05-06")
    if len(digits) != 4:
        raise _fail(raw, f"不是可识别的日期，{_DATE_HINT}")
    return int(digits)


def _date_from_digits(raw: object, digits: str) -> PartialDate:
    """1938 (year), 193805 (month), 19380506 (day)."""
    if len(digits) == 6:
        return _make_date(raw, int(digits[:4]), int(digits[4:]), None)
    if len(digits) == 8:
        return _make_date(raw, int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    return _make_date(raw, _year_or_fail(raw, digits), None, None)


def _ambiguous_month(raw: object) -> FieldError:
    year = _show(raw).split(".")[0]
    return _fail(raw, f"分不清是1月还是10月（Excel 会把 {year}.10 显示成 {year}.1），"
                      f"请改写成 {year}年1月 或 {year}年10月（也可写 {year}-01 或 {year}-10）")


def _date_from_serial(raw: float, number_format: str | None) -> PartialDate:
    """An Excel serial day number in a cell formatted as a date."""
    serial = math.floor(raw)  # the fraction is the time of day
    if not 1 <= serial <= _MAX_SERIAL:
        raise _fail(raw, "不是有效日期：超出 1900–2100 年的范围")
    if serial == 60:
        raise _fail(raw, "不是有效日期：1900年2月只有28天")
    # Before the phantom 1900-02-29 Excel's count is one day ahead of the real calendar.
    value = _EXCEL_EPOCH + datetime.timedelta(days=serial if serial > 60 else serial + 1)
    return _truncate(value, _format_precision(number_format) or "day")


def _date_from_number(raw: float, number_format: str | None) -> PartialDate:
    """An xlsx number: a serial day in a date format, else digits as typed (1938, 1938.5, 19380506)."""
    if not math.isfinite(raw):
        raise _fail(raw, f"不是可识别的日期，{_DATE_HINT}")
    if _format_precision(number_format) is not None:
        return _date_from_serial(raw, number_format)
    if float(raw).is_integer():
        return _date_from_digits(raw, str(int(raw)) if raw > 0 else "")
    # The shortest repr is what Excel stored, i.e. what staff typed minus trailing zeros.
    whole, _, fraction = repr(float(raw)).partition(".")
    if not whole.isdigit() or not fraction.isdigit() or len(fraction) > 2:
        raise _fail(raw, f"不是可识别的日期，{_DATE_HINT}")
    year = _year_or_fail(raw, whole)
    if fraction == "1":
        # 1938.10 is stored as 1938.1; only the decimals the cell showed tell October from January.
        decimals = _format_decimals(number_format)
        if decimals == 2:
            return _make_date(raw, year, 10, None)
        if decimals == 1:
            return _make_date(raw, year, 1, None)
        raise _ambiguous_month(raw)
    return _make_date(raw, year, int(fraction), None)


def _date_from_text(raw: object, number_format: str | None) -> PartialDate:
    """Typed text: 1938-05-06, 1938/5/6, 1938.5.6, 1938年5月6日, 1938.5, 19380506 …"""
    text = _TIME_SUFFIX.sub("", unicodedata.normalize("NFKC", str(raw)).strip())
    text = re.sub(r"\s+", "", text)
    if match := _CHINESE_DATE.fullmatch(text):
        year, month, day = match.group(1), match.group(2), match.group(3)
    elif match := _SEPARATED_DATE.fullmatch(text):
        year, separator, month, day = match.groups()
        # Excel's csv export writes a General-format 1938.10 as 「1938.1」; text in an xlsx cell
        # (number_format given) is exactly what was typed, so there 「1938.1」 is January.
        if separator == "." and month == "1" and day is None and number_format is None:
            raise _ambiguous_month(raw)
    elif text.isdigit():
        return _date_from_digits(raw, text)
    else:
        raise _fail(raw, f"不是可识别的日期，{_DATE_HINT}")
    return _make_date(raw, _year_or_fail(raw, year),
                      int(month) if month else None, int(day) if day else None)


_KNOWN_PARTS = {"year": 1, "month": 2, "day": 3}


def surely_before(first: PartialDate, second: PartialDate) -> bool:
    """Whether first is before second by the parts both know: 「1938年」 is not before 1938-05-06."""
    known = min(_KNOWN_PARTS[first.precision], _KNOWN_PARTS[second.precision])
    return (first.value.timetuple()[:known]) < (second.value.timetuple()[:known])


def date_text(value: datetime.date, precision: str) -> str:
    """A date as far as it is known: 1938, 1938-05 or 1938-05-01."""
    if precision == "year":
        return f"{value.year}"
    if precision == "month":
        return f"{value.year}-{value.month:02d}"
    return value.isoformat()


def _is_future(date: PartialDate, today: datetime.date) -> bool:
    # Compare only what is known: 「2026年」 is not in the future on 2026-11-22.
    return surely_before(PartialDate(today, "day"), date)


def parse_date(raw: object, *, number_format: str | None = None,
               today: datetime.date | None = None) -> PartialDate | None:
    """A date cell as a PartialDate; number_format is the xlsx cell's format (None for csv)."""
    if _is_blank(raw):
        return None
    today = today or datetime.date.today()
    if isinstance(raw, bool):
        raise _fail(raw, f"不是日期，{_DATE_HINT}")
    if isinstance(raw, datetime.datetime):
        result = _truncate(raw.date(), _format_precision(number_format) or "day")
    elif isinstance(raw, datetime.date):
        result = _truncate(raw, _format_precision(number_format) or "day")
    elif isinstance(raw, int | float):
        result = _date_from_number(raw, number_format)
    else:
        result = _date_from_text(raw, number_format)
    if result.value.year < _EARLIEST_YEAR:
        raise _fail(raw, f"早于 {_EARLIEST_YEAR} 年，请核对年份")
    if _is_future(result, today):
        raise _fail(raw, f"晚于今天（{today.year}年{today.month}月{today.day}日），请核对")
    return result


# ---------------------------------------------------------------------------------------------------
# Choices


def _lookup(raw: object, table: dict[str, object]) -> object | None:
    return table.get(re.sub(r"[，,、。.;；()（）]", "", _token(raw)))


def _one_of(raw: object, table: dict[str, object], reason: str) -> str | None:
    """The table's word for raw; None for an empty cell; FieldError(reason) for anything else."""
    if _is_blank(raw):
        return None
    found = _lookup(raw, table)
    if isinstance(found, str):
        return found
    raise _fail(raw, reason)


_GENDERS: dict[str, object] = {"男": "男", "男性": "男", "m": "男", "male": "男",
                               "女": "女", "女性": "女", "f": "女", "female": "女"}


def parse_gender(raw: object) -> str | None:
    """「男」 or 「女」; accepts 男性/女性 and M/F, but no numeric codes."""
    # GB/T 2261 codes (1 男, 2 女) are not universal; a wrong guess would be silent.
    coded = not _is_blank(raw) and _token(raw).replace(".0", "").isdigit()
    return _one_of(raw, _GENDERS, "不能判断性别：请直接填“男”或“女”，不要用数字代码" if coded
                   else "不能判断性别：请填“男”或“女”")


_STATUSES: dict[str, object] = {
    f"{kind}{suffix}": kind
    for kind in ("离休", "退休")
    for suffix in ("", "干部", "老干部", "人员", "职工")
}


def parse_status(raw: object) -> str | None:
    """「离休」 or 「退休」; accepts 离休干部, 退休人员 and the like."""
    return _one_of(raw, _STATUSES, "应填“离休”或“退休”")


_YES_NO: dict[str, object] = {
    **dict.fromkeys(("是", "是的", "有", "y", "yes", "√", "✓", "✔", "true", "1", "对"), True),
    # Staff who cannot type × often type x; 「无」 here means “no”, not an empty cell.
    **dict.fromkeys(("否", "不是", "无", "没有", "非", "n", "no", "×", "✗", "✘", "x", "false", "0"),
                    False),
}


def _yes_no(raw: object) -> bool | None:
    """True/False if raw is a yes/no answer, None if it is not one."""
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, int | float) and raw in (0, 1):
        return bool(raw)
    found = _lookup(raw, _YES_NO)
    return found if isinstance(found, bool) else None


def parse_yes_no(raw: object) -> bool | None:
    """是/否, 有/无, Y/N, √/×, True/False, 1/0 as a bool; an empty cell is None."""
    answer = _yes_no(raw)
    if answer is not None or _is_blank(raw):
        return answer
    raise _fail(raw, "应填“是”或“否”")


_LUNAR: dict[str, object] = {
    **dict.fromkeys(("农历", "阴历", "旧历", "过农历", "按农历", "农历生日"), True),
    **dict.fromkeys(("公历", "阳历", "新历", "过公历", "按公历", "公历生日", "阳历生日"), False),
}


def parse_lunar_flag(raw: object) -> bool | None:
    """Whether the birthday is kept by the lunar calendar: 农历/阴历/是 True, 公历/阳历/否 False."""
    found = _lookup(raw, _LUNAR) if not _is_blank(raw) else None
    if isinstance(found, bool):
        return found
    answer = _yes_no(raw)
    if answer is not None or _is_blank(raw):
        return answer
    raise _fail(raw, "应填“农历”或“公历”（也可填“是”或“否”）")


_PARTY_MEMBER = frozenset({"党员", "中共党员", "共产党员", "中国共产党党员", "预备党员", "中共预备党员"})
_NOT_PARTY = frozenset({"群众", "共青团员", "团员", "无党派", "无党派人士", "无党派民主人士", "民主党派"})
# Members of the eight democratic parties are not CPC members, though 「农工党党员」 ends in 党员.
_DEMOCRATIC_PARTIES = ("民革", "国民党革命委员会", "民盟", "民主同盟", "民建", "民主建国会", "民进",
                       "民主促进会", "农工", "致公", "九三", "台盟", "台湾民主自治同盟")


def parse_party_member(raw: object) -> bool | None:
    """CPC membership from a 是/否 column or from 政治面貌 (中共党员 True; 群众, 民盟盟员 False)."""
    if _is_blank(raw) and _yes_no(raw) is None:
        return None
    token = _token(raw)
    if token in _PARTY_MEMBER:
        return True
    if token in _NOT_PARTY or any(name in token for name in _DEMOCRATIC_PARTIES):
        return False
    answer = _yes_no(raw)
    if answer is not None:
        return answer
    raise _fail(raw, "不能判断是否党员：请填“是”或“否”，或填政治面貌如“中共党员”“群众”")


# The four states line up with the census's 健康 / 基本健康 / 不健康但生活能自理 / 生活不能自理,
# so the census wording is accepted too. 「较差」 is not mapped: it could be 一般 or 长年有病.
_HEALTH: dict[str, object] = {
    **dict.fromkeys(("健康", "身体健康", "良好", "健康良好", "身体良好", "好", "良", "较好", "很好",
                     "正常", "硬朗"), "健康"),
    **dict.fromkeys(("一般", "基本健康", "尚可", "还可以", "还行", "中", "中等"), "一般"),
    **dict.fromkeys(("长年有病", "常年有病", "长年患病", "常年患病", "长期患病", "长期有病", "慢性病",
                     "患慢性病", "有慢性病", "体弱多病", "多病", "有病", "患病", "不健康",
                     "不健康但生活能自理", "不健康但能自理"), "长年有病"),
    **dict.fromkeys(("生活不能自理", "不能自理", "无法自理", "生活无法自理", "失能", "完全失能",
                     "半失能", "部分失能", "半自理", "卧床", "长期卧床", "瘫痪", "瘫痪在床", "失智"),
                    "生活不能自理"),
}


def parse_health(raw: object) -> str | None:
    """One of HEALTH_STATES (健康 / 一般 / 长年有病 / 生活不能自理), from those words or variants."""
    listed = "、".join(HEALTH_STATES[:-1]) + " 或 " + HEALTH_STATES[-1]
    return _one_of(raw, _HEALTH, f"不是健康状况的规定写法：请填 {listed} 之一（具体病情可写在备注）")


# ---------------------------------------------------------------------------------------------------
# Phone numbers and text

_PHONE_SEPARATORS = re.compile(r"[\s\-—–()]")
_SEVERAL_NUMBERS = re.compile(r"[/、,，;；|]|或")


def _landline(raw: object, digits: str) -> str:
    # Area codes are 010 and 02x (three digits) or four digits; a local number never starts with 0.
    area_length = 3 if digits.startswith(("01", "02")) else 4
    area, local = digits[:area_length], digits[area_length:]
    if len(local) not in (7, 8):
        raise _fail(raw, f"不是有效的座机号：区号 {area} 后应为 7 或 8 位，现在是 {len(local)} 位")
    if local[0] == "0":
        raise _fail(raw, "不是有效的座机号：区号后的号码不应以 0 开头（区号是否写了两遍？）")
    return f"{area}-{local}"


def _mobile(raw: object, digits: str) -> str:
    # Excel drops the leading 0 of a landline typed as a number, and it then looks like a mobile.
    lost_zero = ("（若是带区号的座机，Excel 去掉了开头的 0：请把这一列设为文本格式后重填）"
                 if isinstance(raw, int | float) else "")
    if len(digits) != 11:
        raise _fail(raw, f"不是有效的手机号：应为 11 位，现在是 {len(digits)} 位{lost_zero}")
    if digits[1] not in "3456789":
        raise _fail(raw, f"不是有效的手机号：第二位应是 3–9{lost_zero}")
    return digits


def parse_phone(raw: object) -> str | None:
    """A mobile as 11 digits, a landline as 010-12345678 (or 8765432 without area code)."""
    if _is_blank(raw):
        return None
    if isinstance(raw, bool) or (isinstance(raw, float) and not raw.is_integer()):
        raise _fail(raw, "不是电话号码")
    text = str(int(raw)) if isinstance(raw, float) else unicodedata.normalize("NFKC", str(raw)).strip()
    if _SEVERAL_NUMBERS.search(text):
        raise _fail(raw, "像是填了多个号码：这一格只留一个号码，其余可写在备注")
    digits = _PHONE_SEPARATORS.sub("", text)
    # A country code in front of a mobile: +86, 0086, or 86 when 13 digits are left.
    for prefix in ("+86", "0086", "86"):
        if digits.startswith(prefix) and len(digits) == len(prefix) + 11:
            digits = digits[len(prefix):]
            break
    if not digits.isdigit():
        raise _fail(raw, "不是电话号码：只能有数字、空格、“-”和括号（分机号请写在备注）")
    if digits.startswith("1"):
        return _mobile(raw, digits)
    if digits.startswith("0"):
        return _landline(raw, digits)
    if len(digits) not in (7, 8):
        raise _fail(raw, f"位数不对：手机号应为 11 位，不带区号的座机号应为 7 或 8 位，"
                         f"现在是 {len(digits)} 位")
    return digits


def parse_text(raw: object) -> str | None:
    """The cell as stripped text; an empty cell or a placeholder (无, -, /) is None."""
    if _is_blank(raw):
        return None
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))  # numbers such as 编号 come back from xlsx as 1001.0
    if isinstance(raw, datetime.datetime) and raw.time() == datetime.time():
        return raw.date().isoformat()
    return str(raw).strip()


_BETWEEN_HAN = re.compile(r"(?<=[\u3400-\u9fff])\s+(?=[\u3400-\u9fff])")


def parse_name(raw: object) -> str | None:
    """A person's name; spaces typed to line up two-character names (「王　芳」) are removed."""
    text = parse_text(raw)
    return _BETWEEN_HAN.sub("", text) if text else None


# ---------------------------------------------------------------------------------------------------
# One cell of a known column

DATE_FIELDS = frozenset({"birth_date", "work_start", "party_join_date", "died_on"})
YES_NO_FIELDS = frozenset({"lunar_birthday", "party_member", "lives_alone", "hardship", "relocated"})
_PARSERS: dict[str, Callable[[object], object]] = {
    "name": parse_name,
    "gender": parse_gender,
    "lunar_birthday": parse_lunar_flag,
    "status": parse_status,
    "party_member": parse_party_member,
    "phone": parse_phone,
    "health": parse_health,
    "lives_alone": parse_yes_no,
    "hardship": parse_yes_no,
    "relocated": parse_yes_no,
    "contact1_name": parse_name,
    "contact1_phone": parse_phone,
    "contact2_name": parse_name,
    "contact2_phone": parse_phone,
}


def parse_value(field: str, raw: object, *, number_format: str | None = None,
                today: datetime.date | None = None) -> object:
    """One cell of a known column; a FieldError starts with the value, e.g. 「“1938.13”…」."""
    if field in DATE_FIELDS:
        return parse_date(raw, number_format=number_format, today=today)
    return _PARSERS.get(field, parse_text)(raw)


def parse_cell(field: str, raw: object, *, number_format: str | None = None,
               today: datetime.date | None = None) -> object:
    """One cell of a known column; a FieldError starts with the column, e.g. 「出生日期“1938.13”…」."""
    try:
        return parse_value(field, raw, number_format=number_format, today=today)
    except FieldError as error:
        raise FieldError(f"{COLUMN_BY_FIELD[field].title}{error}") from error
