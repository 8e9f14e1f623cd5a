"""The staff console at /console/: server-rendered pages in Chinese (Flask blueprints, Jinja,
htmx for partial updates, vendored in static/), for clerks who live in Excel and WeChat.

web (the blueprint, the request's account and database session, permissions, error pages),
signin (sessions, CSRF, passwords), files (the private folder uploads and exports pass
through), and one module per room: today (今日), notices (通知), tickets (留言), study (学习
reports) and study_editor (学习 material), activities (活动), care (关怀), people (名册 and a
person's page), roster_files (import and export), groups (分组), questions (没答上的问题 and
topics' answers), audit_log (操作记录), accounts (账号). A view validates, calls one domain
function, renders.

A face: imports the features (roster, staff, notices, care, tickets, greetings, activities, study,
questions, policies), language, delivery, services, wechat_api (the shared store that holds
background progress), scheduling (the daily jobs' names, for the audit log), models, db,
config, clock, logs; nothing imports it but the web app.
"""

from __future__ import annotations

import hashlib
import hmac
from importlib import import_module
from typing import Any

from flask import Flask
from werkzeug.exceptions import NotFound

from bot.config import Settings

ROOMS = ("today", "notices", "tickets", "study", "study_editor", "activities", "care", "people",
         "roster_files", "groups", "questions", "audit_log", "accounts")


def init_app(app: Flask) -> None:
    """Mount /console/ on the app: its rooms, sessions and CSRF protection."""
    for room in ROOMS:  # each registers its views on the blueprint as it is imported
        import_module(f"bot.console.{room}")
    from bot.console.signin import csrf
    from bot.console.web import console

    settings: Settings = app.extensions["yinling"].settings
    app.secret_key = secret_key(settings)
    app.config.update(
        SESSION_COOKIE_NAME="yinling_console", SESSION_COOKIE_PATH="/console",
        SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.public_url.startswith("https://"),
        WTF_CSRF_CHECK_DEFAULT=False,  # the console's guard checks its own forms; /wechat has none
        WTF_CSRF_TIME_LIMIT=None)      # valid while the session is: an idle session ends anyway
    csrf.init_app(app)
    app.register_blueprint(console)


def not_found(error: NotFound) -> Any:
    """The console's own page for an address under /console/ that does not exist."""
    from bot.console.web import error_page

    return error_page(404)


def secret_key(settings: Settings) -> bytes:
    """[console] secret_key, or one derived from the AppSecret (the same in every worker)."""
    if settings.console.secret_key:
        return settings.console.secret_key.encode()
    return hmac.new(settings.wechat.secret.encode(), b"yinling console sessions", hashlib.sha256).digest()
