"""The mini-program's 消息推送 at /wxa/events (XML; 安全模式 when an EncodingAESKey is set): what
a person chose in a subscribe-message panel (subscribe_msg_popup_event) and turning a template
off later (subscribe_msg_change_event), kept as grants (bot.gateway.subscriptions, which the
official account's 订阅通知 events at /wechat use too). The same wire
checks as /wechat — signature, freshness, safe XML, decryption — under the mini-program's own
Token and AppID.

https://developers.weixin.qq.com/miniprogram/dev/framework/open-ability/subscribe-message.html
"""

from __future__ import annotations

import logging
from dataclasses import replace

from flask import Flask, Response, abort, request

from bot.gateway.subscriptions import keep_grants
from bot.gateway.wire import Rejected, Wire, first_delivery
from bot.models import MiniUser
from bot.services import Services

PATH = "/wxa/events"
log = logging.getLogger(__name__)

def init_app(app: Flask, services: Services) -> None:
    """Take the mini-program's pushes at /wxa/events, when its Token is configured."""
    mini = services.settings.miniprogram
    if not mini.token:
        return
    wechat = replace(services.settings.wechat, appid=mini.appid, token=mini.token,
                     encoding_aes_key=mini.encoding_aes_key,
                     mode="safe" if mini.encoding_aes_key else "plain")
    wire = Wire(wechat, now=lambda: services.clock.now().timestamp())

    @app.route(PATH, methods=["GET", "POST"])
    def wxa_events() -> Response:
        """WeChat's handshake (GET) or one pushed event (POST); anything not WeChat's, refused."""
        try:
            if request.method == "GET":
                return Response(wire.check_url(request.args), mimetype="text/plain")
            wire.verify(request.args)  # before the body is read
            raw = request.get_data()
            fields = wire.open(request.args, raw).fields
            first = first_delivery(services.store, request.args, raw, 2 * wechat.max_clock_skew)
        except Rejected as exc:
            log.warning("rejected %s %s: %s %s", request.method, PATH, exc.status, exc.reason)
            abort(exc.status)
        if first:  # WeChat's retry of one it took already changes nothing
            keep_grants(services, fields, app=MiniUser.APP)
        return Response("success", mimetype="text/plain")
