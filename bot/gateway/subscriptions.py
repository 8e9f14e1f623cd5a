"""Subscription events, from either door: what a person chose in a subscribe panel
(subscribe_msg_popup_event) and turning a template off later (subscribe_msg_change_event), kept
as grants for the delivery engine; the official account's come to /wechat, the mini-program's to
/wxa/events. None is the person writing: none opens a 48-hour window.

https://developers.weixin.qq.com/miniprogram/dev/framework/open-ability/subscribe-message.html
https://developers.weixin.qq.com/doc/service/guide/product/subscription_messages/push.html
"""

from __future__ import annotations

import logging
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.accounts.grants import record_grants, withdraw_grants
from bot.db.engine import transaction
from bot.delivery.templates import spec_of
from bot.logs import mask
from bot.models import Follower, MiniUser
from bot.services import Services

log = logging.getLogger(__name__)
# Each event, the element its <List> entries are in (one entry is an element, several a list).
LISTS = {"subscribe_msg_popup_event": "SubscribeMsgPopupEvent",
         "subscribe_msg_change_event": "SubscribeMsgChangeEvent"}
# Every subscription event: kept (or, WeChat's note that a message went, acknowledged) and never
# taken as the person writing, so none opens a 48-hour window.
SUBSCRIPTION_EVENTS = (*LISTS, "subscribe_msg_sent_event")



def keep_grants(services: Services, fields: dict[str, Any], *, app: str) -> bool:
    """Record the grants a subscription event gives or takes back (either app's: the account's
    订阅通知 events come to /wechat); False for any other event."""
    event, openid = fields.get("Event"), fields.get("FromUserName")
    if not isinstance(event, str) or event not in LISTS or not isinstance(openid, str) or not openid:
        return False  # another event, or fields repeated where one is expected
    chosen: dict[str, list[str]] = {"accept": [], "reject": []}
    for entry in _entries(fields.get(LISTS[event])):
        status, template = entry.get("SubscribeStatusString"), entry.get("TemplateId")
        if status in chosen and isinstance(template, str) and 0 < len(template) <= 64:
            chosen[status].append(template)
    lasting = _long_term_templates(services, app)
    with transaction(services.sessions) as session:
        if app == MiniUser.APP and not _logged_in(session, openid):
            log.info("%s from %s, who has not logged in: ignored", event, mask(openid))
            return True  # never logged in to the mini-program: nobody to send to yet
        now = services.clock.now()
        for long_term in (False, True):
            record_grants(session, openid, app, [t for t in chosen["accept"] if (t in lasting) == long_term],
                          now, source="event", long_term=long_term)
        if event == "subscribe_msg_change_event":  # turned off in the settings (a popup's
            withdraw_grants(session, openid, chosen["reject"], now)  # 取消 leaves earlier grants)
    return True


def _long_term_templates(services: Services, app: str) -> set[str]:
    """The app's template ids configured as long-term (WeChat's panel says nothing of it)."""
    delivery = services.settings.delivery
    configured = delivery.subscribe_templates if app == Follower.APP else delivery.mini_templates
    return {spec_of(t).id for t in configured.values() if spec_of(t).long_term}


def _logged_in(session: Session, openid: str) -> bool:
    return session.scalar(sa.select(MiniUser.id).where(MiniUser.openid == openid)) is not None


def _entries(holder: Any) -> list[dict[str, Any]]:
    """The <List> entries of an event's holder element: one is an element, several a list."""
    found = holder.get("List") if isinstance(holder, dict) else None
    found = found if isinstance(found, list) else [found]
    return [entry for entry in found if isinstance(entry, dict)]
