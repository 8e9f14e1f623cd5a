"""银龄助手: the WeChat Official Account bot of a retired-cadres service office."""

from __future__ import annotations

from flask import Flask

from bot.clock import Clock
from bot.config import Settings, load_settings
from bot.services import Services, build_services


def create_app(settings: Settings | None = None, *, clock: Clock | None = None,
               services: Services | None = None) -> Flask:
    """The web app (/wechat, /healthz). Settings default to BOT_CONFIG or ./config.toml."""
    from bot import gateway, health

    if services is None:
        services = build_services(settings or load_settings(), clock=clock)
    app = Flask(__name__)
    app.extensions["yinling"] = services
    gateway.init_app(app, services)
    health.init_app(app)
    return app
