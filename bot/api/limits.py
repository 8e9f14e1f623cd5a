"""How often one address and one login may call the API, counted in the shared store so that
every worker sees the same counts: beyond a limit, a 429 with when to try again."""

from __future__ import annotations

import hashlib
import ipaddress

from flask import request

from bot.api.spec import PREFIX, Refused, bearer_token, blueprint, services

# (calls, seconds): generous for a person tapping, tight for a script.
PER_ADDRESS = (300, 60)
PER_LOGIN = (120, 60)
LOGINS_PER_ADDRESS = (20, 60)  # POST /session calls WeChat: fewer


@blueprint.before_request
def within_limits() -> None:
    """Count this call for its address, its login and (logging in) its address's logins."""
    address = client_address()
    _count("address", address, PER_ADDRESS)
    if request.path == f"{PREFIX}/session" and request.method == "POST":
        _count("logins", address, LOGINS_PER_ADDRESS)
    if token := bearer_token():
        _count("login", hashlib.sha256(token.encode()).hexdigest()[:32], PER_LOGIN)


def client_address() -> str:
    """Who is calling: the address the proxy in front of us saw (the last X-Forwarded-For entry,
    which nginx appends) when the call comes from a proxy on this machine; else the caller's own."""
    own = request.remote_addr or ""
    forwarded = request.headers.get("X-Forwarded-For", "")
    try:
        local = ipaddress.ip_address(own).is_loopback
    except ValueError:
        local = False
    return forwarded.split(",")[-1].strip() if local and forwarded else own


def _count(kind: str, who: str, limit: tuple[int, int]) -> None:
    calls, seconds = limit
    if services().store.count(f"api-rate:{kind}:{who}", ttl=seconds) > calls:
        raise Refused(429, "rate_limited", "操作太频繁了，请过一分钟再试。", retry_after=seconds)
