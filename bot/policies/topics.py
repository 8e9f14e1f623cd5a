"""Reading the knowledge base: one TOML file per topic in content/policies/."""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from bot.language.words import normalize

FIELDS = ("id", "title", "keywords", "broad", "hints", "examples", "related", "answer")
LIST_FIELDS = ("keywords", "broad", "hints", "examples", "related")


@dataclass(frozen=True)
class Topic:
    """One policy topic: how people ask about it and what the bot answers."""

    id: str
    title: str
    keywords: tuple[str, ...]
    broad: tuple[str, ...]  # keywords that yield to another topic's keyword in the same question
    hints: tuple[str, ...]
    examples: tuple[str, ...]
    related: tuple[str, ...]
    answer: str
    path: Path


def read_topics(folder: Path) -> tuple[list[Topic], list[str]]:
    """Every topic file that reads cleanly, and one problem sentence per file that does not."""
    topics: list[Topic] = []
    problems: list[str] = []
    for path in sorted(folder.glob("*.toml")):
        topic, problem = read_topic(path)
        if topic is not None:
            topics.append(topic)
        if problem:
            problems.append(problem)
    if not topics and not problems:
        problems.append(f"{folder}：没有任何政策话题文件（*.toml）。")
    return topics, problems


def read_topic(path: Path) -> tuple[Topic | None, str]:
    """The topic in one file, or None and the reason it cannot be read."""
    try:
        with path.open("rb") as fh:
            raw = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        return None, f"{path.name}：TOML 格式有误（{exc}）。"
    except UnicodeDecodeError:
        return None, f"{path.name}：不是 UTF-8 编码的文本。"
    problem = _shape_problem(raw)
    if problem:
        return None, f"{path.name}：{problem}"
    return Topic(id=raw["id"].strip(), title=raw["title"].strip(),
                 keywords=_clean(raw["keywords"]), broad=_clean(raw.get("broad", [])),
                 hints=_clean(raw.get("hints", [])),
                 examples=_clean(raw.get("examples", [])), related=_clean(raw.get("related", [])),
                 answer=raw["answer"].strip(), path=path), ""


def _shape_problem(raw: dict[str, Any]) -> str:
    unknown = sorted(set(raw) - set(FIELDS))
    if unknown:
        return f"有不认识的项 {unknown[0]}（可用的项：{'、'.join(FIELDS)}）。"
    for name in ("id", "title", "answer"):
        if not isinstance(raw.get(name), str):
            return f"缺少 {name}，或它不是一段文字。"
    if not isinstance(raw.get("keywords"), list):
        return "缺少 keywords（关键词列表）。"
    for name in LIST_FIELDS:
        value = raw.get(name, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            return f"{name} 应该是一组文字，如 [\"离休费\", \"退休费\"]。"
    return ""


def _clean(values: list[str]) -> tuple[str, ...]:
    return tuple(v.strip() for v in values if v.strip())


ASKED_FILE = "asked.tsv"  # in content/policies/: questions people asked, with the topic they meant
NOT_OURS = "-"  # asked.tsv's topic for a question confirmed not the office's to answer


class AskedQuestions(NamedTuple):
    """asked.tsv as read (by read_asked): the questions by topic, in the file's order, and each
    one's normalised words → its topic, what the router knows a question by (normalised once,
    here; the two always hold the same questions)."""

    by_topic: dict[str, tuple[str, ...]]
    known: dict[str, str]


def read_asked(path: Path, topic_ids: set[str]) -> tuple[AskedQuestions, list[str]]:
    """The asked questions (none without the file), and one problem sentence per bad line.

    A line is 「问题<Tab>话题」, the topic 「-」 (NOT_OURS) for a question that is not the office's
    to answer; # starts a comment. Asked again in the same words (normalised: punctuation, spaces
    and case aside) a question gets its topic before the keywords are read (or is refused), and
    the second stage counts them among its topic's ways of asking; the questions not ours teach
    the router what someone else's matter reads like (bot.policies.outside). Unlike a topic's
    examples they need not be answered by the keywords: a question the bot missed is kept here as
    it was asked."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return AskedQuestions({}, {}), []
    except UnicodeDecodeError:
        return AskedQuestions({}, {}), [f"{path.name}：不是 UTF-8 编码的文本。"]
    asked: dict[str, list[str]] = {}
    problems: list[str] = []
    known: dict[str, str] = {}  # in normalised words: the words a question is known by
    for number, line in enumerate(lines, start=1):
        if not line.strip() or line.startswith("#"):
            continue
        fields = [f.strip() for f in line.split("\t")]
        where = f"{path.name} 第 {number} 行"
        key = normalize(fields[0])
        if len(fields) != 2 or not all(fields) or not key:
            problems.append(f"{where}：应该是「问题<Tab>话题」两栏。")
        elif fields[1] not in topic_ids and fields[1] != NOT_OURS:
            problems.append(f"{where}：「{fields[1]}」不是已有的话题。")
        elif key in known:
            problems.append(f"{where}：这个问题前面已经有了（标点、空格不算）。")
        else:
            known[key] = fields[1]
            asked.setdefault(fields[1], []).append(fields[0])
    return AskedQuestions({topic: tuple(questions) for topic, questions in asked.items()}, known), problems


def with_asked(text: str, taught: Iterable[tuple[str, str]]) -> tuple[str, int]:
    """asked.tsv's text with the taught (topic, question) pairs added in order, and how many
    lines that changed: a question already there (in normalised words) takes the taught topic,
    a new one is appended as one clean line (spaces and line breaks made single spaces, no
    leading #, which would make it a comment)."""
    lines = text.splitlines()
    where = {normalize(line.split("\t")[0]): i for i, line in enumerate(lines)
             if line.strip() and not line.startswith("#")}
    changed = 0
    for topic, question in taught:
        clean = " ".join(question.split()).lstrip("#").strip()
        key = normalize(clean)
        if not key:
            continue
        if key not in where:
            where[key] = len(lines)
            lines.append(f"{clean}\t{topic}")
            changed += 1
        elif lines[where[key]].split("\t")[-1].strip() != topic:
            question_as_written = lines[where[key]].split("\t")[0].strip()
            lines[where[key]] = f"{question_as_written}\t{topic}"
            changed += 1
    return "".join(f"{line}\n" for line in lines), changed
