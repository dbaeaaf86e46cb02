"""``[web] cors_origins``: CORS for the API only (``/api/``), off unless origins are configured.

The listed origins' pages may call the API from a browser with a Bearer token (no cookies
cross origins: credentials are not allowed). Every other path is served as if CORS were off.
"""

from __future__ import annotations

from collections.abc import Sequence

from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

#: The prefix of the paths CORS applies to.
API_PREFIX = "/api/"
#: What a cross-origin page may send and read.
ALLOW_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
ALLOW_HEADERS = ("Authorization", "Content-Type", "X-CSRF-Token")
EXPOSE_HEADERS = ("Content-Disposition", "Location", "Retry-After")


class ApiCors:
    """Starlette's :class:`CORSMiddleware` for paths under :data:`API_PREFIX`; others pass straight through."""

    def __init__(self, app: ASGIApp, origins: Sequence[str]):
        self.app = app
        self.cors = CORSMiddleware(
            app,
            allow_origins=list(origins),
            allow_methods=list(ALLOW_METHODS),
            allow_headers=list(ALLOW_HEADERS),
            expose_headers=list(EXPOSE_HEADERS),
            allow_credentials=False,
            max_age=600,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith(API_PREFIX):
            await self.cors(scope, receive, send)
        else:
            await self.app(scope, receive, send)
