"""Retiree-facing texts, loaded from content/ so staff can edit them without touching code."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from bot.config import ConfigError, Settings
from bot.office_values import office_values


class Texts:
    """The reply texts of content/chat.toml, with the office's details filled in."""

    def __init__(self, raw: dict[str, Any], office: dict[str, str]) -> None:
        self._raw = raw
        self._office = office

    @classmethod
    def load(cls, content_dir: Path, settings: Settings) -> Texts:
        """Read content/chat.toml; a missing or broken file stops start-up with one sentence."""
        path = content_dir / "chat.toml"
        try:
            with path.open("rb") as fh:
                return cls(tomllib.load(fh), office_values(settings))
        except FileNotFoundError as exc:
            raise ConfigError(f"找不到对话文字文件 {path}。") from exc
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"对话文字文件 {path} 格式有误：{exc}。") from exc

    def get(self, key: str, **values: Any) -> str:
        """The text named `key` (dotted for tables, e.g. "guide.title"), placeholders filled."""
        node: Any = self._raw
        for part in key.split("."):
            node = node[part]
        return str(node).strip().format(**self._office, **values)

    def fill(self, text: str) -> str:
        """Any text from content/ with the office's placeholders ({office_phone} …) filled in."""
        return text.strip().format(**self._office)

    def numbered(self, labels: list[str]) -> list[str]:
        """「回复 1　…」 lines, one per label, numbered from 1."""
        return [self.get("menu_line", number=n, label=label) for n, label in enumerate(labels, start=1)]

    def table(self, key: str) -> Any:
        """A raw table or list from the file (e.g. the menu items)."""
        return self._raw[key]
