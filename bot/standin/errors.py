"""The platform's error codes and the exception handlers raise to answer with one."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ErrorCode:
    """One errcode with the errmsg the real platform sends for it."""

    code: int
    msg: str


INVALID_CREDENTIAL = ErrorCode(40001, "invalid credential, access_token is invalid or not latest")
INVALID_GRANT_TYPE = ErrorCode(40002, "invalid grant_type")
INVALID_OPENID = ErrorCode(40003, "invalid openid")
INVALID_MESSAGE_TYPE = ErrorCode(40008, "invalid message type")
INVALID_APPID = ErrorCode(40013, "invalid appid")
INVALID_CODE = ErrorCode(40029, "invalid code")
INVALID_OPENID_LIST_SIZE = ErrorCode(40032, "invalid openid list size")
INVALID_TEMPLATE_ID = ErrorCode(40037, "invalid template_id")
ARGUMENT_INVALID = ErrorCode(47003, "argument invalid! data value invalid")  # a field over its limit
SUBSCRIBE_REFUSED = ErrorCode(43101, "user refuse to accept the msg")  # no grant left for the template
INVALID_URL = ErrorCode(40066, "invalid url")
INVALID_APPSECRET = ErrorCode(40125, "invalid appsecret")
USER_BLOCKED = ErrorCode(40226, "invalid user, code blocked")  # a user barred from the mini-program
MASS_NEEDS_TWO = ErrorCode(40130, "invalid openid list size, at least two openid")
CODE_BEEN_USED = ErrorCode(40163, "code been used")
ACCESS_TOKEN_MISSING = ErrorCode(41001, "access_token missing")
APPID_MISSING = ErrorCode(41002, "appid missing")
APPSECRET_MISSING = ErrorCode(41004, "appsecret missing")
CODE_MISSING = ErrorCode(41008, "missing code")
ACCESS_TOKEN_EXPIRED = ErrorCode(42001, "access_token expired")
REQUIRE_GET = ErrorCode(43001, "require GET method")
REQUIRE_POST = ErrorCode(43002, "require POST method")
EMPTY_POST_DATA = ErrorCode(44002, "empty post data")
EMPTY_CONTENT = ErrorCode(44004, "empty content")
MINUTE_QUOTA = ErrorCode(45011, "api minute-quota reach limit, must slower, retry next minute")
OUT_OF_WINDOW = ErrorCode(45015, "response out of time limit or subscription is canceled")
OUT_OF_RESPONSE_COUNT = ErrorCode(45047, "out of response count limit")
TOO_MANY_TAGS = ErrorCode(45056, "too many tag now, no need to add new")
USER_TAGGED_TOO_MUCH = ErrorCode(45059, "can not tagging one user too much")
CLIENTMSGID_EXIST = ErrorCode(45065, "clientmsgid exist")
CLIENTMSGID_TOO_LONG = ErrorCode(45067, "clientmsgid size out of limit")
INVALID_TAG_NAME = ErrorCode(45157, "invalid tag name")
TAG_NAME_TOO_LONG = ErrorCode(45158, "tag name too long")
INVALID_TAG_ID = ErrorCode(45159, "invalid tag id")
DATA_FORMAT_ERROR = ErrorCode(47001, "data format error")
# msg_sec_check's own: a scene outside 1..4, and an openid that has not opened the mini-program
# in the last two hours:
# https://developers.weixin.qq.com/miniprogram/dev/server/API/sec-center/sec-check/api_msgseccheck.html
INVALID_SCENE = ErrorCode(40129, "invalid scene")
USER_ACCESS_EXPIRED = ErrorCode(61010, "code is expired")
# An app calling an API it has no right to, e.g. the official account's token on a mini-program
# API: "api 功能未授权" in the global return codes, "小程序无该 api 权限" in the mini-program's pages
# (https://developers.weixin.qq.com/doc/offiaccount/Getting_Started/Global_Return_Code.html,
# https://developers.weixin.qq.com/miniprogram/dev/server/API/sec-center/safety-control-capability/api_getuserriskrank.html)
API_UNAUTHORIZED = ErrorCode(48001, "api unauthorized")


class ApiError(Exception):
    """Raised by a handler to answer the call with an errcode instead of a result."""

    def __init__(self, error: ErrorCode, status: int = 200, **extra: Any) -> None:
        super().__init__(f"{error.code} {error.msg}")
        self.error = error
        self.status = status
        self.extra = extra

    def body(self) -> dict[str, Any]:
        """The JSON the platform answers with."""
        # The real errmsg ends in a request id, so callers must not match errmsg exactly.
        rid = f"{secrets.token_hex(4)}-{secrets.token_hex(4)}"
        return {"errcode": self.error.code, "errmsg": f"{self.error.msg} rid: {rid}",
                **self.extra}


def ok(**fields: Any) -> dict[str, Any]:
    """A success body: errcode 0 plus `fields`."""
    return {"errcode": 0, "errmsg": "ok", **fields}
