"""An activity for 第一支部 with three seats, loaded from a file the way staff do it."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot import create_app
from bot.sandbox.wechat_side import WeChatSide
from bot.services import Services
from tests.activities.helpers import load_activity
from tests.helpers import Chat


@pytest.fixture
def tea(office: Services, branch, tmp_path: Path) -> int:
    """The tea party's id (第一支部 only, three seats)."""
    return load_activity(office, tmp_path)


@pytest.fixture
def chat(office: Services, wechat: WeChatSide) -> Chat:
    return Chat(create_app(services=office).test_client(), wechat)
