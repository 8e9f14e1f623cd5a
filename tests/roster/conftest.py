"""Fixtures for the roster tests."""

from __future__ import annotations

import pytest

from bot.roster.groups import add_group
from bot.sandbox.sample_roster import AREAS, BRANCHES, CLASSES
from bot.services import Services


@pytest.fixture
def with_groups(services: Services) -> Services:
    """The sample office's branches, classes and areas exist."""
    with services.sessions.begin() as session:
        for kind, names in (("党支部", BRANCHES), ("老年大学班级", CLASSES), ("居住片区", AREAS)):
            for name in names:
                add_group(session, kind, name)
    return services
