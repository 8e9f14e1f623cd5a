"""`python -m bot content check` finds each kind of broken content before a retiree does."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from bot.cli import main
from bot.config import PROJECT_ROOT, Settings
from bot.content_check import check_content


@pytest.fixture
def content(tmp_path: Path) -> Path:
    """A copy of the shipped content/ to break."""
    return Path(shutil.copytree(PROJECT_ROOT / "content", tmp_path / "content"))


def edit(path: Path, old: str, new: str) -> None:
    """Replace old (which must be there) by new in a file."""
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_the_shipped_content_passes(settings: Settings) -> None:
    assert check_content(settings) == []


def topic(content: Path, name: str) -> Path:
    """One topic file of the copy."""
    return content / "policies" / f"{name}.toml"


P = "policies/"
# (what breaks, the file, text to replace, its replacement, what the report must say)
BREAKAGES = [
    ("duplicate id", P + "party-fee.toml", 'id = "party-fee"', 'id = "party-life"',
     "id「party-life」和别的文件重复了"),
    ("unknown field", P + "newspapers.toml", 'answer = """', 'answer = """\n"""\nold = """',
     "newspapers.toml：有不认识的项 old"),
    ("unknown placeholder", P + "petition.toml", "{petition_day}", "{petition_date}",
     "{petition_date} 不是可用的办公室信息"),
    ("unpaired brace", P + "petition.toml", "{petition_day}", "{petition_day", "花括号 { } 没有配对"),
    ("unreachable keyword", P + "health-checkup.toml", 'keywords = ["', 'keywords = ["看病的钱", "',
     "关键词「看病的钱」单独问时找不到这个话题"),
    ("keyword in two topics", P + "health-checkup.toml", 'keywords = ["', 'keywords = ["党费", "',
     "关键词「党费」同时属于"),
    ("unknown related topic", P + "party-fee.toml", 'related = ["', 'related = ["no-such-topic", "',
     "related 里的「no-such-topic」不是已有的话题"),
    ("broken TOML", P + "outings.toml", '"参观与疗养"', '"参观与疗养', "outings.toml：TOML 格式有误"),
    ("example routed elsewhere", P + "outings.toml", "examples = [", 'examples = [\n  "党费交多少",',
     "例句「党费交多少」没有认到这个话题（认成了 party-fee）"),
    ("synonym to nowhere", "dictionary/synonyms.toml", '"抚恤金" = [', '"不存在的词" = ["某某", ',
     "「不存在的词」不是任何话题的关键词或辅助词"),
    ("younger relatives' rule with no verbs", "dictionary/someone_else.toml",
     'verbs = ["上", "在", "考", "读", "进", "换了", "是"]', "verbs = []",
     "someone_else.toml：younger、places、verbs 都不能是空的"),
    ("younger relatives' rule misspelt", "dictionary/someone_else.toml", "within = 2",
     "within = 2\nwithn = 3", "someone_else.toml：有不认识的项 withn"),
    ("younger relatives' rule with a wild gap", "dictionary/someone_else.toml", "within = 2",
     "within = 9", "someone_else.toml：within 应该是 0 到 4 之间的整数"),
    ("writer's whereabouts with no places", "dictionary/writer_away.toml",
     'places = ["外地", "外省", "异地"]', "places = []",
     "writer_away.toml：parents、me、children、places 应该各是一组文字，都不能是空的"),
    ("writer's whereabouts misspelt", "dictionary/writer_away.toml", 'me = ["我"]',
     'me = ["我"]\nmine = ["俺"]', "writer_away.toml：有不认识的项 mine"),
    ("look-alike group of one character", "dictionary/look_alike.txt", "休体\n", "休\n",
     "look_alike.txt：「休」应该是一行两个以上、各不相同的汉字"),
    ("asked question of no topic", P + "asked.tsv", "坐几路公交车能到你们单位\tcontact-office",
     "坐几路公交车能到你们单位\tno-such-topic", "「no-such-topic」不是已有的话题"),
    ("asked question without its topic", P + "asked.tsv", "坐几路公交车能到你们单位\tcontact-office",
     "坐几路公交车能到你们单位", "应该是「问题<Tab>话题」两栏"),
    ("asked question twice", P + "asked.tsv", "坐几路公交车能到你们单位\tcontact-office\n",
     "坐几路公交车能到你们单位\tcontact-office\n坐几路公交车能到你们单位\tarchives\n",
     "这个问题前面已经有了"),
    ("asked question twice in other punctuation", P + "asked.tsv",
     "坐几路公交车能到你们单位\tcontact-office\n",
     "坐几路公交车能到你们单位\tcontact-office\n坐几路公交车，能到你们单位？\tarchives\n",
     "这个问题前面已经有了（标点、空格不算）"),
    ("answer too long", P + "archives.toml", 'answer = """', 'answer = """' + "很长的话。" * 300,
     "回答太长"),
    ("placeholder in chat texts", "chat.toml", "{office_lines}\n有事", "{office_fax}\n有事",
     "chat.toml：{office_fax} 不是可用的办公室信息"),
]


@pytest.mark.parametrize(("file", "old", "new", "report"), [b[1:] for b in BREAKAGES],
                         ids=[b[0] for b in BREAKAGES])
def test_each_kind_of_breakage_is_reported(settings: Settings, content: Path, file: str, old: str,
                                          new: str, report: str) -> None:
    edit(content / file, old, new)
    problems = check_content(replace(settings, content_dir=content))
    assert any(report in p for p in problems), problems


def test_an_empty_answer_is_reported(settings: Settings, content: Path) -> None:
    path = topic(content, "newspapers")
    text = path.read_text(encoding="utf-8")
    path.write_text(text[:text.index('answer = """')] + 'answer = ""\n', encoding="utf-8")
    problems = check_content(replace(settings, content_dir=content))
    assert "policies/newspapers.toml：answer 是空的。" in problems


def test_a_file_not_named_after_its_id_is_reported(settings: Settings, content: Path) -> None:
    topic(content, "outings").rename(topic(content, "trips"))
    assert any("文件名应与 id 相同" in p for p in check_content(replace(settings, content_dir=content)))


def test_the_command_exits_non_zero_with_a_report(content: Path, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    edit(topic(content, "petition"), "{petition_day}", "{petition_date}")
    config = tmp_path / "config.toml"
    config.write_text(f'content_dir = "{content}"\n', encoding="utf-8")  # no WeChat keys needed
    monkeypatch.setenv("BOT_CONFIG", str(config))
    assert main(["content", "check"]) == 1
    out, err = capsys.readouterr()
    assert "✗ policies/petition.toml" in out and "1 处问题" in err


def test_the_command_passes_on_good_content_and_lists_unfilled_office_values(
        content: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "config.toml"
    config.write_text(f'content_dir = "{content}"\n[office]\nphone = "010-1"\n', encoding="utf-8")
    monkeypatch.setenv("BOT_CONFIG", str(config))
    assert main(["content", "check"]) == 0
    out = capsys.readouterr().out
    assert "内容检查通过" in out and "pension_pay_day" in out and "phone" not in out.split("还没填：")[1]


def test_a_broken_knowledge_base_stops_start_up_with_one_sentence(settings: Settings, content: Path) -> None:
    from bot.config import ConfigError
    from bot.policies import load_engine

    edit(topic(content, "outings"), '"参观与疗养"', '"参观与疗养')
    with pytest.raises(ConfigError, match="content check"):
        load_engine(content)
