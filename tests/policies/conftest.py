"""The policy engine over the real content/ (built once per process, as in production), and a
copy of content/ a test may change."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.config import PROJECT_ROOT
from bot.policies import PolicyEngine, load_engine


@pytest.fixture(scope="session")
def engine() -> PolicyEngine:
    """The router over the shipped knowledge base."""
    return load_engine(PROJECT_ROOT / "content")


@pytest.fixture
def content(tmp_path: Path) -> Path:
    """A copy of content/ whose asked questions are only what a test writes."""
    copy = Path(shutil.copytree(PROJECT_ROOT / "content", tmp_path / "content"))
    (copy / "policies" / "asked.tsv").write_text("# 只有测试写的问题\n", encoding="utf-8")
    return copy
