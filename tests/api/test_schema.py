"""Every endpoint of /api/v1 called by schemathesis with input generated from the OpenAPI
document, signed in as a family member bound to a retiree: never a 5xx, and every response as
the document says it will be."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask.testing import FlaskClient

from bot import create_app
from bot.services import Services


def test_schemathesis_finds_no_5xx_and_no_response_off_the_schema(
        mini: Services, branch, client: FlaskClient, signed_in: Callable[[str], dict[str, str]]) -> None:
    schemathesis = pytest.importorskip("schemathesis")
    from hypothesis import HealthCheck, given, settings

    headers = signed_in("o_mini_schema")
    bound = client.post("/api/v1/me/binding", headers=headers,
                        json={"name": "张明", "digits": "0000", "relation": "子女"})
    assert bound.status_code == 201, bound.get_json()
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", create_app(services=mini))
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 20  # every capability: 登录, 我的, 绑定, 学习, 活动, 政策问答, 留言, 通知
    for operation in operations:

        @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        @given(case=operation.as_strategy())
        def call(case: object) -> None:
            case.call_and_validate(headers=headers)  # type: ignore[attr-defined]

        call()
