"""Logging in from the mini-program: wx.login()'s code (minted by the stand-in) is exchanged with
WeChat for our own token, once; each refusal WeChat gives has its own answer; the session_key and
the AppSecret never leave the server or reach the log; a token works until it has not been used
for the configured days, and not after logging out; 长辈模式's text size is kept."""

from __future__ import annotations

import logging
from dataclasses import replace

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from bot import create_app
from bot.clock import FixedClock
from bot.models import MiniSession
from bot.services import Services, build_services
from bot.standin.server import StandinServer
from tests.api import log_in

CODE2SESSION = "sns/jscode2session"


def test_a_login_code_becomes_our_own_token_once(client: FlaskClient, standin: StandinServer,
                                                 mini: Services, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    code = standin.mint_wxa_code("o_mini_daughter")
    answer = client.post("/api/v1/session", json={"code": code})
    body = answer.get_json()
    assert answer.status_code == 201 and set(body) == {"token", "expires_at", "me"}
    [call] = standin.calls(path=CODE2SESSION)
    assert "session_key" not in answer.get_data(as_text=True)
    again = client.post("/api/v1/session", json={"code": code})  # WeChat takes each code once
    assert again.status_code == 401 and again.get_json() == {
        "code": "code_used", "message": "这个登录凭证已经用过了，请重新打开小程序。"}
    logged = caplog.text
    assert mini.settings.miniprogram.secret not in logged and code not in logged
    assert "o_mini_daughter" not in logged  # masked
    with mini.sessions() as session:
        [login] = session.scalars(sa.select(MiniSession)).all()
    assert login.token_hash != body["token"] and login.session_key  # kept, as a hash / server-side
    assert call.openids == ["o_mini_daughter"]


def test_each_refusal_from_wechat_has_its_own_answer(client: FlaskClient, standin: StandinServer,
                                                      mini: Services, clock: FixedClock) -> None:
    def status_of(code: str) -> tuple[int, str]:
        answer = client.post("/api/v1/session", json={"code": code})
        assert answer.get_json()["message"]  # Chinese, to show as it is
        return answer.status_code, answer.get_json()["code"]

    assert status_of("never-minted") == (401, "code_invalid")  # 40029
    stale = standin.mint_wxa_code("o_slow")
    clock.advance(minutes=6)
    assert status_of(stale) == (401, "code_invalid")  # 40029: codes last five minutes
    standin.state.wxa_blocked.add("o_barred")
    assert status_of(standin.mint_wxa_code("o_barred")) == (403, "user_blocked")  # 40226
    standin.state.settings.minute_limits[CODE2SESSION] = 0
    assert status_of(standin.mint_wxa_code("o_busy")) == (429, "rate_limited")  # 45011
    down = replace(mini.settings, wechat=replace(mini.settings.wechat, api_base_url="http://127.0.0.1:9/"))
    unreachable = build_services(down, clock=clock)
    try:
        answer = create_app(services=unreachable).test_client().post("/api/v1/session", json={"code": "x"})
    finally:
        unreachable.close()
    assert (answer.status_code, answer.get_json()["code"]) == (502, "wechat_unavailable")


def test_a_token_works_while_used_and_not_after_logging_out(
        client: FlaskClient, standin: StandinServer, clock: FixedClock) -> None:
    token = log_in(client, standin)
    signed = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/me", headers=signed).get_json()["font_scale"] == 100
    clock.advance(days=29)
    assert client.get("/api/v1/me", headers=signed).status_code == 200  # used: good 30 days more
    clock.advance(days=29)
    assert client.get("/api/v1/me", headers=signed).status_code == 200
    clock.advance(days=31)
    expired = client.get("/api/v1/me", headers=signed)
    assert expired.status_code == 401 and expired.get_json()["code"] == "unauthorized"
    fresh = {"Authorization": f"Bearer {log_in(client, standin)}"}
    assert client.delete("/api/v1/session", headers=fresh).status_code == 204
    assert client.get("/api/v1/me", headers=fresh).status_code == 401


def test_logging_in_before_the_mini_program_is_configured_says_so(office: Services) -> None:
    refused = create_app(services=office).test_client().post("/api/v1/session", json={"code": "x"})
    assert refused.status_code == 503 and refused.get_json()["code"] == "not_configured"


def test_no_token_or_a_forged_one_is_a_401(client: FlaskClient) -> None:
    for headers in ({}, {"Authorization": "Bearer made-up"}, {"Authorization": "Basic eDp5"}):
        refused = client.get("/api/v1/me", headers=headers)
        assert refused.status_code == 401 and refused.get_json() == {
            "code": "unauthorized", "message": "登录已过期，请重新打开小程序。"}


def test_the_text_size_is_kept_and_checked(client: FlaskClient, standin: StandinServer) -> None:
    signed = {"Authorization": f"Bearer {log_in(client, standin)}"}
    assert client.put("/api/v1/me/preferences", json={"font_scale": 150}, headers=signed).status_code == 200
    assert client.get("/api/v1/me", headers=signed).get_json()["font_scale"] == 150
    too_big = client.put("/api/v1/me/preferences", json={"font_scale": 500}, headers=signed)
    assert too_big.status_code == 422 and too_big.get_json()["message"] == "「字号」不对：不能大于 200"
    relogin = {"Authorization": f"Bearer {log_in(client, standin)}"}  # the same person again
    assert client.get("/api/v1/me", headers=relogin).get_json()["font_scale"] == 150


def test_the_document_says_which_endpoints_need_a_login(app_doc: dict) -> None:
    assert app_doc["components"]["securitySchemes"]["session"]["scheme"] == "bearer"
    assert app_doc["paths"]["/api/v1/me"]["get"]["security"] == [{"session": []}]
    assert "security" not in app_doc["paths"]["/api/v1/session"]["post"]


def test_the_document_says_in_chinese_what_each_response_and_field_means(app_doc: dict) -> None:
    responses = app_doc["paths"]["/api/v1/activities/{activity_id}/signup"]["post"]["responses"]
    assert responses["409"]["description"].startswith("和现在的情况冲突")
    assert responses["500"]["description"] == "系统出了点问题，请稍后再试"
    english = [f"{path} {method} {code}" for path, methods in app_doc["paths"].items()
               for method, operation in methods.items() for code, response in operation["responses"].items()
               if response["description"].isascii()]
    assert english == []
    schemas = app_doc["components"]["schemas"]
    undescribed = [f"{name}.{field}" for name, schema in schemas.items()
                   for field, spec in schema.get("properties", {}).items()
                   if "description" not in spec and "$ref" not in spec and "allOf" not in spec]
    assert undescribed == []


@pytest.fixture
def app_doc(mini: Services) -> dict:
    app: Flask = create_app(services=mini)
    return app.test_client().get("/api/v1/openapi.json").get_json()
