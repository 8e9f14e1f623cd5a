"""The dictionaries in content/dictionary/: domain words, colloquial synonyms and filler words."""

from __future__ import annotations

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


def read_lexicon(folder: Path) -> tuple[Lexicon, list[str]]:
    """The lexicon in folder, and one problem sentence per thing wrong with its files."""
    problems: list[str] = []
    words = _read_lines(folder / "words.txt", problems)
    fillers = _read_lines(folder / "fillers.txt", problems)
    off_topic = _read_lines(folder / "off_topic.txt", problems)
    synonyms = _read_synonyms(folder / "synonyms.toml", problems)
    return Lexicon(words=tuple(w.split()[0] for w in words), synonyms=synonyms,
                   fillers=frozenset(normalize(f) for f in fillers),
                   off_topic=frozenset(normalize(w) for w in off_topic)), problems


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
