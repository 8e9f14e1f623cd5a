"""Endpoints under /_standin/ that let tests and the sandbox terminal drive the platform."""

from __future__ import annotations

from flask import Blueprint, Response, request

from bot.standin.responses import json_response
from bot.standin.state import StandinState

PREFIX = "/_standin/"


def blueprint(state: StandinState) -> Blueprint:
    """The control endpoints, bound to `state`; they are not logged as calls."""
    bp = Blueprint("standin_control", __name__, url_prefix=PREFIX.rstrip("/"))

    @bp.get("/calls")
    def calls() -> Response:
        args = request.args
        since = int(args.get("since", "0") or 0)
        found = state.calls(path=args.get("path"), openid=args.get("openid"), since=since)
        return json_response([call.to_dict() for call in found])

    @bp.post("/interactions")
    def interactions() -> Response:
        body = request.get_json(force=True, silent=True) or {}
        openid = body.get("openid")
        at = body.get("at")
        if not isinstance(openid, str) or not openid:
            return json_response({"error": "openid is required"}, 400)
        if at is not None and not isinstance(at, int | float):
            return json_response({"error": "at must be a unix timestamp"}, 400)
        window = state.open_window(openid, at=at)
        return json_response({"openid": openid, "window_expires_at": window.expires_at})

    @bp.post("/expire-tokens")
    def expire_tokens() -> Response:
        return json_response({"expired": state.expire_tokens()})

    @bp.post("/reset")
    def reset() -> Response:
        state.reset()
        return json_response({"reset": True})

    @bp.get("/wxa-code")
    def wxa_code() -> Response:
        openid = request.args.get("openid")
        if not openid:
            return json_response({"error": "openid is required"}, 400)
        return json_response({"code": state.mint_wxa_code(openid)})

    @bp.get("/phone-code")
    def phone_code() -> Response:
        phone = request.args.get("phone")
        if not phone:
            return json_response({"error": "phone is required"}, 400)
        return json_response({"code": state.mint_phone_code(phone)})

    @bp.post("/wxa-visits")
    def wxa_visits() -> Response:
        body = request.get_json(force=True, silent=True) or {}
        openid, at = body.get("openid"), body.get("at")
        if not isinstance(openid, str) or not openid:
            return json_response({"error": "openid is required"}, 400)
        if at is not None and not isinstance(at, int | float):
            return json_response({"error": "at must be a unix timestamp"}, 400)
        state.visit_wxa(openid, at=at)
        return json_response({"openid": openid})

    @bp.get("/sec-words")
    def sec_words() -> Response:
        with state.lock:
            return json_response({"words": dict(state.sec_words)})

    @bp.put("/sec-words")
    def set_sec_words() -> Response:
        body = request.get_json(force=True, silent=True) or {}
        words = body.get("words")
        if not isinstance(words, dict):
            return json_response({"error": 'words is required: {"word": "review" | "risky"}'}, 400)
        try:
            state.set_sec_words(words)
        except ValueError as exc:
            return json_response({"error": str(exc)}, 400)
        return json_response({"words": words})

    @bp.post("/unionids")
    def unionids() -> Response:
        body = request.get_json(force=True, silent=True) or {}
        openid, unionid = body.get("openid"), body.get("unionid")
        if not (isinstance(openid, str) and openid and isinstance(unionid, str) and unionid):
            return json_response({"error": "openid and unionid are required"}, 400)
        state.link_unionid(openid, unionid)
        return json_response({"openid": openid, "unionid": unionid})

    return bp
