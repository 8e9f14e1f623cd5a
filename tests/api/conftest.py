"""The mini-program's side of the office: its app configured, a client, and logging in as a
mini-program user through the stand-in's wx.login() codes."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace

import pytest
from flask.testing import FlaskClient

from bot import create_app
from bot.clock import FixedClock
from bot.services import Services, build_services
from bot.standin.server import StandinServer
from tests.api import log_in
from tests.conftest import TEST_MINI


@pytest.fixture
def mini(office: Services, clock: FixedClock) -> Iterator[Services]:
    """The office's services with its mini-program configured (the stand-in plays it too, as an
    app of its own)."""
    settings = replace(office.settings, miniprogram=TEST_MINI)
    built = build_services(settings, clock=clock)
    yield built
    built.close()


@pytest.fixture
def client(mini: Services) -> FlaskClient:
    """A mini-program's calls to the office's app."""
    return create_app(services=mini).test_client()


@pytest.fixture
def signed_in(client: FlaskClient, standin: StandinServer) -> Callable[[str], dict[str, str]]:
    """Log in as a mini-program user; the request headers that carry their token."""
    def headers(openid: str = "o_mini_daughter") -> dict[str, str]:
        return {"Authorization": f"Bearer {log_in(client, standin, openid)}"}
    return headers
