"""What staff commands share: one transaction, a one-line result, a clear refusal, and a parser
whose help and errors are in Chinese."""

from __future__ import annotations

import argparse
import re
import sys
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any, NoReturn

from sqlalchemy.orm import Session

from bot.config import load_settings
from bot.db.engine import transaction
from bot.services import Services, build_services

Action = Callable[[Services, Session], str]


class RollBack(Exception):
    """Raised by an action to undo everything it did and still succeed (a dry run); the
    message is printed as its result."""


@contextmanager
def command_services(*, wechat: bool = True) -> Iterator[Services]:
    """The services a command runs with (config.toml, or BOT_CONFIG), closed when it is done;
    wechat=False for commands that never talk to WeChat."""
    services = build_services(load_settings(wechat=wechat))
    try:
        yield services
    finally:
        services.close()


def in_transaction(action: Action, refusals: tuple[type[Exception], ...] = ()) -> int:
    """Run action in one transaction and print its result; a refusal prints why, changes nothing."""
    with command_services() as services:
        try:
            with transaction(services.sessions) as session:
                print(action(services, session))
        except RollBack as done:
            print(done)
        except refusals as exc:
            print(exc, file=sys.stderr)
            return 1
    return 0


# --- argparse in Chinese: `python -m bot … --help` and its refusals are read by office clerks ---

USAGE = "用法："


def _columns(text: str) -> int:
    """How many terminal columns text takes: a Chinese character or full-width mark takes two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


# What a line may not be broken inside: a run of ASCII (with any <placeholder> in it), or one
# other character with the opening marks before it and the closing marks after it.
_PIECE = re.compile(r"[（「『《“]*(?:(?:<[^<>\s]*>|[!-~])+|[^\s!-~])[，。、；：）」』》”！？…]*|\s+")


def _wrap(text: str, width: int) -> list[str]:
    """text in lines of at most width columns, broken between Chinese characters or at spaces."""
    lines, line = [], ""
    for piece in _PIECE.findall(" ".join(text.split())):
        if piece.isspace():
            line += " " if line else ""
        elif line.strip() and _columns(line) + _columns(piece) > width:
            lines.append(line.rstrip())
            line = piece
        else:
            line += piece
    return [*lines, line.rstrip()] if line.strip() else lines


class ChineseHelpFormatter(argparse.HelpFormatter):
    """argparse's help in Chinese (用法：, 参数：, 选项：), laid out by terminal columns."""

    class _Section(argparse.HelpFormatter._Section):
        def format_help(self) -> str:
            text = super().format_help()
            return text.replace(f"{self.heading}:\n", f"{self.heading}：\n", 1) if self.heading else text

    def _format_usage(self, usage: str | None, actions: Iterable[argparse.Action],
                      groups: Iterable[argparse._MutuallyExclusiveGroup], prefix: str | None) -> str:
        if prefix is not None:  # '' when argparse builds a sub-command's prog
            return super()._format_usage(usage, actions, groups, prefix)
        wider = _columns(USAGE) - len(USAGE)
        self._width -= wider
        try:
            text = super()._format_usage(usage, actions, groups, USAGE)
        finally:
            self._width += wider
        return text.replace("\n ", "\n" + " " * (wider + 1))  # continuation lines under the first

    def add_argument(self, action: argparse.Action) -> None:
        super().add_argument(action)
        if action.help is not argparse.SUPPRESS:
            shown = [self._format_action_invocation(action)]
            shown += [self._format_action_invocation(a) for a in self._iter_indented_subactions(action)]
            self._action_max_length = max(self._action_max_length,
                                          max(map(_columns, shown)) + self._current_indent)

    def _format_action(self, action: argparse.Action) -> str:
        """argparse's own layout, measured in columns rather than characters."""
        help_position = min(self._action_max_length + 2, self._max_help_position)
        help_width = max(self._width - help_position, 11)
        action_width = help_position - self._current_indent - 2
        header = self._format_action_invocation(action)
        indent = " " * self._current_indent
        help_text = self._expand_help(action) if action.help and action.help.strip() else ""
        help_lines = self._split_lines(help_text, help_width) if help_text else []
        if not help_lines:
            parts = [f"{indent}{header}\n"]
        elif _columns(header) <= action_width:
            padding = " " * (action_width - _columns(header) + 2)
            parts = [f"{indent}{header}{padding}{help_lines[0]}\n"]
        else:
            parts = [f"{indent}{header}\n", f"{' ' * help_position}{help_lines[0]}\n"]
        parts += [f"{' ' * help_position}{line}\n" for line in help_lines[1:]]
        parts += [self._format_action(a) for a in self._iter_indented_subactions(action)]
        return self._join_parts(parts)

    def _split_lines(self, text: str, width: int) -> list[str]:
        return _wrap(text, width)

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        return "\n".join(indent + line for line in _wrap(text, width - len(indent)))


class _Commands(argparse._SubParsersAction):
    """Sub-commands whose own --help opens with what their entry in the list says."""

    def add_parser(self, name: str, **kwargs: Any) -> argparse.ArgumentParser:
        kwargs.setdefault("description", kwargs.get("help"))
        return super().add_parser(name, **kwargs)


def _quoted(text: str) -> str:
    """A value argparse shows as 'value', in 「」."""
    return f"「{text[1:-1]}」" if len(text) > 1 and text[0] == text[-1] and text[0] in "'\"" else text


def _listed(text: str) -> str:
    """'a', 'b', 'c' as a、b、c."""
    return re.sub(r"'([^']*)'", r"\1", text).replace(", ", "、")


_KINDS_OF_VALUE = {"int": "整数", "float": "数字", "fromisoformat": "日期（YYYY-MM-DD）", "Path": "文件名"}
# argparse's own refusals (Python 3.11, argparse.py), in the words a clerk reads.
_REFUSALS: list[tuple[str, Callable[[re.Match[str]], str]]] = [
    (r"the following arguments are required: (.*)", lambda m: f"缺少必填的参数：{m[1].replace(', ', '、')}"),
    (r"one of the arguments (.*) is required", lambda m: f"{'、'.join(m[1].split())} 必须给出一个"),
    (r"not allowed with argument (.*)", lambda m: f"不能和 {m[1]} 同时使用"),
    (r"invalid choice: (.*) \(choose from (.*)\)",
     lambda m: f"没有{_quoted(m[1])}这一项，可选：{_listed(m[2])}"),
    (r"invalid (\S+) value: (.*)",
     lambda m: f"{_quoted(m[2])}不是有效的{_KINDS_OF_VALUE.get(m[1], '值')}"),
    (r"expected one argument", lambda m: "后面要跟一个值"),
    (r"expected at most one argument", lambda m: "后面最多跟一个值"),
    (r"expected at least one argument", lambda m: "后面至少要跟一个值"),
    (r"expected (\d+) arguments?", lambda m: f"后面要跟 {m[1]} 个值"),
    (r"unrecognized arguments: (.*)", lambda m: f"多出了看不懂的参数：{m[1]}"),
    (r"ambiguous option: (\S+) could match (.*)", lambda m: f"{m[1]} 不明确，可能是：{_listed(m[2])}"),
    (r"ignored explicit argument (.*)", lambda m: f"这个选项后面不能跟值：{_quoted(m[1])}"),
    (r"unknown parser (.*) \(choices: (.*)\)",
     lambda m: f"没有{_quoted(m[1])}这个命令，可选：{_listed(m[2])}"),
    (r"can't open '(.*)': (.*)", lambda m: f"打不开 {m[1]}：{m[2]}"),
]


def in_chinese(message: str) -> str:
    """One of argparse's English refusals in Chinese; any other message as it is."""
    if found := re.fullmatch(r"argument (.+?): (.*)", message, re.DOTALL):
        return f"{found[1]}：{in_chinese(found[2])}"
    for pattern, chinese in _REFUSALS:
        if found := re.fullmatch(pattern, message, re.DOTALL):
            return chinese(found)
    return message


class ChineseArgumentParser(argparse.ArgumentParser):
    """The parser of `python -m bot` and, through add_subparsers, of every sub-command: its help
    and its refusals in Chinese (exit code 2, as argparse's)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", ChineseHelpFormatter)
        super().__init__(*args, **kwargs)
        self.register("action", "parsers", _Commands)
        self._positionals.title = "参数"
        self._optionals.title = "选项"
        for action in self._actions:
            if isinstance(action, argparse._HelpAction):
                action.help = "显示这段说明后退出"

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(2, f"错误：{in_chinese(message)}\n（用 {self.prog} --help 看说明）\n")
