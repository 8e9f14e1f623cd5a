"""The staff commands: roster import (with --dry-run), export, and groups."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from bot.config import PROJECT_ROOT, Settings
from bot.models import Retiree
from bot.roster.groups import add_group
from bot.sandbox.sample_roster import HEADERS, generate
from bot.sandbox.seed import SAMPLE_ROSTER
from bot.services import Services
from tests.roster.helpers import write_csv


@pytest.fixture
def bot_cli(settings: Settings, tmp_path: Path):
    """Run `python -m bot …` against the test database, as staff would."""
    w = settings.wechat
    config = tmp_path / "config.toml"
    config.write_text(f'database_url = "{settings.database_url}"\n[wechat]\nappid = "{w.appid}"\n'
                      f'secret = "{w.secret}"\ntoken = "{w.token}"\n'
                      f'encoding_aes_key = "{w.encoding_aes_key}"\n', encoding="utf-8")

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "bot", *map(str, args)], cwd=PROJECT_ROOT,
                              capture_output=True, text=True, timeout=120,
                              env={**os.environ, "BOT_CONFIG": str(config)})
    return run


def count(services: Services) -> int:
    with services.sessions() as session:
        return session.scalar(sa.select(sa.func.count()).select_from(Retiree)) or 0


def test_groups_then_dry_run_then_import(bot_cli, services: Services) -> None:
    for kind, name in (("党支部", "第一党支部"), ("党支部", "第二党支部")):
        assert bot_cli("groups", "add", kind, name).returncode == 0
    refused = bot_cli("groups", "add", "兴趣组", "钓鱼")
    assert refused.returncode == 1 and "可用的类型" in refused.stderr
    unknown = bot_cli("roster", "import", SAMPLE_ROSTER)
    assert unknown.returncode == 1 and "没有导入任何数据" in unknown.stdout
    assert "第三党支部" in unknown.stdout and "groups add" in unknown.stdout
    # the rest of the sample's groups through the same function the command calls (a process
    # each would cost this test half a minute on a slow machine)
    with services.sessions.begin() as session:
        for kind, names in (("党支部", "第三党支部 第四党支部 第五党支部"),
                            ("老年大学班级", "书法班 太极拳班 合唱班 摄影班"),
                            ("居住片区", "城东片区 城西片区 城南片区 城北片区")):
            for name in names.split():
                add_group(session, kind, name)
    dry = bot_cli("roster", "import", SAMPLE_ROSTER, "--dry-run")
    assert dry.returncode == 0 and "将会新增 200 人" in dry.stdout and "试运行" in dry.stdout
    assert count(services) == 0
    done = bot_cli("roster", "import", SAMPLE_ROSTER)
    assert done.returncode == 0 and "已新增 200 人" in done.stdout
    assert count(services) == 200
    listing = bot_cli("groups", "list").stdout
    assert "党支部：" in listing and "人）" in listing


def test_a_bad_file_prints_each_problem_with_its_row(bot_cli, tmp_path: Path,
                                                     services: Services) -> None:
    rows = generate(3)
    rows[0][3] = "1938-02-30"
    rows[2][5] = ""
    for row in rows:
        row[11:14] = ["", "", ""]  # no groups needed for this file
    result = bot_cli("roster", "import", write_csv(tmp_path / "bad.csv", rows, HEADERS))
    assert result.returncode == 1
    assert "发现 2 处问题" in result.stdout
    assert "第 2 行 · 出生日期" in result.stdout and "第 4 行 · 离休/退休：必填" in result.stdout
    assert count(services) == 0


def test_export_writes_a_file_staff_can_open(bot_cli, tmp_path: Path) -> None:
    result = bot_cli("roster", "export", tmp_path / "out.xlsx")
    assert result.returncode == 0 and (tmp_path / "out.xlsx").exists()
    assert "妥善保管" in result.stdout


def test_the_audit_log_names_the_real_account_and_the_whole_path(
        bot_cli, services: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The environment cannot make someone else the exporter of personal data."""
    import pwd

    from bot.models import AuditEntry

    monkeypatch.setenv("SUDO_USER", "someone_else")
    monkeypatch.setenv("USER", "someone_else")
    monkeypatch.setenv("LOGNAME", "someone_else")
    target = tmp_path / "名册" / "out.xlsx"
    target.parent.mkdir()
    assert bot_cli("roster", "export", target).returncode == 0
    with services.sessions() as session:
        entry = session.scalars(sa.select(AuditEntry)).one()
    me = pwd.getpwuid(os.getuid()).pw_name
    assert entry.actor.startswith(f"cli:{me}") and entry.actor != "cli:someone_else"
    if os.getuid() != 0:  # only root's sudo is believed, and only as a note beside root
        assert entry.actor == f"cli:{me}"
    assert entry.target == str(target.resolve())


def test_the_columns_import_understands_are_listed_for_staff(bot_cli) -> None:
    out = bot_cli("roster", "columns").stdout
    assert "出生日期（必填）：也可写作 出生年月" in out and "联系电话" in out and "groups add" in out


def test_forget_names_the_person_and_acts_only_when_confirmed(bot_cli, services: Services,
                                                              tmp_path: Path) -> None:
    rows = generate(2)
    for row in rows:
        row[11:14] = ["", "", ""]
    bot_cli("roster", "import", write_csv(tmp_path / "r.csv", rows, HEADERS))
    asked = bot_cli("roster", "forget", rows[1][0])
    assert asked.returncode == 1 and rows[1][1] in asked.stdout and "--yes" in asked.stdout
    assert all(not p.name.startswith("已匿名") for p in _people(services))
    done = bot_cli("roster", "forget", rows[1][0], "--yes")
    assert done.returncode == 0 and "已匿名化" in done.stdout
    assert rows[1][1] not in {p.name for p in _people(services)}
    assert bot_cli("roster", "forget", "LT-NOBODY").returncode == 1


def test_someone_imported_without_a_number_is_forgotten_by_the_internal_id(
        bot_cli, services: Services, tmp_path: Path) -> None:
    rows = generate(1)
    rows[0][0], rows[0][11:14] = "", ["", "", ""]  # no 编号 in the sheet
    bot_cli("roster", "import", write_csv(tmp_path / "r.csv", rows, HEADERS))
    [person] = _people(services)
    assert person.number is None
    done = bot_cli("roster", "forget", "--id", str(person.id), "--yes")
    assert done.returncode == 0 and f"内部编号 {person.id}" in done.stdout
    assert rows[0][1] not in {p.name for p in _people(services)}
    assert bot_cli("roster", "forget", "--id", "999999", "--yes").returncode == 1


def _people(services: Services) -> list[Retiree]:
    with services.sessions() as session:
        return list(session.scalars(sa.select(Retiree)))



def test_the_report_names_values_empty_cells_clear(with_groups: Services, tmp_path: Path) -> None:
    from bot.roster.commands import report
    from bot.roster.importer import import_file

    with with_groups.sessions() as session:
        import_file(session, SAMPLE_ROSTER, actor="test", now=with_groups.clock.now())
        first = session.scalars(sa.select(Retiree).order_by(Retiree.id)).first()
        sheet = tmp_path / "更正.csv"
        sheet.write_text(f"编号,联系电话\n{first.number},\n", encoding="utf-8")
        plan = import_file(session, sheet, actor="test", now=with_groups.clock.now())
        session.rollback()
    assert "注意：空着的格子会清空原有内容：联系电话 1 处。" in report(plan, "更正.csv", dry_run=True)
