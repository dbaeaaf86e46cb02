"""What happened on a customer's tickets in a period: the read-only service a report builds on.

``desk.activity`` (:class:`ActivityService`) returns plain immutable values (named tuples, no
database behind them, cheap to build by the ten thousand): :meth:`~ActivityService.tickets` the tickets that matter to a period with their state
changes and first reply, every SLA clock of those tickets, and their estimates;
:meth:`~ActivityService.time` the time logged in a period, summed per ticket, agent and
billable; :meth:`~ActivityService.counts` the tickets opened, resolved, in the backlog and
breached, counted by the database per ticket fields; :meth:`~ActivityService.opened` the tickets
opened in a period and their clocks as plain tuples, for what needs each one. It reads in a handful of set-based queries (``store/report_repo.py``), so a month
of ten thousand tickets costs no per-ticket round trips. Nothing here writes, so no actor.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from .context import ServiceContext

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
_US = dt.timedelta(microseconds=1)


def instant(us: int) -> dt.datetime:
    """Integer microseconds since 1970-01-01 UTC (as the period reads give instants) as an aware
    UTC datetime."""
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
    before the desk stored them (migration 0026): compute those from the calendar. ``target_us``
    likewise is the working microseconds from start to ``due_base`` (the clock's target) as the
    SLA service stored them when the clock started; None for a clock started before migration 0027.
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
    target_us: int | None = None

    @property
    def started_at(self) -> dt.datetime:
        """When the clock started (aware UTC)."""
        return instant(self.started_us)

    @property
    def stopped_at(self) -> dt.datetime | None:
        """When the clock stopped (aware UTC), None while it runs."""
        return None if self.stopped_us is None else instant(self.stopped_us)

    @property
    def due_base(self) -> dt.datetime:
        """The due time before any pause credit (aware UTC)."""
        return instant(self.due_base_us)

    @property
    def due_at(self) -> dt.datetime:
        """The due time (aware UTC)."""
        return instant(self.due_us)


#: Positions of a :class:`ClockRecord`'s fields in the plain tuples of
#: :attr:`TicketActivity.clock_rows` (``row[CLOCK_CATEGORY]`` is ``record.category``).
(
    CLOCK_KIND,
    CLOCK_STATUS,
    CLOCK_CATEGORY,
    CLOCK_CALENDAR,
    CLOCK_STARTED_US,
    CLOCK_STOPPED_US,
    CLOCK_DUE_BASE_US,
    CLOCK_DUE_US,
    CLOCK_PAUSED_SECONDS,
    CLOCK_BUSINESS_US,
    CLOCK_TARGET_US,
) = range(len(ClockRecord._fields))


class TicketActivity(NamedTuple):
    """A ticket as a period report sees it.

    ``state_changes`` are ``(at, state_type)`` pairs, oldest first (state names mapped to
    their type with ``[tickets.states]``); ``first_reply_at`` is the first outbound
    article visible to the customer; ``estimate_hours`` the ticket's estimate, if any.

    ``clock_rows`` holds the ticket's SLA clocks as plain tuples in :class:`ClockRecord`'s field
    order (positions ``CLOCK_KIND`` ... ``CLOCK_BUSINESS_US``), and :attr:`clocks` gives them
    as ``ClockRecord`` values. The garbage collector stops tracking tuples of plain values but
    tracks every named tuple for as long as it lives: a month of ten thousand tickets kept
    twenty thousand ``ClockRecord`` values alive, and the collector walked the whole process's
    heap once or twice more for them while the report was built.
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
    clock_rows: tuple[tuple[Any, ...], ...] = ()
    estimate_hours: Decimal | None = None

    @property
    def clocks(self) -> tuple[ClockRecord, ...]:
        """The ticket's SLA clocks, oldest first."""
        return tuple(map(ClockRecord._make, self.clock_rows))

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
            self._check(repo, customer, contract)
            rows = repo.time_totals(customer, first, end, contract, tuple(by))
        return [TimeTotal(r[0], r[1], r[2], bool(r[3]), int(r[4] or 0)) for r in rows]

    def time_per_ticket(
        self, customer: str, first: dt.date, end: dt.date, *, contract: str | None = None
    ) -> list[tuple[str, str, int, int]]:
        """The customer's time with a work date in ``[first, end)`` (voided entries left out)
        per ticket: ``(number, subject, billable minutes, non-billable minutes)`` plain tuples,
        one per ticket with time, by number. What ``time(by=("ticket",))`` gives in one or two
        ``TimeTotal`` values per ticket, in a form the garbage collector need not track (a
        month's report holds ten thousand of them). An unknown customer or contract is refused
        (exit 2)."""
        with self.ctx.store.read() as repo:
            self._check(repo, customer, contract)
            rows = repo.time_per_ticket(customer, first, end, contract)
        return sorted([(r[0], r[1], int(r[2] or 0), int(r[3] or 0)) for r in rows])

    def _check(self, repo: Any, customer: str, contract: str | None) -> None:
        """Refuse an unknown customer or contract (:class:`~deskframe.errors.NotFound`, exit 2)."""
        repo.customer_row(customer)
        if contract is not None:
            repo.contract(contract)

    def counts(
        self,
        customer: str,
        start: dt.datetime,
        end: dt.datetime,
        *,
        contract: str | None = None,
        by: tuple[str, ...] = (),
        figures: tuple[str, ...] = ("opened", "resolved", "backlog", "breached"),
    ) -> list[tuple[Any, ...]]:
        """Counts of the customer's tickets that matter to ``[start, end)`` (as :meth:`tickets`
        reads them), summed in SQL per the ticket fields named in ``by`` (``priority``,
        ``channel``, ``line``, ``queue``, ``contract``): plain tuples ``(*by values, *figures)``
        in no order, ``figures`` some of ``opened``, ``resolved``, ``backlog``, ``breached`` (each
        costs the database a little); with ``by=()`` one row of totals.

        ``opened``: created in the period; ``resolved``: moved to a state of type ``resolved`` or
        ``closed`` in it; ``backlog``: of a new, open or pending state type at its end (state names
        mapped to types with ``[tickets.states]``, an unknown name counting as open, as
        :meth:`TicketActivity.state_type_at` reads them); ``breached``: opened in the period with
        an SLA clock missed or overdue now. An unknown customer or contract is refused (exit 2)."""
        from ..store.report_repo import COUNT_DIMENSIONS, COUNT_FIGURES

        unknown = (set(by) - set(COUNT_DIMENSIONS)) | (set(figures) - set(COUNT_FIGURES))
        if unknown:
            raise ValueError(f"counts: unknown dimension or figure {sorted(unknown)}")
        states = self.ctx.settings.states
        done = sorted(name for name, kind in states.items() if kind in ("resolved", "closed") and name)
        ended = sorted(name for name, kind in states.items() if kind not in ("new", "open", "pending") and name)
        now = self.ctx.clock()
        with self.ctx.store.read() as repo:
            self._check(repo, customer, contract)
            rows = repo.period_counts(customer, start, end, contract, now, tuple(by), done, ended, tuple(figures))
        n = len(by)
        return [(*r[:n], *(int(v or 0) for v in r[n:])) for r in rows]

    def opened(
        self, customer: str, start: dt.datetime, end: dt.datetime, *, contract: str | None = None
    ) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
        """The customer's tickets opened in ``[start, end)`` and their SLA clocks, as plain tuples
        (cheaper than :meth:`tickets` for a caller that counts the rest with :meth:`counts`).

        Tickets, oldest first: ``(id, number, subject, priority, channel, line, queue, contract,
        created_us)``, ``created_us`` in integer microseconds since 1970-01-01 UTC. Clocks, by
        ticket id and each ticket's oldest first: ``(ticket id, *clock)``, ``clock`` in
        :class:`ClockRecord`'s field order (positions ``CLOCK_KIND`` ... counted from the second
        column), except that only what the stored figures leave needed is read: ``calendar`` and
        ``started_us`` when ``business_us`` or ``target_us`` is None, ``stopped_us`` when
        ``business_us`` is (else 0 for a stopped clock, None for a running one), ``due_base_us``
        when ``target_us`` is, ``due_us`` never (None). An unknown customer or contract is refused
        (exit 2)."""
        now = self.ctx.clock()
        with self.ctx.store.read() as repo:
            self._check(repo, customer, contract)
            tickets = repo.period_opened_rows(customer, start, end, contract)
            clocks = repo.period_clock_rows(customer, start, end, contract, now, opened=True)
        return tickets, list(clocks)

    def estimates(
        self, customer: str, start: dt.datetime, end: dt.datetime, *, contract: str | None = None
    ) -> dict[str, Decimal]:
        """Ticket number -> estimated hours of the customer's tickets that matter to ``[start,
        end)`` (as :meth:`tickets` reads them) and have an estimate."""
        with self.ctx.store.read() as repo:
            self._check(repo, customer, contract)
            return dict(repo.period_estimates(customer, start, end, contract, by_number=True))

    def tickets(
        self,
        customer: str,
        start: dt.datetime,
        end: dt.datetime,
        *,
        contract: str | None = None,
        first_replies: bool = True,
    ) -> list[TicketActivity]:
        """The customer's tickets that matter to ``[start, end)`` (aware instants), oldest first.

        A ticket matters when it was opened before ``end`` and is still open or changed since
        ``start``; the caller decides from its ``state_changes`` whether it was opened,
        resolved or open at the end of the period. ``contract`` keeps one contract's tickets.
        An unknown customer or contract is refused (:class:`~deskframe.errors.NotFound`, exit 2).
        ``first_replies=False`` skips reading the first replies (``first_reply_at`` is None) for a
        caller that does not use them.
        """
        states = self.ctx.settings.states
        now = self.ctx.clock()
        with self.ctx.store.read() as repo:
            self._check(repo, customer, contract)
            rows = repo.period_ticket_rows(customer, start, end, contract)
            changes = _by_ticket(
                repo.period_state_changes(customer, start, end, contract),
                lambda r: (r[1], states.get(r[2] or "", "open")),
            )
            replies = repo.period_first_replies(customer, start, end, contract) if first_replies else {}
            clocks = _by_ticket(repo.period_clock_rows(customer, start, end, contract, now), _clock)
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
                changes.get(r[0], empty),
                replies.get(r[0]),
                clocks.get(r[0], empty),
                estimates.get(r[0]),
            )
            for r in rows
        ]


def _clock(row: Sequence[Any]) -> tuple[Any, ...]:
    return tuple(row[1:])


def _by_ticket(rows: Sequence[Sequence[Any]], make: Callable[[Sequence[Any]], Any]) -> dict[int, tuple[Any, ...]]:
    """Ticket id -> ``make`` of each of its rows, from rows whose first column is the ticket id,
    ordered by it: each ticket's run of rows becomes one tuple (no list per ticket kept alive
    while the rest is read, which the garbage collector would walk)."""
    out: dict[int, tuple[Any, ...]] = {}
    n, k = len(rows), 0
    while k < n:
        ticket, j = rows[k][0], k + 1
        while j < n and rows[j][0] == ticket:
            j += 1
        out[ticket] = tuple([make(r) for r in rows[k:j]])
        k = j
    return out
