"""`python -m bot staff …`: what an administrator types to manage console accounts."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from bot.models import StaffAccount
from bot.services import Services
from tests.office_fixtures import Branch


def test_add_list_reset_link_disable(cli, capsys: pytest.CaptureFixture[str], office: Services,
                                     branch: Branch) -> None:
    code, out, _ = cli(capsys, "staff", "add", "wangli", "--role", "staff", "--name", "王丽")
    assert code == 0 and "工作人员" in out
    first = re.search(r"一次性密码：(\S+)", out).group(1)
    code, out, _ = cli(capsys, "staff", "add", "shuji", "--role", "viewer", "--group", "第一支部")
    assert code == 0
    code, out, _ = cli(capsys, "staff", "list")
    assert "wangli\t王丽\t工作人员\t全部\t正常\t未关联微信" in out
    assert "shuji\tshuji\t查看\t第一支部\t正常" in out and "共 2 个账号" in out

    code, out, _ = cli(capsys, "staff", "reset", "wangli")
    assert code == 0 and re.search(r"一次性密码：(\S+)", out).group(1) != first
    assert cli(capsys, "staff", "link", "wangli", "o_wangli")[0] == 0
    assert cli(capsys, "staff", "disable", "wangli")[0] == 0
    with office.sessions() as session:
        account = session.scalar(sa.select(StaffAccount).where(StaffAccount.username == "wangli"))
        assert account.openid == "o_wangli" and account.disabled_at is not None


@pytest.mark.parametrize(("args", "why"), [
    (("staff", "add", "x", "--role", "boss"), "不认识的角色"),
    (("staff", "disable", "nobody"), "没有登录名为“nobody”的账号"),
    (("staff", "enable", "nobody"), "没有登录名为“nobody”的账号"),
])
def test_a_refused_change_says_why_and_exits_1(cli, capsys: pytest.CaptureFixture[str], args: tuple[str, ...],
                                               why: str) -> None:
    code, out, err = cli(capsys, *args)
    assert code == 1 and why in err and out == ""
