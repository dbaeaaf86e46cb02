"""Web sign-in: ``POST /login`` (agents), ``POST /portal/login`` (contacts), ``POST /logout``,
and the functions the API and the pages use to learn who is asking.

* :func:`principal_of` resolves a request's principal from ``Authorization: Bearer TOKEN``
  or, without that header, from the signed session cookie; :func:`authenticated` answers 401
  when there is none, and :func:`authenticate` does that off the event loop.
* :func:`check_csrf` refuses (403) a state-changing request authenticated by cookie unless
  it carries the session's CSRF token (``X-CSRF-Token`` header or ``csrf_token`` field).

Login bodies are ``application/x-www-form-urlencoded`` (an HTML form) or JSON, at most
16 KiB. A login answers JSON (``kind``, ``name``, ``role``, ``csrf_token``, ``expires_at``),
or, when the form names a local ``next`` path, a 303 redirect there. A refused login whose form
has a ``next`` field (a login page's form) is answered by ``app.state.login_refused`` when the
app has one (the pages set it: the form again with the error), else by the JSON problem.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from . import cookies
from .service import Accounts, LoginRefused, LoginThrottled, Principal
from .settings import LANGUAGE_COOKIE

#: The largest login body read.
MAX_LOGIN_BODY = 16 * 1024
#: Methods that change nothing (no CSRF token needed).
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def accounts_of(request: Request) -> Accounts:
    """The :class:`Accounts` service of the app serving ``request`` (set by :func:`attach`)."""
    accounts: Accounts = request.app.state.accounts
    return accounts


def attach(app: Any, desk: Any) -> None:
    """Give ``app`` its accounts service; reads (or creates) the signing key now, so a bad
    ``[web]`` setting stops ``deskframe serve`` at start-up rather than at the first login."""
    accounts = Accounts.of(desk)
    _ = accounts.key
    app.state.accounts = accounts


def client_address(request: Request) -> str:
    """The client's address as the server saw it (behind a proxy: as uvicorn's proxy headers set it)."""
    return request.client.host if request.client else "unknown"


def problem(status: int, title: str, detail: str, headers: dict[str, str] | None = None) -> JSONResponse:
    """An RFC 9457 ``application/problem+json`` answer."""
    return JSONResponse(
        {"type": "about:blank", "title": title, "status": status, "detail": detail},
        status_code=status,
        headers=headers,
        media_type="application/problem+json",
    )


def bearer(request: Request) -> str | None:
    """The token of an ``Authorization: Bearer TOKEN`` header ("" for a malformed one), or None without it."""
    header = request.headers.get("authorization")
    if header is None:
        return None
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def principal_of(request: Request) -> Principal | None:
    """Who is asking: the owner of a live Bearer token, else of a live signed session cookie; else None.

    A request that sends an ``Authorization`` header is judged by it alone. Blocking (it asks
    the database): call it from a thread, or use :func:`authenticate`."""
    accounts = accounts_of(request)
    token = bearer(request)
    if token is not None:
        return accounts.token_principal(token) if token else None
    secret = cookies.unsign(accounts.key, request.cookies.get(cookies.COOKIE_NAME))
    return accounts.session_principal(secret) if secret else None


def authenticated(request: Request) -> Principal:
    """:func:`principal_of`, or ``HTTPException(401)`` when the token or cookie is missing or bad.
    Blocking, as :func:`principal_of` (the API calls it in the thread of a read it makes anyway)."""
    principal = principal_of(request)
    if principal is None:
        raise HTTPException(401, "missing or bad credentials", headers={"WWW-Authenticate": "Bearer"})
    return principal


async def authenticate(request: Request) -> Principal:
    """The request's principal; ``HTTPException(401)`` when the token or cookie is missing or bad."""
    return await run_in_threadpool(authenticated, request)


def csrf_token(request: Request, principal: Principal) -> str | None:
    """The CSRF token a page of a cookie session embeds in its forms (None for token principals)."""
    return cookies.csrf_token(accounts_of(request).key, principal.session) if principal.session else None


def check_csrf(request: Request, principal: Principal, form_token: str | None = None) -> None:
    """``HTTPException(403)`` unless a state-changing cookie request carries its session's CSRF token.

    Bearer requests need none (a browser never adds that header by itself); neither do
    GET/HEAD/OPTIONS. ``form_token`` is the ``csrf_token`` field of a form already read."""
    if principal.via != "session" or request.method in SAFE_METHODS or not principal.session:
        return
    token = request.headers.get(cookies.CSRF_HEADER) or form_token
    if not cookies.csrf_ok(accounts_of(request).key, principal.session, token):
        raise HTTPException(403, "missing or wrong CSRF token")


async def read_fields(request: Request) -> dict[str, str] | None:
    """The string fields of a small urlencoded or JSON body; None when it is too big or malformed."""
    length = request.headers.get("content-length")
    if length is not None and (not length.isdigit() or int(length) > MAX_LOGIN_BODY):
        return None
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_LOGIN_BODY:
            return None
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    try:
        text = body.decode("utf-8")
        if kind == "application/json":
            data = json.loads(text) if text else {}
            if not isinstance(data, dict):
                return None
            return {k: v for k, v in data.items() if isinstance(k, str) and isinstance(v, str)}
        if kind in ("application/x-www-form-urlencoded", ""):
            return dict(parse_qsl(text, keep_blank_values=True, max_num_fields=20))
    except (UnicodeDecodeError, ValueError):
        return None
    return None


def _safe_next(value: str | None) -> str | None:
    """A local path to redirect to after login (``/x``, never ``//host`` or ``/\\host``), else None."""
    if not value or not value.startswith("/") or value.startswith(("//", "/\\")) or len(value) > 2000:
        return None
    return value if value.isprintable() and value.isascii() else None


async def _login(request: Request, kind: str, field: str) -> Response:
    fields = await read_fields(request)
    if fields is None:
        return problem(400, "Bad Request", "send the form fields as application/x-www-form-urlencoded or JSON")
    # A login page's form (it names where to go next) gets the page back on refusal, not JSON.
    refused_page = getattr(request.app.state, "login_refused", None) if "next" in fields else None
    name, password = fields.get(field, ""), fields.get("password", "")
    if not name or not password:
        if refused_page is not None:
            return await refused_page(request, kind, fields, 400, f"the fields '{field}' and 'password' are required")
        return problem(400, "Bad Request", f"the fields '{field}' and 'password' are required")
    accounts = accounts_of(request)
    chosen = request.cookies.get(LANGUAGE_COOKIE)  # picked on the login page: the account's, if it has none
    try:
        started = await run_in_threadpool(
            lambda: accounts.login(kind, name, password, address=client_address(request), language=chosen)
        )
    except LoginThrottled as exc:
        if refused_page is not None:
            return await refused_page(request, kind, fields, 429, str(exc))
        return problem(429, "Too Many Requests", str(exc), {"Retry-After": str(exc.retry_after)})
    except LoginRefused as exc:
        if refused_page is not None:
            return await refused_page(request, kind, fields, 401, str(exc))
        return problem(401, "Unauthorized", str(exc))
    principal = started.principal
    target = _safe_next(fields.get("next"))
    response: Response
    if target:
        response = RedirectResponse(target, status_code=303)
    else:
        response = JSONResponse(
            {
                "kind": principal.kind,
                "name": principal.name,
                "role": principal.rights.role,
                "csrf_token": cookies.csrf_token(accounts.key, started.secret),
                "expires_at": started.expires_at.isoformat(),
            }
        )
    response.set_cookie(
        cookies.COOKIE_NAME,
        cookies.sign(accounts.key, started.secret),
        max_age=int(accounts.settings.session_lifetime.total_seconds()),
        path="/",
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https" or accounts.settings.secure_cookies,
    )
    response.headers["Cache-Control"] = "no-store"
    return response


async def agent_login(request: Request) -> Response:
    """``POST /login``: form fields ``login`` and ``password`` of an agent."""
    return await _login(request, "agent", "login")


async def portal_login(request: Request) -> Response:
    """``POST /portal/login``: form fields ``email`` and ``password`` of a contact."""
    return await _login(request, "contact", "email")


async def logout(request: Request) -> Response:
    """``POST /logout``: end the cookie's session (with its CSRF token) and clear the cookie."""
    accounts = accounts_of(request)
    secret = cookies.unsign(accounts.key, request.cookies.get(cookies.COOKIE_NAME))
    principal = await run_in_threadpool(accounts.session_principal, secret) if secret else None
    if principal is not None and secret:
        form = await read_fields(request) if request.headers.get(cookies.CSRF_HEADER) is None else {}
        check_csrf(request, principal, (form or {}).get(cookies.CSRF_FIELD))
        await run_in_threadpool(lambda: accounts.logout(secret, address=client_address(request)))
    target = _safe_next(request.query_params.get("next"))
    response: Response = RedirectResponse(target, status_code=303) if target else Response(status_code=204)
    response.delete_cookie(cookies.COOKIE_NAME, path="/", httponly=True, samesite="lax")
    return response


def account_routes() -> list[Route]:
    """The sign-in routes, for :func:`deskframe.web.create_app`."""
    return [
        Route("/login", agent_login, methods=["POST"]),
        Route("/portal/login", portal_login, methods=["POST"]),
        Route("/logout", logout, methods=["POST"]),
    ]
