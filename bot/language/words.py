"""Normalising what retirees type or say, so 「１」「一」「1。」 and 「 菜单！」 all mean the same."""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterator

from opencc import OpenCC
from pypinyin import lazy_pinyin

# What parts a text into clauses (a character class's contents: clauses() splits on these).
PUNCTUATION = r"\s\.,!?;:、。，！？；：~～…“”\"'‘’()（）【】\[\]《》<>\ufe0f-"
_PUNCT = re.compile(f"[{PUNCTUATION}]+")
_RUN = re.compile(f"[^{PUNCTUATION}]+")
# A dot between digits is a decimal point (3.5 号), and a run of dots (「……」, three dots each
# after NFKC) is a pause: neither ends a sentence.
_SENTENCE_END = re.compile(r"(?:(?<![\d.])\.(?![\d.])|[!?;。\n])+")
_CHINESE_DIGITS = {"零": 0, "〇": 0, "一": 1, "幺": 1, "二": 2, "两": 2, "三": 3, "四": 4,
                   "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
# Said at the end of a short answer: 「好的呀」「知道了」「要得嘛」「中嘞」.
PARTICLES = "啊呀啦哈了吧哦嘛呗哇咧嘞噻喽呢哟"
# What only points at a name said with it: 「我要报冬至那个」 picks 冬至茶话会.
POINTING = frozenset("我要想报名那个这的去参加就选吧呀啊了一") | frozenset(PARTICLES)
_DIGIT_RUN = re.compile(r"\d+")
PHONE_SLACK = 6  # characters beside a phone number sent alone: 「我的手机号是」
# What counts a number as no phone's: 「1936年」「1200元」「2000块」「87岁」.
_UNITS = frozenset("年元块岁月日号度斤万千百")
_SPOKEN_RUN = re.compile(r"[零〇一幺二两三四五六七八九]{4,}")
# A pick is one or two digits: 「13800001111」 is a phone number, not the choice of that number.
_ORDINAL = re.compile(r"^(?:第|选|选择|回复|我选)?(\d{1,2}|[零〇一幺二两三四五六七八九十])(?:个|项|号|条)?$")


# Relatives in Hong Kong, Taiwan and abroad write traditional characters (退休證, 報名, 摔倒): read as
# simplified, they mean what the office's words mean. On simplified text it changes next to
# nothing (one Cantonese character, 嗰, of 13,000 lines of content/ and the dialogues).
_TO_SIMPLIFIED = OpenCC("t2s")
# One message's text is normalised some sixteen times on its way through the readers (commands,
# numbers, steps, care words, the policy engine), about 1.7 distinct texts a message: a cache of a
# few holds the message's own, so each is converted once (bench/instructions.py: 7 % of a
# message's instructions), and nothing grows: it keeps the last few messages' texts at most.
_RECENT_TEXTS = 16


@functools.lru_cache(maxsize=_RECENT_TEXTS)
def normalize(text: str) -> str:
    """Simplified characters, full-width to half-width, lower case, punctuation and spaces removed."""
    return _PUNCT.sub("", _plain(text))


def sentences(text: str) -> list[str]:
    """The text's sentences (full-width forms made half-width, not otherwise normalised), split
    where a full stop, question or exclamation mark, semicolon or line break ends one."""
    return [piece for piece in _SENTENCE_END.split(unicodedata.normalize("NFKC", text)) if piece.strip()]


def clauses(text: str) -> list[str]:
    """The text's runs between punctuation and spaces, each normalised (empty ones left out)."""
    return [piece for piece in _PUNCT.split(_plain(text)) if piece]


def runs(text: str) -> Iterator[re.Match[str]]:
    """The stretches of text between punctuation marks and spaces, where they are in it (text
    taken as given: normalise it first)."""
    return _RUN.finditer(text)


@functools.lru_cache(maxsize=_RECENT_TEXTS)
def simplified(text: str) -> str:
    """text in simplified characters (陳美玲 → 陈美玲; also 王乾 → 王干, so compare both sides)."""
    return _TO_SIMPLIFIED.convert(unicodedata.normalize("NFKC", text))


def _plain(text: str) -> str:
    return simplified(text).lower()


def parse_choice(text: str) -> int | None:
    """The number a user picked (「2」「２」「二」「第二个」「选2」), or None if it is not a pick."""
    match = _ORDINAL.match(normalize(text))
    if not match:
        return None
    token = match.group(1)
    return int(token) if token.isdigit() else _CHINESE_DIGITS[token]


def named_choice(text: str, names: list[str], pointing: frozenset[str] | None = None) -> int | None:
    """The number (from 1) of the one name text calls by a part of it (「茶话会」「我要报冬至那个」
    for 冬至茶话会 among 健康知识讲座): the name sharing the longest run of two or more characters
    with text, no other sharing one as long, and the rest of text only pointing at it (我要, 那个,
    报名 …, or the characters `pointing` gives: 「祝你们身体健康」 is no pick of 健康知识讲座); None
    otherwise. Empty names are never picked."""
    plain = normalize(text)
    shared = [_longest_shared_run(plain, normalize(name)) for name in names]
    best = max(shared, key=len, default="")
    if len(best) < 2 or [len(run) for run in shared].count(len(best)) > 1:
        return None
    allowed = POINTING if pointing is None else pointing
    return shared.index(best) + 1 if set(plain.replace(best, "", 1)) <= allowed else None


def named_in(text: str, names: list[str], least: int = 3) -> int | None:
    """The number (from 1) of the one name a sentence speaks of by a run of at least `least`
    characters of it (「帮我爸报个冬至茶话会，我陪他去」 speaks of 冬至茶话会), no other name as
    much; None otherwise."""
    plain = normalize(text)
    shared = [len(_longest_shared_run(plain, normalize(name))) for name in names]
    best = max(shared, default=0)
    return shared.index(best) + 1 if best >= least and shared.count(best) == 1 else None


def _longest_shared_run(a: str, b: str) -> str:
    """The longest run of characters both hold."""
    longest = ""
    for start in range(len(a)):
        for end in range(start + len(longest) + 1, len(a) + 1):
            if a[start:end] not in b:
                break
            longest = a[start:end]
    return longest


def digits(text: str) -> str:
    """Digits as typed or spoken: 「５６７８」「五六七八」「5 6 7 8」 all give "5678"."""
    plain = normalize(text)
    return "".join(str(_CHINESE_DIGITS[c]) if c in _CHINESE_DIGITS and c != "十" else c
                   for c in plain)


def short_forms(text: str) -> list[str]:
    """A short answer and its plainer forms: 「好的好的呀」 → 好的好的呀, 好的好的, 好的; 「👍👍」 → 👍.

    Particles come off the end one at a time (「算了」 stays 算了, 「算了吧」 gives 算了 too), and
    a word said twice or more counts once.
    """
    plain = normalize(text)
    forms = [plain]
    while plain and plain[-1] in PARTICLES:
        plain = plain[:-1]
        forms.append(plain)
    forms += [squeezed for form in forms if (squeezed := _once(form)) != form]
    return [form for form in forms if form]


def _once(text: str) -> str:
    """The unit a text repeats (好好好 → 好, 嗯嗯 → 嗯, 好的好的 → 好的), else the text."""
    for size in (1, 2, 3):
        unit = text[:size]
        if len(text) > size and len(text) % size == 0 and unit * (len(text) // size) == text:
            return unit
    return text


def phone_number(text: str) -> str | None:
    """The first whole phone number in a sentence (7 to 12 digits, landline or mobile, spoken
    ones too), or None: 「新号码是13512345678」 → 13512345678."""
    return next((run for run in phone_digits(text) if 7 <= len(run) <= 12), None)


def phone_said_alone(text: str) -> str | None:
    """A phone number sent as a message of its own, a few words around it at most (「13800001111」
    「我的手机号是13800001111」), or None: 「请转告李阿姨，她电话13800001111」 is a message."""
    phone = phone_number(text)
    return phone if phone is not None and len(normalize(text)) <= len(phone) + PHONE_SLACK else None


def phone_digits(text: str) -> list[str]:
    """Runs of digits in a sentence, spoken ones too: 「尾号是６８２７」 → ["6827"];
    「六八二七」 → ["6827"]; a single numeral word (后四位) is not a run, nor a count of
    something (「1936年」「1200元」)."""
    plain = _SPOKEN_RUN.sub(lambda m: "".join(str(_CHINESE_DIGITS[c]) for c in m.group(0)),
                            normalize(text))
    return [run.group(0) for run in _DIGIT_RUN.finditer(plain)
            if plain[run.end():run.end() + 1] not in _UNITS]


def sound_key(text: str) -> str:
    """How a short text sounds, tones aside: 帮定 and 绑定 both give "bang ding"."""
    return " ".join(lazy_pinyin(text))
