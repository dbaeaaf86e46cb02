"""The routes of the agent pages and of the static files, mounted by :func:`deskframe.web.create_app`."""

from __future__ import annotations

from typing import Any

from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from .render import WEB_DIR


def static_mount() -> Mount:
    """``/static/``: the pages' CSS and the vendored htmx (package data ``deskframe/web/static``)."""
    return Mount("/static", app=StaticFiles(directory=WEB_DIR / "static"), name="static")


def page_routes() -> list[BaseRoute]:
    """Every agent page (the portal adds its own)."""
    from . import auth_pages

    return [
        Route("/login", auth_pages.login_page, methods=["GET"]),
        Route("/logout", auth_pages.logout_page, methods=["GET"]),
        static_mount(),
    ]


def exception_handlers() -> dict[Any, Any]:
    """The pages' exception handlers: a page that needs a login redirects to it."""
    from .session import LoginRequired, login_redirect

    return {LoginRequired: login_redirect}


def attach(app: Any, desk: Any) -> None:
    """Give ``app`` what the pages need: the renderer and the login page shown after a refused form login."""
    from . import auth_pages, render

    render.attach(app, desk)
    app.state.login_refused = auth_pages.login_refused
