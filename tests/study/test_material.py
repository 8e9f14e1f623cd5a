"""Study material files: the shipped months load, and `content check` names what is wrong in a bad one."""

from __future__ import annotations

import shutil
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from bot.config import PROJECT_ROOT, Settings
from bot.content_check import check_content
from bot.study.material import current, load, months, parse

DECEMBER = PROJECT_ROOT / "content" / "study" / "2026-12" / "article.md"


def test_three_months_of_material_ship_and_load() -> None:
    content = PROJECT_ROOT / "content"
    assert months(content)[:3] == ["2026-12", "2026-11", "2026-10"]
    for month in months(content):
        material = load(content, month)
        assert material is not None and len(material.summary) == 3 and 3 <= len(material.quiz) <= 5


def test_a_block_kept_as_typed_keeps_its_lines_while_prose_joins_up() -> None:
    shipped = (PROJECT_ROOT / "content" / "study" / "2026-11" / "article.md").read_text(encoding="utf-8")
    body = "红军开始了\n战略转移。\n\n    七律·长征\n    红军不怕远征难\n    万水千山只等闲\n"
    front = shipped[:shipped.index("\n+++", 3) + 4]  # the shipped header, the body replaced
    html = parse(f"{front}\n{body}", "2026-11", PROJECT_ROOT / "content" / "study" / "2026-11").html()
    assert "红军开始了战略转移。" in html
    assert "红军不怕远征难\n万水千山只等闲" in html


@pytest.mark.parametrize(("today", "study_day", "studied"), [
    (date(2026, 12, 5), 5, "2026-12"),   # the study day: the new material
    (date(2026, 12, 4), 5, "2026-11"),   # the day before: still what the last push was about
    (date(2026, 12, 1), 28, "2026-11"),  # November's reminder (28th + 3 days) lands in December
    (date(2026, 10, 2), 5, "2026-10"),   # no September material: October's, early
    (date(2027, 1, 3), 5, "2026-12"),
    (date(2027, 1, 10), 5, None),        # January's study day has passed and its material is not out
])
def test_the_material_being_studied_changes_on_the_study_day(
        today: date, study_day: int, studied: str | None) -> None:
    material = current(PROJECT_ROOT / "content", study_day, today)
    assert (material.month if material else None) == studied


@pytest.mark.parametrize(("change", "said"), [
    (("month = \"2026-12\"", "month = \"2026-11\""), "月份（month）应为"),
    (("answer = \"B\"", "answer = \"E\""), "答案（answer）应为"),
    (("  \"寒冷容易诱发心脑血管病：早上起床慢一点，按时吃药，量量血压。\",\n", ""),
     "摘要（summary）应为三行"),
    (("title = \"温暖过冬，健康相伴\"", "title = \"\""), "标题（title）不能为空"),
    (("groups = [\"all\"]", "groups = [\"all\"]\naudio = \"winter.mp3\""), "找不到文件 winter.mp3"),
    (("+++\n", ""), "+++"),
    (("title = ", "title = = "), "格式有误"),  # not TOML at all
    (('groups = ["all"]', 'groups = ["all"]\naudio = 3'), "（audio）应为"),
    # a picture in the article that is not in the folder: a broken picture on the reading page
    (("+++\n\n", "+++\n\n![灯笼](deng.png)\n\n"), "找不到文件 deng.png（应放在这个月的文件夹 2026-12 里"),
])
def test_a_broken_material_file_is_named_with_the_reason(settings: Settings, tmp_path: Path,
                                                         change: tuple[str, str], said: str) -> None:
    content = tmp_path / "content"
    shutil.copytree(PROJECT_ROOT / "content", content)
    article = content / "study" / "2026-12" / "article.md"
    text = DECEMBER.read_text(encoding="utf-8")
    assert change[0] in text
    article.write_text(text.replace(change[0], change[1], 1), encoding="utf-8")
    problems = check_content(replace(settings, content_dir=content))
    assert any(p.startswith("study/2026-12/article.md") and said in p for p in problems), problems


def test_a_broken_material_file_alerts_staff_instead_of_crashing_the_push(
        office, branch, clock, tmp_path: Path) -> None:
    from bot.services import build_services
    from bot.study.pushes import send_day
    from tests.study.helpers import rows, stand_on

    content = tmp_path / "content"
    shutil.copytree(PROJECT_ROOT / "content", content)
    article = content / "study" / "2026-12" / "article.md"
    broken_text = DECEMBER.read_text(encoding="utf-8").replace("title = ", "title = = ")
    article.write_text(broken_text, encoding="utf-8")
    broken = build_services(replace(office.settings, content_dir=content), clock=clock)
    try:
        stand_on(clock, 5, 9)
        assert send_day(broken) == 0
        assert len(rows(broken, "study-missing:2026-12:%")) == 2  # both staff told
    finally:
        broken.close()


def test_a_month_out_keeps_its_page_when_a_picture_goes_missing(tmp_path: Path) -> None:
    """The check is content check's and the editor's: the month itself still loads."""
    folder = tmp_path / "study" / "2026-12"
    folder.mkdir(parents=True)
    text = DECEMBER.read_text(encoding="utf-8").replace("+++\n\n", "+++\n\n![灯笼](deng.png)\n\n", 1)
    (folder / "article.md").write_text(text, encoding="utf-8")
    material = parse(text, "2026-12", folder)
    assert "deng.png" in material.body
