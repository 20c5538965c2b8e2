"""Staff passwords: argon2id hashes, the rules a new password must meet, nothing else.

Hashes are argon2id (argon2-cffi) with RFC 9106's second recommended ("low memory") profile:
time cost 3, memory 64 MiB, parallelism 4, 16-byte salt, 32-byte hash. The parameters travel
inside each hash, so a hash made under older parameters still verifies, and `needs_rehash`
tells the sign-in to store a fresh one. A password is never stored, logged or returned; only
its hash leaves this module.
"""

from __future__ import annotations

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError

from deskapp.errors import ValidationError

MIN_LENGTH = 10
"""A password has at least this many characters."""
MAX_LENGTH = 1024
"""... and at most this many (argon2 takes any length; this bounds the work a request costs)."""

_hasher = PasswordHasher.from_parameters(profiles.RFC_9106_LOW_MEMORY)
_DUMMY_HASH = (
    "$argon2id$v=19$m=65536,t=3,p=4$7zBGxAxbj/rtBo2QhDcqqw"
    "$vnB0OEQyez0q2Ctseb8eBUVjq+2Qlv79aPLkp5C1zFk"
)
"""Verified against when there is no hash, so an unknown username costs as long as a known one
(made once with today's parameters; a constant, so importing this module hashes nothing)."""


def check_rules(username: str, password: str) -> None:
    """Raise ValidationError("password", ...) unless `password` may be used by `username`."""
    if len(password) < MIN_LENGTH:
        raise ValidationError("password", f"A password needs at least {MIN_LENGTH} characters.")
    if len(password) > MAX_LENGTH:
        raise ValidationError("password", f"A password has at most {MAX_LENGTH} characters.")
    if password.strip().casefold() == username.strip().casefold():
        raise ValidationError("password", "A password cannot be the username.")


def hash_password(password: str) -> str:
    """The argon2id hash to store for `password` (a fresh salt each time)."""
    return _hasher.hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    """Whether `password` matches `stored_hash`; False for an empty or unreadable hash.

    Takes as long for a missing hash as for a real one (an unknown user looks like a known one).
    """
    usable = bool(stored_hash) and len(password) <= MAX_LENGTH
    try:
        return (
            _hasher.verify(stored_hash if usable else _DUMMY_HASH, password[:MAX_LENGTH]) and usable
        )
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    """Whether `stored_hash` was made with other parameters than today's."""
    try:
        return _hasher.check_needs_rehash(stored_hash)
    except InvalidHashError:
        return True
