"""From a question as typed or spoken to the words that matter: jieba plus our dictionaries."""

from __future__ import annotations

import hashlib
import itertools
import logging
import re
from collections.abc import Iterable
from typing import NamedTuple

import jieba

from bot.language.last_one import LastOne
from bot.language.words import PUNCTUATION, clauses, normalize, runs, sentences, simplified
from bot.policies.dictionary_cache import dictionary_key, initialized_tokenizer
from bot.policies.lexicon import Lexicon
from bot.policies.spelled import SpelledReader
from bot.policies.typos import REAL_WORD_FREQ, TypoFixer

jieba.setLogLevel(logging.WARNING)  # jieba announces its dictionary loading on stderr otherwise

COMMON_WORD_FREQ = 3_000  # jieba counts 发展 and 工作 far above this, 认证 and 报销 below
DOMAIN_WORD_FREQ = 20_000  # about 费用's count times five in jieba's dictionary
MAX_TERM_TOKENS = 4  # a keyword may be segmented into up to this many jieba tokens
# After a change of mind (「哦不对」), what follows is read alone when it holds at least this many
# Chinese characters: 「……哦不对，报销」 is about 报销; 「……说错了吗」 is not a question on its own.
MIN_MEANT = 2
# A clause thanks when a thanks word comes within its first few characters (非常感谢, 真是太谢谢了).
THANKS_AFTER = 3
CHINESE = re.compile("[\u4e00-\u9fff]")
# Where the question had punctuation or a space: no word is read across it (「您好，吃了吗」 is not
# 好吃), no typo fixed across it, no phrase made of words on both sides. BREAK ends a sentence.
BREAK, PAUSE = "。", "，"
_TO_WHOM = "你您们大家了啦啊呀哈"  # after a thanks word: whom it thanks, not what for
# A number given as a clause of its own (「本人原粮食局退休干部古某，2001年退，电话138……，」) is how to
# reach the writer, not a question about a phone: it goes before reading. 「手机号138……不用了」 and
# 「手机号138……要换成……」 keep theirs: the number must end its clause.
_NUMBER_GIVEN = re.compile(rf"(?<![^{PUNCTUATION}])(?:联系)?(?:电话|手机)(?:号码?)?[:：]?[ \u3000]*"
                           rf"\d[\d\- *xX×]{{2,}}(?=$|[{PUNCTUATION}])")
# A sentence that asks (「护理费怎么申请，谢谢。」) is not thanks for a matter, however it opens or
# closes; 那么 and 前几天 do not ask (「上次办得那么快，谢谢」 only thanks).
_ASKS = re.compile("吗|呢|(?<![那这多要])么|怎|咋|啥|多少|(?<![前这好十])几(?![十百千万])|哪|谁|"
                   "能不能|可不可以|是不是|是否|有没有|要不要|行不行|可以不")


class ChangeOfMind(NamedTuple):
    """A writer's change of mind: what follows the last one (None when too little does), and the
    whole question without the clauses naming what is not asked (「不是问看病」; as asked when
    there are none, or nothing else)."""

    meant: str | None
    rest: str


class Analyzer:
    """Normalises, fixes typos, maps colloquial forms, segments and drops filler words."""

    def __init__(self, lexicon: Lexicon, terms: Iterable[str], keywords: Iterable[str]) -> None:
        self._tokenizer = initialized_tokenizer()  # now, at start-up, not on the first question
        self._fillers = lexicon.fillers
        vocabulary = {normalize(w) for w in (*terms, *lexicon.words, *lexicon.synonyms.values())}
        # A known word stands for itself, so 药费 → 医药费 never fires inside 医药费 itself.
        self._rewrites = {**{w: w for w in vocabulary}, **lexicon.synonyms}
        self._rewrite_pattern = _alternation(self._rewrites)
        # Typos are fixed towards domain words only: not hints (怎么领) or other domains' words
        # (怎么炖), nor short colloquial forms (死了), which are too common to be targets.
        typo_targets = {normalize(w) for w in (*keywords, *lexicon.words, *lexicon.synonyms.values())}
        typo_targets |= {f for f in lexicon.synonyms if len(f) >= 3}
        # Everyday words (发展, 工作) say little about a topic: a slip is never "fixed" into one.
        typo_targets = {w for w in typo_targets if self._tokenizer.FREQ.get(w, 0) < COMMON_WORD_FREQ}
        for word in vocabulary:  # domain words win over common ones: 党费/用 rather than 党/费用
            self._tokenizer.add_word(word, freq=DOMAIN_WORD_FREQ)
        # Fillers are added as words (colloquial forms are not: they are rewritten before
        # segmenting), in a fixed order: jieba's frequency for an added word depends on those before.
        for word in sorted(self._fillers):
            self._tokenizer.add_word(word)
        self._typos = TypoFixer(typo_targets, self._is_jieba_word, self._segment, lexicon.look_alike)
        self._spelled = SpelledReader([*vocabulary, *(f for f in lexicon.synonyms if len(f) >= 2)],
                                      lambda word: self._tokenizer.FREQ.get(word, 0))
        self._corrections = lexicon.corrections
        self._correction_openings = lexicon.correction_openings
        # 「哦」 before 「不对」: fillers may open a change of mind's clause, longest first
        self._openers = _alternation(self._fillers)
        self._thanks = (re.compile(f"^.{{0,{THANKS_AFTER}}}?(?:{'|'.join(map(re.escape, lexicon.thanks))})")
                        if lexicon.thanks else None)
        # One question is read by both stages, and the keywords and the likeness to questions not
        # ours read its words (the chat tries it twice too): its rewrite, 2–3 ms for a long story,
        # and its segmentation are each done once.
        self._rewritten = LastOne(self._rewrite)
        self._segmented = LastOne(self._words)
        # What this analyser makes of a text depends on these alone (and the code): a cache key.
        state = (dictionary_key(), sorted(vocabulary), sorted(self._rewrites.items()), sorted(self._fillers),
                 sorted(typo_targets), sorted((c, sorted(alike)) for c, alike in lexicon.look_alike.items()),
                 sorted(lexicon.corrections), lexicon.correction_openings)
        self.signature = hashlib.sha256(repr(state).encode()).hexdigest()

    def tokens(self, question: str) -> list[str]:
        """The question's words after normalising, typo fixing and synonym mapping, fillers gone."""
        return self.words(self.rewrite(question))

    def words(self, rewritten: str) -> list[str]:
        """The words of an already rewritten text, fillers gone."""
        return list(self._segmented(rewritten))

    def rewrite(self, question: str) -> str:
        """The question with typos fixed and colloquial forms replaced by their standard words."""
        return self._rewritten(question)

    def _words(self, rewritten: str) -> tuple[str, ...]:
        return tuple(t for t in self._tokenizer.lcut(rewritten, HMM=False) if t not in self._fillers)

    def _rewrite(self, question: str) -> str:
        told = _NUMBER_GIVEN.sub("", simplified(question))
        spelled_out = self._spelled.read(told.lower())  # 「tijian 几号」: 体检 几号
        return BREAK.join(PAUSE.join(self._rewrite_clause(clause) for clause in clauses(sentence))
                          for sentence in sentences(spelled_out))

    def change_of_mind(self, question: str) -> ChangeOfMind | None:
        """How the writer changed their mind, said as a clause of its own (「体检的事，哦不对，是报销
        的事」, 「不是问看病，是问……」), or None when they did not."""
        text = simplified(question).lower()
        found = [(m, names_what_not) for m in runs(text)
                 if (names_what_not := self._correction(m.group())) is not None]
        if not found:
            return None
        last = found[-1][0]
        meant = text[last.end():] if len(CHINESE.findall(text[last.end():])) >= MIN_MEANT else None
        rest = text
        for match in reversed([m for m, names_what_not in found if names_what_not]):
            rest = rest[:match.start()] + rest[match.end():]
        enough_left = rest != text and len(CHINESE.findall(rest)) >= MIN_MEANT
        return ChangeOfMind(meant, rest if enough_left else question)

    def thanking_sentences(self, question: str) -> set[int]:
        """The sentences, numbered as the BREAK tokens of tokens() part them, that thank for one
        matter before the question goes on: opening with thanks for something (「谢谢上次来看我」) or
        closing with thanks (「……收到了，谢谢」), and not asking. The last sentence never does:
        「……怎么办，谢谢」 thanks for the answer."""
        told = self.rewrite(question).split(BREAK)
        return {number for number, sentence in enumerate(told[:-1]) if self._thanks_for_something(sentence)}

    def without_thanks(self, question: str) -> str:
        """The question without the sentences that thank for one matter (thanking_sentences),
        as typed; the question itself when none does."""
        told = sentences(question)
        kept = [s for s in told[:-1] if not self._thanks_for_something(self.rewrite(s))] + told[-1:]
        return question if len(kept) == len(told) else BREAK.join(kept)

    def _thanks_for_something(self, sentence: str) -> bool:
        if self._thanks is None or _ASKS.search(sentence):
            return False
        told = sentence.split(PAUSE)
        opening = self._thanks.match(told[0])
        # 「谢谢（你们），体检几号」 thanks ahead for the answer: the opening clause must say what for
        return (opening is not None and len(told[0][opening.end():].lstrip(_TO_WHOM)) >= 2) or (
            len(told) > 1 and self._thanks.match(told[-1]) is not None)

    def _correction(self, clause: str) -> bool | None:
        """Whether the clause changes the writer's mind: by itself (「哦不对」: False), or by naming
        what is not asked (「不是问看病」: True); None when it does not. An opening such as 不是问
        must end where a word does: 「不是问题」 is not one."""
        while True:
            if clause in self._corrections:
                return False
            opening = next((o for o in self._correction_openings if clause.startswith(o)), None)
            if opening is not None and len(clause) > len(opening) and len(opening) in set(
                    itertools.accumulate(len(word) for word in self._tokenizer.lcut(clause, HMM=False))):
                return True
            opener = self._openers.match(clause) if self._openers is not None else None
            if opener is None or opener.end() >= len(clause):
                return None
            clause = clause[opener.end():]

    def _rewrite_clause(self, clause: str) -> str:
        text = self._typos.fix(clause)
        if self._rewrite_pattern is not None:
            for _ in range(2):  # twice: 老伴走了以后 → 去世以后 → 去世
                text = self._rewrite_pattern.sub(lambda m: self._rewrites[m.group(0)], text)
        return text

    def phrases(self, tokens: list[str]) -> list[tuple[int, int, str]]:
        """Every run of up to MAX_TERM_TOKENS consecutive tokens within a clause (none spans a
        punctuation mark), as (first, after-last, text)."""
        runs = []
        for i in range(len(tokens)):
            for j in range(i + 1, min(i + MAX_TERM_TOKENS, len(tokens)) + 1):
                if tokens[j - 1] in (BREAK, PAUSE):
                    break
                runs.append((i, j, "".join(tokens[i:j])))
        return runs

    def _segment(self, text: str) -> list[str]:
        return self._tokenizer.lcut(text, HMM=False)

    def _is_jieba_word(self, text: str) -> bool:
        """A word of jieba's own dictionary (so a real word, not a typo)."""
        return self._tokenizer.FREQ.get(text, 0) >= REAL_WORD_FREQ


def _alternation(words: Iterable[str]) -> re.Pattern[str] | None:
    """A pattern matching any of words, the longest where several start at one place (老伴走了
    over 走了). Written as a tree of their characters: Python's re tries a plain alternation's
    thousands of words one by one at every character, a tree follows only the words that go on."""
    tree: dict[str, dict] = {}
    for word in words:
        node = tree
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}  # a word ends here
    return re.compile(_tree_pattern(tree)) if tree else None


def _tree_pattern(node: dict[str, dict]) -> str:
    """The pattern of the words below node; each branch's longer words are tried first, since
    a greedy ? tries its group before skipping it."""
    branches = [re.escape(char) + _tree_pattern(child) for char, child in sorted(node.items()) if char]
    if not branches:
        return ""
    if len(branches) == 1:
        return f"(?:{branches[0]})?" if "" in node else branches[0]
    return f"(?:{'|'.join(branches)})" + ("?" if "" in node else "")
