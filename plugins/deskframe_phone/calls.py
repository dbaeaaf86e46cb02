"""Recording one call: an inbound article on a new or given ticket, history, the written-request follow-up."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import attrs

from deskframe import Agent, InboundMessage
from deskframe.actors import Actor
from deskframe.errors import BadValue, DomainError, NotFound

from . import callers
from .settings import DEFAULT_TEMPLATE, PhoneSettings, format_duration, state_problem

SUBJECT_CHARS = 120


@attrs.frozen
class Call:
    """One call as the CLI or a call-log row gives it (``agent`` is a resolved agent)."""

    caller: callers.Caller
    agent: Agent
    summary: str
    duration: dt.timedelta | None = None
    at: dt.datetime | None = None


def find_agent(agents: list[Agent], text: str) -> Agent:
    """An agent by login, else by e-mail or name (case-insensitive)."""
    wanted = text.strip()
    for agent in agents:
        if agent.login == wanted:
            return agent
    folded = wanted.casefold()
    matches = [a for a in agents if folded in ((a.email or "").casefold(), a.name.casefold())]
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        raise BadValue(f"agent {wanted!r} is ambiguous ({', '.join(a.login for a in matches)})")
    raise BadValue(f"unknown agent {wanted!r}")


def subject_of(call: Call) -> str:
    first = next((line.strip() for line in call.summary.splitlines() if line.strip()), "")
    subject = first or f"Phone call from {call.caller.display}"
    if len(subject) > SUBJECT_CHARS:
        subject = subject[: SUBJECT_CHARS - 3].rstrip() + "..."
    # a summary quoting [Ticket#...] must not thread the call into that ticket: --ticket does that
    return subject.replace("[", "(").replace("]", ")")


def text_of(call: Call, zone: Any = None) -> str:
    lines = ["Phone call", f"Caller: {call.caller.display}", f"Agent: {call.agent.name} ({call.agent.login})"]
    if call.duration is not None:
        lines.append(f"Duration: {format_duration(call.duration)}")
    if call.at is not None:
        lines.append(f"Time: {call.at.astimezone(zone).strftime('%Y-%m-%d %H:%M %z') if zone else call.at.isoformat()}")
    return "\n".join(lines) + ("\n\n" + call.summary.strip() if call.summary.strip() else "")


def message_for(
    settings: PhoneSettings, call: Call, external_id: str, received_at: dt.datetime, zone: Any = None
) -> InboundMessage:
    return InboundMessage(
        channel=settings.channel,
        external_id=external_id,
        received_at=received_at,
        sender=call.caller.sender,
        sender_name=call.caller.name or call.caller.display,
        subject=subject_of(call),
        text=text_of(call, zone),
    )


def annotate_call(desk: Any, number: str, call: Call) -> None:
    desk.tickets.annotate(
        number,
        "phone_call",
        new=format_duration(call.duration) if call.duration is not None else None,
        reason=f"{call.caller.phone or call.caller.email} with {call.agent.login}",
        actor=Actor.operator(call.agent.login),
    )


def resolve_ticket(desk: Any, number: str) -> Any:
    """The ticket ``number`` (following merges); NotFound names it."""
    for _ in range(10):
        ticket = desk.tickets.get(number)
        if ticket.state_type == "merged" and ticket.merged_into:
            number = ticket.merged_into
            continue
        return ticket
    raise DomainError(f"ticket {number}: too many merges to follow")


def check_work_request(desk: Any, settings: PhoneSettings) -> None:
    problem = state_problem(settings.work_request_state, dict(desk.settings.states))
    if problem:
        raise DomainError(f"cannot record a work request: {problem} (phone.work_request_state)")


def log_call(
    desk: Any, settings: PhoneSettings, call: Call, *, ticket: str | None = None, work_request: bool = False
) -> dict[str, Any]:
    """Record ``call``; returns what happened (the ``phone log`` JSON)."""
    if work_request:
        check_work_request(desk, settings)
    if ticket is not None:
        try:
            existing = resolve_ticket(desk, ticket)
        except NotFound:
            raise NotFound(f"unknown ticket {ticket}") from None
        if work_request and existing.locked_by not in (None, call.agent.login):
            raise DomainError(f"ticket {existing.number} is locked by {existing.locked_by}")
        number = existing.number
        article = desk.tickets.add_article(
            number,
            direction="in",
            channel=settings.channel,
            sender=call.caller.sender,
            body=text_of(call),
            actor=Actor.operator(call.agent.login),
        )
        created, article_id = False, article.id
    else:
        message = message_for(settings, call, f"log:{uuid.uuid4()}", desk.clock())
        result = desk.intake.receive(message)
        number, created, article_id = result.ticket, result.created, result.article_id
    annotate_call(desk, number, call)
    outcome: dict[str, Any] = {
        "ticket": number,
        "created": created,
        "article_id": article_id,
        "caller": call.caller.phone or call.caller.email,
        "contact": call.caller.contact.email if call.caller.contact else None,
        "agent": call.agent.login,
        "duration_seconds": (int(call.duration.total_seconds()) if call.duration is not None else None),
        "work_request": work_request,
        "written_request": None,
    }
    if work_request:
        outcome["written_request"] = request_in_writing(desk, settings, number, call)
    after = desk.tickets.get(number)
    outcome.update(state=after.state, customer=after.customer)
    return outcome


def _render(desk: Any, settings: PhoneSettings, number: str, call: Call) -> str:
    if settings.written_request_canned:
        return desk.tickets.render_canned(settings.written_request_canned, number, call.agent.login)
    ticket = desk.tickets.get(number)
    customer = ticket.customer
    if customer:
        with desk.directory.lookup() as lookup:
            found = lookup.customer(customer)
        customer = found.name if found else customer
    contact = call.caller.name or call.caller.display
    values = {
        "customer": customer or contact,
        "contact": contact,
        "number": number,
        "summary": call.summary.strip(),
        "agent": call.agent.name,
        "caller": call.caller.display,
    }
    return (settings.written_request_template or DEFAULT_TEMPLATE).format(**values)


def request_in_writing(desk: Any, settings: PhoneSettings, number: str, call: Call) -> dict[str, Any] | None:
    """Put the ticket in the work-request state; ask the caller by e-mail to write the request."""
    desk.tickets.set_state(
        number,
        settings.work_request_state,
        actor=Actor.operator(call.agent.login),
        reason="paid work requested by phone; waiting for the request in writing",
    )
    to = call.caller.email
    contact = desk.tickets.get(number).contact
    why = None
    if to is None:
        why = "the caller has no e-mail address"
    elif settings.email_channel is None:
        why = "no phone.email_channel is configured"
    elif contact != to:
        # an outbound article goes to the ticket's contact: the core cannot address it to someone else yet
        why = f"the ticket's contact is {contact or 'nobody'}, not the caller {to}"
    if why is not None:
        desk.tickets.annotate(
            number,
            "phone_work_request",
            new=settings.work_request_state,
            reason=f"written request not sent: {why}",
            actor=Actor.operator(call.agent.login),
        )
        return None
    body = _render(desk, settings, number, call)
    subject = f"[{desk.settings.subject_hook}{number}] {settings.written_request_subject}"
    article = desk.tickets.add_article(
        number,
        direction="out",
        channel=settings.email_channel,
        subject=subject,
        body=body,
        sender=call.agent.email,
        actor=Actor.operator(call.agent.login),
    )
    desk.tickets.annotate(
        number,
        "phone_work_request",
        new=settings.work_request_state,
        reason=f"written request sent to {to} (article {article.id})",
        actor=Actor.operator(call.agent.login),
    )
    return {"article_id": article.id, "to": to, "channel": settings.email_channel}
