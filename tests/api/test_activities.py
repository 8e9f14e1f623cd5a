"""活动 in the mini-program: the activities open to the person, one in detail, signing up (with a
companion), the waitlist, cancelling — which promotes the next and tells them — and 我的报名;
the chat's refusals, each with its status and a sentence to show."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from bot.services import Services
from tests.activities.helpers import load_activity, queued
from tests.helpers import Chat
from tests.office_fixtures import Branch

Headers = Callable[..., dict[str, str]]


@pytest.fixture
def tea(mini: Services, branch: Branch, tmp_path: Path) -> int:
    """冬至茶话会 for 第一支部: one seat, a companion may come."""
    return load_activity(mini, tmp_path, capacity=2)


def family_of(client: FlaskClient, signed_in: Headers, name: str, openid: str) -> dict[str, str]:
    headers = signed_in(openid)
    bound = client.post("/api/v1/me/binding", headers=headers,
                        json={"name": name, "digits": "0000", "relation": "子女"})
    assert bound.status_code == 201
    return headers


def test_a_daughter_signs_her_father_up_and_a_full_activity_puts_the_next_on_the_waitlist(
        client: FlaskClient, signed_in: Headers, tea: int, mini: Services) -> None:
    zhang = family_of(client, signed_in, "张明", "o_mini_zhang_daughter")
    [listed] = client.get("/api/v1/activities", headers=zhang).get_json()["activities"]
    assert listed["title"] == "冬至茶话会" and listed["seats_left"] == 2 and listed["mine"] is None
    assert (listed["waiting"], listed["full"]) == (0, False)
    assert listed["when"] == "12 月 21 日（周一）下午 2:30"
    detail = client.get(f"/api/v1/activities/{tea}", headers=zhang).get_json()
    assert detail["meeting_point"] == "中心大门口" and detail["companion_allowed"] is True
    signed = client.post(f"/api/v1/activities/{tea}/signup", headers=zhang, json={"companion": True})
    assert signed.status_code == 201 and signed.get_json() == {"status": "confirmed", "position": None,
                                                               "companion": True}
    twice = client.post(f"/api/v1/activities/{tea}/signup", headers=zhang, json={})
    assert twice.status_code == 409 and twice.get_json()["code"] == "already"
    li = family_of(client, signed_in, "李华", "o_mini_li_son")
    waiting = client.post(f"/api/v1/activities/{tea}/signup", headers=li, json={})
    assert waiting.status_code == 201 and waiting.get_json()["status"] == "waiting"
    assert waiting.get_json()["position"] == 1
    [mine] = client.get("/api/v1/me/signups", headers=li).get_json()["activities"]
    assert mine["mine"] == {"status": "waiting", "position": 1, "companion": False}
    assert client.delete(f"/api/v1/activities/{tea}/signup", headers=zhang).status_code == 204
    [promoted] = client.get("/api/v1/me/signups", headers=li).get_json()["activities"]
    assert promoted["mine"]["status"] == "confirmed"
    [told] = queued(mini, f"activity:{tea}:promoted:%")
    assert told.recipient == "o_mini_li_son"  # the one who signed up, in 我的通知


def test_a_companion_dropped_frees_the_seat_for_the_waitlist_and_one_added_needs_a_free_seat(
        client: FlaskClient, signed_in: Headers, tea: int, mini: Services) -> None:
    """The chat's change_companion: two seats, 张明 with a companion fills them, 李华 waits.
    Dropping the companion gives 李华 the seat (told); adding it back finds no seat free."""
    zhang = family_of(client, signed_in, "张明", "o_mini_zhang_daughter")
    client.post(f"/api/v1/activities/{tea}/signup", headers=zhang, json={"companion": True})
    li = family_of(client, signed_in, "李华", "o_mini_li_son")
    client.post(f"/api/v1/activities/{tea}/signup", headers=li, json={})
    for unsaid in ({}, {"companion": "yes"}, {"companion": 0}):  # never taken as 「不带了」: it is for good
        refused = client.patch(f"/api/v1/activities/{tea}/signup", headers=zhang, json=unsaid)
        assert refused.status_code == 422 and "带家属" in refused.get_json()["message"]
    [waiting] = client.get("/api/v1/me/signups", headers=li).get_json()["activities"]
    assert waiting["mine"]["status"] == "waiting"
    alone = client.patch(f"/api/v1/activities/{tea}/signup", headers=zhang, json={"companion": False})
    assert alone.status_code == 200 and alone.get_json() == {"status": "confirmed", "position": None,
                                                             "companion": False}
    [promoted] = client.get("/api/v1/me/signups", headers=li).get_json()["activities"]
    assert promoted["mine"]["status"] == "confirmed"
    assert [m.recipient for m in queued(mini, f"activity:{tea}:promoted:%")] == ["o_mini_li_son"]
    again = client.patch(f"/api/v1/activities/{tea}/signup", headers=zhang, json={"companion": True})
    assert again.status_code == 409 and again.get_json()["code"] == "no_seat_for_companion"
    none = client.patch(f"/api/v1/activities/{tea}/signup", headers=signed_in("o_mini_nobody"),
                        json={"companion": True})
    assert none.status_code in (403, 404)


def test_a_seat_left_that_the_waitlist_comes_first_for_is_shown_as_full_as_the_chat_says(
        client: FlaskClient, signed_in: Headers, tea: int, chat: Chat) -> None:
    li = family_of(client, signed_in, "李华", "o_mini_li_first")
    first = client.post(f"/api/v1/activities/{tea}/signup", headers=li, json={}).get_json()
    assert first["status"] == "confirmed"
    sun = family_of(client, signed_in, "孙兰", "o_mini_sun_son")  # she and a companion: 2 seats, 1 left
    assert client.post(f"/api/v1/activities/{tea}/signup", headers=sun, json={"companion": True}
                       ).get_json()["status"] == "waiting"
    zhang = family_of(client, signed_in, "张明", "o_mini_zhang_late")
    [listed] = client.get("/api/v1/activities", headers=zhang).get_json()["activities"]
    assert (listed["seats_left"], listed["waiting"], listed["full"]) == (1, 1, True)
    chat.say("报名", openid="o_zhang")
    assert "名额已经报满了" in (chat.say("1", openid="o_zhang") or "")  # the chat says full too
    signed = client.post(f"/api/v1/activities/{tea}/signup", headers=zhang, json={}).get_json()
    assert (signed["status"], signed["position"]) == ("waiting", 2)


def test_an_activity_for_another_branch_is_neither_listed_nor_open(
        client: FlaskClient, signed_in: Headers, tea: int) -> None:
    zhou = family_of(client, signed_in, "周平", "o_mini_zhou_son")  # 第二支部
    assert client.get("/api/v1/activities", headers=zhou).get_json()["activities"] == []
    assert client.get(f"/api/v1/activities/{tea}", headers=zhou).status_code == 404
    refused = client.post(f"/api/v1/activities/{tea}/signup", headers=zhou, json={})
    assert refused.status_code == 403 and refused.get_json() == {
        "code": "not_eligible", "message": "这个活动只面向部分支部的老同志，这次参加不了。"}
    assert client.delete(f"/api/v1/activities/{tea}/signup", headers=zhou).status_code == 404
    assert client.post("/api/v1/activities/99999/signup", headers=zhou, json={}).status_code == 404


def test_after_the_deadline_signing_up_is_refused_and_nothing_changes(
        client: FlaskClient, signed_in: Headers, tea: int, mini: Services) -> None:
    li = family_of(client, signed_in, "李华", "o_mini_li_late")
    mini.clock.advance(days=27)  # 12-19, past the 12-18 deadline
    late = client.post(f"/api/v1/activities/{tea}/signup", headers=li, json={"companion": False})
    assert late.status_code == 409 and late.get_json()["code"] == "deadline"
    wrong_type = client.post(f"/api/v1/activities/{tea}/signup", headers=li, json={"companion": "yes please"})
    assert wrong_type.status_code == 422 and "带家属" in wrong_type.get_json()["message"]
    assert client.get("/api/v1/me/signups", headers=li).get_json()["activities"] == []


def test_a_forged_retiree_id_is_refused_and_signs_nobody_up(
        client: FlaskClient, signed_in: Headers, tea: int, branch: Branch) -> None:
    zhang = family_of(client, signed_in, "张明", "o_mini_forger")
    forged = client.post(f"/api/v1/activities/{tea}/signup", headers=zhang,
                         json={"companion": False, "retiree_id": branch.ids["李华"]})
    assert forged.status_code == 422 and forged.get_json()["message"] == "「retiree_id」不对：不认识这一项"
    li = family_of(client, signed_in, "李华", "o_mini_li_check")
    assert client.get("/api/v1/me/signups", headers=li).get_json()["activities"] == []
    assert client.get("/api/v1/me/signups", headers=zhang).get_json()["activities"] == []
