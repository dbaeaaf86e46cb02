"""Pages behind an unguessable link (an invoice, an account review): the headers they carry
and the one answer for a token that opens nothing.

A malformed token is still looked up, as :data:`NEVER` (a value no token can equal), so a
wrong and a malformed token take the same path and the same time.
"""

from __future__ import annotations

import re

from starlette.responses import PlainTextResponse, Response

#: ``secrets.token_urlsafe`` alphabet and lengths.
TOKEN = re.compile(r"[A-Za-z0-9_-]{16,128}")
#: Looked up instead of a malformed token: not in the token alphabet, so it matches nothing.
NEVER = "!" * 32
#: Inline styles and nothing else.
CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'none'; frame-ancestors 'none'; "
    "base-uri 'none'; form-action 'none'"
)
#: Sent with every answer of a link page.
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "private, no-store",
    "X-Robots-Tag": "noindex, nofollow",
    "Referrer-Policy": "no-referrer",
}


def lookup_token(raw: str) -> str:
    """The token to look up: ``raw`` if it has a token's shape, else :data:`NEVER`."""
    return raw if TOKEN.fullmatch(raw) else NEVER


def not_found() -> Response:
    """The one answer for every token that opens nothing."""
    return PlainTextResponse("Not Found", status_code=404, headers=HEADERS)
