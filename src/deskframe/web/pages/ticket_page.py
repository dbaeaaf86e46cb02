"""``/tickets/{number}``: one ticket for an agent - its articles (newest last; text escaped,
HTML sanitised inside a sandboxed ``srcdoc`` iframe, attachments linked to the download route,
internal notes marked), its history, SLA clocks and time, and the action forms the policy
allows (:mod:`.ticket_actions` handles their POSTs). ``/tickets/{number}/articles/{id}/html``
shows one mail's sanitised HTML in a tab of its own, under a CSP ``sandbox`` with no script.
"""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from ...actors import Actor
from ...errors import Forbidden, NotFound
from . import session
from .mail_html import IFRAME_SANDBOX, MAIL_CSP, sanitise, srcdoc
from .render import page, translations

#: The action forms of the page, by the policy action each needs.
ACTIONS = (
    "ticket.reply",
    "ticket.note",
    "ticket.lock",
    "ticket.unlock",
    "ticket.assign",
    "ticket.state",
    "ticket.priority",
    "ticket.move",
    "ticket.merge",
    "ticket.escalate",
    "ticket.estimate",
    "time.log",
)


def load(desk: Any, number: str, login: str) -> dict[str, Any]:
    """Everything the page shows of ticket ``number`` for agent ``login`` (blocking: run in a thread),
    read in one transaction. ``NotFound`` also when the agent may not read it (no existence leak)."""
    with desk.store.one_read():
        return _load(desk, number, login)


def _load(desk: Any, number: str, login: str) -> dict[str, Any]:
    actor = Actor.agent(login)
    try:
        ticket, clocks = desk.sla.ticket_with_clocks(number, actor=actor)  # one read for both
    except Forbidden:
        raise NotFound(f"no ticket {number}") from None
    attachment_ids = desk.worklist.attachment_ids([a.id for a in ticket.articles])
    allowed = desk.worklist.allowed(ticket.number, list(ACTIONS), actor=actor)
    queues = desk.worklist.queue_names()
    return {
        "ticket": ticket,
        "articles": [
            {
                "article": a,
                "internal": a.direction == "internal" or not a.visible_to_customer,
                "srcdoc": srcdoc(a.html) if a.html else None,
                "files": list(zip(a.attachments, attachment_ids.get(a.id, []) + [None] * len(a.attachments))),
            }
            for a in sorted(ticket.articles, key=lambda a: (a.created_at, a.id))
        ],
        "clocks": clocks,
        "time_entries": desk.time.entries(ticket=ticket.number) if "time.log" in allowed else [],
        "estimate": desk.worklist.estimate(ticket.number, actor=actor),
        "allowed": allowed,
        "canned": sorted(desk.config.canned),
        "agents": [a for a in desk.directory.agents() if getattr(a, "active", True)],
        "queues": queues,
        "states": list(desk.settings.states),
        "priorities": list(desk.settings.priority_names.items()),
        "locked_by_other": bool(ticket.locked_by and ticket.locked_by != login),
        "today": desk.local_date(),
    }


async def render_ticket(
    request: Request,
    number: str,
    *,
    message: str | None = None,
    message_kind: str = "ok",
    status_code: int = 200,
    form: dict[str, str] | None = None,
    done: str | None = None,
) -> Response:
    """The ticket page (also after a refused action: ``message`` says why, ``form`` keeps the input;
    after a done action ``done``: its confirmation)."""
    who, language, frame = await session.agent_frame(request)
    if done and message is None:
        message = done_message(done, language)
    desk = request.app.state.desk
    try:
        data = await run_in_threadpool(load, desk, number, who.name)
    except NotFound:
        raise HTTPException(404, f"no ticket {number}") from None
    context = {
        **frame,
        **data,
        "me": who.name,
        "message": message,
        "message_kind": message_kind,
        "form": form or {},
        "sandbox": IFRAME_SANDBOX,
        "priority_names": desk.settings.priority_names,
    }
    return page(request, "tickets/ticket.html", context, language=language, status_code=status_code)


def done_message(action: str, language: str) -> str | None:
    """The confirmation shown after a done action (``?done=ACTION``)."""
    _ = translations(language).gettext
    messages = {
        "reply": _("The reply is sent."),
        "note": _("The note is added."),
        "lock": _("The ticket is locked to you."),
        "unlock": _("The ticket is unlocked."),
        "assign": _("The owner is changed."),
        "state": _("The state is changed."),
        "priority": _("The priority is changed."),
        "move": _("The ticket is moved."),
        "merge": _("The ticket is merged."),
        "escalate": _("The ticket is escalated."),
        "time": _("The time is logged."),
        "estimate": _("The estimate is saved."),
    }
    return messages.get(action)


async def ticket_view(request: Request) -> Response:
    """``GET /tickets/{number}`` (``?done=ACTION``: with the confirmation of a done action)."""
    return await render_ticket(request, request.path_params["number"], done=request.query_params.get("done"))


async def article_html(request: Request) -> Response:
    """``GET /tickets/{number}/articles/{id}/html``: one mail's sanitised HTML, alone, with no script allowed."""
    who = await session.require(request, "agent")
    number, article_id = request.path_params["number"], request.path_params["article_id"]
    desk = request.app.state.desk
    try:
        ticket = await run_in_threadpool(desk.tickets.get, number, actor=Actor.agent(who.name))
    except (NotFound, Forbidden):
        raise HTTPException(404, "no such article") from None
    article = next((a for a in ticket.articles if a.id == article_id and a.html), None)
    if article is None or article.html is None:
        raise HTTPException(404, "no such article")
    body = '<!doctype html><html><head><meta charset="utf-8"></head><body>' + sanitise(article.html) + "</body></html>"
    return HTMLResponse(
        body,
        headers={
            "Content-Security-Policy": f"sandbox; {MAIL_CSP}; frame-ancestors 'self'",
            "Cache-Control": "no-store",
        },
    )
