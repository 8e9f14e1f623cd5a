"""The mini-program played end to end over HTTP against the stand-in: a daughter logs in with a
wx.login() code, binds as her father's family, reads the month's material, answers the quiz,
signs him up for the tea party, leaves a 留言 — and the clerk's answer in the console arrives in
her 我的通知."""

from __future__ import annotations

from pathlib import Path

import requests

from bot import create_app
from bot.delivery import outbox
from bot.services import Services
from bot.standin.server import StandinServer
from tests.activities.helpers import load_activity
from tests.console.conftest import clerk
from tests.helpers import served
from tests.office_fixtures import Branch


def test_a_daughter_does_everything_for_her_father_from_the_mini_program(
        mini: Services, branch: Branch, standin: StandinServer, tmp_path: Path) -> None:
    tea = load_activity(mini, tmp_path)
    app = create_app(services=mini)
    with served(app) as site, requests.Session() as phone:
        api = f"{site}/api/v1"
        login = phone.post(f"{api}/session", json={"code": standin.mint_wxa_code("o_mini_li_daughter")})
        assert login.status_code == 201
        phone.headers["Authorization"] = f"Bearer {login.json()['token']}"
        bound = phone.post(f"{api}/me/binding", json={"name": "李华", "digits": "0000", "relation": "子女"})
        assert bound.json()["person"]["name"] == "李华"

        month = phone.get(f"{api}/study/months").json()["current"]
        assert phone.get(f"{api}/study/{month}").json()["html"]
        assert phone.post(f"{api}/study/{month}/read").json() == {"first": True, "by_family": True}
        question = phone.get(f"{api}/study/{month}/quiz/1").json()
        verdict = phone.post(f"{api}/study/{month}/quiz/1", json={"choice": "A"}).json()
        assert verdict["explain"] and verdict["next"] == 2 and question["count"] >= 3

        [offered] = phone.get(f"{api}/activities").json()["activities"]
        assert offered["id"] == tea
        signed = phone.post(f"{api}/activities/{tea}/signup", json={"companion": False})
        assert signed.status_code == 201 and signed.json()["status"] == "confirmed"

        left = phone.post(f"{api}/tickets", json={"text": "我爸腿脚不好，茶话会能不能安排个座位靠门口？"})
        number = left.json()["number"]
        worker = clerk(app, mini, "xiaowang", "staff")
        page = worker.get(f"/console/tickets/{number}")
        assert "家属代留" in page.get_data(as_text=True) and "茶话会" in page.get_data(as_text=True)
        person = worker.get(f"/console/people/{branch.ids['李华']}").get_data(as_text=True)
        assert "家属代办（子女）" in person and "小程序账号" in person  # staff see how she is bound
        worker.post(f"/console/tickets/{number}", {"answer": "已给李老安排在门口第一排。"})
        outbox.drain(mini)

        notices = phone.get(f"{api}/me/notices").json()
        assert notices["unread"] == 1
        [reply] = notices["notices"]
        assert reply["kind"] == "ticket" and "已给李老安排在门口第一排" in reply["text"]
        assert phone.get(f"{api}/tickets").json()["tickets"][0]["reply"] == "已给李老安排在门口第一排。"
