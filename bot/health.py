"""A health check for the web server's load balancer and the sandbox launcher."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, Flask, current_app

bp = Blueprint("health", __name__)


def init_app(app: Flask) -> None:
    """Mount /healthz."""
    app.register_blueprint(bp)


@bp.get("/healthz")
def healthz() -> dict[str, str]:
    """ok when the database answers."""
    with current_app.extensions["yinling"].engine.connect() as conn:
        conn.execute(sa.text("SELECT 1"))
    return {"status": "ok"}
