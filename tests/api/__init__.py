"""Tests of the mini-program's JSON API; log_in plays wx.login() and POST /session."""

from __future__ import annotations

from flask.testing import FlaskClient

from bot.standin.server import StandinServer


def log_in(client: FlaskClient, standin: StandinServer, openid: str = "o_mini_daughter") -> str:
    """Log in as the mini-program user openid; the session token."""
    answer = client.post("/api/v1/session", json={"code": standin.mint_wxa_code(openid)})
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()["token"]
