"""cgi-bin/stable_token as WeChat documents it: the same token while it has more than five
minutes left, a new one in the last five with the old still good to its end, force_refresh
ending the old at once, and isolation from cgi-bin/token both ways."""

from __future__ import annotations

from standin_helpers import Api, FakeClock

from bot.standin import StandinServer

SEND = "cgi-bin/tags/get"


def stable(api: Api, *, force: bool | None = None, secret: str | None = None) -> dict:
    settings = api.server.state.settings
    body = {"grant_type": "client_credential", "appid": settings.appid, "secret": secret or settings.secret}
    if force is not None:
        body["force_refresh"] = force
    return api.post("cgi-bin/stable_token", body, None)


def works(api: Api, token: str) -> bool:
    return "errcode" not in api.get(SEND, access_token=token)


def test_normal_mode_gives_the_same_token_until_its_last_five_minutes(api: Api, clock: FakeClock) -> None:
    first = stable(api)
    assert first["expires_in"] == 7200 and stable(api)["access_token"] == first["access_token"]
    clock.advance(7200 - 301)
    assert stable(api)["access_token"] == first["access_token"]
    clock.advance(2)  # inside the last five minutes: a new one, and the old still works
    second = stable(api)
    assert second["access_token"] != first["access_token"]
    assert works(api, first["access_token"]) and works(api, second["access_token"])
    clock.advance(300)
    assert not works(api, first["access_token"]) and works(api, second["access_token"])


def test_the_ordinary_token_and_the_stable_one_never_cut_each_other_short(api: Api) -> None:
    ours = stable(api)["access_token"]
    api.token()  # another system of the office fetches ordinary tokens, twice
    theirs = api.token()
    assert works(api, ours)
    stable(api)
    assert works(api, theirs)


def test_force_refresh_ends_the_old_token_at_once(api: Api) -> None:
    old = stable(api)["access_token"]
    new = stable(api, force=True)["access_token"]
    assert new != old and not works(api, old) and works(api, new)


def test_wrong_credentials_are_refused_as_by_cgi_bin_token(api: Api, server: StandinServer) -> None:
    assert stable(api, secret="wrong")["errcode"] == 40125
