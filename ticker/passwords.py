"""Passwords: Argon2id hashes, and the rules a new password must pass.

The rules follow NIST SP 800-63B: a minimum length and a check against passwords known to be
common (zxcvbn's list of 30,000), no composition rules. Hashing is argon2-cffi's defaults
(Argon2id, RFC 9106's low-memory profile), re-hashed on sign-in when those defaults move.
"""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 12
_hasher = PasswordHasher()


class PasswordRejected(ValueError):
    """A new password that the rules refuse; the message says which rule."""


@cache
def _common() -> frozenset[str]:
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])


def check(password: str, email: str = "") -> None:
    """Raise PasswordRejected unless the password may be used for this account."""
    if len(password) < MIN_LENGTH:
        raise PasswordRejected(f"a password needs at least {MIN_LENGTH} characters")
    lowered = password.lower()
    if lowered in _common() or lowered.rstrip("0123456789!") in _common():
        raise PasswordRejected("that password is one of the most common ones; choose another")
    local = email.partition("@")[0].lower()
    if len(local) >= 4 and local in lowered:
        raise PasswordRejected("a password must not contain the account's name")
    if len(set(password)) < 4:
        raise PasswordRejected("a password must not repeat so few characters")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify(stored: str | None, password: str) -> bool:
    """True if the password matches; a missing or damaged hash matches nothing."""
    if not stored:
        _hasher.hash(password)  # the same time as a real check: no account enumeration
        return False
    try:
        return _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    return _hasher.check_needs_rehash(stored)
