"""银龄助手: the WeChat Official Account bot of a retired-cadres service office."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

# Imported lazily, so `python -m bot` can hand over to .venv before any package is needed.
if TYPE_CHECKING:
    from flask import Flask

    from bot.clock import Clock
    from bot.config import Settings
    from bot.conversation.dispatch import Responder
    from bot.conversation.router import Router
    from bot.services import Services


def create_app(settings: Settings | None = None, *, clock: Clock | None = None,
               services: Services | None = None, router: Router | None = None) -> Flask:
    """The web app (/wechat, /healthz, /study/<month>, /console/, /api/v1/). Settings default to
    BOT_CONFIG or ./config.toml; the router to every handler in handlers/ (a test may give its own)."""
    from flask import Flask

    from bot import api, console, health, web_headers
    from bot.config import load_settings
    from bot.delivery.staff_alerts import unreachable_warning
    from bot.gateway import endpoint, wxa_events
    from bot.services import build_services
    from bot.study import page

    if services is None:
        services = build_services((settings or load_settings()).require_public_url(), clock=clock)
    if (warning := unreachable_warning(services.settings)) is not None:
        logging.getLogger("bot").warning(warning)
    app = Flask(__name__)
    app.extensions["yinling"] = services
    endpoint.init_app(app, responder(services, router))
    health.init_app(app)
    page.init_app(app)
    console.init_app(app)
    api.init_app(app)
    wxa_events.init_app(app, services)
    web_headers.init_app(app)
    app.register_error_handler(404, _not_found)
    return app


def _not_found(error: Any) -> Any:
    """An address that does not exist: the console's page under /console/, JSON under /api/, a
    sentence in Chinese for a reading page, Flask's own elsewhere."""
    from flask import request

    from bot import api, console
    from bot.study import page

    if request.path.startswith("/console/"):
        return console.not_found(error)
    if request.path.startswith("/api/"):
        return api.not_found(error)
    if request.path.startswith("/study/"):
        return page.not_found(error)
    return error


def responder(services: Services, router: Router | None = None) -> Responder:
    """What answers messages: every handler in handlers/ (or router), and the policy knowledge
    base, loaded now (jieba too), not on the first message."""
    from bot.conversation.dispatch import Responder
    from bot.policies import load_engine
    from bot.questions.knowledge import knowledge_for
    from handlers import build_router

    load_engine(services.settings.content_dir)
    knowledge = knowledge_for(services)
    return Responder(services, router or build_router(), knowledge.engine, knowledge.read_ahead)
