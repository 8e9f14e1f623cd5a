"""Content security: msg_sec_check version 2, deciding by the words the stand-in was given.

https://developers.weixin.qq.com/miniprogram/dev/server/API/sec-center/sec-check/api_msgseccheck.html
"""

from __future__ import annotations

import secrets
from typing import Any

from bot.standin import errors
from bot.standin.errors import ApiError, ok
from bot.standin.protocol import ApiRequest, Reply
from bot.standin.state import SEC_SUGGESTS, StandinState

VERSION = 2  # "接口版本号，2.0版本为固定值2"
SCENES = frozenset({1, 2, 3, 4})  # "场景枚举值（1 资料；2 评论；3 论坛；4 社交日志）"
# Labels ("命中标签枚举值"): 100 正常 … 21000 其他; the stand-in's words carry no finer label.
NORMAL_LABEL = 100
OTHER_LABEL = 21000
PROB = 90  # "0-100，代表置信度": the stand-in is always fairly sure
# Text fields searched for the words; signature "仅在资料类场景有效(scene=1)".
TEXT_FIELDS = ("content", "title", "nickname")
PROFILE_SCENE = 1


def msg_sec_check(state: StandinState, req: ApiRequest) -> Reply:
    """POST wxa/msg_sec_check: "pass" unless the text holds one of the state's words, then the
    gravest suggest among those found; the documented errcodes for a malformed request."""
    body = req.json()
    if body.get("version") != VERSION:
        # Version 1 stopped being updated on 2021-09-01; anything but 2 is a parameter the
        # stand-in cannot read, which the docs answer with 47001 ("post 数据中参数缺失").
        raise ApiError(errors.DATA_FORMAT_ERROR)
    openid = body.get("openid")
    if not isinstance(openid, str) or not openid:
        raise ApiError(errors.INVALID_OPENID)
    scene = body.get("scene")
    if isinstance(scene, bool) or scene not in SCENES:
        raise ApiError(errors.INVALID_SCENE)
    if not isinstance(body.get("content"), str):
        raise ApiError(errors.DATA_FORMAT_ERROR)
    _check_visit(state, openid, req.now)
    hits = _hits(state, _texts(body, scene))
    verdict = max(hits.values(), key=SEC_SUGGESTS.index, default="pass")
    detail = [{"strategy": "content_model", "errcode": 0, "suggest": verdict,
               "label": _label(verdict), "prob": PROB}]
    detail += [{"strategy": "keyword", "errcode": 0, "suggest": suggest, "label": _label(suggest),
                "keyword": word} for word, suggest in hits.items()]
    return Reply(ok(result={"suggest": verdict, "label": _label(verdict)}, detail=detail,
                    trace_id="-".join(secrets.token_hex(4) for _ in range(3))))


def _check_visit(state: StandinState, openid: str, now: float) -> None:
    window = state.settings.wxa_visit_window
    if not window:
        return
    visited = state.wxa_visits.get(openid)
    if visited is None or now >= visited + window:
        raise ApiError(errors.USER_ACCESS_EXPIRED)


def _texts(body: dict[str, Any], scene: int) -> list[str]:
    fields = TEXT_FIELDS + (("signature",) if scene == PROFILE_SCENE else ())
    return [body[name] for name in fields if isinstance(body.get(name), str)]


def _hits(state: StandinState, texts: list[str]) -> dict[str, str]:
    return {word: suggest for word, suggest in state.sec_words.items()
            if any(word in text for text in texts)}


def _label(suggest: str) -> int:
    return NORMAL_LABEL if suggest == "pass" else OTHER_LABEL
