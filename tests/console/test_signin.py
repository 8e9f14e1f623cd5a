"""Signing in to the console: passwords, lockout, sessions that end, CSRF, safe redirects."""

from __future__ import annotations

from dataclasses import replace

import pytest
import sqlalchemy as sa
from flask import Flask

from bot import create_app
from bot.clock import FixedClock
from bot.db.engine import transaction
from bot.models import AuditEntry
from bot.services import Services, build_services
from bot.staff.accounts import add_account, disable, reset_password
from tests.console.helpers import PASSWORD, Clerk, account, make_account


def test_a_visitor_is_sent_to_sign_in_and_back_to_the_page_asked_for(console_app: Flask,
                                                                      desk: Services) -> None:
    make_account(desk, "wangli")
    visitor = Clerk(console_app.test_client())
    asked = visitor.get("/console/people?q=zm")
    assert asked.status_code == 302 and "/console/login?next=" in asked.headers["Location"]
    page = visitor.get(asked.headers["Location"])
    assert "登录工作台" in page.get_data(as_text=True)
    done = visitor.post(asked.headers["Location"], {"username": "wangli", "password": PASSWORD})
    assert done.headers["Location"] == "/console/people?q=zm"


def test_console_pages_run_only_the_consoles_own_files_and_cannot_be_framed_elsewhere(
        console_app: Flask) -> None:
    page = console_app.test_client().get("/console/login")
    policy = page.headers["Content-Security-Policy"]
    assert policy.startswith("default-src 'self';") and "unsafe" not in policy  # no inline code at all
    assert "frame-ancestors 'self'" in policy and page.headers["X-Content-Type-Options"] == "nosniff"
    assert " style=" not in page.get_data(as_text=True)


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/study/2026-12"])
def test_after_signing_in_only_a_console_page_is_a_destination(console_app: Flask, desk: Services,
                                                               target: str) -> None:
    make_account(desk, "wangli")
    visitor = Clerk(console_app.test_client())
    visitor.get("/console/login")
    done = visitor.post(f"/console/login?next={target}", {"username": "wangli", "password": PASSWORD})
    assert done.headers["Location"] == "/console/today"


def test_a_wrong_password_is_refused_in_chinese_and_repeated_ones_lock_the_account(
        console_app: Flask, desk: Services) -> None:
    make_account(desk, "wangli")
    visitor = Clerk(console_app.test_client())
    for _ in range(desk.settings.console.lockout_after):
        wrong = visitor.post("/console/login", {"username": "wangli", "password": "guess"})
        assert wrong.status_code == 401 and "登录名或密码不对" in wrong.get_data(as_text=True)
    locked = visitor.post("/console/login", {"username": "wangli", "password": PASSWORD})
    assert locked.status_code == 401 and "已暂时锁定" in locked.get_data(as_text=True)
    assert account(desk, "wangli").locked_until is not None


def test_a_one_time_password_leads_to_choosing_one_before_anything_else(console_app: Flask,
                                                                        desk: Services) -> None:
    with transaction(desk.sessions) as session:
        _, once = add_account(session, "wangli", "staff", actor="cli:test", now=desk.clock.now())
    visitor = Clerk(console_app.test_client())
    visitor.get("/console/login")
    visitor.post("/console/login", {"username": "wangli", "password": once})
    assert visitor.get("/console/people").headers["Location"] == "/console/password"
    visitor.get("/console/password")
    mismatch = visitor.post("/console/password", {"old": once, "new": "a-long-passphrase", "again": "other"})
    assert mismatch.status_code == 400 and "两次输入的新密码不一样" in mismatch.get_data(as_text=True)
    done = visitor.post("/console/password",
                        {"old": once, "new": "a-long-passphrase", "again": "a-long-passphrase"})
    assert done.headers["Location"] == "/console/today"
    assert visitor.get("/console/people").status_code == 200  # the session goes on, renewed


def test_an_idle_session_ends_with_a_clear_word(console_app: Flask, desk: Services,
                                                clock: FixedClock) -> None:
    clerk = Clerk(console_app.test_client())
    make_account(desk, "wangli")
    clerk.sign_in("wangli")
    clock.advance(minutes=desk.settings.console.idle_minutes - 1)
    assert clerk.get("/console/today").status_code == 200  # in use: the session goes on
    clock.advance(minutes=desk.settings.console.idle_minutes + 1)
    gone = clerk.get("/console/today")
    assert "expired=1" in gone.headers["Location"]
    assert "登录已过期" in clerk.get(gone.headers["Location"]).get_data(as_text=True)
    htmx = clerk.get("/console/people?q=z", headers={"HX-Request": "true"})
    assert htmx.status_code == 204 and htmx.headers["HX-Redirect"].startswith("/console/login")


def test_a_reply_sent_after_the_session_ended_is_said_not_done_and_leads_back_to_its_page(
        console_app: Flask, desk: Services, clock: FixedClock) -> None:
    # A clerk typed an answer to a 留言, went to lunch, came back and pressed 发送回复.
    clerk = Clerk(console_app.test_client())
    make_account(desk, "wangli")
    clerk.sign_in("wangli")
    clerk.get("/console/tickets")
    clock.advance(minutes=desk.settings.console.idle_minutes + 1)
    sent = clerk.post("/console/tickets/1", {"answer": "您好，已经帮您查过了"},
                      headers={"Referer": "http://localhost/console/tickets/1"})
    page = clerk.get(sent.headers["Location"]).get_data(as_text=True)
    assert "没有保存、也没有发出" in page and "请再做一次" in page
    back = clerk.post(sent.headers["Location"], {"username": "wangli", "password": PASSWORD})
    assert back.headers["Location"] == "/console/tickets/1"


def test_disabling_or_resetting_an_account_ends_its_open_sessions(console_app: Flask, desk: Services) -> None:
    make_account(desk, "boss", "admin")
    for change in (reset_password, disable):
        make_account(desk, f"w{change.__name__}")
        clerk = Clerk(console_app.test_client())
        clerk.sign_in(f"w{change.__name__}")
        with transaction(desk.sessions) as session:
            change(session, f"w{change.__name__}", actor="cli:test", now=desk.clock.now())
        assert clerk.get("/console/today").status_code == 302


def test_an_administrator_cannot_reset_or_disable_their_own_account_from_the_page(admin: Clerk) -> None:
    # It ended the session with the new password unseen: the only administrator locked out.
    for action in ("reset", "disable"):
        shown = admin.get(admin.post(f"/console/accounts/boss/{action}").headers["Location"])
        assert "不能在这里停用或重设自己的账号" in shown.get_data(as_text=True)
    assert admin.get("/console/accounts").status_code == 200  # still signed in


def test_a_form_without_its_token_changes_nothing(console_app: Flask, desk: Services) -> None:
    make_account(desk, "boss", "admin")
    clerk = Clerk(console_app.test_client())
    clerk.sign_in("boss")
    forged = clerk.post("/console/groups", {"kind": "党支部", "name": "伪造支部"}, token=False)
    assert forged.status_code == 400 and "请求无效" in forged.get_data(as_text=True)
    wrong = clerk.post("/console/groups", {"kind": "党支部", "name": "伪造支部", "csrf_token": "x" * 40},
                       token=False)
    assert wrong.status_code == 400
    with desk.sessions() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(AuditEntry).where(
            AuditEntry.action == "group.add")) == 0


def test_signing_out_ends_the_session(console_app: Flask, desk: Services) -> None:
    make_account(desk, "wangli")
    clerk = Clerk(console_app.test_client())
    clerk.sign_in("wangli")
    copied = clerk.client.get_cookie("yinling_console", path="/console")
    assert clerk.post("/console/logout").headers["Location"] == "/console/login"
    assert clerk.get("/console/today").status_code == 302
    elsewhere = console_app.test_client()  # a copy of the cookie from before: no longer good
    elsewhere.set_cookie("yinling_console", copied.value, path="/console")
    assert elsewhere.get("/console/today").status_code == 302


@pytest.mark.parametrize(("public_url", "secure"), [("https://yinling.example.cn", True),
                                                     ("http://127.0.0.1:8000", False)])
def test_the_session_cookie_is_http_only_same_site_for_the_console_only(
        desk: Services, clock: FixedClock, public_url: str, secure: bool) -> None:
    served = build_services(replace(desk.settings, public_url=public_url), clock=clock)
    try:
        make_account(served, "wangli")
        visitor = Clerk(create_app(services=served).test_client())
        visitor.get("/console/login")
        signed = visitor.post("/console/login", {"username": "wangli", "password": PASSWORD})
        cookie = signed.headers["Set-Cookie"]
        assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/console" in cookie
        assert ("Secure" in cookie) is secure
    finally:
        served.close()


def test_an_unknown_console_address_gets_a_chinese_page(console_app: Flask, desk: Services) -> None:
    missing = Clerk(console_app.test_client()).get("/console/no-such-room")
    assert missing.status_code == 404 and "没有找到" in missing.get_data(as_text=True)
