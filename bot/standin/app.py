"""The Flask app: decodes each API request, answers it, and logs it."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

from flask import Flask, Response, request

from bot.standin import control
from bot.standin.errors import ApiError
from bot.standin.protocol import ApiRequest, Reply, addressed_openids
from bot.standin.records import Call
from bot.standin.responses import json_response
from bot.standin.routes import dispatch
from bot.standin.settings import StandinSettings
from bot.standin.state import StandinState


def create_standin_app(settings: StandinSettings | None = None) -> Flask:
    """A Flask app speaking the WeChat API; its state is app.extensions["standin"]."""
    state = StandinState(settings or StandinSettings())
    app = Flask("bot.standin")
    app.extensions["standin"] = state
    app.register_blueprint(control.blueprint(state))
    app.add_url_rule("/<path:path>", "api", _api_view(state), methods=["GET", "POST"])
    return app


def _api_view(state: StandinState) -> Callable[[str], Response]:
    def api(path: str) -> Response:
        if state.settings.latency:
            time.sleep(state.settings.latency)  # outside the lock, so calls overlap as real ones do
        call = answer(state, request.method, path, request.args.to_dict(), request.get_data())
        return json_response(call.response, call.status)

    return api


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
            response=reply.body, status=status, delivered=reply.delivered)


def _outcome(state: StandinState, req: ApiRequest) -> tuple[int, Reply]:
    try:
        return 200, dispatch(state, req)
    except ApiError as exc:
        return exc.status, Reply(exc.body())


def _decode(raw: bytes) -> tuple[Any, bool]:
    # wechatpy posts JSON without a Content-Type, so the body is read whatever the header says.
    if not raw:
        return None, True
    try:
        return json.loads(raw.decode("utf-8")), True
    except ValueError:
        return raw.decode("utf-8", "replace"), False
