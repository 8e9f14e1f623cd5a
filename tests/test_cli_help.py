"""Staff read `python -m bot … --help` and its refusals: all of it in Chinese (issue 25, item 6).

Every command and action of the parser tree is walked, so a new one is held to the same rule.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Iterator

import pytest

from bot.cli import _parser, main
from bot.command_support import in_chinese
from bot.models import Role

# Latin words help may show besides the parser's own names (commands, options, choices, prog):
# file formats and programs, WeChat's openid, a date's placeholder, what `staff add --role`
# and `notice send --to` take (admin/viewer; all, group:<…>, retiree:<…>).
TECHNICAL = {"TOML", "toml", "JSON", "UTF", "xlsx", "csv", "SQLite", "gunicorn", "config", "openid",
             "openids", "YYYY", "all", "group", "retiree", *(role.value for role in Role)}
ENGLISH = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
URL = re.compile(r"https?://\S+")
ARGPARSE_WORDS = re.compile(r"usage:|options:|positional arguments|show this help|error:|"
                            r"required|invalid|argument")


def _commands(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()
              ) -> Iterator[tuple[tuple[str, ...], argparse.ArgumentParser]]:
    """Every (sub-)command of parser with the words that call it."""
    yield path, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _commands(sub, (*path, name))


COMMANDS = dict(_commands(_parser()))


def _names() -> tuple[set[str], set[str]]:
    """The option strings, and the other Latin words the parser itself names (commands, choices,
    the program)."""
    options, words = set(), set(TECHNICAL)
    for parser in COMMANDS.values():
        words.update(ENGLISH.findall(parser.prog))
        for action in parser._actions:
            options.update(action.option_strings)
            for choice in action.choices or ():
                words.update(ENGLISH.findall(str(choice)))
    return options, words


OPTIONS, ALLOWED = _names()


def _english(line: str) -> list[str]:
    """The English words of a help line: what is left once URLs, option strings, identifiers
    (config keys, job names) and the allowed words are taken out."""
    line = URL.sub(" ", line)
    for option in sorted(OPTIONS, key=len, reverse=True):
        line = re.sub(rf"(?<![\w-]){re.escape(option)}(?![\w-])", " ", line)
    return [word for word in ENGLISH.findall(line)
            if "_" not in word and sum(c.isalpha() for c in word) >= 3 and word not in ALLOWED]


@pytest.mark.parametrize("path", list(COMMANDS), ids=lambda path: " ".join(path) or "python -m bot")
def test_help_is_in_chinese(path: tuple[str, ...], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main([*path, "--help"])
    assert done.value.code == 0
    shown = capsys.readouterr().out
    assert shown.startswith("用法：python -m bot") and "选项：\n  -h, --help" in shown
    assert "显示这段说明后退出" in shown and not ARGPARSE_WORDS.search(shown), shown
    english = {line.strip(): words for line in shown.splitlines() if (words := _english(line))}
    assert not english, f"English in `{' '.join(['python -m bot', *path])} --help`: {english}"


@pytest.mark.parametrize("path", [path for path in COMMANDS if path], ids=" ".join)
def test_every_command_says_what_it_does(path: tuple[str, ...]) -> None:
    assert COMMANDS[path].description, f"python -m bot {' '.join(path)} has no help="


@pytest.mark.parametrize(("args", "said"), [
    (["notice", "send"], "错误：缺少必填的参数：--to"),
    (["notice", "send", "--to", "all"], "错误：--text、--file 必须给出一个"),
    (["notice", "send", "--to", "all", "--text", "好", "--file", "a.txt"],
     "错误：--file：不能和 --text 同时使用"),
    ([], "错误：缺少必填的参数：命令"),
    (["nosuch"], "错误：命令：没有「nosuch」这一项，可选：serve、db、outbox"),
    (["care", "visit", "add", "1", "--by", "王丽", "--type", "春节"], "错误：--type：没有「春节」这一项"),
    (["jobs", "run", "morning_greetings", "--date", "12月8日"],
     "错误：--date：「12月8日」不是有效的日期（YYYY-MM-DD）"),
    (["notice", "cancel", "三"], "错误：通知编号：「三」不是有效的整数"),
    (["notice", "send", "--to"], "错误：--to：后面要跟一个值"),
    (["staff", "list", "extra"], "错误：多出了看不懂的参数：extra"),
])
def test_a_bad_call_is_refused_in_chinese(args: list[str], said: str,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(args)
    assert done.value.code == 2
    out, err = capsys.readouterr()
    assert not out and err.startswith("用法：python -m bot") and said in err, err
    assert "--help 看说明" in err and not ARGPARSE_WORDS.search(err.replace(said, "")), err


def test_a_refusal_argparse_words_otherwise_is_shown_as_it_is() -> None:
    assert in_chinese("something new: x") == "something new: x"
    assert in_chinese("argument --at: something new") == "--at：something new"
