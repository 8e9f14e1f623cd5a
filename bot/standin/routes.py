"""Which path does what, and the checks every API call passes first."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot.standin import errors, limits, mass, messages, tags, tokens, wxa
from bot.standin.errors import ApiError
from bot.standin.protocol import ApiRequest, Reply
from bot.standin.state import StandinState

Handler = Callable[[StandinState, ApiRequest], Reply]


@dataclass(frozen=True)
class Route:
    """One API endpoint."""

    method: str
    handler: Handler
    needs_token: bool = True


ROUTES: dict[str, Route] = {
    "cgi-bin/token": Route("GET", tokens.issue_token, needs_token=False),
    "cgi-bin/message/custom/send": Route("POST", messages.send_custom),
    "cgi-bin/message/template/send": Route("POST", messages.send_template),
    "cgi-bin/message/mass/sendall": Route("POST", mass.send_all),
    "cgi-bin/message/mass/send": Route("POST", mass.send_list),
    "cgi-bin/tags/create": Route("POST", tags.create),
    "cgi-bin/tags/get": Route("GET", tags.list_tags),
    "cgi-bin/tags/update": Route("POST", tags.update),
    "cgi-bin/tags/delete": Route("POST", tags.delete),
    "cgi-bin/tags/members/batchtagging": Route("POST", tags.batch_tag),
    "cgi-bin/tags/members/batchuntagging": Route("POST", tags.batch_untag),
    "cgi-bin/tags/getidlist": Route("POST", tags.tags_of_user),
    "cgi-bin/user/tag/get": Route("POST", tags.users_of_tag),
    "sns/jscode2session": Route("GET", wxa.code_to_session, needs_token=False),
}


def dispatch(state: StandinState, req: ApiRequest) -> Reply:
    """Answer one API call; the caller holds the state lock."""
    route = ROUTES.get(req.path)
    if route is None:
        raise ApiError(errors.INVALID_URL, status=404)
    if req.method != route.method:
        raise ApiError(errors.REQUIRE_GET if route.method == "GET" else errors.REQUIRE_POST)
    if route.needs_token:
        tokens.verify_token(state, req.token, req.now)
    limits.count_call(state, req.path, req.now)
    return route.handler(state, req)
