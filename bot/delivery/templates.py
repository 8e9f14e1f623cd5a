"""Template messages as WeChat shows them since 2023: category templates (类目模板) whose fields
are typed by their names (thing1, time2, phrase3 …), each type with its own limit, and no
`first` or `remark` (no longer shown). Each kind of message maps to a template and says what
fills each field: `[delivery.templates.notice] id = "…", fields = {thing1 = "title", …}`.

The limits: https://developers.weixin.qq.com/doc/offiaccount/Message_Management/Template_Message_Interface.html
(类目模板消息参数值内容限制) and 《关于规范公众号模板消息的再次公告》 (2023: first and remark
dropped, an old template's values cut to 20 characters).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.clock import SHANGHAI
from bot.models.outbox import KIND_NAMES

# Characters each field type takes; None: a date or time WeChat reads as one, not cut.
LIMITS: dict[str, int | None] = {
    "thing": 20, "short_thing": 5, "character_string": 32, "number": 32, "letter": 32, "symbol": 5,
    "phrase": 5, "name": 10, "const": 20, "phone_number": 17, "car_number": 8, "amount": 11,
    "time": None, "date": None,
    "keyword": 20,  # an old-library template's keywordN: cut to 20 by WeChat since 2023
}
# What may fill a field: the message's parts, or a fixed text after "=" (a const field's value).
SOURCES = ("title", "summary", "date", "time", "kind")
# A template given by its id alone (written before category templates): an old-library one.
LEGACY_FIELDS = {"keyword1": "summary", "keyword2": "date"}
_TYPE = re.compile(r"^([a-z_]+?)\d*$")
# A family member's copy says whom it is for, on its own line under the heading (bot.notices
# writes it). In a template's 20-character summary that line would take half: there it
# shrinks to 「给孙兰：」.
FOR_FAMILY = "（给{name}同志的通知）"
_ADDRESSEE_LINE = re.compile(  # any name a roster holds (40 characters, brackets too), on one line
    "^" + re.escape(FOR_FAMILY).replace(re.escape("{name}"), r"(?P<name>[^\n]{1,40}?)") + r"\s*")
_LINK = re.compile(r"https?://[^\s，。）)]+")


def addressed(text: str, name: str) -> str:
    """A family member's copy of text: whom it is for, on its own line under the heading."""
    heading, _, rest = text.partition("\n") if text.startswith("【") else ("", "", text)
    return "\n".join(filter(None, [heading, FOR_FAMILY.format(name=name), rest]))


@dataclass(frozen=True)
class TemplateSpec:
    """One kind of message's template: its id, and what fills each of its fields."""

    id: str
    fields: dict[str, str] = field(default_factory=lambda: dict(LEGACY_FIELDS))
    page: str | None = None  # a subscribe message's page (the mini-program's, or a web address)
    long_term: bool = False  # a 订阅通知 template WeChat grants long-term (政务民生 accounts)


def spec_of(configured: str | Mapping[str, Any]) -> TemplateSpec:
    """A [delivery.templates] entry as a TemplateSpec: an id alone, or {id, fields}."""
    if isinstance(configured, str):
        return TemplateSpec(configured)
    return TemplateSpec(str(configured.get("id", "")), dict(configured.get("fields") or LEGACY_FIELDS),
                        configured.get("page"), bool(configured.get("long_term", False)))


def field_type(name: str) -> str:
    """A field's type by its name: thing12 → thing, character_string3 → character_string."""
    found = _TYPE.match(name)
    return found.group(1) if found else name


def render(spec: TemplateSpec, message: dict[str, Any], kind: str,
           now: datetime) -> dict[str, dict[str, str]]:
    """The template's data: each field filled from its source and cut to its type's limit with
    a readable ending (「…」), never cut mid-way by WeChat or refused for its length."""
    values = _values(message, kind, now)
    return {name: {"value": _cut(values.get(source, source[1:] if source.startswith("=") else ""),
                                 LIMITS.get(field_type(name)))}
            for name, source in spec.fields.items()}


def link_of(message: dict[str, Any]) -> str | None:
    """The address in a message's text (the study page), which a tap on the template opens."""
    found = _LINK.search(message["text"])
    return found.group(0) if found else None


def problems(templates: Mapping[str, Any], table: str = "delivery.templates") -> list[str]:
    """What is wrong with a template table, each in one sentence (for `content check`)."""
    found = []
    for kind, configured in templates.items():
        where = f"[{table}] {kind}"
        if kind not in KIND_NAMES:
            found.append(f"{where}：没有这种消息（可用：{'、'.join(KIND_NAMES)}）。")
        spec = spec_of(configured)
        if not spec.id:
            found.append(f"{where}：缺少模板 id。")
        for name, source in spec.fields.items():
            if field_type(name) not in LIMITS:
                found.append(f"{where}：字段 {name} 的类型不认识（应以 thing、time、phrase 等开头）。")
            if source not in SOURCES and not source.startswith("="):
                found.append(f"{where}：字段 {name} 填「{source}」看不懂"
                             f"（可填 {'、'.join(SOURCES)}，或 =固定文字）。")
            elif field_type(name) in ("time", "date") and source not in ("time", "date"):
                found.append(f"{where}：字段 {name} 是日期时间，只能填 time 或 date。")
            elif source.startswith("=") and len(source) - 1 > (LIMITS.get(field_type(name)) or 999):
                found.append(f"{where}：字段 {name} 的固定文字超过 {LIMITS[field_type(name)]} 个字。")
    return found


def _values(message: dict[str, Any], kind: str, now: datetime) -> dict[str, str]:
    text = _LINK.sub("", message["text"]).strip()
    title = message.get("title")
    if title and text.startswith(f"【{title}】"):  # a notice's heading: the title field says it
        text = text[len(title) + 2:].strip()
    if addressee := _ADDRESSEE_LINE.match(text):
        text = f"给{addressee['name']}：{text[addressee.end():]}"
    local = now.astimezone(SHANGHAI)
    day = f"{local.year}年{local.month}月{local.day}日"
    return {"title": message.get("title") or KIND_NAMES.get(kind, "通知"), "summary": " ".join(text.split()),
            "date": day, "time": f"{day} {local:%H:%M}", "kind": KIND_NAMES.get(kind, "")}


def _cut(value: str, limit: int | None) -> str:
    if limit is None or len(value) <= limit:
        return value
    return value[:limit - 1] + "…"
