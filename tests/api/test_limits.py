"""Calls per address and per login are limited across every worker (the counts are in the shared
store): beyond a limit, a 429 in Chinese with when to try again; behind the local proxy, each
client's own address counts, not the proxy's."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from bot import create_app
from bot.api import limits
from bot.services import Services

ASK = "/api/v1/policy/topics"


@pytest.fixture
def workers(office: Services) -> tuple[FlaskClient, FlaskClient]:
    """Two workers' apps on the same database."""
    return create_app(services=office).test_client(), create_app(services=office).test_client()


def test_an_address_over_its_limit_is_told_to_wait_whichever_worker_answers(
        workers: tuple[FlaskClient, FlaskClient], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "PER_ADDRESS", (3, 60))
    one, two = workers
    assert [c.get(ASK).status_code for c in (one, two, one)] == [200, 200, 200]
    refused = two.get(ASK)
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "60"
    assert refused.get_json() == {"code": "rate_limited", "message": "操作太频繁了，请过一分钟再试。"}


def test_behind_the_local_proxy_each_client_counts_for_itself(
        workers: tuple[FlaskClient, FlaskClient], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "PER_ADDRESS", (2, 60))
    one, _ = workers

    def through_proxy(client_ip: str) -> int:
        return one.get(ASK, headers={"X-Forwarded-For": f"10.0.0.9, {client_ip}"}).status_code

    assert [through_proxy("203.0.113.5") for _ in range(3)] == [200, 200, 429]
    assert through_proxy("203.0.113.6") == 200  # another family's phone
    forged = one.get(ASK, headers={"X-Forwarded-For": "198.51.100.1"},
                     environ_base={"REMOTE_ADDR": "192.0.2.44"})  # not from the local proxy
    assert forged.status_code == 200
    assert one.get(ASK, headers={"X-Forwarded-For": "198.51.100.2"},
                   environ_base={"REMOTE_ADDR": "192.0.2.44"}).status_code == 200
    assert one.get(ASK, environ_base={"REMOTE_ADDR": "192.0.2.44"}).status_code == 429  # its own address


def test_logging_in_has_its_own_tighter_limit(workers: tuple[FlaskClient, FlaskClient],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "LOGINS_PER_ADDRESS", (2, 60))
    one, _ = workers
    codes = [one.post("/api/v1/session", json={"code": "never-minted"}).status_code for _ in range(3)]
    assert codes[:2] != [429, 429] and codes[2] == 429
    assert one.get(ASK).status_code == 200  # other calls go on
