"""关联微信: a clerk links their own WeChat by sending the code the console shows them; nobody
has to find an openid. Staff alerts then reach that WeChat."""

from __future__ import annotations

import re

import sqlalchemy as sa
from flask import Flask

from bot.db.engine import transaction
from bot.delivery.staff_alerts import staff_openids
from bot.models import AuditEntry
from bot.sandbox.wechat_side import WeChatSide
from bot.services import Services
from tests.console.helpers import Clerk
from tests.helpers import Chat

CODE = re.compile(r"关联 (\d{8})")


def text(response) -> str:
    return response.get_data(as_text=True)


def test_a_clerk_links_their_own_wechat_by_sending_the_code(
        console_app: Flask, desk: Services, worker: Clerk, wechat: WeChatSide) -> None:
    assert "未关联" in text(worker.get("/console/wechat"))
    shown = text(worker.get(worker.post("/console/wechat/link_code").headers["Location"]))
    code = CODE.search(shown).group(1)
    assert "15 分钟内有效" in shown and "openid" not in shown
    reply = Chat(console_app.test_client(), wechat).say(f"关联 {code}", openid="o_wangli_phone") or ""
    assert "已把这个微信关联到工作台账号" in reply and "wangli" in reply
    assert "已关联" in text(worker.get("/console/wechat"))
    with transaction(desk.sessions) as session:
        assert "o_wangli_phone" in staff_openids(session, desk.settings)
        actions = set(session.scalars(sa.select(AuditEntry.action)))
    assert {"staff.link_code", "staff.link"} <= actions


def test_a_wrong_used_or_stale_code_links_nothing(
        console_app: Flask, desk: Services, worker: Clerk, wechat: WeChatSide, clock) -> None:
    chat = Chat(console_app.test_client(), wechat)
    worker.post("/console/wechat/link_code")
    code = CODE.search(text(worker.get("/console/wechat"))).group(1)
    wrong = f"{(int(code) + 1) % 10 ** 8:08d}"
    assert "关联码不对" in (chat.say(f"关联 {wrong}", openid="o_stranger") or "")
    clock.advance(seconds=16 * 60)
    assert "已经过期" in (chat.say(f"关联 {code}", openid="o_wangli_phone") or "")
    with desk.sessions() as session:
        assert not {"o_stranger", "o_wangli_phone"} & set(staff_openids(session, desk.settings))


def test_an_administrator_gives_a_code_or_unlinks_from_the_accounts_page(
        console_app: Flask, desk: Services, admin: Clerk, worker: Clerk, wechat: WeChatSide) -> None:
    page = text(admin.get("/console/accounts"))
    assert "openid" not in page and "生成微信关联码" in page
    flashed = text(admin.get(admin.post("/console/accounts/wangli/link_code").headers["Location"]))
    code = CODE.search(flashed).group(1)
    assert "请wangli本人用自己的微信给公众号发送" in flashed
    Chat(console_app.test_client(), wechat).say(f"关联{code}", openid="o_wangli_phone")
    assert "取消微信关联" in text(admin.get("/console/accounts"))
    admin.post("/console/accounts/wangli/unlink")
    with desk.sessions() as session:
        assert "o_wangli_phone" not in staff_openids(session, desk.settings)
