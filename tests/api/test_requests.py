"""What every /api/v1 request must be: JSON bodies (a form is a 415, broken JSON a 400), ids a
database can hold (larger ones name nothing: 404), a token that is still good (401 even where
signing in is optional), text a person can see — each a JSON error in Chinese, never a 500; and
times given back one way, in Beijing time."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from bot.models import Ticket
from tests.office_fixtures import Branch


@pytest.mark.parametrize("path", ["/api/v1/tickets", "/api/v1/me/binding", "/api/v1/policy/ask"])
def test_a_form_encoded_body_is_refused_as_not_json(client: FlaskClient, signed_in, path: str) -> None:
    sent = client.post(path, headers=signed_in(), data={"text": "你好你好", "question": "离休费几号发"})
    assert sent.status_code == 415
    assert sent.get_json() == {"code": "unsupported", "message": "请用 JSON 提交。"}


@pytest.mark.parametrize("body", ["{bad", "null"])
def test_json_that_does_not_parse_is_a_400_not_a_missing_field(client: FlaskClient, signed_in,
                                                                 body: str) -> None:
    sent = client.post("/api/v1/tickets", headers=signed_in(), data=body, content_type="application/json")
    assert sent.status_code == 400 and sent.get_json()["code"] == "bad_request"
    assert "不是有效的 JSON" in sent.get_json()["message"]


@pytest.mark.parametrize(("method", "path"), [
    ("get", "/api/v1/activities/99999999999999999999"),
    ("post", "/api/v1/activities/9223372036854775808/signup"),
    ("delete", "/api/v1/activities/2147483648/signup"),
    ("post", "/api/v1/me/notices/99999999999999999999/read")])
def test_an_id_larger_than_any_record_is_not_found(client: FlaskClient, signed_in, branch: Branch,
                                                   method: str, path: str) -> None:
    sent = getattr(client, method)(path, headers=signed_in())
    assert sent.status_code == 404 and sent.get_json()["code"] == "not_found"


def test_a_token_no_longer_good_is_a_401_where_signing_in_is_optional(client: FlaskClient) -> None:
    sent = client.post("/api/v1/policy/ask", headers={"Authorization": "Bearer x"},
                       json={"question": "离休费几号发"})
    assert sent.status_code == 401 and sent.get_json()["code"] == "unauthorized"
    assert client.post("/api/v1/policy/ask", json={"question": "离休费几号发"}).status_code == 200


@pytest.mark.parametrize("text", ["\u200b\u200b\u200b\u200b", "\x00\x00\x00\x00"])
def test_a_message_of_invisible_characters_is_refused_and_reaches_nobody(client: FlaskClient, signed_in,
                                                                          text: str) -> None:
    sent = client.post("/api/v1/tickets", headers=signed_in(), json={"text": text})
    assert sent.status_code == 422 and "留言内容" in sent.get_json()["message"]


def test_a_nul_inside_a_message_is_dropped_and_the_rest_kept(client: FlaskClient, signed_in, mini) -> None:
    sent = client.post("/api/v1/tickets", headers=signed_in(), json={"text": "有\u0000问题想问一下"})
    assert sent.status_code == 201
    with mini.sessions() as session:
        assert session.scalars(sa.select(Ticket.text)).all() == ["有问题想问一下"]


def test_every_time_is_given_in_beijing_time_the_same_way_wherever_it_is_read(
        client: FlaskClient, signed_in, branch: Branch) -> None:
    me = signed_in()
    client.post("/api/v1/me/binding", headers=me, json={"name": "李华", "digits": "0000", "relation": "子女"})
    left = client.post("/api/v1/tickets", headers=me, json={"text": "暖气不热能不能来看看"}).get_json()
    [listed] = client.get("/api/v1/tickets", headers=me).get_json()["tickets"]
    assert left["created_at"] == listed["created_at"] == "2026-11-22T09:30:00+08:00"
