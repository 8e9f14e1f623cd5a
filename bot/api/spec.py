"""What every API endpoint shares: the /api/v1 blueprint, its OpenAPI document (and the
responses every endpoint documents), who is signed in (a bearer token), and errors as JSON
{code, message} in Chinese — a refusal (Refused), invalid input (422, the field named), a body
that is not JSON (415) or does not parse (400), an address or record that does not exist (404,
an id larger than any record's too), a method not allowed (405), a token no longer good (401,
where signing in is optional too), anything unexpected (500)."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Annotated, Any

from flask import Blueprint, Flask, Response, current_app, jsonify, request
from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, model_validator
from spectree import Response as SpecResponse
from spectree import SecurityScheme, SecuritySchemeData, SpecTree
from spectree.models import SecureType
from sqlalchemy.orm import Session
from werkzeug.exceptions import HTTPException

from bot.accounts.miniprogram import binding_of, user_of
from bot.clock import SHANGHAI
from bot.db.engine import past_any_id, transaction
from bot.models import Binding, MiniUser
from bot.services import Services

log = logging.getLogger(__name__)
# Control characters but line breaks and tabs, and the zero-width and direction marks.
_INVISIBLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u2028-\u202e\u2060\ufeff]")

PREFIX = "/api/v1"
blueprint = Blueprint("api", __name__, url_prefix=PREFIX)


class Request(BaseModel):
    """A request body: a field the API does not know (a retiree's id, say) is refused, never
    silently dropped, so nobody believes it was used; text is taken without surrounding spaces."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)  # 「   」 is no text

    @model_validator(mode="before")
    @classmethod
    def _visible_text(cls, data: Any) -> Any:
        """Text without control characters (a NUL PostgreSQL refuses to store) or invisible ones
        (a 留言 of zero-width spaces is no 留言): each field is judged on what a person would see."""
        if isinstance(data, dict):
            return {k: _INVISIBLE.sub("", v) if isinstance(v, str) else v for k, v in data.items()}
        return data


# Every time the API gives, as retirees are told it: in Beijing time, with its offset
# (2026-11-22T09:30:00+08:00), however the database or the clock kept it.
Time = Annotated[datetime, PlainSerializer(lambda value: _shanghai(value).isoformat(), return_type=str)]


def _shanghai(value: datetime) -> datetime:
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(SHANGHAI)


class Error(BaseModel):
    """What went wrong: a code for the program, a sentence in Chinese for the person."""

    code: str = Field(description="机器读的错误代码，如 invalid、not_found")
    message: str = Field(description="可以直接显示给用户的中文说明")


# Each field as a person reads it, in 「…」不对 messages.
FIELD_NAMES = {"question": "问题", "code": "登录码", "font_scale": "字号", "name": "姓名",
               "digits": "电话后四位", "phone_code": "手机号验证", "relation": "关系", "text": "留言内容",
               "choice": "选项", "companion": "带家属", "results": "订阅结果"}
# What a field written the wrong way should look like (a pattern's own words would be code).
WRITTEN_AS = {"digits": "请填 4 位数字", "choice": "请选一个字母，A 到 D"}
MESSAGES = {400: ("bad_request", "请求的格式不对。"), 404: ("not_found", "没有找到。"),
            405: ("method_not_allowed", "不支持这种请求方式。"),
            413: ("too_large", "提交的内容太长了。"), 415: ("unsupported", "请用 JSON 提交。"),
            500: ("server_error", "系统出了点问题，请稍后再试。")}
EXPIRED = ("unauthorized", "登录已过期，请重新打开小程序。")


def _field_problems(_req: Any, resp: Any, error: Any, _instance: Any, adapter: Any = None) -> None:
    """spectree's hook on an invalid request: its list of pydantic errors becomes one Error."""
    if error is None or resp is None:
        return
    first = error.errors()[0]
    key = ".".join(str(part) for part in first.get("loc", ()) if part != "__root__")
    top = key.split(".")[0]  # 「results.abc」: the field the entry belongs to
    field = FIELD_NAMES.get(key) or FIELD_NAMES.get(top, key or "请求")
    written = first.get("type") == "string_pattern_mismatch" and WRITTEN_AS.get(top)
    reason = written or _reason(first)
    resp.set_data(Error(code="invalid", message=f"「{field}」不对：{reason}").model_dump_json())
    resp.mimetype = "application/json"


def _reason(problem: dict[str, Any]) -> str:
    """A pydantic error as a short Chinese reason."""
    kind, context = problem.get("type", ""), problem.get("ctx") or {}
    shortest = context.get("min_length", 1)
    reasons = {"missing": "缺少这一项", "string_too_long": f"太长了，最多 {context.get('max_length')} 个字",
               "string_too_short": "不能是空的" if shortest <= 1 else f"太短了，至少 {shortest} 个字",
               "too_long": f"太多了，最多 {context.get('max_length')} 项", "string_type": "应为文字",
               "string_pattern_mismatch": "格式不对", "bool_type": "应为是或否", "bool_parsing": "应为是或否",
               "extra_forbidden": "不认识这一项", "literal_error": "不是可选的值",
               "dict_type": "应为 JSON 对象", "int_parsing": "应为整数", "int_type": "应为整数",
               "model_type": "应为 JSON 对象",
               "model_attributes_type": "应为 JSON 对象", "json_invalid": "不是有效的 JSON",
               "less_than_equal": f"不能大于 {context.get('le')}",
               "greater_than_equal": f"不能小于 {context.get('ge')}"}
    return reasons.get(kind, "格式不对")


SESSION = SecurityScheme(name="session", data=SecuritySchemeData(
    type=SecureType.HTTP, scheme="bearer", description="POST /api/v1/session 换来的登录凭证"))
# spectree leaves out of its document every route under its own path, so that is not /api/v1;
# the document is served at /api/v1/openapi.json by the route below.
api = SpecTree("flask", title="银龄助手小程序接口", version="v1", path="api/spec", filename="openapi.json",
               page_templates={}, validation_error_status=422, before=_field_problems, mode="strict",
               annotations=True, security_schemes=[SESSION])


# What each status means, as the document says it to a mini-program's developer.
MEANINGS = {"HTTP_200": "成功", "HTTP_201": "成功，新建了", "HTTP_204": "成功，没有内容",
            "HTTP_400": "请求的格式不对（JSON 解析不了）", "HTTP_401": "没登录，或登录已过期：请重新登录",
            "HTTP_403": "不允许：还没绑定身份、绑定被锁定、不在能报名的分组里……（看 code）",
            "HTTP_404": "没有找到：地址、编号不存在，或姓名和后四位对不上（看 code）",
            "HTTP_409": "和现在的情况冲突：已经绑定、已经报过、报名截止、老同志已去世……（看 code）",
            "HTTP_415": "内容不是 JSON", "HTTP_422": "填的内容不对：message 说明是哪一项、哪里不对",
            "HTTP_429": "太频繁了：按 Retry-After 的秒数后再试", "HTTP_500": "系统出了点问题，请稍后再试",
            "HTTP_502": "暂时连不上微信，请稍后再试", "HTTP_503": "这项服务还没开通（办公室还没配置好）"}


def documented(*codes: str, **models: Any) -> SpecResponse:
    """The responses an endpoint documents, each said in Chinese: its own, and the 422, 429 and
    500 any call may meet (spectree would add the 422 in English)."""
    every = {**dict.fromkeys(codes), **models, "HTTP_422": Error, "HTTP_429": Error, "HTTP_500": Error}
    return SpecResponse(**{code: (model, MEANINGS[code]) for code, model in every.items()})


NEEDS_LOGIN: dict[str, Any] = {"session": []}  # an endpoint's `security`: the bearer token


@blueprint.url_value_preprocessor
def _ids_in_range(_endpoint: str | None, values: dict[str, Any] | None) -> None:
    """A number in the address past any id names nothing: a 404 before any query (SQLite cannot
    even bind it)."""
    if past_any_id((values or {}).values()):
        raise Refused(404, *MESSAGES[404])


@blueprint.before_request
def _json_bodies() -> None:
    """A body is JSON, or the request is refused before any view reads it: a form-encoded one
    is a 415, JSON that does not parse (or a bare null) a 400."""
    if request.method not in ("POST", "PUT", "PATCH", "DELETE") or not request.content_length:
        return
    if not request.is_json:
        raise Refused(415, *MESSAGES[415])
    if request.get_json(silent=True) is None:
        raise Refused(400, "bad_request", "请求的格式不对：内容不是有效的 JSON。")


@blueprint.get("/openapi.json")
def openapi() -> Response:
    """The OpenAPI 3.1 document of every endpoint, generated from the code."""
    return jsonify(api.spec)


def services() -> Services:
    """The process's services, as the app was built with them."""
    return current_app.extensions["yinling"]


def error(status: int, code: str, message: str) -> tuple[Response, int]:
    """A JSON error response."""
    return jsonify(Error(code=code, message=message).model_dump()), status


def as_json(exc: HTTPException) -> Any:
    """An HTTP error on an /api/ path as JSON {code, message}; on other paths, as it is."""
    if not request.path.startswith(PREFIX):
        return exc
    if isinstance(exc.response, Response) and exc.response.mimetype == "application/json":
        return exc.response  # spectree's 422, already one Error
    code, message = MESSAGES.get(exc.code or 500, ("error", "请求没有完成，请稍后再试。"))
    return error(exc.code or 500, code, message)


def register_errors(app: Flask) -> None:
    """Errors on /api/ paths as JSON {code, message}; other paths keep their own pages (a 404
    is the app's to route: bot.create_app asks each face for its own)."""
    def unexpected(exc: Exception) -> Any:
        if not request.path.startswith(PREFIX):
            raise exc
        log.exception("api %s %s failed", request.method, request.path)
        return error(500, *MESSAGES[500])

    app.register_error_handler(HTTPException, as_json)
    app.register_error_handler(Refused, _refused)
    app.register_error_handler(Exception, unexpected)


class Refused(Exception):
    """A request the API answers with an Error (status, code, Chinese message)."""

    def __init__(self, status: int, code: str, message: str, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.retry_after = status, code, message, retry_after


def bearer_token() -> str:
    """The token of the request's `Authorization: Bearer <token>`, or "" without one."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


@contextmanager
def signed_in() -> Iterator[tuple[Session, MiniUser]]:
    """The request's transaction and the user its `Authorization: Bearer <token>` names; 401
    without one that is good now."""
    with maybe_signed_in() as (session, user):
        if user is None:
            raise Refused(401, *EXPIRED)
        yield session, user


@contextmanager
def maybe_signed_in() -> Iterator[tuple[Session, MiniUser | None]]:
    """The request's transaction and the signed-in user, or None (for what anyone may call);
    a token that is no longer good is a 401 all the same: the app must sign in again, not carry
    on as a stranger whose questions nobody keeps."""
    token = bearer_token()
    settings = services().settings.miniprogram
    with transaction(services().sessions) as session:
        now = services().clock.now()
        user = user_of(session, token, now=now, days=settings.session_days) if token else None
        if token and user is None:
            raise Refused(401, *EXPIRED)
        yield session, user


@contextmanager
def acting() -> Iterator[tuple[Session, MiniUser, Binding]]:
    """As signed_in, with the binding the user acts under (for themselves or as family); 403
    before they have bound."""
    with signed_in() as (session, user):
        binding = bound(session, user)
        if binding is None:
            raise Refused(403, "not_bound", "请先绑定身份：在「我的」里填上老同志的姓名和登记电话的后四位。")
        yield session, user, binding


def bound(session: Session, user: MiniUser) -> Binding | None:
    """The binding the user acts under now, if any (one made in the chat counts, by unionid)."""
    return binding_of(session, user, services().clock.now())


def _refused(exc: Refused) -> tuple[Response, int]:
    response, status = error(exc.status, exc.code, exc.message)
    if exc.retry_after is not None:
        response.headers["Retry-After"] = str(exc.retry_after)
    return response, status
