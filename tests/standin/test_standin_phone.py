"""Mini-program phone numbers: getuserphonenumber with minted one-time codes."""

from __future__ import annotations

from collections.abc import Callable

import requests
from standin_helpers import Api, FakeClock

from bot.standin import StandinServer

PATH = "wxa/business/getuserphonenumber"
PHONE = "13800001234"


def test_a_minted_code_gives_the_number_once(api: Api, server: StandinServer,
                                             clock: FakeClock) -> None:
    code = server.mint_phone_code(PHONE)
    token = api.token()
    answer = api.post(PATH, {"code": code}, token)
    assert answer == {"errcode": 0, "errmsg": "ok", "phone_info": {
        "phoneNumber": PHONE, "purePhoneNumber": PHONE, "countryCode": "86",
        "watermark": {"timestamp": int(clock.now), "appid": "wx_sandbox_appid"}}}
    assert api.post(PATH, {"code": code}, token)["errcode"] == 40029  # used


def test_an_unknown_missing_or_stale_code_gets_40029(api: Api, server: StandinServer,
                                                     clock: FakeClock) -> None:
    token = api.token()
    assert api.post(PATH, {"code": "never-minted"}, token)["errcode"] == 40029
    assert api.post(PATH, {}, token)["errcode"] == 40029
    assert api.post(PATH, {"code": 12345}, token)["errcode"] == 40029
    stale = server.mint_phone_code(PHONE)
    clock.advance(299)
    fresh_enough = server.mint_phone_code(PHONE)
    clock.advance(1)
    assert api.post(PATH, {"code": stale}, token)["errcode"] == 40029  # five minutes are up
    assert api.post(PATH, {"code": fresh_enough}, token)["errcode"] == 0


def test_a_malformed_body_gets_the_usual_codes(api: Api) -> None:
    token = api.token()
    assert api.post(PATH, b"", token)["errcode"] == 44002
    assert api.post(PATH, b"{not json", token)["errcode"] == 47001


def test_the_call_needs_a_token(api: Api, server: StandinServer) -> None:
    assert api.post(PATH, {"code": server.mint_phone_code(PHONE)}, None)["errcode"] == 41001


def test_codes_can_be_minted_over_http(api: Api, http: requests.Session) -> None:
    code = api.get("_standin/phone-code", phone=PHONE)["code"]
    assert api.post(PATH, {"code": code}, api.token())["phone_info"]["purePhoneNumber"] == PHONE
    missing = http.get(api.server.base_url + "_standin/phone-code", timeout=5)
    assert missing.status_code == 400


def test_only_the_mini_programs_token_is_taken_when_it_is_its_own_app(
        make_api: Callable[..., Api]) -> None:
    api = make_api(mini_appid="wx_mini", mini_secret="mini_secret")
    code = api.server.mint_phone_code(PHONE)
    assert api.post(PATH, {"code": code}, api.token())["errcode"] == 48001  # the account's
    answer = api.post(PATH, {"code": code}, api.token("wx_mini", "mini_secret"))
    assert answer["phone_info"]["watermark"]["appid"] == "wx_mini"  # the refusal spent nothing


def test_reset_forgets_phone_codes(api: Api, server: StandinServer) -> None:
    code = server.mint_phone_code(PHONE)
    server.reset()
    assert api.post(PATH, {"code": code}, api.token())["errcode"] == 40029
