"""The Starlette app served by ``deskframe serve``: core routes plus plugins' routes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

if TYPE_CHECKING:
    from .desk import Desk

#: Sent with every response: pages never run scripts or get framed.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
                               "frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


async def healthz(request: Request) -> JSONResponse:
    desk: "Desk" = request.app.state.desk
    ok = desk.store.db.has_schema()
    return JSONResponse({"status": "ok" if ok else "no-schema"}, status_code=200 if ok else 503)


def create_app(desk: "Desk") -> Starlette:
    """Build the app: ``/healthz`` and every route the plugins registered."""
    routes = [Route("/healthz", healthz, methods=["GET"])]
    routes.extend(desk.plugins.registry.items("routes"))
    app = Starlette(routes=routes)
    app.state.desk = desk

    @app.middleware("http")
    async def security_headers(request: Request, call_next):  # type: ignore[no-untyped-def]
        response = await call_next(request)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    return app
