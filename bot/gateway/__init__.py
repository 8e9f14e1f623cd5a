"""The /wechat endpoint: verify, decrypt, parse, answer once, encrypt. Nothing else."""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor

from flask import Blueprint, Flask, Response, current_app, request
from wechatpy.events import TemplateSendJobFinishEvent
from wechatpy.messages import UnknownMessage
from werkzeug.exceptions import RequestEntityTooLarge

from bot.delivery.reports import record_report
from bot.inbound import MalformedMessage, from_wechatpy, wechatpy_message
from bot.services import Services

from .answer import answer_once
from .wire import Rejected, Wire

log = logging.getLogger(__name__)
MAX_BODY = 64 * 1024

bp = Blueprint("wechat", __name__)


def init_app(app: Flask, services: Services) -> None:
    """Mount /wechat, with its wire codec and the pool that runs handlers within the budget."""
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY
    app.extensions["wechat_wire"] = Wire(services.settings.wechat,
                                         now=lambda: services.clock.now().timestamp())
    app.extensions["handler_pool"] = ThreadPoolExecutor(max_workers=8,
                                                        thread_name_prefix="handler")
    app.register_blueprint(bp)


def _wire() -> Wire:
    return current_app.extensions["wechat_wire"]


def _text(body: str, status: int = 200) -> Response:
    return Response(body, status=status, mimetype="application/xml" if body.startswith("<")
                    else "text/plain")


def _reject(exc: Rejected) -> Response:
    log.warning("rejected %s /wechat from %s: %s %s", request.method, request.remote_addr,
                exc.status, exc.reason)
    return _text(exc.reason if exc.status != 403 else "forbidden", exc.status)


@bp.get("/wechat")
def handshake() -> Response:
    """The server-URL check: echo echostr back when the signature is genuine."""
    try:
        return _text(_wire().check_url(request.args))
    except Rejected as exc:
        return _reject(exc)


@bp.post("/wechat")
def receive() -> Response:
    """One message or event from WeChat; the reply is rendered (and encrypted) here."""
    try:
        opened = _wire().open(request.args, _body())
        message = wechatpy_message(opened.fields)
        inbound = from_wechatpy(message, opened.fields)
    except Rejected as exc:
        return _reject(exc)
    except (MalformedMessage, ValueError, TypeError, OverflowError, OSError) as exc:
        return _reject(Rejected(400, f"not a WeChat message ({type(exc).__name__}: {exc})"))
    services: Services = current_app.extensions["yinling"]
    if isinstance(message, TemplateSendJobFinishEvent):
        return _keep_report(services, message)
    if isinstance(message, UnknownMessage):  # recorded like any message; no handler runs
        log.info("unknown message type %r from %s", opened.fields.get("MsgType"), inbound.log_ref)
    body = answer_once(services, current_app.extensions["handler_pool"], inbound)
    return _text(_wire().seal(body, opened.encrypted))


def _keep_report(services: Services, report: TemplateSendJobFinishEvent) -> Response:
    """WeChat's report on a template message: kept for the sender, not a retiree's message.

    Not recorded as inbound: the person did nothing, so it opens no 48-hour window.
    """
    record_report(services.engine, msgid=str(report.id), openid=str(report.source),
                  status=str(report.status or ""), at=services.clock.now())
    return _text("success")


def _body() -> bytes:
    if (request.content_length or 0) > MAX_BODY:
        raise Rejected(413, f"body of {request.content_length} bytes")
    try:
        return request.get_data(cache=False)
    except RequestEntityTooLarge as exc:
        raise Rejected(413, "body over 64 KiB") from exc
