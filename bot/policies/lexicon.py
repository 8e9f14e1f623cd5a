"""The dictionaries in content/dictionary/: domain words, colloquial synonyms, filler words, other
domains' words, characters that look alike, how a question about a younger relative's own school or
company reads, where a child writing for a parent says they themselves are, and how a writer says
they meant something else (改口), and how a sentence thanks."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.language.words import normalize, simplified

OPENING = "…"  # a corrections.txt line ending so is how a clause begins, not the whole clause


@dataclass(frozen=True)
class Lexicon:
    """What the analyser knows beyond jieba's own dictionary."""

    words: tuple[str, ...] = ()
    synonyms: dict[str, str] = field(default_factory=dict)  # colloquial form → canonical word
    fillers: frozenset[str] = frozenset()
    off_topic: frozenset[str] = frozenset()  # words that say a question is about something else
    someone_else: SomeoneElse | None = None
    writer_away: WriterAway | None = None
    # a character → those that look like it (handwriting input picks 已 for 己, 体 for 休)
    look_alike: dict[str, frozenset[str]] = field(default_factory=dict)
    # what a writer says, as a clause of its own, on changing their mind mid-message: 「哦不对」,
    # 「说错了」, 「不是」 (normalised)
    corrections: frozenset[str] = frozenset()
    # … and how a clause naming what they do not ask begins: 「不是问看病，是问……」 (lines ending in …)
    correction_openings: tuple[str, ...] = ()
    # how a sentence thanks (谢谢, 感谢): thanks for one matter before a question about another
    thanks: tuple[str, ...] = ()


@dataclass(frozen=True)
class SomeoneElse:
    """A younger relative's own matter: 孙子上小学, 女儿她们公司, 儿子单位 (content/dictionary/
    someone_else.toml says which words may join the two)."""

    pattern: re.Pattern[str]
    not_theirs: tuple[str, ...]  # the retirees' own schools (老年大学), never a relative's
    # a school or workplace named, or 他们 / 她们: a sentence still about theirs
    theirs: re.Pattern[str] = re.compile("(?!)")
    # what a relative's school or workplace asks of the writer (政审, 证明我是……): the writer's own
    writers_own: tuple[str, ...] = ()

    def speaks_of(self, question: str) -> bool:
        """Whether the question speaks of a younger relative's own school or workplace, and not
        of what it asks of the writer (「孙子政审要我开个证明」 is the writer's matter)."""
        text = self._without_own(question)
        return self.pattern.search(text) is not None and not any(own in text for own in self.writers_own)

    def refers_to_theirs(self, sentence: str) -> bool:
        """Whether a sentence names a school or workplace, or them (他们): not the writer's own
        matter, though it names no relative (「孙子上小学。他们学校体检……」)."""
        return self.theirs.search(self._without_own(sentence)) is not None

    def _without_own(self, text: str) -> str:
        # simplified (孫子學校 is 孙子学校), punctuation kept: between the two words it parts them
        text = simplified(text)
        for own in self.not_theirs:
            text = text.replace(own, "□" * len(own))
        return text


@dataclass(frozen=True)
class WriterAway:
    """Where the writer is, not the retiree: 「我在外地，一时赶不回来」 from a son whose father is in
    hospital at home, 「孩子们都在外地」 (content/dictionary/writer_away.toml). Read on the analyser's
    text (simplified, colloquial forms rewritten: 北京 is 外地 there), one clause at a time."""

    parents: re.Pattern[str]  # the question names a parent: 我 is then a child writing
    starts_with_me: re.Pattern[str]  # a clause that begins with the writer (我 …)
    starts_with_children: re.Pattern[str]  # … with the children (孩子们 …): theirs, whoever writes
    places: tuple[str, ...]

    def names_parent(self, text: str) -> bool:
        """Whether the question names a parent (so that 我 in it is a child writing)."""
        return self.parents.search(text) is not None

    def is_writers_own(self, clause: str, names_parent: bool) -> bool:
        """Whether the clause tells where the writer or the children are, not the retiree."""
        return (self.starts_with_children.match(clause) is not None
                or (names_parent and self.starts_with_me.match(clause) is not None
                    and self.parents.search(clause) is None))

    def holds_place(self, word: str) -> bool:
        """Whether a word of the question is, or holds, a place word (外地, 外地住院)."""
        return any(place in word for place in self.places)


_LEADING = "(?:但是|但|可是|可|而且|而|不过|现在|目前|因为|由于)?"
# 孩子他爸, 孩子的爷爷: the retiree or a grandparent named through the children, not the children.
_THROUGH_THE_CHILDREN = "(?!他爸|他妈|她爸|她妈|他爹|他娘|的?爷爷|的?奶奶|的?外公|的?外婆|的?姥爷|的?姥姥)"


def read_lexicon(folder: Path) -> tuple[Lexicon, list[str]]:
    """The lexicon in folder, and one problem sentence per thing wrong with its files."""
    problems: list[str] = []
    words = _read_lines(folder / "words.txt", problems)
    fillers = _read_lines(folder / "fillers.txt", problems)
    off_topic = _read_lines(folder / "off_topic.txt", problems)
    corrections = _read_lines(folder / "corrections.txt", problems)
    thanks = _read_lines(folder / "thanks.txt", problems) if (folder / "thanks.txt").exists() else []
    openings = {normalize(c) for c in corrections if c.endswith(OPENING)}
    synonyms = _read_synonyms(folder / "synonyms.toml", problems)
    return Lexicon(words=tuple(w.split()[0] for w in words), synonyms=synonyms,
                   fillers=frozenset(normalize(f) for f in fillers),
                   off_topic=frozenset(normalize(w) for w in off_topic),
                   someone_else=_read_someone_else(folder / "someone_else.toml", problems),
                   writer_away=_read_writer_away(folder / "writer_away.toml", synonyms, problems),
                   look_alike=_read_look_alike(folder / "look_alike.txt", problems),
                   corrections=frozenset(normalize(c) for c in corrections if not c.endswith(OPENING)),
                   correction_openings=tuple(sorted(openings, key=lambda o: (-len(o), o))),
                   thanks=tuple(sorted({normalize(t) for t in thanks} - {""}))), problems


def _read_lines(path: Path, problems: list[str]) -> list[str]:
    """Non-empty lines that are not comments (#)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        problems.append(f"找不到词典文件 {path.name}。")
        return []
    except UnicodeDecodeError:
        problems.append(f"{path.name}：不是 UTF-8 编码的文本。")
        return []
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


def _read_look_alike(path: Path, problems: list[str]) -> dict[str, frozenset[str]]:
    """look_alike.txt, one group of characters that look alike a line (己已巳), as each character's
    look-alikes (the file is optional)."""
    if not path.exists():
        return {}
    alike: dict[str, frozenset[str]] = {}
    for line in _read_lines(path, problems):
        group = set(line)
        if len(group) < 2 or len(group) != len(line) or not all("\u4e00" <= c <= "\u9fff" for c in line):
            problems.append(f"{path.name}：「{line}」应该是一行两个以上、各不相同的汉字（长得像的一组）。")
            continue
        for char in group:
            alike[char] = alike.get(char, frozenset()) | (group - {char})
    return alike


def _read_synonyms(path: Path, problems: list[str]) -> dict[str, str]:
    """`标准词 = ["说法一", "说法二"]` turned round: each colloquial form to its standard word."""
    raw = _read_toml(path, problems, missing=f"找不到同义词文件 {path.name}。") or {}
    mapping: dict[str, str] = {}
    for canonical, forms in raw.items():
        if not isinstance(forms, list) or not all(isinstance(f, str) for f in forms):
            problems.append(f"{path.name}：「{canonical}」的说法应该是一组文字。")
            continue
        for form in forms:
            key = normalize(form)
            if key in mapping and mapping[key] != canonical:
                problems.append(f"{path.name}：「{form}」同时是「{mapping[key]}」和「{canonical}」的说法。")
            mapping[key] = canonical
    return mapping


def _read_toml(path: Path, problems: list[str], *, missing: str | None) -> dict[str, Any] | None:
    """The file's table; None when it is missing (a problem unless missing is None) or broken."""
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        if missing is not None:
            problems.append(missing)
    except tomllib.TOMLDecodeError as exc:
        problems.append(f"{path.name}：TOML 格式有误（{exc}）。")
    return None


_KEYS = ("younger", "places", "joins", "verbs", "not_theirs", "writers_own")
# Free characters before a verb (明年上小学, 报名上幼儿园) are never a person or punctuation: in
# 孩子他爸在单位 or 女儿陪我去单位 the unit is someone else's than the child's.
_NOT_FREE = "我你他她您爸妈，。,.？?！!；;、：:…~～—/（）()【】“”\"'\\s"


def _read_someone_else(path: Path, problems: list[str]) -> SomeoneElse | None:
    """someone_else.toml as a SomeoneElse (None without the file: the rule is optional)."""
    raw = _read_toml(path, problems, missing=None)
    if raw is None:
        return None
    lists = {key: raw.get(key, []) for key in _KEYS}
    within = raw.get("within")
    if unknown := sorted(set(raw) - {*_KEYS, "within"}):
        problems.append(f"{path.name}：有不认识的项 {'、'.join(unknown)}。")
        return None
    if not all(isinstance(v, list) and all(isinstance(w, str) and w.strip() for w in v)
               for v in lists.values()):
        problems.append(f"{path.name}：{'、'.join(_KEYS)} 应该各是一组文字。")
        return None
    if not all(lists[key] for key in ("younger", "places", "verbs")):
        problems.append(f"{path.name}：younger、places、verbs 都不能是空的。")
        return None
    if not isinstance(within, int) or isinstance(within, bool) or not 0 <= within <= 4:
        problems.append(f"{path.name}：within 应该是 0 到 4 之间的整数。")
        return None
    younger, places, joins, verbs = (_alternatives(lists[key])
                                     for key in ("younger", "places", "joins", "verbs"))
    gap = f"(?:{joins})?(?:[^{_NOT_FREE}]{{0,{within}}}(?:{verbs}))?"
    pattern = re.compile(f"(?:{younger}){gap}(?:{places})")
    theirs = re.compile(f"{places}|他们|她们")
    return SomeoneElse(pattern, tuple(w.strip() for w in lists["not_theirs"]), theirs,
                       tuple(simplified(w.strip()) for w in lists["writers_own"]))


_AWAY_KEYS = ("parents", "me", "children", "places")


def _read_writer_away(path: Path, synonyms: dict[str, str], problems: list[str]) -> WriterAway | None:
    """writer_away.toml as a WriterAway (None without the file: the rule is optional)."""
    raw = _read_toml(path, problems, missing=None)
    if raw is None:
        return None
    if unknown := sorted(set(raw) - set(_AWAY_KEYS)):
        problems.append(f"{path.name}：有不认识的项 {'、'.join(unknown)}。")
        return None
    lists = {key: raw.get(key) for key in _AWAY_KEYS}
    if not all(isinstance(v, list) and v and all(isinstance(w, str) and w.strip() for w in v)
               for v in lists.values()):
        problems.append(f"{path.name}：{'、'.join(_AWAY_KEYS)} 应该各是一组文字，都不能是空的。")
        return None
    parents, me, children = (_alternatives(lists[key]) for key in ("parents", "me", "children"))
    # As the analyser reads them: it rewrites what synonyms.toml maps (外省, 北京 → 外地) first.
    places = tuple(dict.fromkeys(synonyms.get(normalize(p), normalize(p)) for p in lists["places"]))
    return WriterAway(re.compile(parents), re.compile(f"{_LEADING}(?:{me})"),
                      re.compile(f"{_LEADING}(?:{children}){_THROUGH_THE_CHILDREN}"), places)


def _alternatives(words: list[str]) -> str:
    return "|".join(re.escape(w.strip()) for w in sorted(words, key=len, reverse=True)) or "(?!)"
