"""Logging helpers: personal identifiers never appear in full in a log line."""

from __future__ import annotations

import logging
import re

# Digits as a retiree may type them: ASCII or a Chinese keyboard's full-width ones (\d would also
# take other scripts' digits); groups may be split by a space or a dash, a mobile number may
# carry China's 86 in front.
_DIGIT = "[0-9０-９]"
_SPLIT = "[ \u3000\\-－]?"
_PHONE = re.compile(rf"(?<![0-9０-９])((?:[+＋]?(?:86|８６){_SPLIT})?[1１][3-9３-９]{_DIGIT}{_SPLIT})"
                    rf"{_DIGIT}{{4}}({_SPLIT}{_DIGIT}{{4}})(?![0-9０-９])")


def mask(openid: str) -> str:
    """An openid shortened so a log line can be told apart but not traced to a person."""
    if len(openid) <= 8:
        return "***"
    return f"{openid[:4]}***{openid[-3:]}"


def mask_phones(text: str) -> str:
    """Mobile numbers in free text with their middle four digits hidden."""
    return _PHONE.sub(r"\1****\2", text)


_ID_NUMBER = re.compile(rf"(?<![0-9０-９A-Za-z])({_DIGIT}{{6}}{_SPLIT}){_DIGIT}{{8}}"
                        rf"({_SPLIT}{_DIGIT}{{3}}[0-9０-９XxＸｘ])(?![0-9０-９A-Za-z])")


def mask_personal(text: str) -> str:
    """Free text with mobile numbers and ID card numbers (身份证号) masked, to keep or show."""
    return _ID_NUMBER.sub(r"\1********\2", mask_phones(text))


_QUERY = re.compile(r"\?[^\s'\")]*")


def describe_error(exc: BaseException) -> str:
    """An error as text safe to log or store: URLs lose their query strings, which carry the
    AppSecret or the access_token, and phone and ID card numbers are masked."""
    errcode = getattr(exc, "errcode", None)
    text = f"errcode {errcode}: {getattr(exc, 'errmsg', '')}" if errcode else str(exc)
    return mask_personal(_QUERY.sub("?…", f"{type(exc).__name__}: {text}"))[:500]


def configure(level: int = logging.INFO) -> None:
    """One plain log format for every process."""
    logging.basicConfig(level=level,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
