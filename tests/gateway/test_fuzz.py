"""/wechat under a few thousand crafted requests: never a 5xx, never a traceback in the log.

Bodies are built to get far: most carry a genuine signature (and, in safe mode, a genuine
msg_signature over whatever was encrypted), so what is fuzzed is what lies behind the checks —
the XML, its encoding, its fields, the ciphertext.
"""

from __future__ import annotations

import base64
import logging
from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from wechatpy.crypto import PrpCrypto

from bot import create_app
from bot.gateway.wire import sign
from bot.sandbox.wechat_side import ACCOUNT, WeChatSide
from bot.services import Services

FIELDS = ("ToUserName", "FromUserName", "CreateTime", "MsgType", "Content", "MsgId", "Event",
          "EventKey", "Recognition", "Encrypt", "MsgID", "Status")
TYPES = ("text", "voice", "event", "image", "location", "link", "hologram", "")
EVENTS = ("subscribe", "unsubscribe", "CLICK", "VIEW", "TEMPLATESENDJOBFINISH", "SCAN", "x" * 80)

texts = st.text(st.characters(codec="utf-8"), max_size=80)
values = st.one_of(texts, st.sampled_from(TYPES + EVENTS), st.integers(-2**70, 2**70).map(str),
                   st.just("o_fuzz_user_0001"), st.just(ACCOUNT), st.just("]]>"), st.just("&amp;<"))


@st.composite
def messages(draw: st.DrawFn) -> bytes:
    """An XML message: mostly well-formed WeChat-like, sometimes broken on purpose."""
    fields = draw(st.dictionaries(st.sampled_from(FIELDS), values, max_size=8))
    fields.setdefault("ToUserName", ACCOUNT)
    fields.setdefault("FromUserName", "o_fuzz_user_0001")
    fields.setdefault("MsgType", draw(st.sampled_from(TYPES)))
    fields.setdefault("CreateTime", str(draw(st.integers(0, 2**40))))
    inner = "".join(f"<{k}><![CDATA[{v}]]></{k}>" if draw(st.booleans()) else f"<{k}>{v}</{k}>"
                    for k, v in fields.items())
    head = draw(st.sampled_from(["", "<?xml version='1.0'?>", "<?xml version='1.0' encoding='gbk'?>",
                                 "<?xml version='1.0' encoding='bogus-enc'?>", "<!DOCTYPE x>",
                                 "<?xml version='1.0' encoding='utf-16'?>"]))
    body = f"{head}<xml>{inner}</xml>"
    cut = draw(st.sampled_from([None, None, None, len(body) // 2, 3]))
    raw = body.encode("utf-8", "surrogatepass")
    return raw if cut is None else raw[:cut]


def bodies() -> st.SearchStrategy[bytes]:
    return st.one_of(messages(), st.binary(max_size=300))


@pytest.fixture
def fuzz_app(services: Services, wechat: WeChatSide, caplog: pytest.LogCaptureFixture):
    """The app in safe mode and in plain mode, and the captured log."""
    plain = replace(services.settings, wechat=replace(services.settings.wechat, mode="plain"))
    apps = {"safe": create_app(services=services).test_client()}
    services_plain = replace(services, settings=plain)
    apps["plain"] = create_app(services=services_plain).test_client()
    caplog.set_level(logging.WARNING)
    return apps, caplog


def _check(response, caplog: pytest.LogCaptureFixture) -> None:
    assert response.status_code < 500, response.get_data(as_text=True)
    assert not [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR], caplog.text
    caplog.clear()


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@given(body=bodies(), encrypt=st.sampled_from(["no", "genuine", "any bytes"]),
       tamper=st.sampled_from([None, "signature", "nonce", "timestamp"]))
def test_no_body_behind_a_genuine_signature_breaks_the_gateway(fuzz_app, wechat: WeChatSide, body: bytes,
                                                                encrypt: str, tamper: str | None) -> None:
    apps, caplog = fuzz_app
    timestamp, nonce = str(int(wechat.now())), "n" + base64.b16encode(body[:4]).decode()
    params = {"signature": sign(wechat.settings.token, timestamp, nonce), "timestamp": timestamp,
              "nonce": nonce + str(len(body))}
    params["signature"] = sign(wechat.settings.token, timestamp, params["nonce"])
    if encrypt == "genuine":  # safe mode: the fuzzed bytes are what the genuine key decrypts
        cipher = PrpCrypto(wechat._crypto.key).encrypt(body.decode("utf-8", "replace"),
                                                         wechat.settings.appid).decode()
    elif encrypt == "any bytes":  # signed, but no ciphertext of ours: padding, length, all wrong
        cipher = base64.b64encode(body).decode()
    if encrypt != "no":
        params |= {"encrypt_type": "aes",
                   "msg_signature": sign(wechat.settings.token, timestamp, params["nonce"], cipher)}
        body = f"<xml><ToUserName>{ACCOUNT}</ToUserName><Encrypt>{cipher}</Encrypt></xml>".encode()
    if tamper:
        params[tamper] = params[tamper][::-1] + "x"
    app = apps["plain" if encrypt == "no" else "safe"]
    _check(app.post("/wechat", query_string=params, data=body), caplog)


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=st.dictionaries(st.sampled_from(["signature", "timestamp", "nonce", "msg_signature",
                                              "encrypt_type", "openid", "echostr"]), texts, max_size=7),
       body=st.binary(max_size=200), method=st.sampled_from(["GET", "POST", "PUT", "DELETE"]))
def test_any_query_string_and_method_is_answered_without_a_5xx(fuzz_app, query: dict[str, str],
                                                              body: bytes, method: str) -> None:
    apps, caplog = fuzz_app
    _check(apps["safe"].open("/wechat", method=method, query_string=query, data=body), caplog)
