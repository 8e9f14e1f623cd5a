"""Plain records of what the stand-in platform holds."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Call:
    """One API request as the platform saw it, and what it answered."""

    id: int
    time: float
    method: str
    path: str
    query: dict[str, str]
    body: Any
    openids: list[str]
    response: dict[str, Any]
    status: int = 200
    # Who a message actually reached (a mass send skips users over their monthly cap).
    delivered: list[str] = field(default_factory=list)
    # A template message's lines as the phone shows them (2023 rules), for "what the retiree saw".
    shown: list[str] = field(default_factory=list)

    @property
    def errcode(self) -> int:
        """The answer's errcode (0 when it carried none)."""
        return int(self.response.get("errcode", 0))

    def to_dict(self) -> dict[str, Any]:
        """The call as JSON-ready data."""
        return asdict(self)


@dataclass
class Token:
    """An issued access_token."""

    value: str
    issued_at: float
    expires_at: float
    superseded_at: float | None = None
    appid: str = ""  # the app it was issued to: the account's or the mini-program's
    stable: bool = False  # from cgi-bin/stable_token: isolated from cgi-bin/token's


@dataclass
class Window:
    """A user's customer-service window, opened by their last message."""

    opened_at: float
    expires_at: float
    used: int = 0


@dataclass
class Tag:
    """A user tag and its members, in tagging order."""

    id: int
    name: str
    members: dict[str, None] = field(default_factory=dict)


@dataclass
class WxaCode:
    """A mini-program login code (what wx.login() hands the client)."""

    code: str
    openid: str
    minted_at: float
    used: bool = False


@dataclass
class PhoneCode:
    """A one-time code for the user's phone number (what the getPhoneNumber button hands the
    mini-program)."""

    code: str
    phone: str
    minted_at: float
    used: bool = False


@dataclass
class MassJob:
    """One accepted mass send."""

    msg_id: int
    msg_data_id: int
    clientmsgid: str | None
    audience: list[str]
    delivered: list[str]
    time: float
