"""Fixtures: a stand-in server on a movable clock, and clients that talk to it over HTTP."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests
from standin_helpers import Api, FakeClock, SandboxClient

from bot.standin import StandinServer, StandinSettings


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def start_server(clock: FakeClock) -> Iterator[Callable[..., StandinServer]]:
    """Start a stand-in with settings overrides; all are stopped after the test."""
    started: list[StandinServer] = []

    def start(**overrides: Any) -> StandinServer:
        server = StandinServer(StandinSettings(now=clock, **overrides)).start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def server(start_server: Callable[..., StandinServer]) -> StandinServer:
    return start_server()


@pytest.fixture
def http() -> Iterator[requests.Session]:
    with requests.Session() as session:
        yield session


@pytest.fixture
def api(server: StandinServer, http: requests.Session) -> Api:
    return Api(server, http)


@pytest.fixture
def make_api(start_server: Callable[..., StandinServer],
             http: requests.Session) -> Callable[..., Api]:
    """An Api on a stand-in started with the given settings overrides."""
    return lambda **overrides: Api(start_server(**overrides), http)


@pytest.fixture
def wechat(server: StandinServer) -> Iterator[SandboxClient]:
    client = SandboxClient(server)
    yield client
    client._http.close()
