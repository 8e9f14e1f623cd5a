"""The mini-program's JSON API at /api/v1/: the same service as the chat, for families who would
rather tap than type. Documented by an OpenAPI 3.1 document generated from the code (spectree
over pydantic v2 models), served at /api/v1/openapi.json; every error is JSON {code, message}
with a Chinese message a mini-program can show as it is.

spec (the document, validation, errors as JSON, who is signed in), limits (calls per address
and per login, across workers), and one module per capability: account (logging in, 我的),
binding (身份绑定), study (学习), activities (活动), policy (政策问答), tickets (留言),
notices (我的通知), subscriptions (订阅消息); care_news hears news of a fall or a death in a
question or a 留言, for both.

A face: imports the features (activities, care, policies, questions, roster, study, tickets), delivery
(inbox), accounts, language, wechat_api, services, models, db, logs, config, clock; nothing imports it
but the web app.
"""

from __future__ import annotations

from typing import Any

from flask import Flask


def init_app(app: Flask) -> None:
    """Mount /api/v1 on the app and serve its OpenAPI document."""
    from bot.api import (  # noqa: F401  (each registers its views)
        account,
        activities,
        binding,
        limits,
        notices,
        policy,
        study,
        subscriptions,
        tickets,
    )
    from bot.api.spec import api, blueprint, register_errors

    register_errors(app)
    app.register_blueprint(blueprint)
    api.register(app)


def not_found(error: Any) -> Any:
    """An address under /api/ that does not exist, as JSON."""
    from bot.api.spec import as_json

    return as_json(error)
