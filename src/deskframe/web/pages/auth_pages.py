"""The login and logout pages of agents.

``GET /login`` shows the form (fields ``login`` and ``password``, plus ``next``: where a
successful login leads, ``/tickets`` by default); it posts to the accounts' ``POST /login``,
which sets the session cookie and redirects. A refused form login comes back here through
:func:`login_refused`: the form again, with the error, and 401 (400 without both fields, 429
when throttled). ``GET /logout`` shows a button that posts ``POST /logout`` with the CSRF token. ``POST /language``
keeps the language the user chose (:mod:`.locale`).
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from . import session
from .locale import request_language
from .render import page, translations


def safe_next(value: str | None, default: str) -> str:
    """A local path to go to after logging in; ``default`` for anything else."""
    if not value or not value.startswith("/") or value.startswith(("//", "/\\")) or len(value) > 2000:
        return default
    return value if value.isprintable() and value.isascii() else default


async def login_page(request: Request) -> Response:
    """``GET /login``: the agents' login form (a logged-in agent goes straight on)."""
    target = safe_next(request.query_params.get("next"), "/tickets")
    who = await session.principal(request)
    if who is not None and who.kind == "agent":
        return RedirectResponse(target, status_code=303)
    language = request_language(request)
    return page(request, "login.html", {**session.frame(request, None, language), "next": target}, language=language)


async def login_refused(request: Request, kind: str, fields: dict[str, str], status: int, detail: str) -> Response:
    """The login form again after a refused form login (called by ``POST /login`` and ``POST /portal/login``)."""
    language = request_language(request)
    _ = translations(language).gettext
    if status == 429:
        error = _("Too many failed logins. Try again in a minute.")
    elif status == 400:
        error = _("Enter your login and password.")
    else:
        error = _("Wrong login or password.")
    portal = kind == "contact"
    context = {
        **session.frame(request, None, language),
        "next": safe_next(fields.get("next"), "/portal/tickets" if portal else "/tickets"),
        "error": error,
        "login_value": fields.get("email" if portal else "login", ""),
    }
    if portal:
        context.update(
            action="/portal/login", login_field="email", login_type="email", login_label=_("E-mail"), home="/portal"
        )
    template = "portal/login.html" if portal and _has_template(request, "portal/login.html") else "login.html"
    headers = {"Retry-After": "60"} if status == 429 else None
    return page(request, template, context, language=language, status_code=status, headers=headers)


def _has_template(request: Request, name: str) -> bool:
    from .render import renderer_of

    loader = renderer_of(request).environment("en").loader
    return loader is not None and name in loader.list_templates()


async def logout_page(request: Request) -> Response:
    """``GET /logout``: a button that ends the session (a GET changes nothing); the login page when logged out."""
    who = await session.principal(request)
    if who is None or who.via != "session":
        return RedirectResponse("/login", status_code=303)
    language = request_language(request, who)
    return page(request, "logout.html", session.frame(request, who, language), language=language)


async def choose_language(request: Request) -> Response:
    """``POST /language``: the chosen ``language`` (``en``/``ru``) becomes the logged-in account's
    setting (every device it logs in from shows it), and is kept in a cookie for the pages nobody
    is logged in to; then back to ``next``. A logged-in user's form carries its CSRF token like
    every other POST."""
    from ...actors import Actor
    from .forms import read_form
    from .locale import COOKIE, LANGUAGES

    who = await session.principal(request)
    if who is not None:
        form = await read_form(request, who, max_body=16 * 1024)
        language, target = form.get("language"), form.get("next")
        if language in LANGUAGES:
            actor = Actor.agent(who.name) if who.kind == "agent" else Actor.contact(who.name)
            accounts = request.app.state.accounts
            await run_in_threadpool(lambda: accounts.set_language(who.kind, who.name, language, actor=actor))
    else:
        from ...accounts.web_routes import read_fields

        fields = await read_fields(request) or {}  # no session: no token to check
        language, target = fields.get("language", ""), fields.get("next", "")
    response = RedirectResponse(safe_next(target, "/tickets"), status_code=303)
    if language in LANGUAGES:
        response.set_cookie(COOKIE, language, max_age=365 * 24 * 3600, path="/", httponly=True, samesite="lax")
    return response
