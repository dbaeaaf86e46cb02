"""``POST /api/v1/tickets/{number}/...``: reply, note, lock, unlock, assign, state, priority,
move, merge, escalate, estimate. Bodies use the CLI's flag names; the caller is the agent
(``--agent``) or the contact acting."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from ... import serialize
from .base import Call, operation, readable
from .errors import ApiError
from .routing import ApiRoute
from .tickets import NUMBER
from .views import article as article_view


def _summary(found: Any) -> dict[str, Any]:
    return serialize.ticket(found, full=False)


async def reply(call: Call) -> Any:
    """An agent's answer; a contact's reply is the customer's message on its ticket."""
    number, body = call.params["number"], call.body.get("body", "")
    if call.actor.kind == "contact":
        if call.body.get("canned"):
            raise ApiError(422, "canned responses are for agents", field="canned")
        added = await call.run(call.desk.tickets.add_article, number, direction="in", body=body, actor=call.actor)
    else:
        added = await call.run(
            call.desk.tickets.reply, number, actor=call.actor, body=body, canned_name=call.body.get("canned")
        )
    return article_view(added, internal=call.internal)


async def note(call: Call) -> Any:
    added = await call.run(call.desk.tickets.note, call.params["number"], actor=call.actor, body=call.body["body"])
    return serialize.article(added)


async def lock(call: Call) -> Any:
    return _summary(await call.run(call.desk.tickets.lock, call.params["number"], actor=call.actor))


async def unlock(call: Call) -> Any:
    b = call.body
    found = await call.run(
        call.desk.tickets.unlock,
        call.params["number"],
        actor=call.actor,
        force=bool(b.get("force", False)),
        reason=b.get("reason"),
    )
    return _summary(found)


async def assign(call: Call) -> Any:
    found = await call.run(call.desk.tickets.assign, call.params["number"], agent=call.body["agent"], actor=call.actor)
    return _summary(found)


async def state(call: Call) -> Any:
    found = await call.run(
        call.desk.tickets.set_state,
        call.params["number"],
        call.body["state"],
        actor=call.actor,
        reason=call.body.get("reason"),
    )
    return _summary(found)


async def priority(call: Call) -> Any:
    found = await call.run(
        call.desk.tickets.set_priority, call.params["number"], call.body["priority"], actor=call.actor
    )
    return _summary(found)


async def move(call: Call) -> Any:
    return _summary(await call.run(call.desk.tickets.move, call.params["number"], call.body["queue"], actor=call.actor))


async def merge(call: Call) -> Any:
    await readable(call, call.params["number"], None)  # a hidden ticket is unknown, whatever the body says
    await readable(call, call.body["into"], "into")
    found = await call.run(call.desk.tickets.merge, call.params["number"], call.body["into"], actor=call.actor)
    return serialize.ticket(found, full=False)


async def escalate(call: Call) -> Any:
    found = await call.run(
        call.desk.tickets.escalate,
        call.params["number"],
        to=call.body["to"],
        reason=call.body["reason"],
        actor=call.actor,
    )
    return _summary(found)


async def estimate(call: Call) -> Any:
    raw, approve = call.body.get("hours"), bool(call.body.get("approve", False))
    if raw is None and not approve:
        raise ApiError(422, "give hours, approve, or both", field="hours")
    hours = None
    if raw is not None:
        try:
            hours = Decimal(str(raw).strip())
        except InvalidOperation:
            raise ApiError(422, f"'{raw}' is not a number of hours (e.g. 2.5)", field="hours") from None
    found = await call.run(
        call.desk.tickets.estimate, call.params["number"], hours=hours, approve=approve, actor=call.actor
    )
    return serialize.estimate(found)


#: name -> (handler, policy action, body schema, summary, who may call it, success status)
ACTIONS: dict[str, tuple[Callable[[Call], Awaitable[Any]], str, str | None, str, str, int]] = {
    "reply": (
        reply,
        "ticket.reply",
        "ReplyBody",
        "Answer the customer (a contact: write as the customer)",
        "contact",
        201,
    ),
    "note": (note, "ticket.note", "NoteBody", "Add an internal note", "agent", 201),
    "lock": (lock, "ticket.lock", None, "Lock the ticket to the calling agent (409 naming the holder)", "agent", 200),
    "unlock": (unlock, "ticket.unlock", "UnlockBody", "Release the lock (force with a reason)", "agent", 200),
    "assign": (assign, "ticket.assign", "AssignBody", "Make an agent the owner", "agent", 200),
    "state": (state, "ticket.state", "StateBody", "Change the state", "contact", 200),
    "priority": (priority, "ticket.priority", "PriorityBody", "Change the priority", "contact", 200),
    "move": (move, "ticket.move", "MoveBody", "Move to another queue", "agent", 200),
    "merge": (merge, "ticket.merge", "MergeBody", "Merge this ticket into another", "agent", 200),
    "escalate": (escalate, "ticket.escalate", "EscalateBody", "Hand to another support line", "agent", 200),
    "estimate": (estimate, "ticket.estimate", "EstimateBody", "Set and/or approve the estimate", "agent", 200),
}

#: Answers that are articles (the rest are tickets or an estimate).
ANSWERS = {"reply": "Article", "note": "Article", "estimate": "Estimate", "merge": "TicketSummary"}


def routes() -> list[ApiRoute]:
    """One ``POST /api/v1/tickets/{number}/NAME`` per entry of :data:`ACTIONS`."""
    return [
        operation(
            f"/tickets/{{number}}/{name}",
            "POST",
            handler,
            operation_id=f"tickets.{name}",
            summary=summary,
            tag="tickets",
            access=access,
            action=action,
            params=(NUMBER,),
            body=body if body is not None else {"type": "object", "additionalProperties": False},
            response=ANSWERS.get(name, "TicketSummary"),
            status=status,
            errors=(400, 403, 404, 409, 415, 422),
        )
        for name, (handler, action, body, summary, access, status) in ACTIONS.items()
    ]
