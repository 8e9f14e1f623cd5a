"""Logging helpers: personal identifiers never appear in full in a log line."""

from __future__ import annotations

import logging
import re

_PHONE = re.compile(r"(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)")


def mask(openid: str) -> str:
    """An openid shortened so a log line can be told apart but not traced to a person."""
    if len(openid) <= 8:
        return "***"
    return f"{openid[:4]}***{openid[-3:]}"


def mask_phones(text: str) -> str:
    """Mobile numbers in free text with their middle four digits hidden."""
    return _PHONE.sub(r"\1****\2", text)


_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])(\d{6})\d{8}(\d{3}[0-9Xx])(?![0-9A-Za-z])")


def mask_personal(text: str) -> str:
    """Free text with mobile numbers and ID card numbers (身份证号) masked, to keep or show."""
    return _ID_NUMBER.sub(r"\1********\2", mask_phones(text))


_QUERY = re.compile(r"\?[^\s'\")]*")


def describe_error(exc: BaseException) -> str:
    """An error as text safe to log or store: URLs lose their query strings, which carry the
    AppSecret or the access_token, and phone numbers are masked."""
    errcode = getattr(exc, "errcode", None)
    text = f"errcode {errcode}: {getattr(exc, 'errmsg', '')}" if errcode else str(exc)
    return mask_phones(_QUERY.sub("?…", f"{type(exc).__name__}: {text}"))[:500]


def configure(level: int = logging.INFO) -> None:
    """One plain log format for every process."""
    logging.basicConfig(level=level,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
