"""The routes of the customer portal (``/portal``), mounted by :func:`deskframe.web.create_app`.

Pages are rendered by the agent pages' frame (:mod:`deskframe.web.pages`): its Jinja2
environment with the ``deskframe_web`` catalogs, its form reader (size cap, CSRF token checked
before anything changes) and its session helper. Only contacts are let in; anyone else is sent
to ``/portal/login``. A ticket the contact may not see answers 404, like one that does not exist.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from ...errors import DomainError, NotFound
from ...services.uploads import Upload
from ..pages import session
from ..pages.forms import read_form
from ..pages.locale import request_language
from ..pages.render import page
from . import views

if TYPE_CHECKING:
    from ...accounts.service import Principal
    from ...desk import Desk

LOGIN = "/portal/login"
HOME = "/portal/tickets"
#: The longest subject and body a portal form takes (the services clean and cut them further).
MAX_SUBJECT = 1000
MAX_BODY = 100_000


async def _uploads(form: Any) -> list[Upload]:
    """The files of the form's ``attachments`` field (empty file inputs left out)."""
    return [
        Upload(filename=f.filename or "", content_type=f.content_type or "", data=await f.read())
        for f in form.files("attachments")
    ]


def _desk(request: Request) -> Desk:
    desk: Desk = request.app.state.desk
    return desk


async def _contact(request: Request) -> Principal:
    return await session.require(request, "contact", LOGIN)


def _render(request: Request, template: str, who: Principal | None, status_code: int = 200, **context: Any) -> Response:
    language = request_language(request, who)
    return page(
        request,
        f"portal/{template}",
        {
            **session.frame(request, who, language),
            "message": None,
            "customer_admin": bool(who and who.rights.customer_admin),
            "portal": True,
            **context,
        },
        language=language,
        status_code=status_code,
    )


async def login_form(request: Request) -> Response:
    """``GET /portal/login``: the form (``email``, ``password``); a logged-in contact goes to its tickets."""
    who = await session.principal(request)
    if who is not None and who.kind == "contact":
        return RedirectResponse(HOME, status_code=303)
    target = request.query_params.get("next") or HOME
    return _render(request, "login.html", None, next=target if target.startswith("/portal/") else HOME, error=None)


def _guarded(
    handler: Callable[[Request, Principal], Awaitable[Response]],
) -> Callable[[Request], Awaitable[Response]]:
    """A contact-only page: login required; NotFound becomes 404, a refused change 409 on the page."""

    async def endpoint(request: Request) -> Response:
        who = await _contact(request)
        try:
            return await handler(request, who)
        except NotFound:
            return _render(request, "not_found.html", who, status_code=404)

    endpoint.__doc__ = handler.__doc__
    endpoint.__name__ = handler.__name__
    return endpoint


async def ticket_list(request: Request, who: Principal) -> Response:
    """``GET /portal/tickets``: the tickets the contact may see, and the plugins' sections for its customer."""
    desk = _desk(request)
    rows = await run_in_threadpool(views.tickets, desk, who.name)
    shown = await run_in_threadpool(views.sections, desk, who.name, request_language(request, who))
    return _render(request, "tickets.html", who, tickets=rows, sections=shown)


async def new_ticket(request: Request, who: Principal) -> Response:
    """``GET|POST /portal/tickets/new``: ``subject``, ``body`` and (where the contract allows) ``priority``."""
    desk = _desk(request)
    levels = await run_in_threadpool(views.priorities, desk, who.name)
    values = {"subject": "", "body": "", "priority": ""}
    error = None
    if request.method == "POST":
        form = await read_form(request, who)
        values = {k: form.get(k) for k in values}
        uploads = await _uploads(form)
        subject, body = values["subject"].strip()[:MAX_SUBJECT], values["body"][:MAX_BODY]
        if not subject or not body.strip():
            error = "required"
        else:
            try:
                number = await run_in_threadpool(
                    lambda: views.open_ticket(
                        desk, who.name, subject=subject, body=body, priority=values["priority"], uploads=uploads
                    )
                )
            except DomainError as exc:
                error = str(exc)
            else:
                return RedirectResponse(f"/portal/tickets/{number}", status_code=303)
    return _render(
        request, "new.html", who, status_code=400 if error else 200, values=values, priorities=levels, error=error
    )


async def show_ticket(request: Request, who: Principal) -> Response:
    """``GET /portal/tickets/{number}``: public articles, state, the next answer's due time, reply and reopen."""
    number = request.path_params["number"]
    shown = await run_in_threadpool(views.ticket, _desk(request), who.name, number)
    return _render(request, "ticket.html", who, ticket=shown, error=request.query_params.get("error"))


async def reply(request: Request, who: Principal) -> Response:
    """``POST /portal/tickets/{number}/reply``: field ``body``."""
    number = request.path_params["number"]
    desk = _desk(request)
    await run_in_threadpool(views.ticket, desk, who.name, number)  # 404 before the form is read
    form = await read_form(request, who)
    body = form.get("body")[:MAX_BODY]
    if not body.strip():
        return RedirectResponse(f"/portal/tickets/{number}?error=empty", status_code=303)
    uploads = await _uploads(form)
    try:
        await run_in_threadpool(views.reply, desk, who.name, number, body, uploads)
    except NotFound:
        raise
    except DomainError:  # a file over the size limit, too many files: the message itself is kept
        return RedirectResponse(f"/portal/tickets/{number}?error=upload", status_code=303)
    return RedirectResponse(f"/portal/tickets/{number}", status_code=303)


async def reopen(request: Request, who: Principal) -> Response:
    """``POST /portal/tickets/{number}/reopen``: a resolved ticket opens again."""
    number = request.path_params["number"]
    desk = _desk(request)
    await run_in_threadpool(views.ticket, desk, who.name, number)
    await read_form(request, who)
    await run_in_threadpool(views.reopen, desk, who.name, number)
    return RedirectResponse(f"/portal/tickets/{number}", status_code=303)


async def invoice_list(request: Request, who: Principal) -> Response:
    """``GET /portal/invoices``: the customer's issued invoices with their links (``customer_admin`` contacts only)."""
    if not who.rights.customer_admin:
        raise HTTPException(404)
    found = await run_in_threadpool(
        lambda: views.invoices(_desk(request), who.name, customer_admin=who.rights.customer_admin)
    )
    return _render(request, "invoices.html", who, invoices=found)


async def portal_home(request: Request) -> Response:
    """``GET /portal``: to the ticket list."""
    return RedirectResponse(HOME, status_code=303)


def portal_routes() -> list[Route]:
    """The portal's pages (``POST /portal/login`` itself is the accounts' sign-in; a refused page
    login comes back to ``portal/login.html`` through the frame's ``login_refused``)."""
    return [
        Route("/portal", portal_home, methods=["GET"]),
        Route(LOGIN, login_form, methods=["GET"]),
        Route(HOME, _guarded(ticket_list), methods=["GET"]),
        Route("/portal/tickets/new", _guarded(new_ticket), methods=["GET", "POST"]),
        Route("/portal/tickets/{number}", _guarded(show_ticket), methods=["GET"]),
        Route("/portal/tickets/{number}/reply", _guarded(reply), methods=["POST"]),
        Route("/portal/tickets/{number}/reopen", _guarded(reopen), methods=["POST"]),
        Route("/portal/invoices", _guarded(invoice_list), methods=["GET"]),
    ]
