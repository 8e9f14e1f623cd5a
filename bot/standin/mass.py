"""Mass messages: to a tag or everyone (sendall) and to an openid list (send)."""

from __future__ import annotations

from typing import Any

from bot.standin import errors
from bot.standin.errors import ApiError
from bot.standin.protocol import ApiRequest, Reply
from bot.standin.records import MassJob
from bot.standin.state import StandinState, month_of

MASS_TYPES = frozenset({"text", "mpnews", "voice", "image", "mpvideo", "wxcard"})
MAX_OPENIDS = 10_000
MAX_CLIENTMSGID = 64


def send_all(state: StandinState, req: ApiRequest) -> Reply:
    """POST cgi-bin/message/mass/sendall: to a tag's members, or to every follower."""
    body = req.json()
    _check_content(body)
    return _submit(state, req, body, _filter_audience(state, body.get("filter")))


def send_list(state: StandinState, req: ApiRequest) -> Reply:
    """POST cgi-bin/message/mass/send: to 2..10000 listed openids."""
    body = req.json()
    _check_content(body)
    touser = body.get("touser")
    if not isinstance(touser, list) or len(touser) < 2:
        raise ApiError(errors.MASS_NEEDS_TWO)
    if len(touser) > MAX_OPENIDS:
        raise ApiError(errors.INVALID_OPENID_LIST_SIZE)
    return _submit(state, req, body, list(dict.fromkeys(map(str, touser))))


def _check_content(body: dict[str, Any]) -> None:
    msgtype = body.get("msgtype")
    if msgtype not in MASS_TYPES or not isinstance(body.get(msgtype), dict):
        raise ApiError(errors.INVALID_MESSAGE_TYPE)


def _filter_audience(state: StandinState, filter_: Any) -> list[str]:
    if not isinstance(filter_, dict):
        raise ApiError(errors.INVALID_TAG_ID)
    if filter_.get("is_to_all"):
        return list(state.followers)
    # wechatpy still calls the tag "group_id" (the API's old name for it).
    tag = state.tags.get(_int_or_none(filter_.get("tag_id", filter_.get("group_id"))))
    if tag is None:
        raise ApiError(errors.INVALID_TAG_ID)
    return list(tag.members)


def _submit(state: StandinState, req: ApiRequest, body: dict[str, Any],
            audience: list[str]) -> Reply:
    clientmsgid = _check_clientmsgid(state, body.get("clientmsgid"))
    delivered = [openid for openid in audience if _deliver(state, openid, req.now)]
    job = MassJob(state.next_id("mass"), state.next_id("msg_data"), clientmsgid,
                  audience, delivered, req.now)
    state.mass_jobs.append(job)
    return Reply({"errcode": 0, "errmsg": "send job submission success",
                  "msg_id": job.msg_id, "msg_data_id": job.msg_data_id},
                 openids=audience, delivered=delivered)


def _check_clientmsgid(state: StandinState, clientmsgid: Any) -> str | None:
    if clientmsgid in (None, ""):
        return None
    clientmsgid = str(clientmsgid)
    if len(clientmsgid) > MAX_CLIENTMSGID:
        raise ApiError(errors.CLIENTMSGID_TOO_LONG)
    for job in state.mass_jobs:
        if job.clientmsgid == clientmsgid:
            raise ApiError(errors.CLIENTMSGID_EXIST, msg_id=job.msg_id)
    return clientmsgid


def _deliver(state: StandinState, openid: str, now: float) -> bool:
    # Over the monthly cap the platform does not fail the call; the user just never gets it.
    key = (openid, month_of(now))
    received = state.mass_received.get(key, 0)
    if received >= state.settings.mass_per_month:
        return False
    state.mass_received[key] = received + 1
    return True


def _int_or_none(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
