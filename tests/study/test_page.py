"""The reading page: the article for anyone, the 「我已学习」 button for the person the link names."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from bot import create_app
from bot.clock import FixedClock
from bot.models import StudyReading
from bot.services import Services
from bot.study.links import make_token, read_token, reading_url, secret
from tests.office_fixtures import Branch


@pytest.fixture(autouse=True)
def december(clock: FixedClock) -> None:
    """December's study day has come: its material is out (the page shows no month before)."""
    clock.advance(days=13)


@pytest.fixture
def web(office: Services) -> FlaskClient:
    return create_app(services=office).test_client()


def token_for(office: Services, retiree_id: int, month: str = "2026-12") -> str:
    return make_token(secret(office.settings), retiree_id, month)


def readings(office: Services) -> list[tuple[int, str]]:
    with office.sessions() as session:
        return [(r.retiree_id, r.month) for r in session.scalars(sa.select(StudyReading))]


def test_the_persons_link_shows_the_article_greets_them_and_the_button_records(
        office: Services, branch: Branch, web: FlaskClient) -> None:
    token = token_for(office, branch.ids["张明"])
    page = web.get(f"/study/2026-12?t={token}").get_data(as_text=True)
    assert "<h1>温暖过冬，健康相伴</h1>" in page and "张明同志，您好" in page and "我已学习" in page
    answer = web.post("/study/2026-12/read", data={"t": token})
    assert answer.status_code == 200 and "已记下" in answer.get_data(as_text=True)
    assert readings(office) == [(branch.ids["张明"], "2026-12")]
    assert "已经记下了" in web.get(f"/study/2026-12?t={token}").get_data(as_text=True)
    web.post("/study/2026-12/read", data={"t": token})
    assert len(readings(office)) == 1


def test_next_months_material_is_not_out_before_its_study_day(
        office: Services, branch: Branch, web: FlaskClient, clock: FixedClock) -> None:
    """On 22 November December's material is still being prepared: not shown, nothing recorded
    (as in the chat and the mini-program); November's is."""
    clock.advance(days=-13)
    token = token_for(office, branch.ids["张明"])
    assert web.get(f"/study/2026-12?t={token}").status_code == 404
    assert web.post("/study/2026-12/read", data={"t": token}).status_code == 404
    assert readings(office) == []
    assert web.get("/study/2026-11").status_code == 200


@pytest.mark.parametrize("forged", ["1.AAAAAAAAAAAAAAAA", "1", ".", "abc.def", "99999999999999.x", ""])
def test_a_forged_token_records_nothing(office: Services, branch: Branch, web: FlaskClient,
                                        forged: str) -> None:
    assert web.post("/study/2026-12/read", data={"t": forged}).status_code == 403
    assert readings(office) == []


def test_one_persons_token_cannot_record_another_person_or_another_month(
        office: Services, branch: Branch, web: FlaskClient) -> None:
    zhang = token_for(office, branch.ids["张明"])
    _, _, mac = zhang.partition(".")
    assert web.post("/study/2026-12/read", data={"t": f"{branch.ids['李华']}.{mac}"}).status_code == 403
    assert web.post("/study/2026-11/read", data={"t": zhang}).status_code == 403
    assert readings(office) == []
    assert read_token(secret(office.settings), zhang, "2026-11") is None


def test_a_forgotten_persons_old_link_greets_nobody_and_records_nothing(
        office: Services, branch: Branch, web: FlaskClient) -> None:
    from bot.db.engine import transaction
    from bot.roster.privacy import forget

    token = token_for(office, branch.ids["张明"])
    with transaction(office.sessions) as session:
        forget(session, branch.ids["张明"], actor="cli:test", now=office.clock.now())
    page = web.get(f"/study/2026-12?t={token}").get_data(as_text=True)
    assert "<h1>温暖过冬，健康相伴</h1>" in page  # the article is for anyone
    assert "已匿名" not in page and "同志，您好" not in page
    assert token not in page  # no button that would record a reading
    answer = web.post("/study/2026-12/read", data={"t": token})
    assert answer.status_code == 403 and "失效" in answer.get_data(as_text=True)
    assert readings(office) == []


def test_without_a_token_the_article_shows_but_nobody_is_named(
        office: Services, branch: Branch, web: FlaskClient) -> None:
    page = web.get("/study/2026-12").get_data(as_text=True)
    assert "温暖过冬" in page and "同志，您好" not in page and 'name="t"' not in page
    assert "回复「学完了」" in page


@pytest.mark.parametrize("month", ["2030-01", "2026-13", "latest", "..%2F..%2Fconfig"])
def test_a_month_without_material_is_not_found(web: FlaskClient, month: str) -> None:
    missing = web.get(f"/study/{month}")
    assert missing.status_code == 404 and "回复「学习」" in missing.get_data(as_text=True)  # in Chinese


def test_the_link_in_messages_uses_the_public_address(office: Services, branch: Branch) -> None:
    url = reading_url(office.settings, "2026-12", branch.ids["张明"])
    assert url.startswith(office.settings.public_url.rstrip("/") + "/study/2026-12?t=")


def test_html_in_the_material_is_shown_as_text_not_run(office: Services) -> None:
    from bot.study.material import parse

    text = (PROJECT_TEXT := (office.settings.content_dir / "study/2026-12/article.md").read_text("utf-8"))
    material = parse(PROJECT_TEXT.replace("## 冬季保暖有讲究", "<script>alert(1)</script>"), "2026-12",
                     office.settings.content_dir / "study/2026-12")
    assert text and "<script>" not in material.html() and "&lt;script&gt;" in material.html()


@pytest.mark.parametrize("link", ["[点这里](javascript:alert(1))", "[点这里]( JavaScript:alert(1))",
                                  "![图](data:text/html;base64,PHNjcmlwdD4=)", "[点这里](vbscript:msgbox)"])
def test_a_link_that_would_run_code_on_the_reading_page_goes_nowhere(office: Services, link: str) -> None:
    from bot.study.material import parse

    text = (office.settings.content_dir / "study/2026-12/article.md").read_text("utf-8")
    html = parse(text.replace("## 冬季保暖有讲究", f"{link} [官网](https://www.gov.cn/)"), "2026-12",
                 office.settings.content_dir / "study/2026-12").html()
    assert "script:" not in html.lower() and "data:" not in html and '="#"' in html
    assert 'href="https://www.gov.cn/"' in html  # a link to the web stays


@pytest.mark.parametrize("odd", ["²³.abc", "1.é", "１.x"])
def test_a_token_with_odd_characters_is_refused_not_a_crash(office: Services, branch: Branch,
                                                             web: FlaskClient, odd: str) -> None:
    assert web.post("/study/2026-12/read", data={"t": odd}).status_code == 403
    assert web.get(f"/study/2026-12?t={odd}").status_code == 200


def test_a_picture_beside_the_article_is_served_and_nothing_else_is(
        office: Services, branch: Branch, tmp_path, clock) -> None:
    import shutil
    from dataclasses import replace

    from bot.config import PROJECT_ROOT
    from bot.services import build_services

    content = tmp_path / "content"
    shutil.copytree(PROJECT_ROOT / "content", content)
    folder = content / "study" / "2026-12"
    (folder / "map.png").write_bytes(b"\x89PNG fake")
    (folder / "secret.txt").write_text("not for the web", encoding="utf-8")
    article = folder / "article.md"
    article.write_text(article.read_text(encoding="utf-8").replace(
        'groups = ["all"]', 'groups = ["all"]\nimages = ["map.png"]'), encoding="utf-8")
    services = build_services(replace(office.settings, content_dir=content), clock=clock)
    try:
        web = create_app(services=services).test_client()
        assert 'src="/study/2026-12/media/map.png"' in web.get("/study/2026-12").get_data(as_text=True)
        with web.get("/study/2026-12/media/map.png") as picture:
            assert picture.data == b"\x89PNG fake"
        assert web.get("/study/2026-12/media/secret.txt").status_code == 404
        assert web.get("/study/2026-12/media/article.md").status_code == 404
    finally:
        services.close()


def test_the_page_runs_only_the_sites_own_files_and_leaks_no_link_to_other_sites(
        office: Services, branch: Branch, web: FlaskClient) -> None:
    answer = web.get(f"/study/2026-12?t={token_for(office, branch.ids['张明'])}")
    assert answer.headers["Content-Security-Policy"].startswith("default-src 'self';")
    assert "media-src 'self' https:" in answer.headers["Content-Security-Policy"]  # material may name them
    page = answer.get_data(as_text=True)
    assert "<style" not in page and "<script>" not in page and " style=" not in page
    with web.get("/study/static/study.js") as script:  # its script is a file of its own
        assert script.status_code == 200 and "我已学习" in script.get_data(as_text=True)
    assert answer.headers["Referrer-Policy"] == "same-origin"  # the link's token stays here
