"""The routes of the agent pages and of the static files, mounted by :func:`deskframe.web.create_app`."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from .render import WEB_DIR


def static_mount() -> Mount:
    """``/static/``: the pages' CSS and the vendored htmx (package data ``deskframe/web/static``)."""
    return Mount("/static", app=StaticFiles(directory=WEB_DIR / "static"), name="static")


def page_routes() -> list[BaseRoute]:
    """Every agent page (the portal adds its own)."""
    from . import admin_pages, auth_pages, customer_page, ticket_actions, ticket_page, tickets_list

    return [
        Route("/login", auth_pages.login_page, methods=["GET"]),
        Route("/logout", auth_pages.logout_page, methods=["GET"]),
        Route("/language", auth_pages.choose_language, methods=["POST"]),
        Route("/", home, methods=["GET"]),
        Route("/tickets", tickets_list.ticket_list, methods=["GET"]),
        Route("/tickets/rows", tickets_list.ticket_rows, methods=["GET"]),
        Route("/tickets/{number}", ticket_page.ticket_view, methods=["GET"]),
        Route("/tickets/{number}/articles/{article_id:int}/html", ticket_page.article_html, methods=["GET"]),
        Route("/tickets/{number}/{action}", ticket_actions.ticket_action, methods=["POST"]),
        Route("/customers/{key}", customer_page.customer_view, methods=["GET"]),
        Route("/admin/agents", admin_pages.agents_page, methods=["GET"]),
        Route("/admin/queues", admin_pages.queues_page, methods=["GET"]),
        Route("/admin/tokens", admin_pages.tokens_page, methods=["GET"]),
        Route("/admin/tokens", admin_pages.token_create, methods=["POST"]),
        Route("/admin/tokens/{token_id:int}/revoke", admin_pages.token_revoke, methods=["POST"]),
        static_mount(),
    ]


async def home(request: Request) -> Response:
    """``GET /``: the agents' ticket list."""
    return RedirectResponse("/tickets", status_code=303)


def exception_handlers() -> dict[Any, Any]:
    """The pages' exception handlers: a page that needs a login redirects to it."""
    from .session import LoginRequired, login_redirect

    return {LoginRequired: login_redirect}


def attach(app: Any, desk: Any) -> None:
    """Give ``app`` what the pages need: the renderer and the login page shown after a refused form login."""
    from . import auth_pages, render

    render.attach(app, desk)
    app.state.login_refused = auth_pages.login_refused
