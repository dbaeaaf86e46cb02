"""API tokens: random secrets shown once; the store keeps only their SHA-256.

A token is ``dft_`` followed by 43 URL-safe characters (32 random bytes). Since it is
random and long, a plain SHA-256 is a safe way to keep it: nothing can be guessed from
the hash, and lookups by hash are one index probe. Sessions use the same scheme.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from ..bounds import check_duration
from ..errors import BadValue

#: What every token starts with (lets secret scanners and people recognise it).
PREFIX = "dft_"
#: The longest ``--expires`` accepted.
MAX_LIFETIME = dt.timedelta(days=3660)


def new_secret(prefix: str = PREFIX) -> str:
    """A fresh random secret: ``prefix`` + 32 random bytes, URL-safe base64."""
    return prefix + secrets.token_urlsafe(32)


def digest(secret: str) -> str:
    """The hex SHA-256 of a secret, as stored and looked up."""
    return hashlib.sha256(secret.encode("utf-8", "surrogateescape")).hexdigest()


def looks_like_token(text: str) -> bool:
    """True if ``text`` has the shape of a token (cheap check before a lookup)."""
    return text.startswith(PREFIX) and 20 <= len(text) <= 200 and text.isascii() and text.isprintable()


def parse_lifetime(text: str | None) -> dt.timedelta | None:
    """``--expires``: a duration such as ``90d``, ``12h``, ``2w`` (None or ``never``: no expiry)."""
    if text is None or text.strip().lower() == "never":
        return None
    from ..sla.durations import parse_duration

    try:
        value = check_duration(parse_duration(text), minimum=dt.timedelta(minutes=1), maximum=MAX_LIFETIME)
    except ValueError as exc:
        raise BadValue(f"--expires: {exc}") from None
    return value
