"""Subscribe messages: the mini-program reports what the person chose in
wx.requestSubscribeMessage's panel, and the grants they gave are kept for the delivery engine to
spend (each one-time grant allows one message of its template)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from bot.accounts.grants import open_grants, record_grants
from bot.api.spec import NEEDS_LOGIN, Error, Request, api, blueprint, documented, services, signed_in

# wx.requestSubscribeMessage's result per template id; the accept* ones are grants.
# https://developers.weixin.qq.com/miniprogram/dev/api/open-api/subscribe-message/wx.requestSubscribeMessage.html
Choice = Literal["accept", "acceptWithAudio", "acceptWithAlert", "reject", "ban", "filter"]
MAX_TEMPLATES = 5  # one call asks for at most 5 templates (same page)


class SubscribeResult(Request):
    """What requestSubscribeMessage's success callback gave, template id → the person's choice."""

    results: dict[str, Choice] = Field(max_length=MAX_TEMPLATES,
                                       description="订阅面板的结果：模板 id → accept / reject / ban / filter")


class Grants(BaseModel):
    """Unspent one-time grants by template id."""

    grants: dict[str, int] = Field(description="模板 id → 还可以发几条")


@blueprint.post("/me/subscriptions")
@api.validate(json=SubscribeResult, resp=documented(HTTP_200=Grants, HTTP_401=Error, HTTP_422=Error),
              tags=["我的"], security=NEEDS_LOGIN)
def subscribed(json: SubscribeResult) -> Any:
    """记下用户在订阅面板里同意的消息（只记本小程序配置了的模板）。"""
    ours = {t.get("id") for t in services().settings.delivery.mini_templates.values() if isinstance(t, dict)}
    # A template id the office never configured could never be spent: not kept (a client's slip,
    # or someone filling the table).
    accepted = [t for t, choice in json.results.items() if choice.startswith("accept") and t in ours]
    with signed_in() as (session, user):
        record_grants(session, user.openid, user.APP, accepted, services().clock.now(), source="client")
        return Grants(grants=open_grants(session, user.openid))
