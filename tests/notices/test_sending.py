"""Staff notices: to a group, everyone or one retiree; previews, scheduling, cancelling, the report."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from bot.cli import main
from bot.clock import SHANGHAI, FixedClock
from bot.db.engine import transaction
from bot.delivery import outbox
from bot.models import (
    AuditEntry,
    Binding,
    Channel,
    MiniUser,
    Notice,
    OutboxMessage,
    OutboxStatus,
)
from bot.services import Services
from bot.standin import StandinServer
from tests.helpers import user_wrote
from tests.office_fixtures import Branch

CUSTOM = "cgi-bin/message/custom/send"


def rows(services: Services) -> list[OutboxMessage]:
    with services.sessions() as session:
        return list(session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id)))


def send(services: Services, to: str, text: str = "12 月 5 日上午九点集中学习。", **options: object):
    from bot.notices.sending import send as send_notice

    with transaction(services.sessions) as session:
        notice, reach = send_notice(session, services.settings, text=text, audience=to, actor="cli:test",
                                    now=services.clock.now(), **options)
        return notice.id, reach


def test_a_group_notice_reaches_each_member_once_by_the_channel_that_works(
        office: Services, branch: Branch, standin: StandinServer) -> None:
    standin.open_window("o_zhang")
    notice_id, reach = send(office, "group:第一支部")
    assert reach.people == 3  # 张, 李, and 孙 through her daughter
    assert sorted(r.openid for r in reach.recipients) == ["o_li", "o_sun_daughter", "o_zhang"]
    assert (reach.not_bound, reach.deceased, reach.unfollowed) == (
        [branch.ids["王芳"]], [branch.ids["赵强"]], [branch.ids["钱进"]])
    outbox.drain(office)
    outbox.drain(office)
    assert [c.body["touser"] for c in standin.calls(path=CUSTOM)] == ["o_zhang"]
    by_openid = {r.recipient: (r.status, r.channel) for r in rows(office)}
    assert by_openid == {"o_zhang": (OutboxStatus.SENT, Channel.CUSTOM),
                         "o_li": (OutboxStatus.MAILBOX, Channel.MAILBOX),
                         "o_sun_daughter": (OutboxStatus.MAILBOX, Channel.MAILBOX)}
    with office.sessions() as session:
        [entry] = session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "notice.send"))
    assert entry.target == f"notice:{notice_id}" and entry.detail["people"] == 3


def test_a_family_member_reads_whom_the_notice_is_for(office: Services, branch: Branch) -> None:
    send(office, "group:第一支部")
    texts = {r.recipient: r.payload["text"] for r in rows(office)}
    assert texts["o_sun_daughter"] == "（给孙兰同志的通知）\n12 月 5 日上午九点集中学习。"
    assert texts["o_zhang"] == "12 月 5 日上午九点集中学习。"  # the retiree's own: as written
    send(office, "group:第一支部", text="明天开会。", title="支部通知")
    [titled] = [r for r in rows(office)
                if r.recipient == "o_sun_daughter" and "明天开会" in r.payload["text"]]
    assert titled.payload["text"] == "【支部通知】\n（给孙兰同志的通知）\n明天开会。"  # under the heading


def test_everyone_means_every_living_bound_retiree(office: Services, branch: Branch) -> None:
    _, reach = send(office, "all")
    assert reach.people == 4  # 张, 李, 孙, 周


def test_a_preview_to_a_group_there_is_not_is_refused_as_the_notice_would_be(
        office: Services, branch: Branch) -> None:
    from bot.delivery.audience import AudienceError

    with pytest.raises(AudienceError, match="没有名为「第九支部」的分组"):
        send(office, "group:第九支部", preview=True)


def test_a_preview_goes_only_to_staff(office: Services, branch: Branch) -> None:
    _, reach = send(office, "all", preview=True)
    assert sorted(r.recipient for r in rows(office)) == ["o_staff_1", "o_staff_2"]
    assert reach.people == 2


def test_a_scheduled_notice_waits_for_its_time(office: Services, branch: Branch,
                                               standin: StandinServer, clock: FixedClock) -> None:
    standin.open_window("o_zhang")
    send(office, f"retiree:{branch.ids['张明']}", send_at=clock.now() + timedelta(hours=2))
    assert outbox.drain(office) == 0
    clock.advance(hours=2)
    user_wrote(office, "o_zhang")
    standin.open_window("o_zhang")
    assert outbox.drain(office) == 1


def test_cancel_stops_what_has_not_gone(office: Services, branch: Branch, clock: FixedClock) -> None:
    from bot.notices.sending import cancel

    notice_id, _ = send(office, "group:第一支部", send_at=clock.now() + timedelta(days=1))
    with transaction(office.sessions) as session:
        assert cancel(session, notice_id, actor="cli:test", now=clock.now()) == 3
    clock.advance(days=2)
    assert outbox.drain(office) == 0
    assert {r.status for r in rows(office)} == {OutboxStatus.CANCELLED}


def test_the_report_counts_and_lists_whom_to_call(office: Services, branch: Branch,
                                                  standin: StandinServer) -> None:
    from bot.notices.sending import report

    standin.open_window("o_zhang")
    with transaction(office.sessions) as session:  # 孙兰's son reads them in the mini-program
        now = office.clock.now()
        session.add(MiniUser(openid="o_mini_sun_son", created_at=now, last_login_at=now))
        session.add(Binding(openid="o_mini_sun_son", app=MiniUser.APP, retiree_id=branch.ids["孙兰"],
                            role="agent", relation="儿子", bound_at=now))
        session.execute(sa.delete(Binding).where(Binding.openid == "o_sun_daughter"))
    notice_id, _ = send(office, "group:第一支部")
    outbox.drain(office)
    with office.sessions() as session:
        r = report(session, notice_id, now=office.clock.now())
        not_reached = {p.name: (p.phone, why) for p, why in r.not_reached}
    assert r.by_status == {"sent": 1, "mailbox": 2} and r.by_channel == {"custom": 1}
    assert "孙兰" not in not_reached  # in her son's 我的通知: not someone to phone
    assert not_reached["王芳"] == ("13900000003", "未绑定微信")
    assert not_reached["钱进"][1] == "已取消关注"
    assert not_reached["李华"][1].startswith("微信暂时发不到")
    assert "张明" not in not_reached and "赵强" not in not_reached


def test_an_unknown_group_is_refused_and_nothing_is_queued(office: Services, branch: Branch) -> None:
    from bot.delivery.audience import AudienceError

    with pytest.raises(AudienceError, match="没有名为「第九支部」的分组"):
        send(office, "group:第九支部")
    assert rows(office) == []
    with office.sessions() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Notice)) == 0


def test_staff_use_it_from_the_command_line(office: Services, branch: Branch, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    w = office.settings.wechat
    config = tmp_path / "config.toml"
    config.write_text(f'database_url = "{office.settings.database_url}"\n[wechat]\nappid = "{w.appid}"\n'
                      f'secret = "{w.secret}"\ntoken = "{w.token}"\nmode = "plain"\n', encoding="utf-8")
    monkeypatch.setenv("BOT_CONFIG", str(config))
    assert main(["notice", "send", "--to", "group:第一支部", "--text", "明天停水。"]) == 0
    out = capsys.readouterr().out
    assert "发送给 3 人" in out and "未绑定 1 人" in out
    assert main(["notice", "report", "1"]) == 0
    reported = capsys.readouterr().out
    assert "王芳\t13900000003\t未绑定微信" in reported and "状态：待发送 3" in reported  # no English
    assert main(["notice", "send", "--to", "group:没有", "--text", "x"]) == 1
    assert "没有名为「没有」的分组" in capsys.readouterr().err
    assert main(["notice", "send", "--to", "all", "--text", "x", "--at", "明天"]) == 1
    capsys.readouterr()
    # A year typed wrong: it had queued every copy as due, to go out at once.
    assert main(["notice", "send", "--to", "all", "--text", "元旦团拜会", "--at", "2025-12-30 09:00"]) == 1
    assert "这个时间已经过去了" in capsys.readouterr().err
    # and the other way: 2027 for 2026, or a time at night, as the console refuses them
    today = datetime.now(SHANGHAI)  # the command's own clock
    year_out = f"{today + timedelta(days=200):%Y-%m-%d} 09:00"
    night = f"{today + timedelta(days=1):%Y-%m-%d} 23:00"
    assert main(["notice", "send", "--to", "all", "--text", "元旦团拜会", "--at", year_out]) == 1
    assert "年份或月份是不是填错了" in capsys.readouterr().err
    assert main(["notice", "send", "--to", "all", "--text", "元旦团拜会", "--at", night]) == 1
    assert "免得吵醒老同志" in capsys.readouterr().err
    with office.sessions() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Notice)) == 1  # the first one only
