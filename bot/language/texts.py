"""Retiree-facing texts, loaded from content/ so staff can edit them without touching code."""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from bot.config import ConfigError, Settings
from bot.language.office import office_values
from bot.language.words import PARTICLES, normalize, parse_choice, short_forms


class Texts:
    """The reply texts of content/chat.toml, with the office's details filled in."""

    def __init__(self, raw: dict[str, Any], office: dict[str, str]) -> None:
        self._raw = raw
        self._office = office
        answers = raw.get("answers", {})
        self._yes = _normalised(answers.get("yes", ()))
        self._firm = _normalised(answers.get("firm", ()))
        self._no = _normalised(answers.get("no", ()))
        self._filler = _normalised(answers.get("filler", ())) | frozenset(PARTICLES)
        self._word_lists: dict[str, frozenset[str]] = {}

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
        return str(self._node(key)).strip().format(**self._office, **values)

    def fill(self, text: str) -> str:
        """Any text from content/ with the office's placeholders ({office_phone} …) filled in."""
        return text.strip().format(**self._office)

    def menu(self, bound: bool = False) -> str:
        """The main menu ([[menu]] in chat.toml) as numbered lines, with its title and footer;
        bound: as a bound user reads it (an item's bound_label, where it has one)."""
        lines = self.numbered([item.get("bound_label", item["label"]) if bound else item["label"]
                               for item in self.table("menu")])
        return "\n".join([self.get("menu_title"), *lines, self.get("menu_footer")])

    def numbered(self, labels: list[str]) -> list[str]:
        """「回复 1　…」 lines, one per label, numbered from 1."""
        return [self.get("menu_line", number=n, label=label) for n, label in enumerate(labels, start=1)]

    def table(self, key: str) -> Any:
        """A raw table or list from the file (e.g. the menu items)."""
        return self._raw[key]

    def words(self, key: str) -> frozenset[str]:
        """A list of words from the file (dotted key, e.g. "policy.not_this"), normalised: read
        once, then kept (a matcher asks for its list on every message)."""
        if key not in self._word_lists:
            self._word_lists[key] = _normalised(self._node(key))
        return self._word_lists[key]

    def mentions(self, plain: str, key: str) -> bool:
        """Whether normalised text holds one of the words of key (「activity.refuse_words」)."""
        return any(word in plain for word in self.words(key))

    def _node(self, key: str) -> Any:
        """What the dotted key names in the file."""
        node: Any = self._raw
        for part in key.split("."):
            node = node[part]
        return node

    def yes_or_no(self, text: str) -> bool | None:
        """True for a confirming word (好的, 行, 确认, 👍 …), False for a refusing one (算了,
        不去了 …), None for anything else; the words are [answers] in chat.toml."""
        for form in short_forms(text):
            if form in self._yes:
                return True
            if form in self._no:
                return False
        plain = normalize(text)  # 「好的，确认」「好的麻烦你了🙏」「那算了吧」: answer words and filler
        if len(plain) <= 12:
            if _made_of(plain, self._yes, self._filler):
                return True
            if _made_of(plain, self._no, self._filler):
                return False
        return None

    def choice(self, text: str, *, yes: int | None = None, no: int | None = None,
               firm: bool = False) -> int | None:
        """The number picked, or the number a confirming or refusing word stands for here;
        firm: for what cannot be taken back (a notice to everyone), only the [answers] firm
        words confirm — 「好了」 or 👍 do not."""
        number = parse_choice(text)
        if number is not None:
            return number
        said = self.yes_or_no(text)
        if said and firm and not set(short_forms(text)) & self._firm:
            return None
        return None if said is None else yes if said else no


def _normalised(words: Iterable[str]) -> frozenset[str]:
    # A word of punctuation alone (「?」) normalises to nothing, which every text holds: left out.
    return frozenset(plain for word in words if (plain := normalize(word)))


def _made_of(text: str, words: frozenset[str], filler: frozenset[str]) -> bool:
    """Whether text is some of `words` (at least one) with only filler between and around."""
    # reach[i]: text[:i] can be covered, and whether an answer word is among the pieces
    reach: list[set[bool]] = [set() for _ in range(len(text) + 1)]
    reach[0].add(False)
    for start in range(len(text)):
        for said in reach[start]:
            for end in range(start + 1, len(text) + 1):
                piece = text[start:end]
                if piece in words:
                    reach[end].add(True)
                elif piece in filler:
                    reach[end].add(said)
    return True in reach[len(text)]
