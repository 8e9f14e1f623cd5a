"""Every endpoint of /api/v1 called by schemathesis with input generated from the OpenAPI
document: never a 5xx, and every response as the document says it will be."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot import create_app
from bot.config import MiniProgramSettings
from bot.services import Services, build_services


def test_schemathesis_finds_no_5xx_and_no_response_off_the_schema(api_services: Services, clock) -> None:
    schemathesis = pytest.importorskip("schemathesis")
    from hypothesis import HealthCheck, given, settings

    wechat = api_services.settings.wechat
    services = build_services(replace(api_services.settings, miniprogram=MiniProgramSettings(
        appid=wechat.appid, secret=wechat.secret)), clock=clock)
    try:
        schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", create_app(services=services))
        operations = [result.ok() for result in schema.get_all_operations()]
        assert len(operations) >= 7  # 政策问答, logging in and out, 我的
        for operation in operations:

            @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), database=None)
            @given(case=operation.as_strategy())
            def call(case: object) -> None:
                case.call_and_validate()  # type: ignore[attr-defined]

            call()
    finally:
        services.close()
