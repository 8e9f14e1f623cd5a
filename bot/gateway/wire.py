"""The WeChat wire format: signatures, freshness, safe XML, and the encrypted envelope."""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring
from wechatpy.crypto import PrpCrypto, WeChatCrypto
from wechatpy.exceptions import InvalidAppIdException
from wechatpy.utils import WeChatSigner, random_string

from bot.config import WeChatSettings


class Rejected(Exception):
    """The request is not a genuine, well-formed WeChat delivery; answered with `status`."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def sign(*parts: str) -> str:
    """WeChat's signature: sha1 over the sorted, concatenated parts."""
    signer = WeChatSigner()
    signer.add_data(*parts)
    return signer.signature


def _require(args: Mapping[str, str], *names: str) -> list[str]:
    missing = [n for n in names if not args.get(n)]
    if missing:
        raise Rejected(403, f"missing {', '.join(missing)}")
    return [args[n] for n in names]


def _same(expected: str, given: str) -> bool:
    # Constant time, so a forger learns nothing from how long a wrong signature takes.
    return hmac.compare_digest(expected.encode(), given.encode())


def first_delivery(store: Any, args: Mapping[str, str], raw: bytes, fresh_for: int) -> bool:
    """For a push kept without an inbound record (a report, a subscription event): True the first
    time its query string comes, False for WeChat's retry of it (the same body); Rejected when
    another body reuses the query string (a replay). Remembered in the shared store while the
    timestamp is fresh."""
    key, body = f"request:{args['timestamp']}:{args['nonce']}", hashlib.sha256(raw).hexdigest()
    if store.add(key, body, fresh_for):
        return True
    if store.get(key) != body:
        raise Rejected(403, "query string already used by another delivery")
    return False


def parse_xml(body: bytes | str) -> dict[str, Any]:
    """The top-level fields of a WeChat XML body; no DTD, no entities, nothing malformed."""
    try:
        root = fromstring(body, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise Rejected(400, f"XML with a DOCTYPE or entity ({type(exc).__name__})") from exc
    except (ParseError, ValueError, LookupError) as exc:  # LookupError: an unknown encoding
        raise Rejected(400, f"malformed XML ({type(exc).__name__})") from exc
    if root.tag != "xml":
        raise Rejected(400, f"unexpected XML root <{root.tag}>")
    return _fields(root)


def _fields(element: Any) -> dict[str, Any]:
    # The shape xmltodict gives wechatpy: text for leaves, dicts for nested elements, a list
    # where a tag repeats (a popup's several <List> entries, say).
    fields: dict[str, Any] = {}
    for child in element:
        value = _fields(child) if len(child) else (child.text or "")
        if child.tag not in fields:
            fields[child.tag] = value
        elif isinstance(fields[child.tag], list):
            fields[child.tag].append(value)
        else:
            fields[child.tag] = [fields[child.tag], value]
    return fields


@dataclass(frozen=True)
class Opened:
    """A verified request: the message's fields and whether the reply must be encrypted."""

    fields: dict[str, Any]
    encrypted: bool


class Wire:
    """Verifies, decrypts and seals messages for one account's settings."""

    def __init__(self, settings: WeChatSettings, now: Any = time.time) -> None:
        self._s = settings
        self._now = now
        self._crypto = (WeChatCrypto(settings.token, settings.encoding_aes_key, settings.appid)
                        if settings.mode != "plain" else None)

    def check_url(self, args: Mapping[str, str]) -> str:
        """The echostr to answer the server-URL handshake with, if the signature is right."""
        self.verify(args)
        return args.get("echostr", "")

    def verify(self, args: Mapping[str, str]) -> None:
        """Raise Rejected unless the query string is WeChat's signature, fresh: checked before a
        body is read, so a stranger's slow body never holds a worker."""
        self._check_signature(args)

    def open(self, args: Mapping[str, str], body: bytes) -> Opened:
        """The message's fields of a request whose query verify() accepted; Rejected otherwise."""
        outer = parse_xml(body)
        # In compat mode a body carrying <Encrypt> is verified and read encrypted even when the
        # query string drops encrypt_type: the plain fields beside it are covered by no signature.
        encrypted = self._s.mode == "safe" or (
            self._s.mode == "compat" and (args.get("encrypt_type") == "aes" or "Encrypt" in outer))
        if not encrypted:
            return Opened(outer, encrypted=False)
        # The decrypted message gets the same scrutiny as a plain one.
        return Opened(parse_xml(self._decrypt(args, outer)), encrypted=True)

    def seal(self, xml: str, encrypted: bool) -> str:
        """The response body: encrypted when the request was, `success` always as it is."""
        if not encrypted or xml == "success" or self._crypto is None:
            return xml
        return self._crypto.encrypt_message(xml, random_string(16), str(int(self._now())))

    def _check_signature(self, args: Mapping[str, str]) -> None:
        signature, timestamp, nonce = _require(args, "signature", "timestamp", "nonce")
        if len(timestamp) > 12 or len(nonce) > 64:  # WeChat's are 10 and about 10: kept per delivery
            raise Rejected(403, "timestamp or nonce too long")
        if not _same(sign(self._s.token, timestamp, nonce), signature):
            raise Rejected(403, "wrong signature")
        try:
            skew = abs(self._now() - int(timestamp))
        except ValueError as exc:
            raise Rejected(403, "timestamp is not a number") from exc
        if skew > self._s.max_clock_skew:
            raise Rejected(403, f"timestamp {int(skew)}s off")

    def _decrypt(self, args: Mapping[str, str], outer: dict[str, Any]) -> str:
        (msg_signature,) = _require(args, "msg_signature")
        encrypt = outer.get("Encrypt", "")
        if not encrypt:
            raise Rejected(400, "encrypted mode but no <Encrypt>")
        if not _same(sign(self._s.token, args["timestamp"], args["nonce"], encrypt), msg_signature):
            raise Rejected(403, "wrong msg_signature")
        assert self._crypto is not None
        try:
            return PrpCrypto(self._crypto.key).decrypt(encrypt, self._s.appid)
        except InvalidAppIdException as exc:
            raise Rejected(403, "encrypted for another AppID") from exc
        except Exception as exc:  # bytes a stranger chose: any failure to decrypt them is theirs
            raise Rejected(400, f"cannot decrypt ({type(exc).__name__})") from exc
