"""What every /api/v1 request must be: JSON bodies (a form is a 415, broken JSON a 400), ids a
database can hold (larger ones name nothing: 404), and a token that is still good (401 even
where signing in is optional) — each a JSON error in Chinese, never a 500."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

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
