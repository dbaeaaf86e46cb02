"""Signed session cookies and session-bound CSRF tokens (HMAC-SHA256 with the ``[web]`` key).

The cookie holds ``SECRET.SIGNATURE``: ``SECRET`` is the session's random secret (its
SHA-256 is the session's key in the database) and ``SIGNATURE`` its HMAC. A cookie whose
signature does not match is refused before the database is asked. The CSRF token of a
session is another HMAC of the same secret: a page gets it from the login answer (or
:func:`csrf_token`) and sends it back with every change as the ``X-CSRF-Token`` header or
the ``csrf_token`` form field.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

#: The cookie's name.
COOKIE_NAME = "deskframe_session"
#: The header and the form field that carry the CSRF token.
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"


def _mac(key: bytes, purpose: str, secret: str) -> str:
    digest = hmac.new(key, f"{purpose}:{secret}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def sign(key: bytes, secret: str) -> str:
    """The cookie value of a session secret: ``SECRET.SIGNATURE``."""
    return f"{secret}.{_mac(key, 'session', secret)}"


def unsign(key: bytes, value: str | None) -> str | None:
    """The session secret of a cookie value, or None when it is missing, malformed or its signature is wrong."""
    if not value or len(value) > 200 or not value.isascii():
        return None
    secret, dot, signature = value.rpartition(".")
    if not dot or not secret:
        return None
    if not hmac.compare_digest(signature, _mac(key, "session", secret)):
        return None
    return secret


def csrf_token(key: bytes, secret: str) -> str:
    """The CSRF token bound to a session secret."""
    return _mac(key, "csrf", secret)


def csrf_ok(key: bytes, secret: str, token: str | None) -> bool:
    """True if ``token`` is the CSRF token of the session."""
    if not token or not isinstance(token, str) or not token.isascii():
        return False
    return hmac.compare_digest(token, csrf_token(key, secret))
