"""Typos and homophones (离修费, 报消, 体捡): put back the known word a span sounds like.

Pinyin input methods and speech recognition both produce characters that *sound* right;
handwriting input, characters that *look* right (退体 for 退休: content/dictionary/look_alike.txt).
A span of the question is replaced by a known word when every differing character sounds the
same (or, in the middle of a longer word, a rarer reading or a near sound) or looks alike, and
at least one character is identical, so
an unrelated phrase is never rewritten. Spans that are real words of their own (认真 is not a
typo of 认证), and spans that cut into a real word (始了 in 开始了), are left alone.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from functools import lru_cache

from pypinyin import Style, pinyin

_FUZZY_INITIALS = (("zh", "z"), ("ch", "c"), ("sh", "s"))
_INITIALS = ("zh", "ch", "sh", "b", "p", "m", "f", "d", "t", "n", "l", "g", "k", "h", "j", "q", "x",
             "r", "z", "c", "s", "y", "w")


FUNCTION_CHARACTERS = frozenset("是的了在有和就也都要会能吗呢吧啊把被给让从到")
REAL_WORD_FREQ = 10  # jieba's rarest entries (建义: 2) are typos themselves, not words to protect


@lru_cache(maxsize=16384)
def sounds(char: str, every_reading: bool = False, fuzzy: bool = True) -> frozenset[str]:
    """The toneless reading of a character; fuzzy: with zh/z, ch/c, sh/s and -ng/-n merged.

    By default only the usual reading: rare ones (的 as di) make unrelated words sound alike.
    """
    if not "\u4e00" <= char <= "\u9fff":
        return frozenset((char,))
    readings = pinyin(char, style=Style.NORMAL, heteronym=every_reading)[0]
    return frozenset(_fuzzy(r) if fuzzy else r for r in readings)


def _fuzzy(reading: str) -> str:
    for long, short in _FUZZY_INITIALS:
        if reading.startswith(long):
            reading = short + reading[len(long):]
    return reading[:-1] if reading.endswith("ng") else reading


def _split(reading: str) -> tuple[str, str]:
    for initial in _INITIALS:
        if reading.startswith(initial):
            return initial, reading[len(initial):]
    return "", reading


def _near(a: str, b: str) -> bool:
    """Same initial and finals one letter apart (恤 xu / 血 xue)."""
    for ra in sounds(a):
        for rb in sounds(b):
            (ia, fa), (ib, fb) = _split(ra), _split(rb)
            if ia == ib and ia and _one_apart(fa, fb):
                return True
    return False


def _one_apart(a: str, b: str) -> bool:
    if abs(len(a) - len(b)) != 1:
        return len(a) == len(b) and sum(x != y for x, y in zip(a, b, strict=True)) == 1
    short, long = sorted((a, b), key=len)
    return any(long[:i] + long[i + 1:] == short for i in range(len(long)))


class TypoFixer:
    """Replaces misspelt or mis-heard spans of a question by the known words they sound or look like."""

    def __init__(self, vocabulary: Iterable[str], is_real_word: Callable[[str], bool],
                 segment: Callable[[str], list[str]],
                 look_alike: Mapping[str, frozenset[str]] | None = None) -> None:
        self._known = {w for w in vocabulary if len(w) >= 2}
        # Where a known word may be written, slip or not: a two-character word's slip keeps one of
        # its characters; a longer word's keeps all but _most_differing(word), so two of its first
        # _most_differing + 2: a span is looked at only where two of them stand at their distance
        # (a fifth of the spans that share a character with a word; none of the others could be a slip).
        self._by_char: dict[str, list[tuple[str, int]]] = defaultdict(list)
        self._by_pair: dict[int, dict[str, list[tuple[str, int]]]] = defaultdict(lambda: defaultdict(list))
        for word in self._known:
            if len(word) == 2:
                for pos, char in enumerate(word):
                    self._by_char[char].append((word, pos))
                continue
            for first, second in itertools.combinations(range(_most_differing(word) + 2), 2):
                self._by_pair[second - first][word[first] + word[second]].append((word, first))
        self._gaps = sorted(self._by_pair.items())
        self._is_real_word = is_real_word
        self._segment = segment
        self._look_alike = look_alike or {}
        # The same spans meet the same words question after question (「怎么报」 and 报销): each
        # pair is judged once per process; ~60 judgements a question were a third of its time.
        self._is_typo_of = lru_cache(maxsize=1 << 16)(self._judge_typo)

    def fix(self, text: str) -> str:
        """text with each typo span replaced by the known word it stands for."""
        exact, fixes = self._spans(text)
        if not fixes:
            return text
        starts, ends, long_word_starts, real_words = self._word_edges(text)
        # A fix never starts inside a real word (始了 in 开始了) unless its first character is
        # the word's own (体捡 in 那个体捡), and never rewrites a real word it holds (发烧了 is
        # not 发少了).
        fixes = {f for f in fixes if (f[0] in starts or text[f[0]] == f[2][0])
                 and _may_end_there(text, f, ends, long_word_starts)
                 and not any(_rewrites(text, f, word) for word in real_words)}
        chosen: list[tuple[int, int, str]] = []
        # Longest first; between two words for one span (护里费: 护理费 or its spoken form 胡里费,
        # which means the same), the first in order, so no run depends on how a set is hashed.
        for start, end, word in sorted(fixes, key=lambda f: (f[0] - f[1], f[0], f[2])):
            # A correctly written word as long as the fix wins; a shorter one inside it does not.
            blockers = [*(x for x in exact if x[1] - x[0] >= end - start), *chosen]
            if not any(_overlaps(start, end, s, e) for s, e, _ in blockers):
                chosen.append((start, end, word))
        for start, end, word in sorted(chosen, reverse=True):
            text = text[:start] + word + text[end:]
        return text

    def _word_edges(self, text: str) -> tuple[set[int], set[int], set[int], list[tuple[int, int]]]:
        """Where the words of text begin and end, as segmented before any fixing, where its words
        of two or more characters begin, and where its real words of two or more stand."""
        starts, ends, long_word_starts, real_words, position = set(), set(), set(), [], 0
        for word in self._segment(text):
            starts.add(position)
            if len(word) > 1:
                long_word_starts.add(position)
                if self._is_real_word(word):
                    real_words.append((position, position + len(word)))
            position += len(word)
            ends.add(position)
        return starts, ends, long_word_starts, real_words

    def _spans(self, text: str) -> tuple[set[tuple[int, int, str]], set[tuple[int, int, str]]]:
        """The known words written exactly in text, and the spans that are slips for one."""
        exact: set[tuple[int, int, str]] = set()
        fixes: set[tuple[int, int, str]] = set()
        for start, word in self._candidates(text):
            end = start + len(word)
            if start < 0 or end > len(text):
                continue
            span = text[start:end]
            if span == word:
                exact.add((start, end, word))
            elif self._is_typo_of(span, word):
                fixes.add((start, end, word))
        return exact, fixes

    def _candidates(self, text: str) -> set[tuple[int, str]]:
        """(start, word) for each place a known word may be written, slip or not (see __init__)."""
        found: set[tuple[int, str]] = set()
        length = len(text)
        for i, char in enumerate(text):
            if hits := self._by_char.get(char):
                found.update((i - pos, word) for word, pos in hits)
            for gap, words in self._gaps:
                if i + gap >= length:
                    break
                if hits := words.get(char + text[i + gap]):
                    found.update((i - pos, word) for word, pos in hits)
        return found

    def _judge_typo(self, span: str, word: str) -> bool:
        """Whether span is a slip for word (see the module's docstring)."""
        differing = [(a, b) for a, b in zip(span, word, strict=True) if a != b]
        if span in self._known or self._is_real_word(span):
            return False
        if len(word) == 2:  # one of two characters, sounding the same (an accent's sound too) or looking so
            return (len(differing) == 1 and not FUNCTION_CHARACTERS & {*span, *word}
                    and (bool(sounds(differing[0][0]) & sounds(differing[0][1]))
                         or self._looks_like(*differing[0])))
        if len(differing) > _most_differing(word):  # most of the word as written (遗嘱怎 ≠ 遗属证)
            return False
        return all(self._sounds_like(span, word, i) or self._looks_like(span[i], word[i])
                   for i in range(len(word)) if span[i] != word[i])

    def _looks_like(self, written: str, meant: str) -> bool:
        """Handwriting input's slip: a character that looks like the word's (never a function
        character: 己 for 已 is a slip, 的 for 白 is a word)."""
        return written not in FUNCTION_CHARACTERS and meant in self._look_alike.get(written, ())

    @staticmethod
    def _sounds_like(span: str, word: str, i: int) -> bool:
        """Character i of span could be a slip for word's: at either end of the word the very
        same sound; in the middle, where the characters on both sides vouch for the word, also an
        accent's sound (zh/z, -ng/-n), a rarer reading (藏 zang for 葬) or a near sound (血 for 恤).
        So 给领导 is not 跟领导, 活动什 is not 活动室, 手机帮 is not 手机班."""
        if span[i] in FUNCTION_CHARACTERS:  # 活动是 is 活动 + 是, not a slip for 活动室
            return False
        a, b = span[i], word[i]
        if not 0 < i < len(word) - 1:  # the ends of a word: the very same sound
            return bool(sounds(a, fuzzy=False) & sounds(b, fuzzy=False))
        return bool(sounds(a) & sounds(b) or sounds(a, True) & sounds(b, True)) or _near(a, b)


def _most_differing(word: str) -> int:
    """How many of word's characters a slip for it may change."""
    return max(1, (len(word) - 1) // 2)


def _may_end_there(text: str, fix: tuple[int, int, str], ends: set[int], long_word_starts: set[int]) -> bool:
    """Whether a fix may end where it does: a two-character one, the riskiest, only where a word
    ends (大手 in 大手术 is not 大寿); a longer one not where its last character, not the word's
    own, begins a word of its own (退休证名字 is not 退休证明字, 养老今年 not 养老金年)."""
    start, end, word = fix
    if end - start == 2:
        return end in ends
    return text[end - 1] == word[-1] or end - 1 not in long_word_starts


def _rewrites(text: str, fix: tuple[int, int, str], word: tuple[int, int]) -> bool:
    """Whether a fix changes a character of a real word lying wholly within it."""
    start, end, known = fix
    return start <= word[0] and word[1] <= end and any(
        text[i] != known[i - start] for i in range(word[0], word[1]))


def _overlaps(a_start: int, a_end: int, b_start: int, b_end: int) -> bool:
    return a_start < b_end and b_start < a_end
