"""Debian's chromium for the browser tests (the reading page, the console), driven by Playwright."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def require_chromium() -> None:
    """Skip the calling test module when chromium is missing, except in CI, where it must be there."""
    if CHROMIUM.exists():
        return
    if os.environ.get("CI"):
        raise RuntimeError(".ci/run installs Debian's chromium; it is missing")
    pytest.skip("Debian's chromium is not installed (apt-get install chromium; .ci/run does it)",
                allow_module_level=True)


def policy_refusals(page: object) -> list[str]:
    """What the page's Content-Security-Policy refuses from now on (chromium says so on its
    console): a style or script the page needs that the policy blocks breaks it silently."""
    refused: list[str] = []
    page.on("console", lambda message: refused.append(message.text)  # type: ignore[attr-defined]
            if "Content Security Policy" in message.text else None)
    return refused
