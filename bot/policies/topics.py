"""Reading the knowledge base: one TOML file per topic in content/policies/."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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
