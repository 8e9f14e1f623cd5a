"""Passwords: hashed with argon2id (argon2-cffi's defaults, RFC 9106's low-memory profile), and
one-time passwords that read well aloud over the phone."""

from __future__ import annotations

import secrets
from itertools import pairwise

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_HASHER = PasswordHasher()
# Letters and digits nobody confuses when reading them out (no 0/o, 1/l/i).
_READABLE = "abcdefghjkmnpqrstuvwxyz23456789"
MIN_LENGTH = 8
# Passwords people choose first everywhere; the rules above do not catch them all.
COMMON = frozenset(("password", "passw0rd", "password1", "qwertyui", "qwerty123", "1qaz2wsx", "a1234567",
                    "abc12345", "abcd1234", "admin123", "woaini1314", "12341234", "11223344"))
# Hashed once, checked against when no account has the name: a wrong name takes as long as a
# wrong password, so timing does not tell which names exist.
_NOBODY = _HASHER.hash(secrets.token_hex(16))


def hash_password(password: str) -> str:
    """The stored form of a password."""
    return _HASHER.hash(password)


def matches(stored: str | None, password: str) -> bool:
    """True when password is the one stored (with stored None, spend the same time and say no)."""
    try:
        return _HASHER.verify(stored or _NOBODY, password) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


def one_time_password() -> str:
    """A new account's or a reset's password, to be changed at the first sign-in: xxxx-xxxx-xxxx."""
    return "-".join("".join(secrets.choice(_READABLE) for _ in range(4)) for _ in range(3))


def weakness(password: str, username: str) -> str | None:
    """Why a chosen password will not do, in a sentence; None when it will."""
    if len(password) < MIN_LENGTH:
        return f"密码至少 {MIN_LENGTH} 位。"
    if password.lower() == username.lower() or len(set(password)) < 4 or _in_a_row(password) \
            or password.lower() in COMMON:
        return "这个密码太容易猜到了，请换一个。"
    return None


def _in_a_row(password: str) -> bool:
    """「12345678」「87654321」「abcdefgh」: characters one after another."""
    steps = {ord(b) - ord(a) for a, b in pairwise(password)}
    return steps in ({1}, {-1})
