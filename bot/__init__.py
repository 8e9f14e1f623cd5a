"""银龄助手: the WeChat Official Account bot of a retired-cadres service office."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

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
    """The web app (/wechat, /healthz, /study/<month>, /console/). Settings default to BOT_CONFIG or
    ./config.toml; the router to every handler in handlers/ (a test may give its own)."""
    from flask import Flask

    from bot import console, health
    from bot.config import load_settings
    from bot.delivery.staff_alerts import unreachable_warning
    from bot.gateway import endpoint
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
    return app


def responder(services: Services, router: Router | None = None) -> Responder:
    """What answers messages: every handler in handlers/ (or router), and the policy knowledge
    base, loaded now (jieba too), not on the first message."""
    from bot.conversation.dispatch import Responder
    from bot.policies import load_engine
    from handlers import build_router

    return Responder(services, router or build_router(), load_engine(services.settings.content_dir))
