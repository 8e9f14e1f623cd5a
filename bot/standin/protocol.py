"""What a handler receives and returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.standin import errors


@dataclass(frozen=True)
class ApiRequest:
    """One API call, decoded."""

    method: str
    path: str
    query: dict[str, str]
    token: str | None
    body: Any
    body_ok: bool
    now: float

    def json(self) -> dict[str, Any]:
        """The JSON object body, or the errcode the platform gives for a bad one."""
        if not self.body_ok:
            raise errors.ApiError(errors.DATA_FORMAT_ERROR)
        if self.body is None:
            raise errors.ApiError(errors.EMPTY_POST_DATA)
        if not isinstance(self.body, dict):
            raise errors.ApiError(errors.DATA_FORMAT_ERROR)
        return self.body


@dataclass
class Reply:
    """A handler's answer: the JSON body, whom it addressed and whom it reached."""

    body: dict[str, Any]
    openids: list[str] = field(default_factory=list)
    delivered: list[str] = field(default_factory=list)
    shown: list[str] = field(default_factory=list)  # what the person's phone shows of a template


def addressed_openids(query: dict[str, str], body: Any) -> list[str]:
    """The openids a request names, in order, without repeats."""
    found: list[str] = [query["openid"]] if "openid" in query else []
    if isinstance(body, dict):
        for key in ("touser", "openid", "openid_list"):
            value = body.get(key)
            found.extend(value if isinstance(value, list) else [value])
    return list(dict.fromkeys(item for item in found if isinstance(item, str) and item))
