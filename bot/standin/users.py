"""The account's users: basic info in batches (cgi-bin/user/info/batchget), as far as the
stand-in knows them — following since when, their tags, their unionid.

https://developers.weixin.qq.com/doc/service/api/usermanage/userinfo/api_batchuserinfo.html
"""

from __future__ import annotations

from typing import Any

from bot.standin import errors
from bot.standin.errors import ApiError
from bot.standin.protocol import ApiRequest, Reply
from bot.standin.state import StandinState

MAX_USERS = 100  # "最多支持一次拉取100条"


def batch_info(state: StandinState, req: ApiRequest) -> Reply:
    """POST cgi-bin/user/info/batchget: one entry per listed user, in order."""
    users = req.json().get("user_list")
    if not isinstance(users, list) or not 0 < len(users) <= MAX_USERS:
        # The page lists no errcodes; the global ones have 40032 "不合法的openid列表长度", which
        # is what batchget answers a bad list with (reported on developers.weixin.qq.com's forum).
        raise ApiError(errors.INVALID_OPENID_LIST_SIZE)
    openids = [entry.get("openid") if isinstance(entry, dict) else None for entry in users]
    if not all(isinstance(openid, str) and openid for openid in openids):
        raise ApiError(errors.INVALID_OPENID)
    return Reply({"user_info_list": [_info(state, openid) for openid in openids]},
                 openids=list(dict.fromkeys(openids)))


def _info(state: StandinState, openid: str) -> dict[str, Any]:
    followed = state.followers.get(openid)
    if followed is None:
        # "值为0时，代表此用户没有关注该公众号，拉取不到其余信息" — the unionid included.
        return {"subscribe": 0, "openid": openid}
    # Nickname and avatar are no longer given (since 2021-12-27), so they are left out; the
    # stand-in knows no subscribe scene or remark, so it gives the platform's neutral values.
    info: dict[str, Any] = {
        "subscribe": 1, "openid": openid, "language": "zh_CN", "subscribe_time": int(followed),
        "remark": "", "groupid": 0, "tagid_list": state.tags_of(openid),
        "subscribe_scene": "ADD_SCENE_OTHERS", "qr_scene": 0, "qr_scene_str": ""}
    if openid in state.unionids:  # "只有在用户将公众号绑定到微信开放平台账号后，才会出现该字段"
        info["unionid"] = state.unionids[openid]
    return info
