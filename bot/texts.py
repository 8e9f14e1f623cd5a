"""Retiree-facing texts, loaded from content/ so staff can edit them without touching code."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from bot.config import ConfigError, OfficeSettings


class Texts:
    """The reply texts of content/chat.toml, with the office's details filled in."""

    def __init__(self, raw: dict[str, Any], office: OfficeSettings) -> None:
        self._raw = raw
        lines = [f"{label}：{value}" for label, value in
                 (("地址", office.address), ("电话", office.phone), ("办公时间", office.hours))
                 if value]  # a detail the office has not filled in is left out, not guessed
        self._office = {
            "office_name": office.name,
            "office_phone": office.phone or "（请到服务窗口咨询）",
            "office_lines": "\n".join(lines) or "（联系方式请到服务窗口咨询）",
        }

    @classmethod
    def load(cls, content_dir: Path, office: OfficeSettings) -> Texts:
        """Read content/chat.toml; a missing or broken file stops start-up with one sentence."""
        path = content_dir / "chat.toml"
        try:
            with path.open("rb") as fh:
                return cls(tomllib.load(fh), office)
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

    def table(self, key: str) -> Any:
        """A raw table or list from the file (e.g. the menu items)."""
        return self._raw[key]
