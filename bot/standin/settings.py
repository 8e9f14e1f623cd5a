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
    latency: float = 0.0
    # Where template messages' delivery reports go (the account's /wechat), signed with the
    # account's token, and encrypted with its EncodingAESKey when one is given; "": nowhere.
    report_to: str = ""
    report_token: str = ""
    report_aes_key: str = ""
    now: Callable[[], float] = time.time

    def minute_limit(self, path: str) -> int:
        """Calls per rolling minute allowed on `path`."""
        return self.minute_limits.get(path, self.default_minute_limit)
