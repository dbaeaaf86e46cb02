"""Who is logged in to the pages: the session cookie's principal (through
:func:`deskframe.accounts.web_routes.principal_of`), or a redirect to the login page."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import quote

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

if TYPE_CHECKING:
    from ...accounts.service import Principal


class LoginRequired(Exception):
    """Nobody (or not the right kind of account) is logged in: answered by a redirect to ``location``."""

    def __init__(self, location: str):
        super().__init__(location)
        self.location = location


async def principal(request: Request) -> Principal | None:
    """The request's principal (session cookie or Bearer token), asked off the event loop."""
    from ...accounts.web_routes import principal_of

    return await run_in_threadpool(principal_of, request)


def login_url(request: Request, login_path: str = "/login") -> str:
    """The login page that leads back to this request's page afterwards."""
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return f"{login_path}?next={quote(here, safe='/')}"


async def require(request: Request, kind: str = "agent", login_path: str = "/login") -> Principal:
    """The logged-in principal of ``kind`` (``agent`` or ``contact``); raises :class:`LoginRequired` otherwise."""
    who = await principal(request)
    if who is None or who.kind != kind:
        raise LoginRequired(login_url(request, login_path))
    return who


async def login_redirect(request: Request, exc: Exception) -> Response:
    """The exception handler of :class:`LoginRequired`: 303 to the login page; for an htmx request
    (the list's refresh after the session ended) an ``HX-Redirect`` that makes htmx load the whole
    login page instead of swapping it into the table."""
    location = exc.location if isinstance(exc, LoginRequired) else "/login"
    if request.headers.get("HX-Request") == "true":
        # the partial's own URL is no page to come back to after logging in: plain /login
        return Response(status_code=200, headers={"HX-Redirect": "/login", "Cache-Control": "no-store"})
    return RedirectResponse(location, status_code=303)


def frame(request: Request, who: Principal | None, language: str) -> dict[str, object]:
    """What ``base.html`` needs: the user, the CSRF token of its session (for forms and htmx), the language."""
    from ...accounts.web_routes import csrf_token

    return {"user": who, "csrf_token": csrf_token(request, who) if who else None, "language": language}


async def agent_frame(request: Request) -> tuple[Principal, str, dict[str, object]]:
    """For an agent page: the logged-in agent (else :class:`LoginRequired`), the page language and
    the frame context of ``base.html`` (``user``, ``csrf_token``, ``language``)."""
    from .locale import request_language

    who = await require(request, "agent")
    language = request_language(request, who)
    return who, language, frame(request, who, language)


def request_language(request: Request, who: Principal | None = None) -> str:
    """The page language of ``request``, by ``who``'s setting when someone is logged in (see :mod:`.locale`)."""
    from .locale import request_language as choose

    return choose(request, who)
