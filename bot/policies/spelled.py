"""Domain words written in pinyin letters: 「tijian 几号开始」, 「wo de tuixiu fei mei dao」, 「护理fei」.

An old person who cannot find a character on the phone writes its sound in letters, with or
without spaces, seldom with tones, often beside the characters they did find. A run of letters
is read only when all of it splits into pinyin syllables (English stays English: 「silent」 has
no such split); then its syllables and the characters around it are read by sound, and a stretch
that spells a known word of two characters or more, holding at least one syllable written in
letters and keeping every character written as it is, becomes that word (「护理fei」 is 护理费;
「我有jianyi」 is 建议, not 邮寄). Where readings compete, the one that reads the most written
syllables wins (「请问tijian」 is 请问 + 体检, not 问题 + jian). Of two words spelt alike (会议,
回忆), the commoner is read.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from pypinyin import lazy_pinyin

# Characters and letters, with spaces between them: a stretch read by sound. Anything else
# (digits, punctuation) ends it.
_STRETCH = re.compile(r"[a-z\u4e00-\u9fff]+(?:\s+[a-z\u4e00-\u9fff]+)*")
_PIECE = re.compile(r"[a-z]+|[\u4e00-\u9fff]+")
_HAS_LETTER = re.compile("[a-z]")
_CHARACTERS = re.compile("[\u4e00-\u9fff]+")  # a word of characters alone (not ICU卡, 50年)
# Every toneless pinyin syllable with a vowel (pypinyin's readings; ü written v), so that a run
# of letters is read only when it is pinyin through and through.
_SYLLABLE_LIST = """
a ai an ang ao ba bai ban bang bao bei ben beng bi bian biang biao bie bin bing bo bong bu ca cai
can cang cao ce cei cen ceng cha chai chan chang chao che chen cheng chi chong chou chu chua chuai
chuan chuang chui chun chuo ci cong cou cu cuan cui cun cuo da dai dan dang dao de dei den deng di
dia dian diao die din ding diu dong dou du duan dui dun duo e ei en eng er fa fan fang fei fen feng
fiao fo fou fu ga gai gan gang gao ge gei gen geng gong gou gu gua guai guan guang gui gun guo ha
hai han hang hao he hei hen heng hong hou hu hua huai huan huang hui hun huo ji jia jian jiang jiao
jie jin jing jiong jiu ju juan jue jun ka kai kan kang kao ke kei ken keng kong kou ku kua kuai kuan
kuang kui kun kuo la lai lan lang lao le lei len leng li lia lian liang liao lie lin ling liu lo
long lou lu luan lun luo lv lve ma mai man mang mao me mei men meng mi mian miao mie min ming miu mo
mou mu na nai nan nang nao ne nei nen neng ni nia nian niang niao nie nin ning niu nong nou nu nuan
nun nuo nv nve o ou pa pai pan pang pao pei pen peng pi pian piao pie pin ping po pou pu qi qia qian
qiang qiao qie qin qing qiong qiu qu quan que qun ran rang rao re ren reng ri rong rou ru rua ruan
rui run ruo sa sai san sang sao se sen seng sha shai shan shang shao she shei shen sheng shi shou
shu shua shuai shuan shuang shui shun shuo si song sou su suan sui sun suo ta tai tan tang tao te
tei teng ti tian tiao tie ting tong tou tu tuan tui tun tuo wa wai wan wang wei wen weng wo wong wu
xi xia xian xiang xiao xie xin xing xiong xiu xu xuan xue xun ya yan yang yao ye yi yin ying yo yong
you yu yuan yue yun za zai zan zang zao ze zei zen zeng zha zhai zhan zhang zhao zhe zhei zhen zheng
zhi zhong zhou zhu zhua zhuai zhuan zhuang zhui zhun zhuo zi zong zou zu zuan zui zun zuo
"""
SYLLABLES = frozenset(_SYLLABLE_LIST.split())
_LONGEST_SYLLABLE = max(map(len, SYLLABLES))


@dataclass(frozen=True)
class _Unit:
    """One syllable of a stretch: a character, or a syllable of a run of letters."""

    start: int  # where it is in the stretch
    end: int
    sound: str
    written: str | None  # the character, or None for letters


class SpelledReader:
    """Reads pinyin spellings of known words as the words themselves."""

    def __init__(self, words: Iterable[str], frequency: Callable[[str], int]) -> None:
        by_sound: dict[tuple[str, ...], str] = {}
        for word in sorted(set(words)):
            if len(word) < 2 or not _CHARACTERS.fullmatch(word):
                continue
            sound = tuple(lazy_pinyin(word))
            known = by_sound.get(sound)
            if known is None or frequency(word) > frequency(known):
                by_sound[sound] = word
        self._by_sound = by_sound
        self._longest = max(map(len, by_sound), default=0)

    def read(self, text: str) -> str:
        """text (lower-cased) with each known spelling in its letters replaced by the word."""
        if not self._by_sound or not _HAS_LETTER.search(text):
            return text
        return _STRETCH.sub(lambda stretch: self._read_stretch(stretch.group(0)), text)

    def _read_stretch(self, stretch: str) -> str:
        out, copied = [], 0
        for units in _syllable_runs(stretch):
            for first, last, word in self._best_reading(units):
                out.append(stretch[copied:units[first].start] + word)
                copied = units[last].end
        return "".join(out) + stretch[copied:]

    def _best_reading(self, units: list[_Unit]) -> list[tuple[int, int, str]]:
        """The words to read in units, as (first unit, last unit, word): the most syllables
        written in letters read, then the fewest words."""
        best: list[tuple[int, int, list[tuple[int, int, str]]]] = [(0, 0, [])] * (len(units) + 1)
        for i in range(len(units) - 1, -1, -1):
            letters, words, reading = best[i + 1]
            choice = (letters, words, reading)
            for j in range(i + 2, min(len(units), i + self._longest) + 1):
                word = self._by_sound.get(tuple(u.sound for u in units[i:j]))
                read = sum(u.written is None for u in units[i:j])
                if word is None or not read or not _keeps_characters(word, units[i:j]):
                    continue
                after_letters, after_words, after = best[j]
                candidate = (read + after_letters, after_words - 1, [(i, j - 1, word), *after])
                choice = max(choice, candidate, key=lambda c: (c[0], c[1]))
            best[i] = choice
        return best[0][2]


def _syllable_runs(stretch: str) -> list[list[_Unit]]:
    """The stretch's syllables, in runs a word may span: a run of letters that is not pinyin
    through and through parts them (and is read as written)."""
    groups: list[list[_Unit]] = [[]]
    for piece in _PIECE.finditer(stretch):
        text = piece.group(0)
        if not text.isascii():  # characters: read together, as a polyphone's neighbours decide
            groups[-1].extend(_Unit(piece.start() + k, piece.start() + k + 1, sound, char)
                              for k, (char, sound) in enumerate(zip(text, _sounds(text), strict=True)))
            continue
        syllables = split_syllables(text)
        if syllables is None:
            groups.append([])
            continue
        at = piece.start()
        for syllable in syllables:
            groups[-1].append(_Unit(at, at + len(syllable), syllable, None))
            at += len(syllable)
    return [group for group in groups if group]


def split_syllables(letters: str) -> list[str] | None:
    """letters as pinyin syllables, the fewest that cover them ("tuixiufei" → tui xiu fei;
    "xian" → xian), or None when they are not pinyin ("silent")."""
    fewest: list[list[str] | None] = [None] * (len(letters) + 1)
    fewest[len(letters)] = []
    for i in range(len(letters) - 1, -1, -1):
        for j in range(min(len(letters), i + _LONGEST_SYLLABLE), i, -1):
            rest = fewest[j]
            if letters[i:j] in SYLLABLES and rest is not None and (
                    fewest[i] is None or len(rest) + 1 < len(fewest[i] or [])):
                fewest[i] = [letters[i:j], *rest]
    return fewest[0]


def _sounds(characters: str) -> list[str]:
    """Each character's toneless pinyin (a character pypinyin cannot read stands for itself)."""
    sounds = lazy_pinyin(characters)
    if len(sounds) != len(characters):  # unreadable characters come back joined together
        sounds = [lazy_pinyin(char)[0] for char in characters]
    return sounds


def _keeps_characters(word: str, units: list[_Unit]) -> bool:
    """Whether reading units as word keeps each character written among them as written."""
    return all(unit.written is None or unit.written == char for unit, char in zip(units, word, strict=True))
