"""``/api/v1/tickets``: list (filters, cursor pagination), show and open."""

from __future__ import annotations

from typing import Any

from ... import serialize
from .base import Call, operation, plain_json_response
from .errors import ApiError
from .routing import ApiRoute, Param
from .views import agent_mails, decode_cursor, encode_cursor
from .views import ticket as ticket_view

#: The largest page of ``GET /api/v1/tickets``.
MAX_LIMIT = 500
#: The ticket number in a path.
NUMBER = Param("number", where="path", required=True, description="ticket number")

LIST_PARAMS = (
    Param("state", description="a state name or type (new, open, pending, resolved, closed, merged)"),
    Param("queue", description="queue name"),
    Param("owner", description="owner agent login"),
    Param("customer", description="customer id"),
    Param("priority", description="P1..P4 or a configured name"),
    Param("line", type="integer", description="support line 1-3"),
    Param("text", description="words every matching ticket's articles hold (as search)"),
    Param("limit", type="integer", description=f"rows per page, 1-{MAX_LIMIT} (default 50)"),
    Param("cursor", description="next_cursor of the previous page"),
)


def list_tickets(call: Call) -> Any:
    p = call.params
    limit = p.get("limit", 50)
    if not 1 <= limit <= MAX_LIMIT:
        raise ApiError(422, f"limit must be from 1 to {MAX_LIMIT}", field="limit")
    after = decode_cursor(p["cursor"]) if "cursor" in p else None
    filters = {k: p[k] for k in ("state", "queue", "owner", "customer", "priority", "line", "text") if k in p}
    rows, following = call.desk.tickets.page(actor=call.actor, limit=limit, after=after, **filters)
    return plain_json_response({"items": rows, "next_cursor": encode_cursor(following)})


def show_ticket(call: Call) -> Any:
    found, clocks = call.desk.sla.ticket_with_clocks(call.params["number"], actor=call.actor)
    mails = frozenset() if call.internal else agent_mails(call.desk)
    return plain_json_response(ticket_view(found, clocks, internal=call.internal, agent_mails=mails))


async def open_ticket(call: Call) -> Any:
    b = call.body
    found = await call.run(
        call.desk.tickets.open,
        subject=b["subject"],
        body=b["body"],
        customer=b.get("customer"),
        contact=b.get("contact"),
        priority=b.get("priority"),
        channel=b.get("channel"),
        queue=b.get("queue"),
        actor=call.actor,
    )
    return serialize.ticket(found, full=False)


def routes() -> list[ApiRoute]:
    """The ticket list, show and open routes."""
    return [
        operation(
            "/tickets",
            "GET",
            list_tickets,
            operation_id="tickets.list",
            summary="List the tickets the caller may see, most recently changed first (cursor pagination)",
            tag="tickets",
            access="contact",
            action="ticket.read",
            params=LIST_PARAMS,
            response="TicketPage",
            errors=(403, 422),
            blocking=True,
        ),
        operation(
            "/tickets/{number}",
            "GET",
            show_ticket,
            operation_id="tickets.show",
            summary="A ticket with its articles, history and SLA clocks",
            tag="tickets",
            access="contact",
            action="ticket.read",
            params=(NUMBER,),
            response="Ticket",
            errors=(404,),
            blocking=True,
        ),
        operation(
            "/tickets",
            "POST",
            open_ticket,
            operation_id="tickets.open",
            summary="Open a ticket (a contact opens it for its own customer)",
            tag="tickets",
            access="contact",
            action="ticket.open",
            body="TicketOpenBody",
            response="TicketSummary",
            status=201,
            errors=(400, 403, 409, 415, 422),
        ),
    ]
