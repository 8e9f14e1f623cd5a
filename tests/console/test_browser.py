"""The staff console in a real headless browser at desktop width, as a clerk uses it: signing in,
finding a person by pinyin initials as the live results come in, editing a phone number and
finding the edit in 操作记录, importing a roster (a bad row refused whole, then the fixed file),
exporting it, an accessibility scan of every page, and 今日 on a busy day (Debian's chromium,
driven by Playwright). With CONSOLE_SCREENSHOTS=<folder>, 今日 and a person's page are saved
there as full-page screenshots (docs/console holds the ones in the docs)."""

from __future__ import annotations

import os
import re
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import openpyxl
import pytest
import sqlalchemy as sa

from bot import create_app
from bot.db.engine import transaction
from bot.delivery import outbox
from bot.models import (
    CareReport,
    EmergencyContact,
    Group,
    OutboxMessage,
    OutboxStatus,
    Retiree,
    StaffAccount,
    StudyReading,
    Ticket,
)
from bot.roster.edit import edit_person, form_values
from bot.roster.groups import add_group
from bot.roster.sheets import write_sheet
from bot.sandbox.sample_roster import AREAS, BRANCHES, CLASSES, HEADERS, generate
from bot.services import Services
from tests.activities.helpers import load_activity
from tests.browser import CHROMIUM, FLAGS, policy_refusals, require_chromium
from tests.console.helpers import PASSWORD, make_account
from tests.helpers import served
from tests.office_fixtures import Branch

DESKTOP = {"width": 1280, "height": 900}
BACKGROUND = 60_000  # ms: the import's check and apply run in the background, polled by htmx
SCREENSHOTS = os.environ.get("CONSOLE_SCREENSHOTS", "")  # a folder: save 今日 and a person's page there

require_chromium()

sync_api = pytest.importorskip("playwright.sync_api")
axe_sync = pytest.importorskip("axe_playwright_python.sync_playwright")
expect = sync_api.expect


@pytest.fixture(scope="module")
def browser() -> Iterator[sync_api.Browser]:
    """One headless chromium for the whole module (each test gets its own window and cookies)."""
    with sync_api.sync_playwright() as p:
        launched = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=FLAGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: sync_api.Browser) -> Iterator[sync_api.Page]:
    """A fresh desktop-sized window in Chinese, with no cookies yet."""
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN", accept_downloads=True)
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


@pytest.fixture
def site(desk: Services) -> Iterator[str]:
    """The app with its console (uploads in the test's own folder) on a free local port; its base URL."""
    with served(create_app(services=desk)) as base:
        yield base


@pytest.fixture
def clerk(desk: Services, branch: Branch) -> str:
    """王丽's 管理员 account (password PASSWORD), with 第一支部 and 第二支部 on file; its username."""
    username = make_account(desk, "wangli", "admin")
    with transaction(desk.sessions) as session:
        account = session.scalars(sa.select(StaffAccount).where(StaffAccount.username == username)).one()
        account.display_name = "王丽"
    return username


def sign_in(page: sync_api.Page, site: str, username: str) -> None:
    """Sign in through the form, and wait for 今日."""
    page.goto(f"{site}/console/login")
    page.get_by_label("登录名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(f"{site}/console/today")


def menu(page: sync_api.Page, room: str) -> None:
    """Open a room from the main menu."""
    page.get_by_role("navigation", name="主菜单").get_by_role("link", name=room, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(room)


def fact(page: sync_api.Page, term: str) -> sync_api.Locator:
    """The value beside a term in a person's 档案."""
    found = page.locator("dl.facts dt", has_text=re.compile(f"^{term}$"))
    return found.locator("xpath=following-sibling::dd[1]")


def edit_phone(page: sync_api.Page, site: str, retiree_id: int, number: str) -> None:
    """From the person's page: 编辑, type a new 联系电话, 保存."""
    page.goto(f"{site}/console/people/{retiree_id}")
    page.get_by_role("link", name="编辑", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("编辑 张明")
    phone = page.get_by_label("联系电话", exact=True)
    expect(phone).to_have_value("13800000000")
    phone.fill(number)
    page.get_by_role("button", name="保存", exact=True).click()


# 1. Signing in


def test_a_clerk_signs_in_through_the_form_and_lands_on_today(
        page: sync_api.Page, site: str, clerk: str) -> None:
    page.goto(f"{site}/console/")
    expect(page).to_have_url(re.compile(r"/console/login\?next="))  # sent to sign in first
    expect(page.get_by_role("heading", name="登录工作台")).to_be_visible()
    page.get_by_label("登录名").fill(clerk)
    page.get_by_label("密码").fill("not the password")
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("alert")).to_be_visible()  # refused, and told so
    expect(page.get_by_label("登录名")).to_have_value(clerk)  # what was typed is kept

    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(f"{site}/console/today")
    expect(page).to_have_title("今日 · 银龄助手工作台")
    expect(page.get_by_role("heading", level=1)).to_contain_text("今日")
    expect(page.get_by_role("heading", level=1)).to_contain_text("2026年11月22日")
    expect(page.get_by_role("link", name="今日", exact=True)).to_have_attribute("aria-current", "page")
    expect(page.locator("header .who")).to_contain_text("王丽（管理员）")


# 2. Finding a person


def test_typing_pinyin_initials_swaps_in_the_match_and_opens_the_persons_page(
        page: sync_api.Page, site: str, clerk: str, branch: Branch) -> None:
    sign_in(page, site, clerk)
    menu(page, "名册")
    results = page.locator("#results")
    expect(results).to_contain_text("共 7 人")
    page.evaluate("window.stillTheSamePage = true")

    page.get_by_label("找人").press_sequentially("zm")
    expect(results).to_contain_text("找到 1 人")
    expect(results.locator("tbody tr")).to_have_count(1)
    expect(page).to_have_url(re.compile(r"/console/people\?q=zm"))  # the address can be shared
    assert page.evaluate("window.stillTheSamePage") is True  # swapped in, not a new page

    results.get_by_role("link", name="张明").click()
    expect(page).to_have_url(f"{site}/console/people/{branch.ids['张明']}")
    expect(page.get_by_role("heading", level=1)).to_have_text("张明")
    expect(fact(page, "分组")).to_have_text("党支部：第一支部")


def test_on_a_phone_a_wide_table_scrolls_by_itself_and_the_page_does_not(
        browser: sync_api.Browser, site: str, clerk: str, branch: Branch) -> None:
    # Staff open the links in their alerts on their phones: 375 pixels wide.
    context = browser.new_context(viewport={"width": 375, "height": 800}, locale="zh-CN")
    page = context.new_page()
    try:
        sign_in(page, site, clerk)
        for room in ("名册", "操作记录"):
            menu(page, room)
            assert page.evaluate("document.documentElement.scrollWidth") <= 375, room
    finally:
        context.close()


def test_with_javascript_off_the_search_still_finds_and_the_pages_read(
        browser: sync_api.Browser, site: str, clerk: str, branch: Branch) -> None:
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN", java_script_enabled=False)
    page = context.new_page()
    try:
        sign_in(page, site, clerk)
        expect(page.locator("#h-care")).to_be_visible()
        menu(page, "名册")
        page.get_by_label("找人").fill("zm")
        page.get_by_label("找人").press("Enter")  # the form is sent as a plain GET
        expect(page).to_have_url(re.compile(r"/console/people\?q=zm"))
        expect(page.locator("#results")).to_contain_text("找到 1 人")
        for room in ("分组", "操作记录", "账号"):
            menu(page, room)
    finally:
        context.close()


# 3. Editing, and 4. the edit in 操作记录


def test_editing_the_phone_number_is_saved_and_shown_on_the_persons_page(
        page: sync_api.Page, site: str, clerk: str, branch: Branch, desk: Services) -> None:
    sign_in(page, site, clerk)
    edit_phone(page, site, branch.ids["张明"], "13911112222")

    expect(page).to_have_url(f"{site}/console/people/{branch.ids['张明']}")
    expect(page.get_by_role("status")).to_have_text("已保存：联系电话。")
    expect(fact(page, "电话")).to_have_text("13911112222")
    with desk.sessions() as session:
        assert session.get(Retiree, branch.ids["张明"]).phone == "13911112222"


def test_the_edit_is_in_the_audit_log_with_before_and_after(
        page: sync_api.Page, site: str, clerk: str, branch: Branch) -> None:
    sign_in(page, site, clerk)
    edit_phone(page, site, branch.ids["张明"], "13911112222")
    expect(page.get_by_role("status")).to_contain_text("已保存")

    menu(page, "操作记录")
    entry = page.get_by_role("row").filter(has_text="修改档案")
    expect(entry).to_have_count(1)
    expect(entry).to_contain_text("2026-11-22 09:30")
    expect(entry).to_contain_text("王丽（wangli）")  # who by name, not console:wangli
    expect(entry).to_contain_text("联系电话：13800000000 → 13911112222")
    entry.get_by_role("link", name="张明", exact=True).click()  # the person by name, not retiree:1
    expect(page.get_by_role("heading", level=1)).to_have_text("张明")


# 5. Importing a roster


@pytest.fixture
def sample_groups(desk: Services) -> None:
    """The sample roster's branches, classes and areas exist (a roster names them)."""
    with transaction(desk.sessions) as session:
        for kind, names in (("党支部", BRANCHES), ("老年大学班级", CLASSES), ("居住片区", AREAS)):
            for name in names:
                add_group(session, kind, name)


def roster_file(path: Path, rows: list[list[object]]) -> Path:
    """An .xlsx roster with the sample's headers."""
    write_sheet(path, HEADERS, rows)
    return path


def retiree_count(services: Services) -> int:
    """How many people the roster has."""
    with services.sessions() as session:
        return session.scalar(sa.select(sa.func.count()).select_from(Retiree)) or 0


def upload(page: sync_api.Page, path: Path) -> None:
    """Choose the file on 导入名册, 上传并检查, and wait while the check runs."""
    expect(page.get_by_role("heading", level=1)).to_have_text("导入名册")
    page.get_by_label("名册文件").set_input_files(path)
    page.get_by_role("button", name="上传并检查").click()
    expect(page).to_have_url(re.compile(r"/console/roster/import/[\w-]+$"))  # the upload's own page
    finished(page)


def finished(page: sync_api.Page) -> None:
    """Wait until the check or import is over: its progress card, which htmx polls, is gone."""
    expect(page.locator("#import-status [hx-trigger]")).to_have_count(0, timeout=BACKGROUND)


def test_a_roster_with_a_bad_row_is_refused_whole_and_the_fixed_one_is_imported_on_confirming(
        page: sync_api.Page, site: str, clerk: str, desk: Services, sample_groups: None,
        tmp_path: Path) -> None:
    rows = generate(5)
    bad = [list(row) for row in rows]
    bad[2][3] = "1938-02-30"  # the third person's birth date: February has no 30th (row 4 of the sheet)
    sign_in(page, site, clerk)
    menu(page, "名册")
    page.get_by_role("link", name="导入名册").click()

    upload(page, roster_file(tmp_path / "名册（有错）.xlsx", bad))
    status = page.locator("#import-status")
    expect(status).to_contain_text("有 1 处问题，没有导入任何数据")
    problem = status.get_by_role("row").filter(has_text="1938-02-30")
    expect(problem.get_by_role("cell")).to_have_text(["4", "出生日期", re.compile("1938-02-30")])
    expect(status.get_by_role("button", name="确认导入")).to_have_count(0)  # nothing to confirm
    assert retiree_count(desk) == 7  # the branch only: not one row of the file was written

    status.get_by_role("link", name="重新上传").click()
    upload(page, roster_file(tmp_path / "名册.xlsx", rows))
    expect(status).to_contain_text("检查通过，共 5 行：将新增 5 人，更新 0 人")
    expect(status).to_contain_text("还没有写入")
    assert retiree_count(desk) == 7  # checked, not yet written

    with page.expect_navigation():  # the status page again, for the import
        status.get_by_role("button", name="确认导入").click()
    finished(page)
    expect(status).to_contain_text("已导入 5 行：新增 5 人")
    with desk.sessions() as session:
        imported = {number: name for number, name in session.execute(
            sa.select(Retiree.number, Retiree.name).where(Retiree.number.like("LT%")))}
    assert imported == {row[0]: row[1] for row in rows}
    status.get_by_role("link", name="回到名册").click()
    expect(page.locator("#results")).to_contain_text("共 12 人")


# 6. Exporting


def test_the_export_link_downloads_the_roster_as_an_xlsx_that_opens(
        page: sync_api.Page, site: str, clerk: str, branch: Branch, tmp_path: Path) -> None:
    sign_in(page, site, clerk)
    menu(page, "名册")
    with page.expect_download() as started:
        page.get_by_role("link", name="导出名册（Excel）").click()
    download = started.value
    assert download.suggested_filename == "名册-20261122.xlsx"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)

    book = openpyxl.load_workbook(saved)
    try:
        [header, *lines] = list(book.active.iter_rows(values_only=True))
    finally:
        book.close()
    names = [line[header.index("姓名")] for line in lines]
    assert sorted(names) == sorted(branch.ids)
    zhang = lines[names.index("张明")]
    assert zhang[header.index("联系电话")] == "13800000000"
    assert zhang[header.index("党支部")] == "第一支部"


# A busy day, for 7. the accessibility scan and 8. 今日 (and the screenshots)


@dataclass
class Day:
    """A busy morning: care reports, 留言 (one overdue), birthdays, an activity, a failed message."""

    zhang: int


@pytest.fixture
def busy_day(desk: Services, branch: Branch, tmp_path: Path) -> Day:
    """What 今日 and 张明's page show on an ordinary busy morning."""
    now, ids = desk.clock.now(), branch.ids
    with transaction(desk.sessions) as session:
        zhang = session.get(Retiree, ids["张明"])
        zhang.number, zhang.gender, zhang.former_unit, zhang.rank = "LT-0042", "男", "市财政局", "正处级"
        zhang.party_member, zhang.party_join_date = True, date(1962, 7, 1)
        zhang.address, zhang.health, zhang.phone = "示例市幸福路 1 号 3 单元 502", "长年有病", "18026566827"
        zhang.notes = "耳背，打电话请大声些"
        session.add(EmergencyContact(retiree_id=zhang.id, name="张小红", relation="女儿",
                                     phone="13612345678"))
        session.get(Retiree, ids["李华"]).birth_date = date(1936, 11, 24)  # 90 on Tuesday
        session.get(Retiree, ids["王芳"]).birth_date = date(1941, 11, 22)  # 85 today
        session.add_all([
            CareReport(openid="o_li", retiree_id=ids["李华"], kind="critical", subject="self",
                       text="我爸昨晚病危，现在在市人民医院抢救", reporter_phone="13712345678",
                       created_at=now - timedelta(hours=2)),
            CareReport(openid="o_zhang", retiree_id=ids["张明"], kind="hospital", subject="self",
                       text="我住院了，在市第一医院心内科 12 床", created_at=now - timedelta(days=1)),
            CareReport(openid="o_zhou", retiree_id=ids["周平"], kind="fall", subject="relative",
                       relative="老伴", text="老伴在家摔了一跤，腿疼得厉害",
                       created_at=now - timedelta(hours=5)),
            Ticket(openid="o_zhang", retiree_id=ids["张明"], text="请问今年的体检什么时候安排？",
                   created_at=now - timedelta(hours=30)),
            Ticket(openid="o_sun_daughter", retiree_id=ids["孙兰"], by_agent=True,
                   text="我妈妈的医药费报销材料交到哪里？", created_at=now - timedelta(hours=3)),
            StudyReading(retiree_id=ids["张明"], month="2026-11", read_at=now - timedelta(days=3),
                         via="page"),
        ])
        outbox.enqueue(session, recipient="o_qian", text="冬至茶话会报名开始了", dedupe_key="test:dead",
                       now=now - timedelta(days=1), kind="notice", retiree_id=ids["钱进"])
        session.flush()
        for message in session.scalars(sa.select(OutboxMessage)):
            message.status = OutboxStatus.DEAD
    with transaction(desk.sessions) as session:  # an earlier edit, for 操作记录
        values = form_values(session.get(Retiree, ids["周平"])) | {"phone": "13500001234"}
        edit_person(session, ids["周平"], values, actor="console:wangli", now=now - timedelta(days=2))
    load_activity(desk, tmp_path, capacity=30)
    return Day(zhang=ids["张明"])


# 7. Accessibility


PAGES = {
    "login": "/console/login",
    "today": "/console/today",
    "tickets": "/console/tickets",
    "ticket": "/console/tickets/{ticket}",
    "people": "/console/people",
    "person": "/console/people/{zhang}",
    "person-edit": "/console/people/{zhang}/edit",
    "person-new": "/console/people/new",
    "roster-import": "/console/roster/import",
    "groups": "/console/groups",
    "group": "/console/groups/{branch}",
    "audit": "/console/audit",
    "accounts": "/console/accounts",
    "password": "/console/password",
    "wechat": "/console/wechat",
}
SERIOUS = ("serious", "critical")


def serious_violations(page: sync_api.Page) -> list[str]:
    """axe's serious and critical violations on the page: rule, impact, the elements."""
    found = axe_sync.Axe().run(page).response["violations"]
    return [f"{v['id']} ({v['impact']}): {v['help']}\n" + "\n".join(
                f"    {', '.join(map(str, node['target']))}: {node['html'][:160]}" for node in v["nodes"])
            for v in found if v["impact"] in SERIOUS]


def test_every_console_page_passes_an_accessibility_scan(
        page: sync_api.Page, site: str, clerk: str, busy_day: Day, desk: Services) -> None:
    with desk.sessions() as session:
        first = session.scalar(sa.select(Group.id).where(Group.name == "第一支部"))
        ticket = session.scalar(sa.select(Ticket.id).where(Ticket.answered_at.is_(None)))
    refused = policy_refusals(page)
    problems = []
    for name, path in PAGES.items():
        if name == "today":
            sign_in(page, site, clerk)
        address = site + path.format(zhang=busy_day.zhang, branch=first, ticket=ticket)
        page.goto(address)
        assert page.url == address  # the page itself, not the sign-in or an error
        expect(page.locator("main h1")).to_be_visible()
        problems += [f"{name} ({path}): {problem}" for problem in serious_violations(page)]
    assert not refused, "the pages' policy refused what they need:\n" + "\n".join(refused)
    assert not problems, "axe found serious or critical violations:\n" + "\n".join(problems)


# 8. 今日 on a busy day (and the screenshots)


def png_width(path: Path) -> int:
    """The width of a PNG, from its header."""
    return struct.unpack(">I", path.read_bytes()[16:20])[0]


def test_today_lists_what_needs_someone_with_the_urgent_first(
        page: sync_api.Page, site: str, clerk: str, busy_day: Day) -> None:
    sign_in(page, site, clerk)
    care = page.get_by_role("region", name=re.compile("^重要情况"))
    expect(care).to_contain_text("未处理 3")
    expect(care.locator("li").first).to_contain_text("病危")  # 病危 before the others
    expect(care.locator("li").first).to_contain_text("回电：13712345678")
    tickets = page.get_by_role("region", name=re.compile("^留言待回复"))
    expect(tickets).to_contain_text("超过 24 小时 1 条")
    expect(tickets.locator("li").filter(has_text="超时")).to_contain_text("体检")
    expect(tickets.locator("li").filter(has_text="家属代留")).to_contain_text("孙兰")
    expect(page.get_by_role("region", name=re.compile("^没送到的消息"))).to_contain_text("钱进")
    birthdays = page.get_by_role("region", name=re.compile("^生日"))
    expect(birthdays.locator("li").first).to_contain_text("今天 王芳 85 岁")
    expect(birthdays).to_contain_text("李华 90 岁")
    expect(page.get_by_role("region", name=re.compile("^近期活动"))).to_contain_text("冬至茶话会")
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SCREENSHOTS) / "today.png"), full_page=True)

    care.get_by_role("link", name="张明").click()
    expect(page).to_have_url(f"{site}/console/people/{busy_day.zhang}#care")
    expect(page.get_by_role("region", name="重要情况")).to_contain_text("住院（未处理）")
    expect(page.get_by_role("region", name="留言")).to_contain_text("待回复")
    expect(fact(page, "紧急联系人")).to_have_text("张小红（女儿）13612345678")
    if SCREENSHOTS:
        page.screenshot(path=str(Path(SCREENSHOTS) / "person.png"), full_page=True)
        assert [png_width(Path(SCREENSHOTS) / name) for name in ("today.png", "person.png")] == [1280, 1280]
