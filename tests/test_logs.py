"""Personal identifiers never appear in full in the logs."""

from __future__ import annotations

import logging

import pytest

from bot.logs import describe_error, mask, mask_personal, mask_phones
from tests.gateway.slow import SlowCapability
from tests.helpers import OPENID, Chat


def test_openids_and_phone_numbers_are_masked() -> None:
    assert mask("o_test_retiree_0001") == "o_te***001"
    assert mask("short") == "***"
    assert mask_phones("家属电话 13912345678，座机 010-1234") == "家属电话 139****5678，座机 010-1234"


@pytest.mark.parametrize(("written", "kept"), [
    ("139 1234 5678", "139 **** 5678"),
    ("139-1234-5678", "139-****-5678"),
    ("+86 13912345678", "+86 139****5678"),
    ("8613912345678", "86139****5678"),
    ("１３９１２３４５６７８", "１３９****５６７８"),  # typed with a Chinese keyboard's full-width digits
    ("身份证 110101 19490101 123X", "身份证 110101 ******** 123X"),
    ("身份证１１０１０１１９４９０１０１１２３４", "身份证１１０１０１********１２３４"),
])
def test_numbers_are_masked_however_a_retiree_types_them(written: str, kept: str) -> None:
    assert mask_personal(f"我的号码{written}，请回电") == f"我的号码{kept}，请回电"


def test_an_error_kept_or_logged_carries_no_secret_and_no_personal_number() -> None:
    error = ValueError("GET https://api.weixin.qq.com/cgi-bin/token?secret=abc failed for 李华 "
                       "13912345678 110101194807150012")
    described = describe_error(error)
    assert "secret=abc" not in described and "13912345678" not in described
    assert "110101194807150012" not in described and "110101********0012" in described


def test_other_numbers_are_left_alone() -> None:
    text = "座机 010-1234，2026年12月3日，编号 20261203，金额 12345678 元"
    assert mask_personal(text) == text


def test_log_lines_about_a_user_never_carry_their_openid(settings, clock, wechat,
                                                        caplog: pytest.LogCaptureFixture) -> None:
    from bot.services import build_services

    services = build_services(settings, clock=clock)
    try:
        chat = Chat(SlowCapability(delay=0).client(services), wechat)
        unknown = (f"<xml><ToUserName>gh</ToUserName><FromUserName>{OPENID}</FromUserName>"
                   "<CreateTime>1</CreateTime><MsgType>hologram</MsgType><MsgId>9</MsgId></xml>")
        with caplog.at_level(logging.INFO):
            chat.say("出错")  # a handler bug, logged with its traceback
            chat.send(unknown)
            chat.send(wechat.event(OPENID, "CLICK", key="出错"))  # an event: keyed by openid
    finally:
        services.close()
    text = "\n".join(r.getMessage() + (r.exc_text or "") for r in caplog.records)
    assert "o_te***001" in text
    assert OPENID not in text
