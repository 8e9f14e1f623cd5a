"""The reading page, /study/<month>: one article, large print, read aloud, 「我已学习」 records it.

The link in a push carries the retiree's token (bot.study.links); without a valid one the page
still shows the article, but there is nothing to record and no one is named.
"""

from __future__ import annotations

import logging

from flask import Blueprint, Flask, abort, current_app, render_template, request, send_from_directory, url_for
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from bot.db.engine import transaction
from bot.models import Retiree
from bot.services import Services
from bot.study.links import read_token, secret
from bot.study.material import MONTH, Material, published_month, study_dir
from bot.study.readings import readers, record_reading

log = logging.getLogger(__name__)
blueprint = Blueprint("study", __name__, template_folder="templates", static_folder="static",
                      static_url_path="/study/static")


def init_app(app: Flask) -> None:
    """Serve the reading pages."""
    app.register_blueprint(blueprint)


@blueprint.get("/study/<month>")
def show(month: str) -> str:
    """The month's article; the 「我已学习」 button when the link names a retiree."""
    services = _services()
    material = _material(services, month)
    retiree_id = _retiree(services, month)
    with services.sessions() as session:
        person = _linked(session, retiree_id)
        already = bool(person) and person.id in readers(session, month)
    return render_template("study.html", material=material, body=material.html(),
                           name=person.name if person else None, already=already,
                           token=request.args.get("t", "") if person else "")


@blueprint.post("/study/<month>/read")
def mark_read(month: str) -> Response:
    """Record the reading of the retiree the token names; 403 for a token that is not valid."""
    services = _services()
    _material(services, month)
    retiree_id = _retiree(services, month, request.form.get("t", ""))
    if retiree_id is None:
        log.warning("study %s: a reading with an invalid token was refused", month)
        return Response("这个链接不对，请从公众号消息里重新打开。", status=403, mimetype="text/plain")
    with transaction(services.sessions) as session:
        if _linked(session, retiree_id) is None:
            return Response("这个链接已经失效了。", status=403, mimetype="text/plain")
        first = record_reading(session, retiree_id, month, services.clock.now(), via="page")
    return Response("已记下，谢谢您！" if first else "已经记下了，谢谢您！", mimetype="text/plain")


@blueprint.get("/study/<month>/media/<name>")
def media(month: str, name: str) -> Response:
    """An audio file or picture the article names, from its month's folder (nothing else)."""
    material = _material(_services(), month)
    if name not in ([material.audio] if material.audio else []) + list(material.images):
        abort(404)
    return send_from_directory(study_dir(_services().settings.content_dir) / month, name)


@blueprint.app_template_filter("media_url")
def media_url(value: str, month: str) -> str:
    """A web address as it is; a file beside the article through the media route."""
    if value.startswith(("https://", "http://")):
        return value
    return url_for("study.media", month=month, name=value)


def _services() -> Services:
    return current_app.extensions["yinling"]


def _material(services: Services, month: str) -> Material:
    """The month's material once it is out: next month's, still being prepared, is not (as in
    the chat and the mini-program)."""
    settings = services.settings
    material = published_month(settings.content_dir, settings.study.day, services.clock.now().date(),
                               month) if MONTH.match(month) else None
    if material is None:
        abort(404)
    return material


def _linked(session: Session, retiree_id: int | None) -> Retiree | None:
    """The person a link names, while it stands: a person forgotten on request has no link."""
    person = session.get(Retiree, retiree_id) if retiree_id else None
    return person if person is not None and person.anonymised_at is None else None


def _retiree(services: Services, month: str, token: str | None = None) -> int | None:
    token = request.args.get("t", "") if token is None else token
    return read_token(secret(services.settings), token, month) if token else None


def not_found(_error: object) -> Response:
    """A reading page that cannot be opened (no such month, or its material is being fixed):
    a sentence a retiree can act on, not the server's English page."""
    return Response("这份学习材料暂时打不开。请回到公众号，回复「学习」，再点一次链接。", status=404,
                    mimetype="text/plain")
