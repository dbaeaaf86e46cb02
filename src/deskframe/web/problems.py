"""Errors of ``/api/`` paths as RFC 9457 ``application/problem+json``, whoever raised them.

The core's API routes answer problems themselves; this handler covers what reaches the app
as a Starlette :class:`~starlette.exceptions.HTTPException` instead: a plugin's API route
calling :func:`deskframe.accounts.web_routes.authenticate` (401), an unknown ``/api/`` path
(404) or method (405). Other paths keep Starlette's plain-text answers.
"""

from __future__ import annotations

import http

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response

#: The prefix of the paths answered with problems.
API_PREFIX = "/api/"


async def http_exception(request: Request, exc: Exception) -> Response:
    """The app's handler of :class:`HTTPException`: a problem under ``/api/``, plain text elsewhere."""
    assert isinstance(exc, HTTPException)
    headers = dict(exc.headers or {})
    if exc.status_code in (204, 304):
        return Response(status_code=exc.status_code, headers=headers)
    if not request.url.path.startswith(API_PREFIX):
        return PlainTextResponse(str(exc.detail), status_code=exc.status_code, headers=headers)
    title = http.HTTPStatus(exc.status_code).phrase
    body = {"type": "about:blank", "title": title, "status": exc.status_code, "detail": str(exc.detail), "errors": []}
    return JSONResponse(body, status_code=exc.status_code, headers=headers, media_type="application/problem+json")
