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
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from .context import ServiceContext

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
_US = dt.timedelta(microseconds=1)


def _instant(us: int) -> dt.datetime:
    return _EPOCH + _US * us


class ClockRecord(NamedTuple):
    """One SLA clock of a ticket; ``category`` as of the read (met, missed, overdue, running,
    paused, cancelled: docs/sla.md); ``due_base`` is the due time before any pause credit.

    The instants are held as integer microseconds since 1970-01-01 UTC (``started_us``,
    ``stopped_us``, ``due_base_us``, ``due_us``: what business-time arithmetic such as
    :meth:`deskframe.sla.Calendar.between_many` takes), and read as aware UTC datetimes through
    ``started_at``, ``stopped_at``, ``due_base`` and ``due_at``. ``business_us`` is the working
    microseconds from start to stop in the clock's calendar as the SLA service stored them when
    the clock stopped (pause credit not subtracted); None for a live clock and for one stopped
    before the desk stored them (migration 0026): compute those from the calendar.
    """

    kind: str
    status: str
    category: str
    calendar: str
    started_us: int
    stopped_us: int | None
    due_base_us: int
    due_us: int
    paused_seconds: int
    business_us: int | None = None

    @property
    def started_at(self) -> dt.datetime:
        """When the clock started (aware UTC)."""
        return _instant(self.started_us)

    @property
    def stopped_at(self) -> dt.datetime | None:
        """When the clock stopped (aware UTC), None while it runs."""
        return None if self.stopped_us is None else _instant(self.stopped_us)

    @property
    def due_base(self) -> dt.datetime:
        """The due time before any pause credit (aware UTC)."""
        return _instant(self.due_base_us)

    @property
    def due_at(self) -> dt.datetime:
        """The due time (aware UTC)."""
        return _instant(self.due_us)


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
            changes: dict[int, list[tuple[dt.datetime, str]]] = {}
            for ticket_id, at, new in repo.period_state_changes(customer, start, end, contract):
                changes.setdefault(ticket_id, []).append((at, states.get(new or "", "open")))
            replies = repo.period_first_replies(customer, start, end, contract)
            clocks: dict[int, list[ClockRecord]] = {}
            for c in repo.period_clock_rows(customer, start, end, contract, now):
                found = clocks.get(c[0])
                if found is None:
                    found = clocks[c[0]] = []
                found.append(ClockRecord(*c[1:]))
            estimates = repo.period_estimates(customer, start, end, contract)
        empty: tuple[Any, ...] = ()
        return [
            TicketActivity(
                r[1],
                r[2],
                r[3],
                r[4],
                r[5],
                r[6],
                r[7],
                r[8],
                r[9],
                r[10],
                tuple(changes[r[0]]) if r[0] in changes else empty,
                replies.get(r[0]),
                tuple(clocks[r[0]]) if r[0] in clocks else empty,
                estimates.get(r[0]),
            )
            for r in rows
        ]
