"""What someone binding said, the way families say it: 「我是姚文斌的闺女」, 「替我爸绑定」,
「我电话尾号是6827」 — a name, a relation, the phone's last four digits, any of them at once.

The words are data (content/chat.toml [binding_words]): relations as people say them and how
they are recorded (闺女 → 女儿), and how family name the elder (我爸 → the speaker is 子女).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from bot.language.texts import Texts
from bot.language.words import normalize, phone_digits

# Han characters, rare ones too (extension A), and the middle dot of 阿依古丽·买买提.
_NAME = re.compile(r"^[\u3400-\u4dbf\u4e00-\u9fff·•]{2,16}$")
_NAME_PREFIXES = ("我的名字叫", "我的名字是", "我的名字", "名字叫", "名字是", "名字", "姓名是", "姓名",
                  "我叫", "我是", "叫", "老人叫", "老人的名字是", "他叫", "她叫", "老同志叫")
_NAME_SUFFIXES = ("同志", "老师", "老人", "本人")  # 「姚文斌本人」; 「本人」 alone names nobody
# What leads up to the phone's digits (「他电话最后4位是」「我的手机尾号」), longest first.
_PHONE_WORDS = tuple(sorted((
    "手机号码", "电话号码", "手机号", "电话", "手机", "号码", "尾号", "尾数", "后四位", "后4位",
    "最后四位", "最后4位", "最后", "是", "的", "登记的", "我", "他", "她"), key=len, reverse=True))
_DIGITS = re.compile(r"[\d零〇一幺二两三四五六七八九]{3,}")
# Who someone is, said before their name (「我是离休干部姚文斌」).
_ROLES = ("离休老干部", "退休老干部", "离休干部", "退休干部", "老干部", "老党员", "退休教师", "退休职工")
# A sentence, not a name: it speaks of someone, asks, doubts, greets or thanks.
_NOT_A_NAME = ("了", "吗", "么", "呢", "吧", "啊", "的", "我", "不", "很", "都", "也", "还", "没", "会", "怎",
               "什么", "哪", "多少", "几", "谁", "知道", "记得", "忘", "为啥", "可以", "请问", "一下", "绑定",
               "报名", "学习", "答题", "做题", "留言", "活动", "菜单",
               "您好", "你好", "早上好", "下午好", "晚上好", "谢谢", "身体", "今天", "明天",
               "昨天", "开会", "干部", "党员", "支部", "退休", "离休", "教师", "老师", "那个", "这个", "就是",
               "嗯", "呃",
               # what one binds or is, not who: 「帮我爸绑一下微信」「我是独居」「我是志愿者」
               "微信", "手机", "号码", "电话", "账号", "独居", "一个人", "军人", "志愿", "邻居", "保姆",
               "网格", "社区", "居委", "家属", "子女", "工作人员",
               # what was said before: 「刚才说的后四位是6827」
               "刚才", "刚刚", "上面", "同意")  # 「本人同意」
# 「小王」「老陈」: what one is called, not the roster's name.
_NOT_A_NAME_START = ("你", "他", "她", "咱", "俺", "第", "小", "老")
_NUMERALS = frozenset("零〇一二两三四五六七八九十百千万")
# What a policy word ends in, and no name: 「取暖费 2000」 is no one's name with their digits.
_NOT_A_NAME_END = ("费", "金", "补贴", "补助", "证", "卡")
_HIM = ("他", "她", "老人", "老人家", "老同志", "老爷子", "老太太")
# After 「我叫」, where the name ends and the speaker goes on (今年八十七了, 住在…, 我电话…).
_CLAUSE = re.compile(r"今年|今天|[一二三四五六七八九]十|[零一二三四五六七八九十]+岁|住在|家住|我|电话|手机"
                     r"|身份证|帮我|帮忙|替我|麻烦|绑|想帮|想让|想给|想绑|想要|要帮|要绑"
                     r"|\d|出生|生于")  # 「我叫王德明，1936年出生」
# 「我姓姚，叫姚文斌」「免贵姓姚，姚文斌」「我姓姚叫文斌」: the surname said first, then the name.
_SURNAME_FIRST = re.compile(r"^(?:我|免贵|本人)?姓(?!名)(?P<surname>[\u3400-\u4dbf\u4e00-\u9fff]{1,2}?)"
                            r"(?:名叫|名字叫|名字是|叫|名|(?=(?P=surname)))(?P<rest>.+)$")
# Where a name said after 我爸叫 ends and the speaker goes on about themselves.
_WHAT_FOLLOWS = re.compile("我是|我要|我想|我|想帮|想给|想替|想让|要帮|要给|帮他|帮她|替他|替她|给他|给她")


@dataclass(frozen=True)
class Said:
    """What one message said towards binding; None for what it did not say."""

    name: str | None = None
    relation: str | None = None  # the speaker's relation to the retiree, as recorded
    family: bool = False         # the speaker said they act for an elder
    digits: str | None = None    # the phone's last four
    other_digits: bool = False   # digits that are no phone's last four (「567」)


@dataclass(frozen=True)
class Kinship:
    """The words of content/chat.toml [binding_words]."""

    relations: dict[str, str]  # 闺女 → 女儿
    elders: dict[str, str]     # 我爸 → 子女: what the speaker is to the elder they name
    family_words: tuple[str, ...]

    @classmethod
    def from_table(cls, table: dict[str, Any], family_words: tuple[str, ...] = ()) -> Kinship:
        """From the [binding_words] table, with the family command words said on their own."""
        return cls({normalize(k): v for k, v in table["relations"].items()},
                   {normalize(k): v for k, v in table["elders"].items()},
                   tuple(normalize(w) for w in (*family_words, *table["family"])))

    def read(self, text: str) -> Said:
        """Everything binding can use in text."""
        plain = surname_said_first(normalize(text))
        digits, other = _last_four(text)
        rest = _without_digits(plain) if (digits or other) else plain
        if (alone := self.relation(rest)) is not None:  # 「女儿」 said alone is who they are, not a name
            return Said(relation=alone, family=True, digits=digits, other_digits=other)
        relation, family, name = self._family(rest)
        if name is None and not family:
            name = _name(rest)
        return Said(name=name, relation=relation, family=family or relation is not None,
                    digits=digits, other_digits=other)

    def relation(self, text: str) -> str | None:
        """The relation in an answer to 「您是老同志的什么人」 (「闺女」「我是他儿子」)."""
        plain = normalize(text)
        for prefix in ("我是", "是", *(f"{h}的" for h in _HIM), *_HIM, "老人的"):
            plain = plain.removeprefix(prefix)
        return self.relations.get(plain)

    def _family(self, plain: str) -> tuple[str | None, bool, str | None]:
        """(relation, said to be family, the elder's name) from 「我是X的闺女」「我是他女儿」
        「你好，我是姚文斌的女儿，想绑定一下」「替我爸绑定」「我是家属」."""
        if any(plain == w or plain.startswith(w) for w in self.family_words):
            return None, True, None
        found = self._i_am(plain)
        if found is not None and found[2] is not None:
            return found
        # 「我爸叫王德明，我是他儿子」: the relation from the one, the name from the other.
        named = self._elder_named(plain, said_family=found is not None)
        if found is not None:
            return found[0], True, named[2] if named else None
        return named or (None, False, None)

    def _elder_named(self, plain: str, said_family: bool) -> tuple[str, bool, str | None] | None:
        """(what the speaker is, True, the elder's name) from 「我爸叫姚文斌」「王德明是我爸，我要
        绑定」「替我爸绑定」; None when no elder is named that way. said_family: the sentence says
        whose family the speaker is anyway, so a longer one is no question."""
        for elder, recorded in sorted(self.elders.items(), key=lambda kv: -len(kv[0])):
            at = plain.find(elder)
            if at < 0:
                continue
            after = plain[at + len(elder):]
            short = len(plain) <= len(elder) + 6  # 「我爸叫姚文斌」, not 「我爸是离休干部，…怎么报销」
            name = _elder_name(after)
            # 「我爸叫陈志强帮他报个名」 names him however long (「我爸叫我问问…」 names nobody).
            if "绑" in plain or said_family or (short and after.startswith(("叫", "是"))) or (
                    after.startswith("叫") and name):
                before = _name(plain[:at].removesuffix("是")) if plain[:at].endswith("是") else None
                return recorded, True, name or before
        return None

    def _i_am(self, plain: str) -> tuple[str | None, bool, str | None] | None:
        """「我是X的闺女」 anywhere in the sentence, or a whole 「姚文斌的闺女」."""
        for said, recorded in sorted(self.relations.items(), key=lambda kv: -len(kv[0])):
            at = plain.find(said)
            if at < 0:
                continue
            start = plain.rfind("我是", 0, at)
            if start >= 0:
                between = plain[start + 2:at]
            elif at + len(said) == len(plain) and "的" in plain:
                between = plain[:at]
            else:
                continue
            between = between.removesuffix("的")
            if between in ("", *_HIM, *(f"{h}家" for h in _HIM)):
                return recorded, True, None
            household = between.endswith("家")  # 「王德明家的儿媳妇」「老陈家的闺女」: the household's
            if (name := _name(between.removesuffix("家"))) is not None:
                return recorded, True, name
            if household:  # 「老陈家」: what the family is called, not a name; family all the same
                return recorded, True, None
        return None


def surname_said_first(plain: str) -> str:
    """「我姓姚叫姚文斌」「免贵姓姚姚文斌」「我姓姚叫文斌」 as 「我叫姚文斌」; other text as it is."""
    said = _SURNAME_FIRST.match(plain)
    if said is None:
        return plain
    surname, rest = said["surname"], said["rest"]
    name = _CLAUSE.split(rest, maxsplit=1)[0]  # 「…姚文斌想绑定」: what they go on to say is no name
    return "我叫" + (name if name.startswith(surname) else surname + name) + rest[len(name):]


def _elder_name(after: str) -> str | None:
    """The elder's name said after 我爸 / 我妈, before 绑定 (「我爸姚文斌绑定一下」, 「我爸叫姚文斌」)
    or after it (「帮我妈绑一下，她叫田巧云」, 「替我爸绑定姚文斌」)."""
    for piece in after.split("绑"):
        piece = piece.removeprefix("定").removeprefix("一下").removeprefix("个")
        piece = _WHAT_FOLLOWS.split(piece.removeprefix("叫").removeprefix("是"))[0]  # 「…王德明我是他儿子」
        if (name := _name(piece)) is not None:
            return name
    return None


def _last_four(text: str) -> tuple[str | None, bool]:
    """The phone's last four in text: a run of four digits, or the end of a whole number."""
    runs = phone_digits(text)
    for run in runs:
        if len(run) == 4:
            return run, False
        if 7 <= len(run) <= 12:  # the whole number, landline or mobile
            return run[-4:], False
    return None, bool(runs)


def _without_digits(plain: str) -> str:
    """The text without what it says of the phone, the digits and the words leading up to them;
    where it goes on after them, a 我 marks where (a name ends there): 「我叫姚文斌手机尾号是6827
    帮我绑定」 → 我叫姚文斌我帮我绑定."""
    kept, at = [], 0
    for run in _DIGITS.finditer(plain):
        kept.append(plain[at:_phone_words_before(plain, run.start(), at)])
        at = run.end()
    kept.append(plain[at:])
    return "我".join(piece for piece in kept if piece)


def _phone_words_before(plain: str, end: int, floor: int) -> int:
    """Where the words leading up to the digits at `end` begin (「他电话最后4位是」), not before floor."""
    start = end
    while (word := next((w for w in _PHONE_WORDS
                         if start - len(w) >= floor and plain.startswith(w, start - len(w))), None)):
        start -= len(word)
    return start


def _name(text: str) -> str | None:
    """A name as people give it: 「姚文斌」「我叫姚文斌」「姚文斌同志」「我叫姚文斌今年八十七了」;
    None for anything else."""
    for prefix in _NAME_PREFIXES:
        if text.startswith(prefix) and len(text) > len(prefix) + 1:
            text = _CLAUSE.split(text[len(prefix):], maxsplit=1)[0]  # what they go on to say of themselves
            break
    text = next((text[len(role):] for role in _ROLES if text.startswith(role)), text)
    for suffix in _NAME_SUFFIXES:
        text = text.removesuffix(suffix)
    if (not _NAME.match(text) or text.startswith(_NOT_A_NAME_START) or text.endswith(_NOT_A_NAME_END)
            or set(text) <= _NUMERALS
            or any(w in text for w in _NOT_A_NAME)):
        return None
    if len(text) > 6 and "·" not in text and "•" not in text:
        return None  # a sentence, not a name
    return text


@lru_cache(maxsize=8)
def kinship_of(texts: Texts, family_words: tuple[str, ...] = ()) -> Kinship:
    """The [binding_words] of these texts (with the family command words a face says on their
    own), read once: the chat and the mini-program read relations and names alike."""
    return Kinship.from_table(texts.table("binding_words"), family_words)
