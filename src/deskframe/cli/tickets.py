"""``deskframe ticket ...``: the ticket lifecycle from the command line."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

import click

from .. import serialize
from ..bounds import check_amount
from ..errors import BadValue
from ..model import Ticket
from ..textsearch import query_terms
from .context import AppContext, actor_for, pass_app, pass_desk
from .output import FORMAT_OPTION, emit, emit_one

LIST_COLUMNS = ("number", "state", "priority", "due", "queue", "customer", "owner", "locked_by", "subject")


@click.group("ticket")
def ticket_group() -> None:
    """Open, answer, lock, assign, merge and find tickets."""


@ticket_group.command("open")
@click.option("--customer", help="Customer id.")
@click.option("--contact", help="Contact e-mail (created if new).")
@click.option("--subject", required=True)
@click.option("--body", required=True)
@click.option("--priority", help="P1..P4 or a configured name.")
@click.option("--channel", help="Channel the request came through (phone, chat, ...).")
@click.option("--queue", help="Queue name (default from config).")
@click.option("--agent", help="Agent who records the ticket.")
@FORMAT_OPTION
@pass_desk
def ticket_open(
    desk: Any,
    customer: str | None,
    contact: str | None,
    subject: str,
    body: str,
    priority: str | None,
    channel: str | None,
    queue: str | None,
    agent: str | None,
    fmt: str,
) -> None:
    """Open a ticket and print its number."""
    ticket = desk.tickets.open(
        subject=subject,
        body=body,
        customer=customer,
        contact=contact,
        priority=priority,
        channel=channel,
        queue=queue,
        actor=actor_for(agent),
    )
    emit_one(serialize.ticket(ticket, full=False), fmt, ticket.number)


@ticket_group.command("list")
@click.option("--state", help="A state name or a state type (new, open, pending, resolved, closed).")
@click.option("--queue")
@click.option("--owner", help="Owner agent login.")
@click.option("--customer")
@click.option("--open", "open_only", is_flag=True, help="Only new, open and pending tickets.")
@click.option("--limit", type=click.IntRange(0, 1_000_000), default=100, show_default=True, help="0 for all.")
@click.option(
    "--sla",
    type=click.Choice(["warning", "breached"]),
    help="Only tickets with an SLA clock past its warning point (not yet due), or overdue.",
)
@FORMAT_OPTION
@pass_app
def ticket_list(
    app: AppContext,
    state: str | None,
    queue: str | None,
    owner: str | None,
    customer: str | None,
    open_only: bool,
    limit: int,
    sla: str | None,
    fmt: str,
) -> None:
    """List tickets, most recently changed first; DUE is the next SLA due time (desk's zone)."""
    from ..listing import ticket_rows  # the quick path: no Desk, no SQLAlchemy when it can answer

    rows = ticket_rows(
        app.config,
        lambda: app.desk,
        now=app.now,
        state=state,
        queue=queue,
        owner=owner,
        customer=customer,
        open_only=open_only,
        limit=limit or None,
        sla=sla,
    )
    if fmt == "table":
        zone = ZoneInfo(app.config.timezone)
        rows = [dict(row, due=row["due"].astimezone(zone) if row["due"] else None) for row in rows]
    emit(rows, LIST_COLUMNS, fmt, empty="No tickets.")


def clock_rows(clocks: list[Any]) -> list[dict[str, Any]]:
    return [serialize.clock(c) for c in clocks]


def render_clocks(clocks: list[Any], zone: str) -> list[str]:
    from ..sla import format_duration

    tz = ZoneInfo(zone)
    lines = ["", "SLA clocks:"] if clocks else []
    for c in clocks:
        due = c.due_at.astimezone(tz).strftime("%Y-%m-%d %H:%M")
        if c.remaining_seconds is None:
            left = f"stopped {c.stopped_at.astimezone(tz):%Y-%m-%d %H:%M}" if c.stopped_at else ""
        elif c.remaining_seconds >= 0:
            left = f"{format_duration(dt.timedelta(seconds=c.remaining_seconds))} working time left"
        else:
            left = f"overdue by {format_duration(dt.timedelta(seconds=-c.remaining_seconds))}"
        marks = "".join(f", {m}" for m, v in (("warned", c.warned_at), ("breached", c.breached_at)) if v)
        lines.append(f"  {c.kind:<16} {c.status:<9} due {due}  {left}{marks}")
    return lines


_ISO_TIME = re.compile(r"\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})")


def local_times(text: str, zone: dt.tzinfo) -> str:
    """``text`` with every ISO 8601 time that has an offset (``2026-10-01T16:00:00+00:00``) shown as
    ``YYYY-MM-DD HH:MM`` in ``zone``; history reasons written before times were local stay readable."""

    def local(match: re.Match[str]) -> str:
        try:
            value = dt.datetime.fromisoformat(match.group().replace("Z", "+00:00"))
        except ValueError:
            return match.group()
        return value.astimezone(zone).strftime("%Y-%m-%d %H:%M")

    return _ISO_TIME.sub(local, text)


def render_ticket(ticket: Ticket, zone: str) -> str:
    tz = ZoneInfo(zone)

    def when(value: Any) -> str:
        return value.astimezone(tz).strftime("%Y-%m-%d %H:%M") if value else "-"

    lines = [
        f"Ticket#{ticket.number}  {ticket.subject}",
        f"  state {ticket.state}  priority {ticket.priority}  queue {ticket.queue}  line {ticket.line}",
        f"  customer {ticket.customer or '-'}  contact {ticket.contact or '-'}  contract {ticket.contract or '-'}",
        (
            f"  owner {ticket.owner or '-'}  locked by {ticket.locked_by or '-'}  "
            f"created {when(ticket.created_at)}  changed {when(ticket.updated_at)}"
        ),
    ]
    if ticket.merged_into:
        lines.append(f"  merged into {ticket.merged_into}")
    lines.append("")
    lines.append(f"Articles ({len(ticket.articles)}):")
    for a in ticket.articles:
        who = a.agent or a.sender or "-"
        lines.append(f"  [{a.id}] {when(a.created_at)} {a.direction:<8} {a.channel or '-':<8} {who}: {a.subject}")
        for text_line in a.text.strip().splitlines()[:20]:
            lines.append(f"      {text_line}")
        for f in a.attachments:
            lines.append(f"      attachment: {f.filename} ({f.size} bytes, {f.content_type})")
    lines.append("")
    lines.append("History:")
    for h in ticket.history:
        change = " -> ".join(v for v in (h.old, h.new) if v) or ""
        extra = f" ({local_times(h.reason, tz)})" if h.reason else ""
        source = f" [{h.ticket}]" if h.ticket and h.ticket != ticket.number else ""
        lines.append(f"  {when(h.at)} {h.actor or 'system'}: {h.action} {change}{extra}{source}".rstrip())
    return "\n".join(lines)


@ticket_group.command("show")
@click.argument("number")
@FORMAT_OPTION
@pass_desk
def ticket_show(desk: Any, number: str, fmt: str) -> None:
    """Show a ticket with its articles and history."""
    ticket = desk.tickets.get(number)
    clocks = desk.sla.clocks(number)
    data = dict(serialize.ticket(ticket), clocks=clock_rows(clocks))
    text = render_ticket(ticket, desk.config.timezone) + "\n".join(render_clocks(clocks, desk.config.timezone))
    emit_one(data, fmt, text)


@ticket_group.command("reply")
@click.argument("number")
@click.option("--agent", required=True)
@click.option("--body", default="", help="Text (after the canned response, if any).")
@click.option("--canned", "canned_name", help="Start with this canned response.")
@pass_desk
def ticket_reply(desk: Any, number: str, agent: str, body: str, canned_name: str | None) -> None:
    """Answer the customer (takes the lock if the ticket is free)."""
    article = desk.tickets.reply(number, actor=actor_for(agent), body=body, canned_name=canned_name)
    click.echo(f"reply {article.id} added to {number}")


@ticket_group.command("note")
@click.argument("number")
@click.option("--agent", required=True)
@click.option("--body", required=True)
@pass_desk
def ticket_note(desk: Any, number: str, agent: str, body: str) -> None:
    """Add an internal note (never shown to the customer)."""
    article = desk.tickets.note(number, actor=actor_for(agent), body=body)
    click.echo(f"note {article.id} added to {number}")


@ticket_group.command("lock")
@click.argument("number")
@click.option("--agent", required=True)
@pass_desk
def ticket_lock(desk: Any, number: str, agent: str) -> None:
    """Lock the ticket to an agent."""
    desk.tickets.lock(number, actor=actor_for(agent))
    click.echo(f"{number} locked by {agent}")


@ticket_group.command("unlock")
@click.argument("number")
@click.option("--agent", required=True)
@click.option("--force", is_flag=True, help="Take another agent's lock away (needs --reason).")
@click.option("--reason")
@pass_desk
def ticket_unlock(desk: Any, number: str, agent: str, force: bool, reason: str | None) -> None:
    """Release the ticket's lock."""
    desk.tickets.unlock(number, actor=actor_for(agent), force=force, reason=reason)
    click.echo(f"{number} unlocked")


@ticket_group.command("assign")
@click.argument("number")
@click.option("--agent", required=True)
@click.option("--by", "actor", help="Who assigns.")
@pass_desk
def ticket_assign(desk: Any, number: str, agent: str, actor: str | None) -> None:
    """Make an agent the ticket's owner."""
    desk.tickets.assign(number, agent=agent, actor=actor_for(actor))
    click.echo(f"{number} owned by {agent}")


@ticket_group.command("state")
@click.argument("number")
@click.argument("state")
@click.option("--agent", help="Who changes it (must hold the lock if the ticket is locked).")
@click.option("--reason")
@pass_desk
def ticket_state(desk: Any, number: str, state: str, agent: str | None, reason: str | None) -> None:
    """Change the ticket's state."""
    desk.tickets.set_state(number, state, actor=actor_for(agent), reason=reason)
    click.echo(f"{number} is {state}")


@ticket_group.command("priority")
@click.argument("number")
@click.argument("priority")
@click.option("--agent")
@pass_desk
def ticket_priority(desk: Any, number: str, priority: str, agent: str | None) -> None:
    """Change the ticket's priority."""
    ticket = desk.tickets.set_priority(number, priority, actor=actor_for(agent))
    click.echo(f"{number} priority {ticket.priority}")


@ticket_group.command("move")
@click.argument("number")
@click.argument("queue")
@click.option("--agent")
@pass_desk
def ticket_move(desk: Any, number: str, queue: str, agent: str | None) -> None:
    """Move the ticket to another queue."""
    desk.tickets.move(number, queue, actor=actor_for(agent))
    click.echo(f"{number} moved to {queue}")


@ticket_group.command("merge")
@click.argument("number")
@click.argument("into")
@click.option("--agent")
@pass_desk
def ticket_merge(desk: Any, number: str, into: str, agent: str | None) -> None:
    """Merge ticket NUMBER into ticket INTO."""
    desk.tickets.merge(number, into, actor=actor_for(agent))
    click.echo(f"{number} merged into {into}")


@ticket_group.command("search")
@click.argument("text")
@click.option("--limit", type=click.IntRange(1, 10_000), default=50, show_default=True)
@FORMAT_OPTION
@pass_desk
def ticket_search(desk: Any, text: str, limit: int, fmt: str) -> None:
    """Find tickets whose subjects or article texts contain every word of TEXT.

    A word matches as written or in another form of it in the [search] languages
    (ошибка finds "по ошибке"); WORD* matches words starting with WORD. Case and
    ё/е do not matter. The most relevant tickets come first, then the most recent.
    """
    try:
        query_terms(text)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="TEXT") from None
    emit(
        desk.tickets.search(text, limit),
        ("number", "state", "priority", "customer", "subject"),
        fmt,
        empty="No matching tickets.",
    )


@ticket_group.command("reindex")
@pass_desk
def ticket_reindex(desk: Any) -> None:
    """Rebuild the search index of all articles (after changing [search] languages)."""
    count = desk.tickets.reindex_search(actor=actor_for())
    click.echo(f"search index rebuilt: {count} articles")


@ticket_group.command("escalate")
@click.argument("number")
@click.option("--to", "line", type=click.IntRange(1, 3), required=True, help="Support line 1, 2 or 3.")
@click.option("--reason", required=True)
@click.option("--agent")
@pass_desk
def ticket_escalate(desk: Any, number: str, line: int, reason: str, agent: str | None) -> None:
    """Hand a ticket to another support line."""
    desk.tickets.escalate(number, to=line, reason=reason, actor=actor_for(agent))
    click.echo(f"{number} now on line {line}")


def _check_hours(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """``--hours``: a positive number of hours with at most 2 decimals, below 100,000."""
    if value is None:
        return None
    try:
        hours = Decimal(value.strip())
        check_amount(hours, minimum=Decimal("0.01"), maximum=Decimal(100_000), places=2)
    except (InvalidOperation, ValueError) as exc:
        problem = str(exc) if isinstance(exc, ValueError) else "not a number"
        raise click.BadParameter(f"{problem} (e.g. 2.5)") from None
    return value


@ticket_group.command("customer")
@click.argument("number")
@click.option("--customer", "customer", required=True, help="Customer id.")
@click.option("--agent", required=True, help="Who assigns it (kept in the ticket's history).")
@pass_desk
def ticket_customer(desk: Any, number: str, customer: str, agent: str) -> None:
    """Give an unknown sender's ticket its customer (contract, SLA and unbilled time follow)."""
    ticket = desk.tickets.set_customer(number, customer, actor=actor_for(agent))
    click.echo(f"{number}: customer {ticket.customer}, contract {ticket.contract or '-'}")


@ticket_group.command("estimate")
@click.argument("number")
@click.option("--hours", callback=_check_hours, help="Estimated hours (e.g. 2.5); changing it needs a new approval.")
@click.option("--approve", is_flag=True, help="Record the customer's approval of the estimate.")
@click.option("--agent", help="Who records it.")
@pass_desk
def ticket_estimate(desk: Any, number: str, hours: str | None, approve: bool, agent: str | None) -> None:
    """Estimate a ticket's work and/or record its approval; unapproved time is held from invoices."""
    if hours is None and not approve:
        raise BadValue("give --hours, --approve, or both")
    from ..services.billing import estimate_hours  # the ledger is not for the other ticket commands

    estimate = desk.tickets.estimate(
        number, hours=estimate_hours(hours) if hours else None, approve=approve, actor=actor_for(agent)
    )
    state = "approved" if estimate.approved else "not approved"
    click.echo(f"{number}: estimate {estimate.hours} h, {state}")
