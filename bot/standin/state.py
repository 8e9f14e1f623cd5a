"""The stand-in platform's in-memory state, guarded by one lock."""

from __future__ import annotations

import secrets
import threading
from collections import deque
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.config import WeChatSettings
from bot.standin.records import Call, MassJob, PhoneCode, Tag, Token, Window, WxaCode
from bot.standin.reports import ReportPusher
from bot.standin.settings import StandinSettings

# WeChat counts calendar months in China time.
SHANGHAI = ZoneInfo("Asia/Shanghai")

# msg_sec_check's verdicts, mildest first: "建议，有risky、pass、review三种值"
# https://developers.weixin.qq.com/miniprogram/dev/server/API/sec-center/sec-check/api_msgseccheck.html
SEC_SUGGESTS = ("pass", "review", "risky")

# Where each id sequence starts; distinct ranges make a mixed-up id easy to spot.
_SEQUENCE_STARTS = {"call": 1, "tag": 100, "msgid": 200_000, "mass": 300_000,
                    "msg_data": 400_000}


def month_of(timestamp: float) -> str:
    """The calendar month ("2024-05") of `timestamp`, in China time."""
    return datetime.fromtimestamp(timestamp, SHANGHAI).strftime("%Y-%m")


def _report_pusher(settings: StandinSettings) -> ReportPusher | None:
    if not settings.report_to:
        return None
    account = WeChatSettings(appid=settings.appid, token=settings.report_token,
                             encoding_aes_key=settings.report_aes_key,
                             mode="safe" if settings.report_aes_key else "plain")
    return ReportPusher(settings.report_to, account, now=settings.now)


class StandinState:
    """Everything the platform remembers; take `lock` before touching any of it."""

    def __init__(self, settings: StandinSettings) -> None:
        self.settings = settings
        self.lock = threading.RLock()
        self.reports = _report_pusher(settings)
        self._clear()

    def _clear(self) -> None:
        self.call_log: list[Call] = []
        self.tokens: dict[str, Token] = {}
        self.windows: dict[str, Window] = {}
        self.followers: dict[str, float] = {}  # openid -> when they followed
        self.tags: dict[int, Tag] = {}
        self.mass_jobs: list[MassJob] = []
        self.mass_received: dict[tuple[str, str], int] = {}
        self.wxa_codes: dict[str, WxaCode] = {}
        self.wxa_blocked: set[str] = set()  # openids barred from the mini-program (40226)
        # (openid, template id) → subscribe messages the user still allows (their panel's accepts)
        self.subscribe_grants: dict[tuple[str, str], int] = {}
        self.wxa_visits: dict[str, float] = {}  # openid -> when they last opened the mini-program
        self.phone_codes: dict[str, PhoneCode] = {}
        self.sec_words: dict[str, str] = {}  # word -> the suggest msg_sec_check gives text holding it
        self.unionids: dict[str, str] = {}  # openid (of either app) -> unionid
        self.minute_hits: dict[str, deque[float]] = {}
        self._sequences = dict(_SEQUENCE_STARTS)

    def now(self) -> float:
        """The platform clock."""
        return self.settings.now()

    def next_id(self, kind: str) -> int:
        """The next id in the `kind` sequence."""
        with self.lock:
            value = self._sequences[kind]
            self._sequences[kind] = value + 1
            return value

    def record(self, **fields: Any) -> Call:
        """Log one call; `fields` are Call's fields except id."""
        with self.lock:
            call = Call(id=self.next_id("call"), **fields)
            self.call_log.append(call)
            return call

    def calls(self, path: str | None = None, openid: str | None = None,
              since: int = 0) -> list[Call]:
        """Logged calls after id `since`, optionally only to `path` or addressing `openid`."""
        path = path.lstrip("/") if path else None
        with self.lock:
            return [call for call in self.call_log
                    if call.id > since and (path is None or call.path == path)
                    and (openid is None or openid in call.openids)]

    def follow(self, openid: str, at: float | None = None) -> None:
        """Make `openid` a follower of the account (from `at`, default now, unless already)."""
        with self.lock:
            self.followers.setdefault(openid, self.now() if at is None else at)

    def open_window(self, openid: str, at: float | None = None) -> Window:
        """The user just messaged the account: open a fresh window with a full quota."""
        with self.lock:
            opened = self.now() if at is None else at
            self.follow(openid, at=opened)
            window = Window(opened, opened + self.settings.custom_window_hours * 3600)
            self.windows[openid] = window
            return window

    def expire_tokens(self) -> int:
        """Make every issued token expire now; returns how many there were."""
        with self.lock:
            now = self.now()
            for token in self.tokens.values():
                token.expires_at = min(token.expires_at, now)
            return len(self.tokens)

    def grant_subscribe(self, openid: str, template_id: str, count: int = 1) -> None:
        """The user accepted `template_id` in a subscribe panel `count` times (one message each)."""
        with self.lock:
            key = (openid, template_id)
            self.subscribe_grants[key] = self.subscribe_grants.get(key, 0) + count

    def subscribe_panel(self, openid: str, choices: dict[str, str], count: int = 1) -> None:
        """A follower of the account chose in a 订阅通知 panel (template id → accept or reject):
        the accepted are granted (`count` messages each), and the choices are posted to the
        server URL as WeChat does (subscribe_msg_popup_event)."""
        for template_id, choice in choices.items():
            if choice == "accept":
                self.grant_subscribe(openid, template_id, count)
        if self.reports is not None:
            self.reports.push_event(f"subscribe panel of {openid}",
                                    self.reports.side.subscribe_panel(openid, choices))

    def change_subscriptions(self, openid: str, choices: dict[str, str]) -> None:
        """A follower switched 订阅通知 templates in the account's settings (template id → accept
        or reject): a rejected one loses its grants, and WeChat posts the change to the server URL
        (subscribe_msg_change_event)."""
        with self.lock:
            for template_id, choice in choices.items():
                if choice == "reject":
                    self.subscribe_grants.pop((openid, template_id), None)
        if self.reports is not None:
            self.reports.push_event(f"subscription settings of {openid}",
                                    self.reports.side.subscribe_panel(openid, choices, changed=True))

    def mint_wxa_code(self, openid: str) -> str:
        """A one-time login code that jscode2session will exchange for `openid`."""
        with self.lock:
            code = secrets.token_urlsafe(24)
            self.wxa_codes[code] = WxaCode(code, openid, self.now())
            return code

    def visit_wxa(self, openid: str, at: float | None = None) -> None:
        """`openid` opened the mini-program (what msg_sec_check's 61010 looks at)."""
        with self.lock:
            self.wxa_visits[openid] = self.now() if at is None else at

    def mint_phone_code(self, phone: str) -> str:
        """A one-time code that getuserphonenumber will exchange for `phone` (a mainland number)."""
        with self.lock:
            code = secrets.token_hex(32)  # the docs' example code is 64 hex digits
            self.phone_codes[code] = PhoneCode(code, phone, self.now())
            return code

    def set_sec_words(self, words: Mapping[str, str]) -> None:
        """Replace the words msg_sec_check reacts to: word -> "review" or "risky" (or "pass")."""
        unknown = [suggest for suggest in words.values() if suggest not in SEC_SUGGESTS]
        if unknown or not all(isinstance(word, str) and word for word in words):
            raise ValueError(f"each word must map to one of {SEC_SUGGESTS}, not {unknown}")
        with self.lock:
            self.sec_words = dict(words)

    def link_unionid(self, openid: str, unionid: str) -> None:
        """Give `openid` (of the account or the mini-program) the open-platform `unionid`."""
        with self.lock:
            self.unionids[openid] = unionid

    def mass_count(self, openid: str, month: str | None = None) -> int:
        """Mass messages `openid` received in `month` ("YYYY-MM"; default this month)."""
        with self.lock:
            return self.mass_received.get((openid, month or month_of(self.now())), 0)

    def tags_of(self, openid: str) -> list[int]:
        """The ids of the tags `openid` carries."""
        with self.lock:
            return [tag.id for tag in self.tags.values() if openid in tag.members]

    def reset(self) -> None:
        """Forget everything: calls, tokens, windows, tags, mass counts, codes, words, unionids."""
        with self.lock:
            self._clear()
