"""What happened on a customer's tickets in a period: the read-only service a report builds on.

``desk.activity`` (:class:`ActivityService`) returns plain immutable values (named tuples, no
database behind them, cheap to build by the ten thousand): :meth:`~ActivityService.tickets` the tickets that matter to a period with their state
changes and first reply, every SLA clock of those tickets, and their estimates;
:meth:`~ActivityService.time` the time logged in a period, summed per ticket, agent and
billable. It reads in a handful of set-based queries (``store/report_repo.py``), so a month
of ten thousand tickets costs no per-ticket round trips. Nothing here writes, so no actor.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from .context import ServiceContext


class ClockRecord(NamedTuple):
    """One SLA clock of a ticket; ``category`` as of the read (met, missed, overdue, running,
    paused, cancelled: docs/sla.md); ``due_base`` is the due time before any pause credit."""

    kind: str
    status: str
    category: str
    calendar: str
    started_at: dt.datetime
    stopped_at: dt.datetime | None
    due_base: dt.datetime
    due_at: dt.datetime
    paused_seconds: int


class TicketActivity(NamedTuple):
    """A ticket as a period report sees it.

    ``state_changes`` are ``(at, state_type)`` pairs, oldest first (state names mapped to
    their type with ``[tickets.states]``); ``first_reply_at`` is the first outbound
    article visible to the customer; ``estimate_hours`` the ticket's estimate, if any.
    """

    number: str
    subject: str
    state: str
    state_type: str
    priority: str
    queue: str
    channel: str | None
    line: int
    contract: str | None
    created_at: dt.datetime
    state_changes: tuple[tuple[dt.datetime, str], ...] = ()
    first_reply_at: dt.datetime | None = None
    clocks: tuple[ClockRecord, ...] = ()
    estimate_hours: Decimal | None = None

    def state_type_at(self, when: dt.datetime) -> str | None:
        """The ticket's state type just before ``when`` (None if it did not exist yet)."""
        if self.created_at >= when:
            return None
        current = "new"
        for at, kind in self.state_changes:
            if at >= when:
                break
            current = kind
        return current

    def closed_in(self, start: dt.datetime, end: dt.datetime) -> dt.datetime | None:
        """The last time in ``[start, end)`` the ticket moved to ``resolved`` or ``closed``, or None."""
        found = None
        for at, kind in self.state_changes:
            if start <= at < end and kind in ("resolved", "closed"):
                found = at
        return found


class TimeTotal(NamedTuple):
    """Minutes an agent logged on a ticket in a period, billable or not (voided entries left out)."""

    ticket: str
    subject: str
    agent: str
    billable: bool
    minutes: int


class ActivityService:
    """Read-only: a customer's tickets, SLA clocks and time in a period (``desk.activity``)."""

    def __init__(self, ctx: ServiceContext):
        self.ctx = ctx

    def time(
        self,
        customer: str,
        first: dt.date,
        end: dt.date,
        *,
        contract: str | None = None,
        by: tuple[str, ...] = ("ticket", "agent"),
    ) -> list[TimeTotal]:
        """The customer's time with a work date in ``[first, end)``, summed per ticket, agent and
        billable (one grouped query, however many entries); ``contract`` keeps that contract's
        tickets. ``by`` names the dimensions kept (``ticket``, ``agent``): one left out is summed
        over in SQL and its fields are empty (``by=()`` gives the billable and non-billable
        totals). An unknown customer or contract is refused (exit 2)."""
        unknown = set(by) - {"ticket", "agent"}
        if unknown:
            raise ValueError(f"time: unknown dimension {sorted(unknown)}")
        with self.ctx.store.read() as repo:
            repo.customer_row(customer)
            if contract is not None:
                repo.contract(contract)
            rows = repo.time_totals(customer, first, end, contract, tuple(by))
        return [TimeTotal(r.ticket, r.subject, r.agent, bool(r.billable), int(r.minutes or 0)) for r in rows]

    def tickets(
        self, customer: str, start: dt.datetime, end: dt.datetime, *, contract: str | None = None
    ) -> list[TicketActivity]:
        """The customer's tickets that matter to ``[start, end)`` (aware instants), oldest first.

        A ticket matters when it was opened before ``end`` and is still open or changed since
        ``start``; the caller decides from its ``state_changes`` whether it was opened,
        resolved or open at the end of the period. ``contract`` keeps one contract's tickets.
        An unknown customer or contract is refused (:class:`~deskframe.errors.NotFound`, exit 2).
        """
        states = self.ctx.settings.states
        now = self.ctx.clock()
        with self.ctx.store.read() as repo:
            repo.customer_row(customer)
            if contract is not None:
                repo.contract(contract)
            rows = repo.period_ticket_rows(customer, start, end, contract)
            ids = [r.id for r in rows]
            changes: dict[int, list[tuple[dt.datetime, str]]] = {}
            for ticket_id, at, new in repo.state_changes(ids):
                changes.setdefault(ticket_id, []).append((at, states.get(new or "", "open")))
            replies = repo.first_replies(ids)
            clocks: dict[int, list[ClockRecord]] = {}
            for c in repo.ticket_clock_rows(ids, now):
                clocks.setdefault(c.ticket_id, []).append(
                    ClockRecord(
                        c.kind,
                        c.status,
                        c.category,
                        c.calendar,
                        c.started_at,
                        c.stopped_at,
                        c.due_base,
                        c.due_at,
                        int(c.paused_seconds or 0),
                    )
                )
            estimates = repo.estimates(ids)
        return [
            TicketActivity(
                r.number,
                r.subject,
                r.state,
                r.state_type,
                r.priority,
                r.queue,
                r.channel,
                r.line,
                r.contract,
                r.created_at,
                tuple(changes.get(r.id, ())),
                replies.get(r.id),
                tuple(clocks.get(r.id, ())),
                estimates[r.number].hours if r.number in estimates else None,
            )
            for r in rows
        ]
