"""The reading page in a real headless browser at phone width: large print, the larger-text
switch, and the 「我已学习」 button recording the reading (Debian's chromium, driven by Playwright)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from bot.clock import FixedClock
from bot.models import StudyReading
from bot.services import Services
from bot.study.links import make_token, secret
from tests.browser import CHROMIUM, FLAGS, policy_refusals, require_chromium
from tests.office_fixtures import Branch

PHONE = {"width": 375, "height": 740}

require_chromium()

sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect



@pytest.fixture(autouse=True)
def december(clock: FixedClock) -> None:
    """December's study day has come: its material is out (the page shows no month before)."""
    clock.advance(days=13)

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
    refused = policy_refusals(page)
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
    expect(page.locator("#status")).to_contain_text("已记下")
    assert page.locator("#read").is_disabled()
    with office.sessions() as session:
        [reading] = session.scalars(sa.select(StudyReading)).all()
    assert (reading.retiree_id, reading.month, reading.via) == (branch.ids["张明"], "2026-12", "page")
    assert refused == []  # its own style and script are allowed by its policy


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


TALL_PHONE = {"width": 412, "height": 915}


def test_i_have_read_it_is_offered_after_the_points_within_the_first_screen(
        office: Services, branch: Branch, site: str, page: sync_api.Page) -> None:
    page.set_viewport_size(TALL_PHONE)
    token = make_token(secret(office.settings), branch.ids["张明"], "2026-12")
    page.goto(f"{site}/study/2026-12?t={token}")
    early = page.locator("button.secondary-read")
    assert early.inner_text() == "看完要点了，我已学习"
    box = early.bounding_box()
    assert box is not None and box["y"] + box["height"] <= TALL_PHONE["height"]  # no scrolling needed
    assert page.locator("#read").bounding_box()["y"] > TALL_PHONE["height"]  # the end's button, further down
    early.click()
    expect(page.locator(".said")).to_contain_text("已记下")  # said beside the button used
    assert early.inner_text() == "已经记下了" and page.locator("#read").inner_text() == "已经记下了"
    assert page.locator("#read").is_disabled()
    with office.sessions() as session:
        [reading] = session.scalars(sa.select(StudyReading)).all()
    assert (reading.retiree_id, reading.via) == (branch.ids["张明"], "page")


def test_a_line_broken_inside_a_chinese_sentence_reads_without_a_space(
        office: Services, branch: Branch, site: str, page: sync_api.Page) -> None:
    page.goto(f"{site}/study/2026-11")
    text = page.locator("article").inner_text()
    assert "开始了战略转移。红军将士爬雪山" in text  # a line break in the Markdown between the two
    assert "1934 年 10 月" in text  # the spaces written between numbers and words stay
