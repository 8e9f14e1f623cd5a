"""Which path does what, and the checks every API call passes first."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot.standin import errors, limits, mass, messages, security, tags, tokens, users, wxa
from bot.standin.errors import ApiError
from bot.standin.protocol import ApiRequest, Reply
from bot.standin.state import StandinState

Handler = Callable[[StandinState, ApiRequest], Reply]

# Whose token an API takes: the official account's, the mini-program's, or either (None).
ACCOUNT, MINI = "account", "mini"


@dataclass(frozen=True)
class Route:
    """One API endpoint."""

    method: str
    handler: Handler
    needs_token: bool = True
    app: str | None = None  # ACCOUNT or MINI: another app's token gets 48001


ROUTES: dict[str, Route] = {
    "cgi-bin/token": Route("GET", tokens.issue_token, needs_token=False),
    "cgi-bin/stable_token": Route("POST", tokens.issue_stable_token, needs_token=False),
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
    "cgi-bin/user/info/batchget": Route("POST", users.batch_info, app=ACCOUNT),
    "sns/jscode2session": Route("GET", wxa.code_to_session, needs_token=False),
    "wxa/business/getuserphonenumber": Route("POST", wxa.phone_number, app=MINI),
    "wxa/msg_sec_check": Route("POST", security.msg_sec_check, app=MINI),
    "cgi-bin/message/subscribe/send": Route("POST", messages.send_subscribe, app=MINI),
    "cgi-bin/message/subscribe/bizsend": Route("POST", messages.send_subscribe, app=ACCOUNT),
}


def dispatch(state: StandinState, req: ApiRequest) -> Reply:
    """Answer one API call; the caller holds the state lock."""
    route = ROUTES.get(req.path)
    if route is None:
        raise ApiError(errors.INVALID_URL, status=404)
    if req.method != route.method:
        raise ApiError(errors.REQUIRE_GET if route.method == "GET" else errors.REQUIRE_POST)
    if route.needs_token:
        tokens.verify_token(state, req.token, req.now, _appid(state, route.app))
    limits.count_call(state, req.path, req.now)
    return route.handler(state, req)


def _appid(state: StandinState, app: str | None) -> str | None:
    """The appid whose tokens `app`'s routes take (when both apps are one, it takes them all)."""
    if app == ACCOUNT:
        return state.settings.appid
    if app == MINI:
        return state.settings.mini_app[0]
    return None
