"""The reading link in a push: a token per retiree and month, so staff know who read it, no login.

The token is an HMAC of the retiree and the month under the office's secret: it cannot be made
up, and one person's token does not open another person's record or another month's.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from urllib.parse import urlencode

from bot.config import Settings

MAC_BYTES = 12  # 96 bits: far beyond guessing, short enough for a WeChat message


def secret(settings: Settings) -> bytes:
    """[study] link_secret, or one derived from the AppSecret when that is left empty."""
    if settings.study.link_secret:
        return settings.study.link_secret.encode()
    return hmac.new(settings.wechat.secret.encode(), b"yinling study links", hashlib.sha256).digest()


def make_token(key: bytes, retiree_id: int, month: str) -> str:
    """The token for this retiree's reading of this month's material."""
    return f"{retiree_id}.{_mac(key, retiree_id, month)}"


def read_token(key: bytes, token: str, month: str) -> int | None:
    """The retiree a token was made for, or None when it is forged or for another month."""
    number, _, mac = token.partition(".")
    if not (token.isascii() and number.isdigit()) or len(number) > 12:
        return None
    if not hmac.compare_digest(mac.encode(), _mac(key, int(number), month).encode()):
        return None
    return int(number)


def reading_url(settings: Settings, month: str, retiree_id: int | None) -> str:
    """The page of the month's material; with the retiree's token when we know who it is for."""
    base = f"{settings.public_url.rstrip('/')}/study/{month}"
    if retiree_id is None:
        return base
    return f"{base}?{urlencode({'t': make_token(secret(settings), retiree_id, month)})}"


def _mac(key: bytes, retiree_id: int, month: str) -> str:
    digest = hmac.new(key, f"{retiree_id}:{month}".encode(), hashlib.sha256).digest()[:MAC_BYTES]
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")
