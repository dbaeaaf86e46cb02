"""``GET /api/v1/tickets/{number}/sla``: the ticket's SLA clocks (``ticket show``'s ``clocks``)."""

from __future__ import annotations

from typing import Any

from ... import serialize
from .base import Call, operation
from .routing import ApiRoute
from .schemas import array_of
from .tickets import NUMBER


async def clocks(call: Call) -> Any:
    number = call.params["number"]

    def read() -> list[Any]:
        call.desk.tickets.get(number, full=False, actor=call.actor)  # the policy: may the caller see it?
        return [serialize.clock(c) for c in call.desk.sla.clocks(number)]

    return await call.run(read)


def routes() -> list[ApiRoute]:
    """The SLA clocks route."""
    return [
        operation(
            "/tickets/{number}/sla",
            "GET",
            clocks,
            operation_id="sla.clocks",
            summary="The ticket's SLA clocks with working time left (negative: overdue)",
            tag="sla",
            access="contact",
            action="ticket.read",
            params=(NUMBER,),
            response=array_of("Clock"),
            errors=(404,),
        )
    ]
