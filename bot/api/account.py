"""Logging in from the mini-program and the user's own settings: POST /session exchanges
wx.login()'s code with WeChat (code2session) for our own session token; the session_key WeChat
gives stays on the server. GET /me and PUT /me/preferences (长辈模式's text size)."""

from __future__ import annotations

import logging
from typing import Any, Literal

from pydantic import BaseModel, Field
from sqlalchemy.orm import Session as DbSession
from wechatpy.exceptions import WeChatClientException

from bot.accounts.binding import agents
from bot.accounts.miniprogram import close_session, open_session
from bot.api.spec import (
    NEEDS_LOGIN,
    Error,
    Refused,
    Request,
    Time,
    api,
    bearer_token,
    blueprint,
    bound,
    documented,
    services,
    signed_in,
)
from bot.db.engine import transaction
from bot.logs import mask
from bot.models import MiniUser
from bot.roster.profile import on_record
from bot.wechat_api.miniprogram import code_to_session

log = logging.getLogger(__name__)

# WeChat's answers to code2session, each with what the person is told.
# https://developers.weixin.qq.com/miniprogram/dev/OpenApiDoc/user-login/code2Session.html
LOGIN_REFUSALS = {
    40029: (401, "code_invalid", "登录凭证无效或已过期，请重新打开小程序。"),
    40163: (401, "code_used", "这个登录凭证已经用过了，请重新打开小程序。"),
    45011: (429, "rate_limited", "登录太频繁了，请过一分钟再试。"),
    40226: (403, "user_blocked", "这个微信账号暂时不能使用小程序，请打电话联系工作人员。"),
}
WECHAT_DOWN = (502, "wechat_unavailable", "暂时连不上微信，请稍后再试。")


class Login(Request):
    """wx.login()'s one-time code."""

    code: str = Field(min_length=1, max_length=128, description="小程序 wx.login() 得到的 code")


class Person(BaseModel):
    """The retiree a user is bound to, as the mini-program shows them (phone masked)."""

    name: str = Field(description="老同志的姓名")
    branch: str | None = Field(description="所在支部或分组")
    phone: str | None = Field(description="登记的电话，中间四位隐去")
    role: Literal["self", "agent"] = Field(description="self：老同志本人；agent：家属代办")
    relation: str | None = Field(description="家属代办时与老同志的关系，如子女")


class Agent(BaseModel):
    """A family member bound to act for the retiree (代办)."""

    relation: str | None = Field(description="家属代办时和老同志的关系（如女儿、子女）；本人为空")
    bound_at: Time = Field(description="绑定的时间")
    app: Literal["oa", "mini"] = Field(description="在哪里绑定的：oa 公众号，mini 小程序")


class Me(BaseModel):
    """The signed-in user, as the mini-program shows them."""

    font_scale: int = Field(description="长辈模式的字号，百分比（100 为标准）")
    person: Person | None = Field(description="绑定的老同志；还没绑定时为空")
    agents: list[Agent] = Field(description="替这位老同志代办的家属")


class Session(BaseModel):
    """Our session token, for `Authorization: Bearer <token>`, and who it is for."""

    token: str = Field(description="登录凭证：以后的请求放在 Authorization: Bearer 后面")
    expires_at: Time = Field(description="凭证过期的时间（一直在用会顺延）")
    me: Me = Field(description="登录的人和绑定的老同志")


class Preferences(Request):
    """The user's display settings."""

    font_scale: int = Field(ge=100, le=200, description="长辈模式的字号，百分比，100 到 200")


@blueprint.post("/session")
@api.validate(json=Login, resp=documented(HTTP_201=Session, HTTP_401=Error, HTTP_403=Error, HTTP_422=Error,
                                          HTTP_502=Error, HTTP_503=Error), tags=["登录"])
def log_in(json: Login) -> Any:
    """用 wx.login() 的 code 登录，换回本服务的登录凭证。"""
    settings = services().settings
    if not (settings.miniprogram.appid and settings.miniprogram.secret):
        raise Refused(503, "not_configured", "小程序登录还没有开通，请打电话联系工作人员。")
    try:
        found = code_to_session(settings, json.code)
    except WeChatClientException as exc:
        status, code, message = LOGIN_REFUSALS.get(exc.errcode or 0, WECHAT_DOWN)
        log.warning("mini-program login refused by WeChat: %s", exc.errcode)  # never the request URL
        raise Refused(status, code, message) from None
    with transaction(services().sessions) as session:
        token, login = open_session(session, openid=found["openid"], unionid=found.get("unionid"),
                                    session_key=found["session_key"], now=services().clock.now(),
                                    days=settings.miniprogram.session_days)
        me = me_of(session, session.get_one(MiniUser, login.user_id))
    log.info("mini-program login for %s", mask(found["openid"]))
    return Session(token=token, expires_at=login.expires_at, me=me), 201


@blueprint.delete("/session")
@api.validate(resp=documented("HTTP_204", HTTP_401=Error), tags=["登录"], security=NEEDS_LOGIN)
def log_out() -> Any:
    """退出登录：这个凭证马上失效。"""
    with signed_in() as (session, _user):
        close_session(session, bearer_token())
    return "", 204


@blueprint.get("/me")
@api.validate(resp=documented(HTTP_200=Me, HTTP_401=Error), tags=["我的"], security=NEEDS_LOGIN)
def me() -> Any:
    """当前用户。"""
    with signed_in() as (session, user):
        return me_of(session, user)


@blueprint.put("/me/preferences")
@api.validate(json=Preferences, resp=documented(HTTP_200=Me, HTTP_401=Error, HTTP_422=Error), tags=["我的"],
              security=NEEDS_LOGIN)
def preferences(json: Preferences) -> Any:
    """改长辈模式的字号。"""
    with signed_in() as (session, user):
        user.font_scale = json.font_scale
        return me_of(session, user)


def me_of(session: DbSession, user: MiniUser) -> Me:
    """What the mini-program shows of a user: settings, the person they are bound to, their family."""
    binding = bound(session, user)
    if binding is None:
        return Me(font_scale=user.font_scale, person=None, agents=[])
    kept = on_record(binding.retiree)
    return Me(font_scale=user.font_scale,
              person=Person(name=kept.name, branch=kept.branch, phone=kept.phone,
                            role="agent" if binding.is_agent else "self", relation=binding.relation),
              agents=[Agent(relation=a.relation, bound_at=a.bound_at, app=a.app)  # type: ignore[arg-type]
                      for a in agents(session, binding.retiree_id)])
