"""The dictionaries in content/dictionary/: domain words, colloquial synonyms, filler words, other
domains' words, and how a question about a younger relative's own school or company reads."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from bot.language.words import normalize


@dataclass(frozen=True)
class Lexicon:
    """What the analyser knows beyond jieba's own dictionary."""

    words: tuple[str, ...] = ()
    synonyms: dict[str, str] = field(default_factory=dict)  # colloquial form → canonical word
    fillers: frozenset[str] = frozenset()
    off_topic: frozenset[str] = frozenset()  # words that say a question is about something else
    someone_else: SomeoneElse | None = None


@dataclass(frozen=True)
class SomeoneElse:
    """A younger relative's own matter: 孙子 … 小学, 女儿 … 公司, no punctuation between."""

    pattern: re.Pattern[str]
    not_theirs: tuple[str, ...]  # the retirees' own schools (老年大学), never a relative's

    def speaks_of(self, question: str) -> bool:
        """Whether the question speaks of a younger relative's own school or workplace."""
        text = question  # as typed: a comma between the two words parts them (normalize drops it)
        for own in self.not_theirs:
            text = text.replace(own, "□" * len(own))
        return self.pattern.search(text) is not None


def read_lexicon(folder: Path) -> tuple[Lexicon, list[str]]:
    """The lexicon in folder, and one problem sentence per thing wrong with its files."""
    problems: list[str] = []
    words = _read_lines(folder / "words.txt", problems)
    fillers = _read_lines(folder / "fillers.txt", problems)
    off_topic = _read_lines(folder / "off_topic.txt", problems)
    synonyms = _read_synonyms(folder / "synonyms.toml", problems)
    return Lexicon(words=tuple(w.split()[0] for w in words), synonyms=synonyms,
                   fillers=frozenset(normalize(f) for f in fillers),
                   off_topic=frozenset(normalize(w) for w in off_topic),
                   someone_else=_read_someone_else(folder / "someone_else.toml", problems)), problems


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


def _read_synonyms(path: Path, problems: list[str]) -> dict[str, str]:
    """`标准词 = ["说法一", "说法二"]` turned round: each colloquial form to its standard word."""
    try:
        with path.open("rb") as fh:
            raw = tomllib.load(fh)
    except FileNotFoundError:
        problems.append(f"找不到同义词文件 {path.name}。")
        return {}
    except tomllib.TOMLDecodeError as exc:
        problems.append(f"{path.name}：TOML 格式有误（{exc}）。")
        return {}
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


_PUNCTUATION = "，。,.？?！!；;、：:\\s"


def _read_someone_else(path: Path, problems: list[str]) -> SomeoneElse | None:
    """someone_else.toml as a SomeoneElse (None without the file: the rule is optional)."""
    try:
        with path.open("rb") as fh:
            raw = tomllib.load(fh)
    except FileNotFoundError:
        return None
    except tomllib.TOMLDecodeError as exc:
        problems.append(f"{path.name}：TOML 格式有误（{exc}）。")
        return None
    lists = {key: raw.get(key, []) for key in ("younger", "places", "not_theirs")}
    within = raw.get("within", 6)
    if not all(isinstance(v, list) and all(isinstance(w, str) and w.strip() for w in v)
               for v in lists.values()):
        problems.append(f"{path.name}：younger、places、not_theirs 应该各是一组文字。")
        return None
    if not lists["younger"] or not lists["places"]:
        problems.append(f"{path.name}：younger 和 places 都不能是空的。")
        return None
    if not isinstance(within, int) or isinstance(within, bool) or not 0 <= within <= 20:
        problems.append(f"{path.name}：within 应该是 0 到 20 之间的整数。")
        return None
    younger, places = (_alternatives(lists[key]) for key in ("younger", "places"))
    pattern = re.compile(f"(?:{younger})[^{_PUNCTUATION}]{{0,{within}}}(?:{places})")
    return SomeoneElse(pattern, tuple(w.strip() for w in lists["not_theirs"]))


def _alternatives(words: list[str]) -> str:
    return "|".join(re.escape(w.strip()) for w in sorted(words, key=len, reverse=True))
