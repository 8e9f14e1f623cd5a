"""The console on the office's database, with a clerk for each role."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from flask import Flask

from bot import create_app
from bot.clock import FixedClock
from bot.services import Services, build_services
from tests.console.helpers import Clerk, make_account
from tests.office_fixtures import Branch


@pytest.fixture
def desk(office: Services, clock: FixedClock, tmp_path: Path) -> Iterator[Services]:
    """The office's services, with uploads kept in the test's own folder."""
    settings = replace(office.settings, console=replace(office.settings.console,
                                                        upload_dir=str(tmp_path / "uploads")))
    built = build_services(settings, clock=clock)
    yield built
    built.close()


@pytest.fixture
def console_app(desk: Services) -> Flask:
    """The web app, console included."""
    return create_app(services=desk)


def clerk(app: Flask, services: Services, username: str, role: str, group: str = "") -> Clerk:
    """A signed-in clerk of that role."""
    make_account(services, username, role, group)
    signed_in = Clerk(app.test_client())
    signed_in.sign_in(username)
    return signed_in


@pytest.fixture
def admin(console_app: Flask, desk: Services) -> Clerk:
    """A 管理员, signed in."""
    return clerk(console_app, desk, "boss", "admin")


@pytest.fixture
def worker(console_app: Flask, desk: Services, branch: Branch) -> Clerk:
    """A 工作人员, signed in, with the branch on file."""
    return clerk(console_app, desk, "wangli", "staff")


@pytest.fixture
def viewer(console_app: Flask, desk: Services, branch: Branch) -> Clerk:
    """A 查看 account, signed in."""
    return clerk(console_app, desk, "leader", "viewer")
