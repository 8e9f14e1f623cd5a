"""The policy engine over the real content/ (built once per process, as in production)."""

from __future__ import annotations

import pytest

from bot.config import PROJECT_ROOT
from bot.policies import PolicyEngine, load_engine


@pytest.fixture(scope="session")
def engine() -> PolicyEngine:
    """The router over the shipped knowledge base."""
    return load_engine(PROJECT_ROOT / "content")
