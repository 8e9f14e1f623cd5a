"""The /wechat endpoint: verify, decrypt, parse, answer once, encrypt. Nothing else.

Served as plain WSGI in front of Flask (bot.gateway.wsgi): every retiree's message comes through here,
and Flask's request and response objects cost a third of its handling. Other paths go to Flask.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from flask import Flask

from bot.conversation.dispatch import Responder
from bot.conversation.inbound import Inbound, MalformedMessage, read_inbound
from bot.conversation.record import Replayed
from bot.delivery.reports import record_report
from bot.gateway.answer import answer_once
from bot.gateway.subscriptions import SUBSCRIPTION_EVENTS, keep_grants
from bot.gateway.wire import Rejected, Wire, first_delivery
from bot.gateway.wsgi import query_args, read_body, respond
from bot.models import Follower

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

log = logging.getLogger(__name__)
PATH = "/wechat"
MAX_BODY = 64 * 1024
# WeChat sends a few KB at once; a body still coming after this long holds a sync worker that
# every retiree is waiting for (a reverse proxy that buffers bodies spares it even that).
BODY_SECONDS = 2.0


def init_app(app: Flask, responder: Responder) -> None:
    """Mount /wechat, with its wire codec and the pool that runs handlers within the budget."""
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY
    services = responder.services
    wire = Wire(services.settings.wechat, now=lambda: services.clock.now().timestamp())
    pool = ThreadPoolExecutor(max_workers=8, thread_name_prefix="handler")
    app.wsgi_app = WeChatEndpoint(responder, wire, pool, app.wsgi_app)  # type: ignore[method-assign]


class WeChatEndpoint:
    """WSGI: /wechat answered here (GET: the handshake, POST: a message), the rest by Flask."""

    def __init__(self, responder: Responder, wire: Wire, pool: Executor,
                 flask_app: WSGIApplication) -> None:
        self.responder = responder
        self.services = responder.services
        self.wire = wire
        self.pool = pool
        self.flask_app = flask_app

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") != PATH:
            return self.flask_app(environ, start_response)
        method = environ.get("REQUEST_METHOD", "")
        if method not in ("GET", "POST"):
            return respond(start_response, 405, b"method not allowed", "text/plain; charset=utf-8",
                           [("Allow", "GET, POST")])
        try:
            if method == "GET":  # the server-URL check: echo echostr back when the signature is genuine
                body = self.wire.check_url(query_args(environ))
            else:
                args = query_args(environ)
                self.wire.verify(args)
                body = self.receive(args, _body(environ))
        except Rejected as exc:
            log.warning("rejected %s %s from %s: %s %s", method, PATH, environ.get("REMOTE_ADDR"),
                        exc.status, exc.reason)
            return _text(start_response, exc.reason if exc.status != 403 else "forbidden", exc.status)
        except Exception:
            # Ours, not WeChat's (the database is down, say): WeChat will try again. Logged here,
            # not by gunicorn, whose line would carry the query string's openid unmasked.
            log.exception("could not answer %s %s", method, PATH)
            return _text(start_response, "internal error", 500)
        return _text(start_response, body)

    def receive(self, args: dict[str, str], raw: bytes) -> str:
        """One message or event from WeChat, its query verified; the reply, rendered (and
        encrypted) here."""
        try:
            opened = self.wire.open(args, raw)
            inbound = read_inbound(opened.fields)
        except (MalformedMessage, ValueError, TypeError, OverflowError, OSError) as exc:
            raise Rejected(400, f"not a WeChat message ({type(exc).__name__}: {exc})") from exc
        if opened.fields.get("Event") in SUBSCRIPTION_EVENTS:  # 订阅通知: no handler runs, no window
            if self._first(args, raw):
                keep_grants(self.services, opened.fields, app=Follower.APP)
            return "success"
        if inbound.event == "templatesendjobfinish":
            if not self._first(args, raw):
                return "success"  # WeChat's retry: kept already
            return self._keep_report(inbound, opened.fields)
        if inbound.is_unknown:  # recorded like any message; no handler runs
            log.info("unknown message type %r from %s", opened.fields.get("MsgType"), inbound.log_ref)
        inbound = replace(inbound, request=f"{args['timestamp']}:{args['nonce']}")
        try:
            return self.wire.seal(answer_once(self.responder, self.pool, inbound), opened.encrypted)
        except Replayed as exc:
            raise Rejected(403, "query string already used by another delivery") from exc

    def _first(self, args: dict[str, str], raw: bytes) -> bool:
        """A push kept without an inbound record: is this its first delivery (see first_delivery)."""
        fresh_for = 2 * self.services.settings.wechat.max_clock_skew
        return first_delivery(self.services.store, args, raw, fresh_for)

    def _keep_report(self, report: Inbound, fields: dict[str, Any]) -> str:
        """WeChat's report on a template message: kept for the sender, not a retiree's message.

        Not recorded as inbound: the person did nothing, so it opens no 48-hour window. One
        without a MsgID has nothing to settle.
        """
        if report.msg_id:
            record_report(self.services.engine, msgid=report.msg_id, openid=report.openid,
                          status=fields.get("Status") or "", at=self.services.clock.now())
        return "success"


def _body(environ: WSGIEnvironment) -> bytes:
    try:
        body = read_body(environ, MAX_BODY, within=BODY_SECONDS)
    except TimeoutError as exc:
        raise Rejected(408, f"body not sent within {BODY_SECONDS}s") from exc
    if body is None:
        raise Rejected(413, f"body over 64 KiB ({environ.get('CONTENT_LENGTH') or 'chunked'})")
    return body


def _text(start_response: StartResponse, body: str, status: int = 200) -> list[bytes]:
    content_type = "application/xml" if body.startswith("<") else "text/plain"
    return respond(start_response, status, body.encode("utf-8"), f"{content_type}; charset=utf-8")
