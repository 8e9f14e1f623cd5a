"""Domain words written in pinyin letters: 「tijian 几号开始」, 「wo de tuixiu fei mei dao」, 「护理fei」.

An old person who cannot find a character on the phone writes its sound in letters, with or
without spaces, seldom with tones, often beside the characters they did find. Where a question
holds letters, its characters and letters are read by sound (spaces between them aside), and a
stretch that spells a known word and holds at least one letter becomes that word: from the
start of a character or a written word, or right after a word just read, the longest spelling
wins. Letters that spell nothing known stay as written, and characters are never replaced by
this alone (homophone slips are the typo table's). Only words of two characters or more are
read, and only spellings of at least MIN_LETTERS letters: one syllable, 「fei」, could be any
of dozens of characters. Of two words spelt alike (会议, 回忆), the commoner is read.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from pypinyin import lazy_pinyin

MIN_LETTERS = 4
# Characters and letters, with spaces between them: a stretch read by sound. Anything else
# (digits, punctuation) ends it.
_STRETCH = re.compile(r"[a-z\u4e00-\u9fff]+(?:\s+[a-z\u4e00-\u9fff]+)*")
_UNIT = re.compile(r"[a-z]+|[\u4e00-\u9fff]")
_HAS_LETTER = re.compile("[a-z]")
_CHARACTERS = re.compile("[\u4e00-\u9fff]+")  # a word of characters alone (not ICU卡, 50年)


class SpelledReader:
    """Reads pinyin spellings of known words as the words themselves."""

    def __init__(self, words: Iterable[str], frequency: Callable[[str], int]) -> None:
        by_spelling: dict[str, str] = {}
        for word in sorted(set(words)):
            spelling = "".join(lazy_pinyin(word))
            if len(word) < 2 or len(spelling) < MIN_LETTERS or not _CHARACTERS.fullmatch(word):
                continue
            known = by_spelling.get(spelling)
            if known is None or frequency(word) > frequency(known):
                by_spelling[spelling] = word
        self._by_spelling = by_spelling
        self._longest = max(map(len, by_spelling), default=0)

    def read(self, text: str) -> str:
        """text (lower-cased) with each known spelling in its letters replaced by the word."""
        if not self._by_spelling or not _HAS_LETTER.search(text):
            return text
        return _STRETCH.sub(lambda stretch: self._read_stretch(stretch.group(0)), text)

    def _read_stretch(self, stretch: str) -> str:
        if not _HAS_LETTER.search(stretch):
            return stretch  # characters alone are the typo table's
        sound, written, begins, ends = _by_sound(stretch)
        out, copied, position = [], 0, 0
        starts = set(begins)  # a character's or a written word's start, or a word just read's end
        while position < len(sound):
            end = self._spelling_end(sound, written, ends, position) if position in starts else None
            if end is None:
                position += 1
                continue
            out.append(stretch[copied:begins[position]] + self._by_spelling[sound[position:end]])
            copied = ends[end]
            starts.add(end)
            begins.setdefault(end, ends[end])
            position = end
        return "".join(out) + stretch[copied:]

    def _spelling_end(self, sound: str, written: dict[int, str], ends: dict[int, int],
                      position: int) -> int | None:
        """Where the longest known spelling from position ends (where a character or written word
        ends, or inside a written word), holding a letter and keeping every character written
        as it is: 「护理fei」 is 护理费, 「哪个qu」 is not 歌曲. None: no spelling."""
        for end in range(min(len(sound), position + self._longest), position + MIN_LETTERS - 1, -1):
            word = self._by_spelling.get(sound[position:end])
            if word is not None and end in ends and _keeps_characters(word, written, position, end):
                return end
        return None


def _by_sound(stretch: str) -> tuple[str, dict[int, str], dict[int, int], dict[int, int]]:
    """The stretch's sound (letters as written, characters by their toneless pinyin), the
    characters written, by where their sound starts, and where a spelling may begin and end:
    sound position → stretch position (a character's sound is never cut)."""
    sound, written, begins, ends = "", {}, {}, {}
    for unit in _UNIT.finditer(stretch):
        text = unit.group(0)
        begins[len(sound)] = unit.start()
        if text.isascii():  # a written word may end, or a word just read end, inside it
            ends.update({len(sound) + k: unit.start() + k for k in range(1, len(text))})
        else:
            written[len(sound)] = text
        sound += text if text.isascii() else lazy_pinyin(text)[0]
        ends[len(sound)] = unit.end()
    return sound, written, begins, ends


def _keeps_characters(word: str, written: dict[int, str], start: int, end: int) -> bool:
    """Whether reading sound[start:end] as word keeps each character written there, and replaces
    at least one letter (characters alone are the typo table's)."""
    at, chars = start, {}
    for char, said in zip(word, lazy_pinyin(word), strict=True):
        chars[at] = char
        at += len(said)
    inside = {k: v for k, v in written.items() if start <= k < end}
    kept = all(chars.get(k) == v for k, v in inside.items())
    return kept and sum(map(len, (lazy_pinyin(v)[0] for v in inside.values()))) < end - start
