"""The office's own details, as the placeholders every text in content/ may use."""

from __future__ import annotations

import string
from dataclasses import fields

from bot.config import OfficeSettings, Settings

CONTACT_LABELS = (("地址", "address"), ("电话", "phone"), ("办公时间", "hours"))
CONTACT_KEYS = ("name", "address", "phone", "hours")  # used in texts as {office_name} …


def office_values(settings: Settings) -> dict[str, str]:
    """Every placeholder name and its text; a value the office left empty says whom to ask."""
    office = settings.office
    ask_us = _ask_us(office)
    values = {_placeholder(f.name): getattr(office, f.name).strip() or ask_us
              for f in fields(OfficeSettings)}
    values.update(office_name=office.name, office_phone=office.phone or "（请到服务窗口咨询）",
                  office_lines=_contact_lines(office), study_day=str(settings.study.day))
    return values


def placeholder_problems(text: str, known: dict[str, str]) -> list[str]:
    """What is wrong with the {placeholders} of an answer: unpaired braces, unknown names."""
    try:
        fields = [(name, spec, conversion) for _, name, spec, conversion in string.Formatter().parse(text)
                  if name is not None]
    except ValueError:
        return ["回答里的花括号 { } 没有配对。"]
    # Only bare {name}: a format spec such as {office_phone:>2000000000} would build any string.
    shaped = [f"回答里的 {{{n}}} 后面不能带格式（只写 {{{n.split(':')[0]}}}）。"
              for n, spec, conversion in fields if spec or conversion]
    usable = "、".join(f"{{{name}}}" for name in sorted(known))  # what a clerk can write instead
    return shaped + [f"回答里的 {{{n}}} 不是可用的办公室信息。能用的有：{usable}。"
                     for n, _, _ in fields if n not in known]


def unfilled(settings: Settings) -> list[str]:
    """The [office] keys still empty in config.toml, for staff to fill in."""
    return [f.name for f in fields(OfficeSettings) if not str(getattr(settings.office, f.name)).strip()]


def _placeholder(key: str) -> str:
    return f"office_{key}" if key in CONTACT_KEYS else key


def _ask_us(office: OfficeSettings) -> str:
    # Never a blank in a retiree's answer: point to the phone (or the window) instead.
    return f"（具体请打电话问我们：{office.phone}）" if office.phone else "（具体请到服务窗口问我们）"


def _contact_lines(office: OfficeSettings) -> str:
    lines = [f"{label}：{getattr(office, key)}" for label, key in CONTACT_LABELS if getattr(office, key)]
    # A detail the office has not filled in is left out, not guessed.
    return "\n".join(lines) or "（联系方式请到服务窗口咨询）"
