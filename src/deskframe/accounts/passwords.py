"""Passwords hashed with argon2id (``argon2-cffi``), verified, and rehashed when the parameters change.

A password is only ever held in memory: it is never logged, put in an error message or
printed. :func:`verify` spends the same work on an account without a password (or an
unknown one) as on a real check, so the answer's timing does not tell which accounts exist.
"""

from __future__ import annotations

import contextlib

import attrs
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from ..errors import BadValue

#: Shortest and longest password accepted (argon2 takes any length; a bound keeps hashing cheap).
MIN_LENGTH = 8
MAX_LENGTH = 1024


#: A hash no password matches in practice, verified when an account has none (same work as a real check).
DUMMY_HASH = "$argon2id$v=19$m=65536,t=3,p=4$EoPex4f/1/ipXCFpF7U47g$ExVI2wNFcYj9yURcYSyqmCDHV3bW2l+d3FEsyJSTnAc"


def hasher() -> PasswordHasher:
    """An argon2id hasher with argon2-cffi's recommended parameters (RFC 9106 low-memory profile)."""
    return PasswordHasher()


def check_password(password: str) -> str:
    """``password`` if it may be set: 8 to 1024 characters, not only spaces; else :class:`BadValue`.

    The message never contains the password."""
    if not isinstance(password, str) or not password.strip():
        raise BadValue("the password is empty")
    if len(password) < MIN_LENGTH:
        raise BadValue(f"the password is too short (at least {MIN_LENGTH} characters)")
    if len(password) > MAX_LENGTH:
        raise BadValue(f"the password is too long (at most {MAX_LENGTH} characters)")
    if "\x00" in password:
        raise BadValue("the password contains a NUL character")
    return password


def hash_password(password: str, ph: PasswordHasher | None = None) -> str:
    """The argon2id hash of a (checked) password, in PHC string form (``$argon2id$v=19$...``)."""
    return (ph or hasher()).hash(check_password(password))


@attrs.frozen
class Verdict:
    """The outcome of :func:`verify`: ``ok``, and ``new_hash`` when the stored hash should be
    replaced (the hasher's parameters changed since it was made)."""

    ok: bool
    new_hash: str | None = None


def verify(stored: str | None, password: str, ph: PasswordHasher | None = None, *, dummy: str = DUMMY_HASH) -> Verdict:
    """Check ``password`` against a stored hash (None: no password set, never matches; ``dummy``,
    a hash made with ``ph``'s parameters, is checked instead so the answer takes as long)."""
    ph = ph or hasher()
    if stored is None or not isinstance(password, str) or len(password) > MAX_LENGTH:
        with contextlib.suppress(VerificationError, InvalidHashError):  # same work as a real check
            ph.verify(dummy, password if isinstance(password, str) else "")
        return Verdict(False)
    try:
        ph.verify(stored, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return Verdict(False)
    return Verdict(True, ph.hash(password) if ph.check_needs_rehash(stored) else None)
