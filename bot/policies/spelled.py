"""Domain words written in pinyin letters: 「tijian 几号开始」, 「wo de tuixiu fei mei dao」.

An old person who cannot find a character on the phone writes its sound in letters, with or
without spaces, seldom with tones. A run of letters is read as the domain words it spells: at
the start of a written word, or right after a word just read, the longest known spelling wins;
a word spelling nothing known is left as written. Only words of two characters or more are
read (one syllable, 「fei」, could be any of dozens of characters), and only spellings of at
least MIN_LETTERS letters. Two words spelt alike (会议, 回忆) are read as the commoner one.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from itertools import pairwise

from pypinyin import lazy_pinyin

MIN_LETTERS = 4
_LETTER_RUN = re.compile(r"[a-z]+(?:\s+[a-z]+)*")  # letters, spaces between words allowed


class SpelledReader:
    """Reads pinyin spellings of known words as the words themselves."""

    def __init__(self, words: Iterable[str], frequency: Callable[[str], int]) -> None:
        by_spelling: dict[str, str] = {}
        for word in sorted(set(words)):
            spelling = "".join(lazy_pinyin(word))
            if len(word) < 2 or len(spelling) < MIN_LETTERS or not _letters_only(spelling):
                continue
            known = by_spelling.get(spelling)
            if known is None or frequency(word) > frequency(known):
                by_spelling[spelling] = word
        self._by_spelling = by_spelling
        self._longest = max(map(len, by_spelling), default=0)

    def read(self, text: str) -> str:
        """text (lower-cased) with each known spelling in its letters replaced by the word."""
        if not self._by_spelling:
            return text
        return _LETTER_RUN.sub(lambda run: self._read_run(run.group(0)), text)

    def _read_run(self, run: str) -> str:
        words = run.split()
        letters = "".join(words)
        ends, at = set(), 0
        for word in words:
            at += len(word)
            ends.add(at)
        pieces: list[str] = []  # read words, and written words left as they were
        position = 0
        while position < len(letters):
            word_end = min(end for end in ends if end > position)
            spelling = self._longest_spelling(letters, position)
            if spelling:
                pieces.append(self._by_spelling[spelling])
                position += len(spelling)
            else:
                pieces.append(letters[position:word_end])
                position = word_end
        if all(piece.isascii() for piece in pieces):
            return run  # nothing read: the run exactly as written
        joined = pieces[0]
        for before, piece in pairwise(pieces):
            joined += piece if not (before.isascii() or piece.isascii()) else " " + piece
        return joined

    def _longest_spelling(self, letters: str, position: int) -> str:
        for end in range(min(len(letters), position + self._longest), position + MIN_LETTERS - 1, -1):
            if letters[position:end] in self._by_spelling:
                return letters[position:end]
        return ""


def _letters_only(spelling: str) -> bool:
    """A spelling of plain letters (not a word with digits or symbols of its own: 50年, ICU卡)."""
    return spelling.isascii() and spelling.isalpha()
