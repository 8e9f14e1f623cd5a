"""The stand-in's web app: decodes each API request, answers it, and logs it."""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from flask import Flask

from bot.gateway.wsgi import query_args, read_body, respond
from bot.standin import control
from bot.standin.errors import ApiError
from bot.standin.protocol import ApiRequest, Reply, addressed_openids
from bot.standin.records import Call
from bot.standin.responses import json_bytes
from bot.standin.routes import dispatch
from bot.standin.settings import StandinSettings
from bot.standin.state import StandinState

MAX_BODY = 1 << 20  # the product sends nothing near this

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment


def create_standin_app(settings: StandinSettings | None = None) -> Flask:
    """A Flask app speaking the WeChat API; its state is app.extensions["standin"].

    API calls are answered by a plain WSGI layer in front of Flask (Flask's request and
    response objects cost ten times the answer itself, and in a delivery benchmark the
    stand-in shares the machine with the sender it measures); /_standin/ goes to Flask.
    """
    state = StandinState(settings or StandinSettings())
    app = Flask("bot.standin")
    app.extensions["standin"] = state
    app.register_blueprint(control.blueprint(state))
    app.wsgi_app = _ApiLayer(state, app.wsgi_app)  # type: ignore[method-assign]
    return app


class _ApiLayer:
    """WSGI: API calls answered here, everything else passed on to Flask."""

    def __init__(self, state: StandinState, flask_app: WSGIApplication) -> None:
        self.state = state
        self.flask_app = flask_app

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path.startswith(control.PREFIX):
            return self.flask_app(environ, start_response)
        if self.state.settings.latency:
            time.sleep(self.state.settings.latency)  # outside the lock, so calls overlap as real ones do
        body = read_body(environ, MAX_BODY)  # None: longer than MAX_BODY, answered as an empty post
        if body is not None and _cut_short(environ, body):  # the caller died mid-send: WeChat never sees it
            return respond(start_response, 400, b"", "text/plain")
        call = answer(self.state, environ["REQUEST_METHOD"], path, query_args(environ), body or b"")
        return respond(start_response, call.status, json_bytes(call.response), "application/json")


def answer(state: StandinState, method: str, path: str, query: dict[str, str],
           raw: bytes) -> Call:
    """Answer one API call and log it."""
    token = query.pop("access_token", None)
    body, body_ok = _decode(raw)
    with state.lock:
        req = ApiRequest(method, path.strip("/"), query, token, body, body_ok, state.now())
        status, reply = _outcome(state, req)
        return state.record(
            time=req.now, method=method, path=req.path, query=query, body=body,
            openids=list(dict.fromkeys(addressed_openids(query, body) + reply.openids)),
            response=reply.body, status=status, delivered=reply.delivered, shown=reply.shown)


def _outcome(state: StandinState, req: ApiRequest) -> tuple[int, Reply]:
    try:
        return 200, dispatch(state, req)
    except ApiError as exc:
        return exc.status, Reply(exc.body())


def _cut_short(environ: WSGIEnvironment, raw: bytes) -> bool:
    declared = environ.get("CONTENT_LENGTH") or ""
    return declared.isdigit() and len(raw) < int(declared)


def _decode(raw: bytes) -> tuple[Any, bool]:
    # wechatpy posts JSON without a Content-Type, so the body is read whatever the header says.
    if not raw:
        return None, True
    try:
        return json.loads(raw.decode("utf-8")), True
    except ValueError:
        return raw.decode("utf-8", "replace"), False
