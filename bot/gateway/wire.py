"""The WeChat wire format: signatures, freshness, safe XML, and the encrypted envelope."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from xml.parsers.expat import ExpatError, ParserCreate

from defusedxml import DefusedXmlException, DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden
from wechatpy.crypto import PrpCrypto, WeChatCrypto
from wechatpy.exceptions import InvalidAppIdException
from wechatpy.utils import WeChatSigner

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
    """The fields of a WeChat XML body (nested ones as dicts); no DTD, no entities, nothing malformed."""
    reader = _FieldReader()
    try:
        root, fields = reader.read(body)
    except DefusedXmlException as exc:
        raise Rejected(400, f"XML with a DOCTYPE or entity ({type(exc).__name__})") from exc
    except (ExpatError, ValueError, LookupError) as exc:  # LookupError: an unknown encoding
        raise Rejected(400, f"malformed XML ({type(exc).__name__})") from exc
    if root != "xml":
        raise Rejected(400, f"unexpected XML root <{root}>")
    return fields


class _FieldReader:
    """Reads a body straight into the shape xmltodict gives wechatpy: text for leaves, dicts for
    nested elements, a list where a tag repeats (a popup's several <List> entries, say). expat
    with defusedxml's refusals and no element tree: every message is read once, here."""

    def __init__(self) -> None:
        self._open: list[_Element] = []
        self._root = _Element("")

    def read(self, body: bytes | str) -> tuple[str, dict[str, Any]]:
        """The root's tag and its fields."""
        parser = ParserCreate()
        parser.buffer_text = True
        # defusedxml's refusals, as its own parsers set them: no DTD, so no entity either.
        parser.StartDoctypeDeclHandler = _no_doctype
        parser.EntityDeclHandler = _no_entity
        parser.UnparsedEntityDeclHandler = _no_unparsed_entity
        parser.ExternalEntityRefHandler = _no_external
        parser.StartElementHandler = self._start
        parser.EndElementHandler = self._end
        parser.CharacterDataHandler = self._text
        parser.Parse(body, True)
        return self._root.tag, self._root.fields or {}

    def _start(self, tag: str, _attributes: object) -> None:
        self._open.append(_Element(tag))

    def _text(self, text: str) -> None:
        if self._open:
            self._open[-1].text.append(text)

    def _end(self, _tag: str) -> None:
        element = self._open.pop()
        if not self._open:
            self._root = element
            return
        value: Any = element.fields if element.fields is not None else "".join(element.text)
        parent = self._open[-1]
        fields = parent.fields = parent.fields if parent.fields is not None else {}
        if element.tag not in fields:
            fields[element.tag] = value
        elif isinstance(fields[element.tag], list):
            fields[element.tag].append(value)
        else:
            fields[element.tag] = [fields[element.tag], value]


class _Element:
    """An element being read: its tag, its children's fields (None while it has none), its text."""

    __slots__ = ("fields", "tag", "text")

    def __init__(self, tag: str) -> None:
        self.tag = tag
        self.fields: dict[str, Any] | None = None
        self.text: list[str] = []


def _no_doctype(name: str, sysid: str | None, pubid: str | None, _internal: bool) -> None:
    raise DTDForbidden(name, sysid, pubid)


def _no_entity(name: str, _parameter: bool, value: str | None, base: str | None, sysid: str | None,
               pubid: str | None, notation: str | None) -> None:
    raise EntitiesForbidden(name, value, base, sysid, pubid, notation)


def _no_unparsed_entity(name: str, base: str | None, sysid: str | None, pubid: str | None,
                        notation: str | None) -> None:
    raise EntitiesForbidden(name, None, base, sysid, pubid, notation)


def _no_external(context: str, base: str | None, sysid: str | None, pubid: str | None) -> None:
    raise ExternalReferenceForbidden(context, base, sysid, pubid)


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
        self._cipher = (_Cipher(WeChatCrypto(settings.token, settings.encoding_aes_key, settings.appid).key)
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
        if not encrypted or xml == "success" or self._cipher is None:
            return xml
        encrypt = self._cipher.encrypt(xml, self._s.appid).decode()
        timestamp, nonce = str(int(self._now())), _random_text()
        return _ENVELOPE.format(encrypt=encrypt, signature=sign(self._s.token, timestamp, nonce, encrypt),
                                timestamp=timestamp, nonce=nonce)

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
        assert self._cipher is not None
        try:
            return self._cipher.decrypt(encrypt, self._s.appid)
        except InvalidAppIdException as exc:
            raise Rejected(403, "encrypted for another AppID") from exc
        except Exception as exc:  # bytes a stranger chose: any failure to decrypt them is theirs
            raise Rejected(400, f"cannot decrypt ({type(exc).__name__})") from exc


# The encrypted reply, as WeChat's 消息加解密 guide and wechatpy's encrypt_message write it.
_ENVELOPE = ("<xml><Encrypt><![CDATA[{encrypt}]]></Encrypt><MsgSignature><![CDATA[{signature}]]>"
             "</MsgSignature><TimeStamp>{timestamp}</TimeStamp><Nonce><![CDATA[{nonce}]]></Nonce></xml>")


class _Cipher(PrpCrypto):
    """wechatpy's message cipher, built once per account rather than once per message, with the
    random prefix every message starts with drawn from `secrets`, not `random`. Shared between
    threads: wechatpy's `cryptography` backend (pyproject.toml requires it) keeps only the key and
    IV, and each message gets an encryptor of its own (its pycryptodome backend would keep one
    CBC state, and could not be shared)."""

    def get_random_string(self) -> str:
        """16 random characters to put before the message."""
        return _random_text()


def _random_text() -> str:
    """16 characters no one can guess: a reply's nonce, a message's random prefix."""
    return secrets.token_hex(8)
