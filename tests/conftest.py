"""Fixtures: a migrated database (SQLite, or PostgreSQL via BOT_TEST_DATABASE_URL), a fixed
clock, the app and its client, and WeChat's side of the webhook."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from bot import create_app
from bot.clock import SHANGHAI, FixedClock
from bot.config import DeliverySettings, MiniProgramSettings, OfficeSettings, Settings, WeChatSettings
from bot.db.engine import Base, make_engine
from bot.db.migrate import upgrade
from bot.sandbox.wechat_side import WeChatSide
from bot.services import Services, build_services
from bot.standin import StandinServer, StandinSettings
from tests.helpers import PG_URL, Chat

pytest_plugins = ["tests.office_fixtures"]  # the office and branch fixtures

# jieba's dictionary cache (bot.policies.dictionary_cache) goes to a folder of the tests' own, kept
# between runs so that only the first run builds it, never to the developer's ~/.cache (the
# servers and commands the tests start inherit this too).
os.environ["XDG_CACHE_HOME"] = str(Path(tempfile.gettempdir()) / f"yinling-tests-cache-{os.getuid()}")

# The reply budget is long here: a test that asserts a reply must not lose it to a loaded machine (on
# two busy cores a message has taken over two seconds). The budget itself is tested with services
# tuned to a short one (tests/gateway/slow.py).
TEST_WECHAT = WeChatSettings(appid="wx_test_appid", secret="test_secret", token="test_token",
                             encoding_aes_key="abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG",
                             mode="safe", reply_budget=10.0, api_base_url="http://127.0.0.1:9/")


# The office's mini-program: an app of its own at WeChat (configured where a test needs it).
TEST_MINI = MiniProgramSettings(appid="wx_test_mini", secret="test_mini_secret", session_days=30)
TEST_OFFICE = OfficeSettings(name="测试区离退休干部管理中心", address="测试区人民路 1 号",
                             phone="010-12345678", hours="工作日 8:30—17:30")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """On the PostgreSQL run, a test that touches no database is skipped: the SQLite run has run
    it, and it has nothing to show of PostgreSQL (the sandbox, which always runs on SQLite, and
    the content checks were a fifth of this run's time). A test touches the database when it asks
    for one (the migrated_template fixture, which every database fixture builds on) or names
    PostgreSQL itself. A new fixture that opens PG_URL must build on migrated_template too."""
    if not PG_URL:
        return
    skip = pytest.mark.skip(reason="touches no database: run on the SQLite run")
    for item in items:
        if "migrated_template" not in getattr(item, "fixturenames", ()) and not _names_postgres(item.path):
            item.add_marker(skip)


def _names_postgres(path: Path) -> bool:
    """Whether a test file speaks of PostgreSQL itself (its own engine, or PG_URL)."""
    source = path.read_text(encoding="utf-8")
    return "PG_URL" in source or "postgres" in source.lower()


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A database at the newest migration: a SQLite file to copy, or the PostgreSQL URL."""
    if PG_URL:
        engine = sa.create_engine(PG_URL)
        with engine.begin() as conn:
            conn.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        engine.dispose()
        upgrade(PG_URL)
        return PG_URL
    path = tmp_path_factory.mktemp("template") / "template.db"
    upgrade(f"sqlite:///{path}")
    return str(path)


@pytest.fixture
def database_url(migrated_template: str, tmp_path: Path) -> Iterator[str]:
    """A fresh, migrated database for one test."""
    if PG_URL:
        yield PG_URL
        _truncate_all(PG_URL)
        return
    path = tmp_path / "bot.db"
    shutil.copy(migrated_template, path)
    yield f"sqlite:///{path}"


def _truncate_all(url: str) -> None:
    engine = make_engine(url)
    names = ", ".join(t.name for t in Base.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture
def clock() -> FixedClock:
    """A clock standing on an ordinary Sunday morning."""
    return FixedClock(datetime(2026, 11, 22, 9, 30, tzinfo=SHANGHAI))


@pytest.fixture
def settings(database_url: str) -> Settings:
    """Settings for a safe-mode account on the test database."""
    return Settings(wechat=TEST_WECHAT, office=TEST_OFFICE, database_url=database_url,
                    public_url="https://yinling.example.cn").validate()


@pytest.fixture
def services(settings: Settings, clock: FixedClock) -> Iterator[Services]:
    """The services one web worker would have."""
    built = build_services(settings, clock=clock)
    yield built
    built.close()


@pytest.fixture
def app(services: Services) -> Flask:
    """The web app over those services."""
    app = create_app(services=services)
    app.config["TESTING"] = True
    return app


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """An HTTP client for the app."""
    return app.test_client()


@pytest.fixture
def wechat(settings: Settings, clock: FixedClock) -> WeChatSide:
    """WeChat's side: builds signed, encrypted deliveries at the test clock's time."""
    return WeChatSide(settings.wechat, now=lambda: clock.now().timestamp())


@pytest.fixture
def standin(clock: FixedClock) -> Iterator[StandinServer]:
    """The local WeChat stand-in on a real port, on the test clock, for the test account and
    its mini-program (an app of its own, as at WeChat)."""
    settings = StandinSettings(appid=TEST_WECHAT.appid, secret=TEST_WECHAT.secret,
                               mini_appid=TEST_MINI.appid, mini_secret=TEST_MINI.secret,
                               now=lambda: clock.now().timestamp())
    with StandinServer(settings) as server:
        yield server


@pytest.fixture
def api_services(settings: Settings, clock: FixedClock,
                 standin: StandinServer) -> Iterator[Services]:
    """Services whose WeChat client talks to the stand-in over HTTP."""
    wired = replace(settings, wechat=replace(settings.wechat, api_base_url=standin.base_url))
    built = build_services(wired, clock=clock)
    yield built
    built.close()


@pytest.fixture
def templated(api_services: Services, clock: FixedClock) -> Iterator[Services]:
    """Services talking to the stand-in, with a template configured for notices."""
    settings = replace(api_services.settings,
                       delivery=DeliverySettings(templates={"notice": "TPL_NOTICE"}))
    built = build_services(settings, clock=clock)
    yield built
    built.close()


@pytest.fixture
def chat(client: FlaskClient, wechat: WeChatSide) -> Chat:
    """A retiree talking to the bot through /wechat."""
    return Chat(client, wechat)
