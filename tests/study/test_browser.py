"""The reading page in a real headless browser at phone width: large print, the larger-text
switch, and the 「我已学习」 button recording the reading (Debian's chromium, driven by Playwright)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from bot.models import StudyReading
from bot.services import Services
from bot.study.links import make_token, secret
from tests.browser import CHROMIUM, FLAGS, require_chromium
from tests.office_fixtures import Branch

PHONE = {"width": 375, "height": 740}

require_chromium()

sync_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture
def site(office_site: str) -> str:
    """The office's app on a local port."""
    return office_site


@pytest.fixture
def page(tmp_path: Path) -> Iterator[sync_api.Page]:
    """A phone-sized page in headless chromium."""
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=FLAGS)
        context = browser.new_context(viewport=PHONE, device_scale_factor=2, locale="zh-CN")
        yield context.new_page()
        browser.close()


def font_px(page: sync_api.Page, selector: str) -> float:
    return page.eval_on_selector(selector, "e => parseFloat(getComputedStyle(e).fontSize)")


def test_the_page_reads_large_on_a_phone_and_the_button_records_the_reading(
        office: Services, branch: Branch, site: str, page: sync_api.Page, tmp_path: Path) -> None:
    token = make_token(secret(office.settings), branch.ids["张明"], "2026-12")
    page.goto(f"{site}/study/2026-12?t={token}")
    assert page.locator("h1").inner_text() == "温暖过冬，健康相伴"
    assert font_px(page, "article p") >= 24  # 18 pt
    line_height = page.eval_on_selector("article p", "e => parseFloat(getComputedStyle(e).lineHeight)")
    assert line_height >= 1.5 * font_px(page, "article p")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]  # no sideways scroll
    assert page.locator("#read").bounding_box()["height"] >= 60

    page.click("#larger")
    assert font_px(page, "article p") >= 30
    assert page.locator("#larger").get_attribute("aria-pressed") == "true"
    page.screenshot(path=str(tmp_path / "study-page.png"), full_page=False)

    page.click("#read")
    page.wait_for_function("document.getElementById('status').textContent.length > 0")
    assert "已记下" in page.locator("#status").inner_text()
    assert page.locator("#read").is_disabled()
    with office.sessions() as session:
        [reading] = session.scalars(sa.select(StudyReading)).all()
    assert (reading.retiree_id, reading.month, reading.via) == (branch.ids["张明"], "2026-12", "page")


def test_the_larger_text_choice_is_kept_on_the_next_visit(site: str, page: sync_api.Page) -> None:
    page.goto(f"{site}/study/2026-11")
    page.click("#larger")
    page.goto(f"{site}/study/2026-10")
    assert font_px(page, "article p") >= 30


SPEECH_RECORDER = """
window.__spoken = [];
Object.defineProperty(window, "speechSynthesis", {configurable: true, value: {
  speaking: false,
  speak(words) { window.__spoken.push({text: words.text, lang: words.lang}); this.speaking = true; },
  cancel() { this.speaking = false; },
}});
"""


def test_read_aloud_hands_the_article_to_the_phones_speech(site: str, page: sync_api.Page) -> None:
    page.add_init_script(SPEECH_RECORDER)  # the browser's speech engine, not ours: recorded
    page.goto(f"{site}/study/2026-12")
    page.click("#speak")
    [spoken] = page.evaluate("window.__spoken")
    assert spoken["lang"] == "zh-CN" and "寒从脚下起" in spoken["text"]
    assert page.locator("#speak").inner_text() == "停止朗读"
    page.click("#speak")
    assert page.locator("#speak").inner_text() == "朗读"
