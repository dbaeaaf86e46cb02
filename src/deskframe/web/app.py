"""The Starlette app served by ``deskframe serve``: core routes plus plugins' routes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.applications import Starlette
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

if TYPE_CHECKING:
    from ..desk import Desk

#: Sent with every response. Pages run only deskframe's own script files (``/static/``: htmx;
#: no inline script, no eval), are never framed by another site, and a mail's HTML shown in a
#: ``srcdoc`` iframe inherits this policy on top of its ``sandbox`` (no ``allow-scripts``).
#: Inline styles stay allowed for sanitised mail HTML; images only from the desk or ``data:``.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; frame-src 'self'; object-src 'none'; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


async def healthz(request: Request) -> JSONResponse:
    desk: Desk = request.app.state.desk
    ok = desk.store.db.has_schema()
    return JSONResponse({"status": "ok" if ok else "no-schema"}, status_code=200 if ok else 503)


def create_app(desk: Desk) -> Starlette:
    """Build the app: ``/healthz``, sign-in (``/login``, ``/portal/login``, ``/logout``), the
    REST API (``/api/v1``, :mod:`.api`), its document (``/api/openapi.json``, ``/api/docs``),
    the agent pages (:mod:`.pages`), the customer portal (:mod:`.portal`), ``/static/`` and
    every route the plugins registered.

    Middleware, outermost first: security headers; CORS for ``/api/`` when ``[web] cors_origins``
    names origins; the ``[web] max_body`` cap on request bodies."""
    from ..accounts.settings import web_settings
    from ..accounts.web_routes import account_routes, attach
    from .api import routes as api_routes
    from .api.docs_page import api_docs
    from .api.openapi import openapi_json
    from .body_limit import BodyLimit
    from .cors import ApiCors
    from .pages import routes as pages
    from .portal.routes import portal_routes
    from .problems import http_exception

    settings = web_settings(desk.config)
    routes: list[BaseRoute] = [
        Route("/healthz", healthz, methods=["GET"]),
        *account_routes(),
        *api_routes(desk),
        Route("/api/openapi.json", openapi_json, methods=["GET"]),
        Route("/api/docs", api_docs, methods=["GET"]),
        *pages.page_routes(),
        *portal_routes(),
    ]
    routes.extend(desk.plugins.registry.items("routes"))
    middleware = [Middleware(SecurityHeaders)]
    if settings.cors_origins:
        middleware.append(Middleware(ApiCors, origins=settings.cors_origins))
    middleware.append(Middleware(BodyLimit, max_body=settings.max_body))
    handlers = {HTTPException: http_exception, **pages.exception_handlers()}
    app = Starlette(routes=routes, middleware=middleware, exception_handlers=handlers)
    app.state.desk = desk
    attach(app, desk)
    pages.attach(app, desk)
    return app


class SecurityHeaders:
    """ASGI middleware adding :data:`SECURITY_HEADERS` to every HTTP response."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    if name not in headers:
                        headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)
