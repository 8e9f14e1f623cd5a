"""Normalising what retirees type or say, so 「１」「一」「1。」 and 「 菜单！」 all mean the same."""

from __future__ import annotations

import re
import unicodedata

_PUNCT = re.compile(r"[\s\.,!?;:、。，！？；：~～…“”\"'‘’()（）【】\[\]《》<>-]+")
_CHINESE_DIGITS = {"零": 0, "〇": 0, "一": 1, "幺": 1, "二": 2, "两": 2, "三": 3, "四": 4,
                   "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
_ORDINAL = re.compile(r"^(?:第|选|选择|回复|我选)?(\d+|[零〇一幺二两三四五六七八九十])(?:个|项|号|条)?$")


def normalize(text: str) -> str:
    """Full-width to half-width, lower case, punctuation and spaces removed."""
    return _PUNCT.sub("", unicodedata.normalize("NFKC", text)).lower()


def parse_choice(text: str) -> int | None:
    """The number a user picked (「2」「２」「二」「第二个」「选2」), or None if it is not a pick."""
    match = _ORDINAL.match(normalize(text))
    if not match:
        return None
    token = match.group(1)
    return int(token) if token.isdigit() else _CHINESE_DIGITS[token]


def digits(text: str) -> str:
    """Digits as typed or spoken: 「５６７８」「五六七八」「5 6 7 8」 all give "5678"."""
    plain = normalize(text)
    return "".join(str(_CHINESE_DIGITS[c]) if c in _CHINESE_DIGITS and c != "十" else c
                   for c in plain)
