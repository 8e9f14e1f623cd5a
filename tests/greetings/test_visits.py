"""Visits staff record (慰问记录) and the yearly summary that shows who has been overlooked."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from bot.db.engine import transaction
from bot.models import AuditEntry, Retiree
from bot.services import Services
from tests.office_fixtures import Branch


def test_visits_are_summarised_and_the_overlooked_who_may_need_one_are_listed(
        office: Services, branch: Branch, cli, capsys) -> None:
    with transaction(office.sessions) as session:
        session.execute(sa.update(Retiree).where(Retiree.id == branch.ids["李华"]).values(lives_alone=True))
        session.execute(sa.update(Retiree).where(Retiree.id == branch.ids["王芳"])
                        .values(health="生活不能自理"))
        session.execute(sa.update(Retiree).where(Retiree.id == branch.ids["周平"]).values(hardship=True))
    add = ("care", "visit", "add")
    assert cli(capsys, *add, str(branch.ids["周平"]), "--type", "节日", "--date", "2026-09-25",
               "--by", "王老师", "--notes", "送了月饼")[0] == 0
    assert cli(capsys, *add, str(branch.ids["张明"]), "--type", "生日", "--by", "王老师")[0] == 0
    code, out, _ = cli(capsys, "care", "visits", "--year", "2026")
    assert code == 0 and "节日 1 次" in out and "生日 1 次" in out
    assert "可能需要上门的 2 人" in out
    assert "李华\t独居" in out and "王芳\t生活不能自理" in out and "周平\t" not in out  # 周 was visited
    with office.sessions() as session:
        assert len(session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "care.visit")).all()) == 2


@pytest.mark.parametrize(("args", "said"), [
    (("999", "--type", "日常", "--by", "王老师"), "没有编号为 999"),
    (("1", "--type", "日常", "--date", "2031-01-01", "--by", "王老师"), "不能在今天以后"),
    (("1", "--type", "日常", "--date", "1990-01-01", "--by", "王老师"), "年份是不是填错了"),  # had been taken
])
def test_a_bad_visit_is_refused_with_the_reason(office: Services, branch: Branch, cli, capsys,
                                                args: tuple[str, ...], said: str) -> None:
    code, _, err = cli(capsys, "care", "visit", "add", *args)
    assert code == 1 and said in err
