"""The policy engine over the real content/ (built once per process, as in production), a copy
of content/ a test may change, and one whose asked questions are the second stage's tests' own."""

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


# What the second stage's tests teach: how close their questions are to a topic then depends on
# these and the topic files, not on content/policies/asked.tsv, which grows with every round read
# (its growth moved their closeness across a threshold five times).
SECOND_STAGE_ASKED = (
    "退休证上的名字写错了能改吗\tretirement-certificate",
    "党组织想转到住的地方怎么办\tparty-transfer",
    "党组织想转到住的地方要多久\tparty-transfer",
    "每年免费体检的报告单上这一项高了怎么办\thealth-checkup",
)


@pytest.fixture(scope="module")
def taught(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of content/ whose asked questions are SECOND_STAGE_ASKED alone."""
    copy = Path(shutil.copytree(PROJECT_ROOT / "content", tmp_path_factory.mktemp("taught") / "content"))
    (copy / "policies" / "asked.tsv").write_text("".join(f"{line}\n" for line in SECOND_STAGE_ASKED),
                                                 encoding="utf-8")
    return copy
