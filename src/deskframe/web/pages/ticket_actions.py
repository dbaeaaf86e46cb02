"""The POSTs of the ticket page's action forms: ``/tickets/{number}/{action}``.

Each reads its form (the CSRF token checked first: without it 403 and nothing changes), calls
the ticket, time or estimate service with ``actor=`` the logged-in agent, and redirects back to
the ticket (303). A refusal shows the ticket page again with the reason: 409 naming the holder
when another agent has the lock, 403 when the policy refuses, 400 for a bad value.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from ...actors import Actor
from ...errors import BadValue, DomainError, Forbidden, NotFound, TicketLocked
from . import session
from .forms import Form, read_form
from .render import translations
from .ticket_page import render_ticket


def _reply(desk: Any, number: str, form: Form, actor: Actor) -> None:
    from ...model import InboundAttachment

    files = [
        InboundAttachment(filename=upload.filename or "attachment", content_type=upload.content_type or "", data=data)
        for upload, data in zip(form.files("attachments"), form.uploads)
    ]
    desk.tickets.reply(
        number, actor=actor, body=form.get("body"), canned_name=form.get("canned") or None, attachments=files
    )


def _note(desk: Any, number: str, form: Form, actor: Actor) -> None:
    desk.tickets.note(number, actor=actor, body=form.get("body"))


def _lock(desk: Any, number: str, form: Form, actor: Actor) -> None:
    ticket = desk.tickets.get(number, full=False, actor=actor)
    if ticket.locked_by and ticket.locked_by != actor.name:
        raise TicketLocked(number, ticket.locked_by)
    desk.tickets.lock(number, actor=actor)


def _unlock(desk: Any, number: str, form: Form, actor: Actor) -> None:
    desk.tickets.unlock(number, actor=actor, force=form.checked("force"), reason=form.get("reason") or None)


def _assign(desk: Any, number: str, form: Form, actor: Actor) -> None:
    desk.tickets.assign(number, agent=_required(form, "agent"), actor=actor)


def _state(desk: Any, number: str, form: Form, actor: Actor) -> None:
    desk.tickets.set_state(number, _required(form, "state"), actor=actor, reason=form.get("reason") or None)


def _priority(desk: Any, number: str, form: Form, actor: Actor) -> None:
    desk.tickets.set_priority(number, _required(form, "priority"), actor=actor)


def _move(desk: Any, number: str, form: Form, actor: Actor) -> None:
    desk.tickets.move(number, _required(form, "queue"), actor=actor)


def _merge(desk: Any, number: str, form: Form, actor: Actor) -> None:
    desk.tickets.merge(number, _required(form, "into").lstrip("#"), actor=actor)


def _escalate(desk: Any, number: str, form: Form, actor: Actor) -> None:
    desk.tickets.escalate(number, to=_integer(form, "line"), reason=form.get("reason"), actor=actor)


def _time(desk: Any, number: str, form: Form, actor: Actor) -> None:
    text = form.get("date").strip()
    try:
        day = dt.date.fromisoformat(text) if text else None
    except ValueError:
        raise BadValue(f"not a date: {text!r} (YYYY-MM-DD)") from None
    desk.time.log(
        number,
        actor=actor,
        minutes=_integer(form, "minutes"),
        date=day,
        note=form.get("note").strip(),
        billable=not form.checked("non_billable"),
    )


def _estimate(desk: Any, number: str, form: Form, actor: Actor) -> None:
    hours = form.get("hours").strip().replace(",", ".") or None
    approve = form.checked("approve")
    if hours is None and not approve:
        raise BadValue("give the estimate's hours, or approve it")
    desk.tickets.estimate(number, actor=actor, hours=hours, approve=approve)


def _required(form: Form, name: str) -> str:
    value = form.get(name).strip()
    if not value:
        raise BadValue(f"the field '{name}' is required")
    return value


def _integer(form: Form, name: str) -> int:
    text = _required(form, name)
    if not text.isdigit() or len(text) > 9:
        raise BadValue(f"{name} must be a whole number, got {text!r}")
    return int(text)


#: The action forms: the URL's last part -> what it does.
HANDLERS: dict[str, Callable[[Any, str, Form, Actor], None]] = {
    "reply": _reply,
    "note": _note,
    "lock": _lock,
    "unlock": _unlock,
    "assign": _assign,
    "state": _state,
    "priority": _priority,
    "move": _move,
    "merge": _merge,
    "escalate": _escalate,
    "time": _time,
    "estimate": _estimate,
}


async def ticket_action(request: Request) -> Response:
    """``POST /tickets/{number}/{action}``: one action form."""
    who = await session.require(request, "agent")
    number, action = request.path_params["number"], request.path_params["action"]
    handler = HANDLERS.get(action)
    if handler is None:
        raise HTTPException(404, f"no action '{action}'")
    form = await read_form(request, who)
    if action == "reply":
        form = await form.read_uploads("attachments")
    desk = request.app.state.desk
    language = session.request_language(request, who)
    _ = translations(language).gettext
    kept = {"body": form.get("body"), "canned": form.get("canned")} if action == "reply" else None
    try:
        await run_in_threadpool(handler, desk, number, form, Actor.agent(who.name))
    except TicketLocked as exc:
        message = _("Locked by %(agent)s") % {"agent": exc.holder}
        return await render_ticket(request, number, message=message, message_kind="error", status_code=409, form=kept)
    except Forbidden as exc:
        if not await _readable(desk, number, who.name):
            raise HTTPException(404, f"no ticket {number}") from None
        message = _("You may not do this: %(why)s") % {"why": str(exc)}
        return await render_ticket(request, number, message=message, message_kind="error", status_code=403, form=kept)
    except NotFound as exc:
        if not await _readable(desk, number, who.name):
            raise HTTPException(404, f"no ticket {number}") from None
        return await render_ticket(request, number, message=str(exc), message_kind="error", status_code=400, form=kept)
    except DomainError as exc:
        return await render_ticket(request, number, message=str(exc), message_kind="error", status_code=400, form=kept)
    return RedirectResponse(f"/tickets/{number}?done={action}", status_code=303)


async def _readable(desk: Any, number: str, login: str) -> bool:
    try:
        await run_in_threadpool(desk.tickets.get, number, full=False, actor=Actor.agent(login))
    except (NotFound, Forbidden):
        return False
    return True
