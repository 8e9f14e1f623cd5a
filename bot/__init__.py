"""银龄助手: the WeChat Official Account bot of a retired-cadres service office."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

# Imported lazily, so `python -m bot` can hand over to .venv before any package is needed.
if TYPE_CHECKING:
    from flask import Flask

    from bot.clock import Clock
    from bot.config import Settings
    from bot.services import Services


def create_app(settings: Settings | None = None, *, clock: Clock | None = None,
               services: Services | None = None) -> Flask:
    """The web app (/wechat, /healthz, /study/<month>). Settings default to BOT_CONFIG or ./config.toml."""
    from flask import Flask

    from bot import gateway, health
    from bot.config import load_settings
    from bot.delivery.staff_alerts import unreachable_warning
    from bot.services import build_services
    from bot.study import page

    if services is None:
        services = build_services((settings or load_settings()).require_public_url(), clock=clock)
    # Load the handlers, jieba and the knowledge base now, not on the first message.
    services.router, services.policies  # noqa: B018
    if (warning := unreachable_warning(services.settings)) is not None:
        logging.getLogger("bot").warning(warning)
    app = Flask(__name__)
    app.extensions["yinling"] = services
    gateway.init_app(app, services)
    health.init_app(app)
    page.init_app(app)
    return app
