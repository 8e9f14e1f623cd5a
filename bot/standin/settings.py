"""How the stand-in platform behaves: credentials, token life, quotas and limits."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

MASS_SEND_PATHS = ("cgi-bin/message/mass/sendall", "cgi-bin/message/mass/send")


def _default_minute_limits() -> dict[str, int]:
    return dict.fromkeys(MASS_SEND_PATHS, 60)


@dataclass
class StandinSettings:
    """Knobs for the stand-in; defaults follow the real platform where it publishes a number."""

    appid: str = "wx_sandbox_appid"
    secret: str = "sandbox_secret"
    # The mini-program is its own app at WeChat, with its own appid, secret and access_token.
    # "" (or the account's appid) lets the account's app play it too, as the sandbox's config
    # has done: then one app's tokens serve both.
    mini_appid: str = ""
    mini_secret: str = ""
    token_ttl: int = 7200
    # The real platform keeps the previous token valid for 5 minutes after a new one is issued.
    token_overlap: int = 300
    custom_window_hours: int = 48
    # Since 2023-06 a user's message allows 5 customer-service messages within 48 h (was 20).
    custom_quota: int = 5
    minute_limits: dict[str, int] = field(default_factory=_default_minute_limits)
    default_minute_limit: int = 6000
    template_ids: set[str] | None = None
    max_tags: int = 100
    max_tags_per_user: int = 20
    # A service account's follower receives at most 4 mass messages per calendar month.
    mass_per_month: int = 4
    tag_page_size: int = 10000
    wxa_code_ttl: int = 300
    # getPhoneNumber: "每个 code 只能使用一次，code 的有效期为 5min"
    # https://developers.weixin.qq.com/miniprogram/dev/server/API/user-info/phone-number/api_getphonenumber.html
    phone_code_ttl: int = 300
    # msg_sec_check wants an openid that "需在近两小时访问过小程序" (61010 otherwise; 7200 s),
    # https://developers.weixin.qq.com/miniprogram/dev/server/API/sec-center/sec-check/api_msgseccheck.html
    # The stand-in sees a visit only as a login (jscode2session) or visit_wxa(), not as a user
    # opening the mini-program on a kept session, so the check is off (0) unless asked for.
    wxa_visit_window: int = 0
    latency: float = 0.0
    # Where template messages' delivery reports go (the account's /wechat), signed with the
    # account's token, and encrypted with its EncodingAESKey when one is given; "": nowhere.
    report_to: str = ""
    report_token: str = ""
    report_aes_key: str = ""
    now: Callable[[], float] = time.time

    @property
    def mini_app(self) -> tuple[str, str]:
        """The mini-program's appid and secret (the account's when it has none of its own)."""
        if self.mini_appid and self.mini_appid != self.appid:
            return self.mini_appid, self.mini_secret
        return self.appid, self.secret

    def secret_of(self, appid: str) -> str | None:
        """The secret of the app `appid` (the account or the mini-program), None if unknown."""
        # Read on every call: tests rotate a secret on a running stand-in.
        return {self.appid: self.secret, self.mini_app[0]: self.mini_app[1]}.get(appid)

    def minute_limit(self, path: str) -> int:
        """Calls per rolling minute allowed on `path`."""
        return self.minute_limits.get(path, self.default_minute_limit)
