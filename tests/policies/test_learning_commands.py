"""The terminal side of the learning loop: `python -m bot ask --unanswered` lists what the
console's 没答上的问题 lists, grouped; `python -m bot content export` writes staff's changes into
the configured content/ folder."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa

from bot.cli import main
from bot.config import PROJECT_ROOT
from bot.db.engine import transaction
from bot.models import PolicyOverride
from bot.questions import keeping
from bot.services import Services
from tests.helpers import write_config


def keep(office: Services, *said: str) -> None:
    with transaction(office.sessions) as session:
        for text in said:
            keeping.keep(session, openid="o_zhang", via="chat", text=text, outcome="unanswered",
                         now=office.clock.now())


def test_unanswered_lists_the_groups_most_asked_first(
        cli, office: Services, capsys: pytest.CaptureFixture[str]) -> None:
    keep(office, "小区门口的路灯坏了找谁修", "地铁几号线能到你们单位", "坐地铁几号线能到单位啊")
    code, out, _ = cli(capsys, "ask", "--unanswered")
    lines = out.splitlines()
    assert code == 0
    assert lines[0].startswith("2 次｜地铁几号线能到你们单位｜没答上")
    assert lines[1] == "    也问过：坐地铁几号线能到单位啊"
    assert lines[2].startswith("1 次｜小区门口的路灯坏了找谁修")
    assert lines[-1] == "共 3 个问题，2 组；在工作台「没答上的问题」里处理。"


@pytest.fixture
def taught(office: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of content/ configured for the commands, and one question taught in the console."""
    content = tmp_path / "content"
    shutil.copytree(PROJECT_ROOT / "content", content)
    monkeypatch.setenv("BOT_CONFIG", str(write_config(tmp_path, office.settings, content_dir=content)))
    with transaction(office.sessions) as session:
        session.add(PolicyOverride(topic="contact-office", kind="example", text="地铁几号线能到你们单位",
                                   made_by="console:wangli", made_at=office.clock.now()))
    return content


def test_content_export_writes_into_the_configured_folder(
        taught: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["content", "export"]) == 0
    assert "✓ asked.tsv：问法 +1" in capsys.readouterr().out
    written = (taught / "policies" / "asked.tsv").read_text(encoding="utf-8")
    assert written.endswith("\n地铁几号线能到你们单位\tcontact-office\n")
    assert main(["content", "export"]) == 0
    assert "没有要导出的改动" in capsys.readouterr().out


def test_content_export_into_a_broken_asked_file_writes_and_marks_nothing(
        taught: Path, office: Services, capsys: pytest.CaptureFixture[str]) -> None:
    asked = taught / "policies" / "asked.tsv"
    broken = asked.read_text(encoding="utf-8") + "一行没有话题的问题\n"  # a hand edit half done
    asked.write_text(broken, encoding="utf-8")
    assert main(["content", "export"]) == 1
    assert "asked.tsv 导出后读不回来" in capsys.readouterr().err
    assert asked.read_text(encoding="utf-8") == broken
    with office.sessions() as session:
        assert session.scalar(sa.select(PolicyOverride.exported_at)) is None  # still to be exported
