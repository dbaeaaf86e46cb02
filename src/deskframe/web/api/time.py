"""Time entries: ``POST /api/v1/tickets/{number}/time`` (log, as ``deskframe time log``) and
``GET /api/v1/time`` (list, the filters of ``deskframe time list``). Agents only: a contact
never sees time entries."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ... import serialize
from ...errors import DeskframeError
from .base import Call, operation, readable
from .errors import ApiError
from .routing import ApiRoute, Param
from .schemas import array_of
from .tickets import NUMBER


async def log_time(call: Call) -> Any:
    b = call.body
    day = None
    if "date" in b:
        try:
            day = dt.date.fromisoformat(b["date"])
        except ValueError:
            raise ApiError(422, f"bad date '{b['date']}' (expected YYYY-MM-DD)", field="date") from None
        today = await call.run(call.desk.local_date)
        if day > today and not b.get("allow_future", False):
            raise ApiError(
                422, f"date {day} is in the future (today is {today}); send allow_future to log it anyway", field="date"
            )
    entry = await call.run(
        call.desk.time.log,
        call.params["number"],
        actor=call.actor,
        minutes=b["minutes"],
        date=day,
        note=b.get("note", ""),
        billable=not b.get("non_billable", False),
    )
    return serialize.time_entry(entry)


def _readable(call: Call, entries: list[Any]) -> list[Any]:
    """The entries of tickets the caller may read (the ticket service asks the policy, once per ticket)."""
    seen: dict[str, bool] = {}
    for number in {e.ticket for e in entries}:
        try:
            call.desk.tickets.get(number, full=False, actor=call.actor)
            seen[number] = True
        except DeskframeError:
            seen[number] = False
    return [e for e in entries if seen[e.ticket]]


async def list_time(call: Call) -> Any:
    p = call.params
    if "ticket" in p:  # a ticket the caller may not see is as unknown as one that does not exist
        await readable(call, p["ticket"], "ticket")

    def read() -> list[Any]:
        found = call.desk.time.entries(
            ticket=p.get("ticket"), customer=p.get("customer"), period=p.get("period"), voided=p.get("all", False)
        )
        return _readable(call, found)

    return [serialize.time_entry(e) for e in await call.run(read)]


def routes() -> list[ApiRoute]:
    """Log time, list time."""
    return [
        operation(
            "/tickets/{number}/time",
            "POST",
            log_time,
            operation_id="time.log",
            summary="Log time the calling agent spent on the ticket",
            tag="time",
            access="agent",
            action="time.log",
            params=(NUMBER,),
            body="TimeLogBody",
            response="TimeEntry",
            status=201,
            errors=(400, 404, 415, 422),
        ),
        operation(
            "/time",
            "GET",
            list_time,
            operation_id="time.list",
            summary="Time entries (voided ones only with all=true)",
            tag="time",
            access="agent",
            params=(
                Param("ticket", description="ticket number"),
                Param("customer", description="customer id"),
                Param("period", description="a month, YYYY-MM"),
                Param("all", type="boolean", description="include voided entries"),
            ),
            response=array_of("TimeEntry"),
            errors=(422,),
        ),
    ]
