"""User tags: create, list, rename, delete, tag and untag users, list a tag's users."""

from __future__ import annotations

from typing import Any

from bot.standin import errors
from bot.standin.errors import ApiError, ok
from bot.standin.protocol import ApiRequest, Reply
from bot.standin.records import Tag
from bot.standin.state import StandinState

MAX_NAME_CHARS = 30
MAX_BATCH = 50


def create(state: StandinState, req: ApiRequest) -> Reply:
    """POST cgi-bin/tags/create."""
    name = _valid_name(state, _tag_field(req).get("name"))
    if len(state.tags) >= state.settings.max_tags:
        raise ApiError(errors.TOO_MANY_TAGS)
    tag = Tag(state.next_id("tag"), name)
    state.tags[tag.id] = tag
    return Reply({"tag": {"id": tag.id, "name": tag.name}})


def list_tags(state: StandinState, req: ApiRequest) -> Reply:
    """GET cgi-bin/tags/get."""
    return Reply({"tags": [{"id": t.id, "name": t.name, "count": len(t.members)}
                           for t in state.tags.values()]})


def update(state: StandinState, req: ApiRequest) -> Reply:
    """POST cgi-bin/tags/update: rename a tag."""
    fields = _tag_field(req)
    tag = _known_tag(state, fields.get("id"))
    if fields.get("name") != tag.name:
        tag.name = _valid_name(state, fields.get("name"))
    return Reply(ok())


def delete(state: StandinState, req: ApiRequest) -> Reply:
    """POST cgi-bin/tags/delete: the tag goes, and comes off its users."""
    tag = _known_tag(state, _tag_field(req).get("id"))
    del state.tags[tag.id]
    return Reply(ok())


def batch_tag(state: StandinState, req: ApiRequest) -> Reply:
    """POST cgi-bin/tags/members/batchtagging: all or nothing."""
    body = req.json()
    openids = _batch_openids(body)
    tag = _known_tag(state, body.get("tagid"))
    limit = state.settings.max_tags_per_user
    if any(o not in tag.members and len(state.tags_of(o)) >= limit for o in openids):
        raise ApiError(errors.USER_TAGGED_TOO_MUCH)
    for openid in openids:
        state.follow(openid)
        tag.members.setdefault(openid, None)
    return Reply(ok())


def batch_untag(state: StandinState, req: ApiRequest) -> Reply:
    """POST cgi-bin/tags/members/batchuntagging."""
    body = req.json()
    openids = _batch_openids(body)
    tag = _known_tag(state, body.get("tagid"))
    for openid in openids:
        tag.members.pop(openid, None)
    return Reply(ok())


def tags_of_user(state: StandinState, req: ApiRequest) -> Reply:
    """POST cgi-bin/tags/getidlist: the tag ids one user carries."""
    openid = req.json().get("openid")
    if not isinstance(openid, str) or not openid:
        raise ApiError(errors.INVALID_OPENID)
    return Reply({"tagid_list": state.tags_of(openid)})


def users_of_tag(state: StandinState, req: ApiRequest) -> Reply:
    """POST cgi-bin/user/tag/get: one page of a tag's users, from after next_openid."""
    body = req.json()
    members = list(_known_tag(state, body.get("tagid")).members)
    start = _page_start(members, body.get("next_openid"))
    page = members[start:start + state.settings.tag_page_size]
    if not page:
        return Reply({"count": 0, "next_openid": ""})
    return Reply({"count": len(page), "data": {"openid": page}, "next_openid": page[-1]})


def _tag_field(req: ApiRequest) -> dict[str, Any]:
    tag = req.json().get("tag")
    return tag if isinstance(tag, dict) else {}


def _valid_name(state: StandinState, name: Any) -> str:
    if not isinstance(name, str) or not name.strip():
        raise ApiError(errors.INVALID_TAG_NAME)
    if len(name) > MAX_NAME_CHARS:
        raise ApiError(errors.TAG_NAME_TOO_LONG)
    if any(tag.name == name for tag in state.tags.values()):
        raise ApiError(errors.INVALID_TAG_NAME)  # the platform reports a duplicate this way
    return name


def _known_tag(state: StandinState, tag_id: Any) -> Tag:
    try:
        return state.tags[int(tag_id)]
    except (TypeError, ValueError, KeyError):
        raise ApiError(errors.INVALID_TAG_ID) from None


def _batch_openids(body: dict[str, Any]) -> list[str]:
    openids = body.get("openid_list")
    if not isinstance(openids, list) or not 0 < len(openids) <= MAX_BATCH:
        raise ApiError(errors.INVALID_OPENID_LIST_SIZE)
    if not all(isinstance(o, str) and o for o in openids):
        raise ApiError(errors.INVALID_OPENID)
    return list(dict.fromkeys(openids))


def _page_start(members: list[str], next_openid: Any) -> int:
    if not next_openid:
        return 0
    try:
        return members.index(next_openid) + 1
    except ValueError:
        raise ApiError(errors.INVALID_OPENID) from None
