"""The call log, the control endpoints, and answers to malformed calls."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time

import requests
from standin_helpers import Api, FakeClock

from bot.standin import StandinServer, StandinSettings, create_standin_app

CUSTOM = "cgi-bin/message/custom/send"
TEXT = {"touser": "o1", "msgtype": "text", "text": {"content": "您好，张老"}}


def test_calls_are_logged_with_query_body_openids_and_response(
        api: Api, server: StandinServer, clock: FakeClock) -> None:
    token = api.token()
    server.open_window("o1")
    api.post(CUSTOM, TEXT, token)
    [call] = server.calls(CUSTOM)
    assert (call.method, call.body, call.openids) == ("POST", TEXT, ["o1"])
    assert call.query == {} and call.time == clock.now
    assert call.response == {"errcode": 0, "errmsg": "ok"}
    [token_call] = server.calls("cgi-bin/token")
    assert "access_token" not in token_call.query and token_call.id < call.id


def test_a_call_cut_off_mid_body_is_not_logged(api: Api, server: StandinServer) -> None:
    """A sender killed while posting leaves half a request; the platform never answers it."""
    token = api.token()
    host, port = server.base_url.removeprefix("http://").rstrip("/").split(":")
    with socket.create_connection((host, int(port)), timeout=5) as conn:
        conn.sendall(f"POST /{CUSTOM}?access_token={token} HTTP/1.1\r\nHost: {host}\r\n"
                     "Content-Length: 200\r\n\r\n{\"touser\": \"o1\"".encode())
        conn.shutdown(socket.SHUT_WR)
        conn.recv(1024)  # the server has read what it will ever read
    assert server.calls(CUSTOM) == []
    api.post(CUSTOM, TEXT, token)
    assert len(server.calls(CUSTOM)) == 1


def test_failed_calls_are_logged_too(api: Api, server: StandinServer) -> None:
    api.post(CUSTOM, TEXT, "bad-token")
    [call] = server.calls(CUSTOM, openid="o1")
    assert call.errcode == 40001 and call.body == TEXT and call.delivered == []


def test_calls_filter_by_openid(api: Api, server: StandinServer) -> None:
    token = api.token()
    api.post(CUSTOM, TEXT, token)
    api.post(CUSTOM, {**TEXT, "touser": "o2"}, token)
    assert [c.body["touser"] for c in server.calls(openid="o2")] == ["o2"]


def test_the_calls_endpoint_returns_calls_after_since(api: Api) -> None:
    token = api.token()
    api.post(CUSTOM, TEXT, token)
    api.post(CUSTOM, {**TEXT, "touser": "o2"}, token)
    everything = api.get("_standin/calls")
    assert [c["path"] for c in everything] == ["cgi-bin/token", CUSTOM, CUSTOM]
    later = api.get("_standin/calls", since=everything[1]["id"], path=CUSTOM)
    assert [c["body"]["touser"] for c in later] == ["o2"]
    assert [c["id"] for c in api.get("_standin/calls", openid="o1")] == [everything[1]["id"]]


def test_interactions_endpoint_opens_the_window(api: Api, http: requests.Session) -> None:
    token = api.token()
    assert api.post(CUSTOM, TEXT, token)["errcode"] == 45015
    http.post(api.server.base_url + "_standin/interactions", json={"openid": "o1"}, timeout=5)
    assert api.post(CUSTOM, TEXT, token)["errcode"] == 0


def test_expire_tokens_and_reset_endpoints(api: Api, http: requests.Session,
                                           server: StandinServer) -> None:
    token = api.token()
    http.post(server.base_url + "_standin/expire-tokens", timeout=5)
    assert api.get("cgi-bin/tags/get", access_token=token)["errcode"] == 42001
    http.post(server.base_url + "_standin/reset", timeout=5)
    assert server.calls() == []
    assert api.get("cgi-bin/tags/get", access_token=token)["errcode"] == 40001


def test_an_unknown_path_gets_404_and_40066(api: Api, http: requests.Session) -> None:
    response = http.get(api.server.base_url + "cgi-bin/no/such/api", timeout=5)
    assert response.status_code == 404 and response.json()["errcode"] == 40066


def test_the_wrong_method_gets_43001_or_43002(api: Api, http: requests.Session) -> None:
    token = api.token()
    assert http.get(api.server.base_url + CUSTOM, params={"access_token": token},
                    timeout=5).json()["errcode"] == 43002
    assert api.post("cgi-bin/tags/get", {}, token)["errcode"] == 43001


def test_latency_is_added_to_each_call() -> None:
    client = create_standin_app(StandinSettings(latency=0.2)).test_client()
    started = time.monotonic()
    client.get("/cgi-bin/token")
    assert time.monotonic() - started >= 0.2


def test_the_module_runs_as_a_process(http: requests.Session) -> None:
    command = [sys.executable, "-m", "bot.standin", "--port", "0", "--appid", "wx_cli",
               "--mini-appid", "wx_cli_mini", "--mini-secret", "cli_mini_secret"]
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as process:
        try:
            line = process.stdout.readline() if process.stdout else ""
            base_url = line.rsplit(" ", 1)[-1].strip()
            assert base_url.startswith("http://127.0.0.1:")
            answer = http.get(base_url + "cgi-bin/token", timeout=5, params={
                "grant_type": "client_credential", "appid": "wx_cli",
                "secret": "sandbox_secret"}).json()
            assert "access_token" in answer, json.dumps(answer)
            mini = http.get(base_url + "cgi-bin/token", timeout=5, params={
                "grant_type": "client_credential", "appid": "wx_cli_mini",
                "secret": "cli_mini_secret"}).json()
            assert "access_token" in mini, json.dumps(mini)
        finally:
            process.terminate()
            process.wait(timeout=5)
