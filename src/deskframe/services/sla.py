"""The SLA service: running clocks on tickets, the core machinery behind the SLA policy plugins.

Policies (plugins) say which clocks a ticket gets and when they are due; this
module starts them on new tickets, stops them on the first agent reply or on
resolution, pauses them in pending states and credits the paused *working*
time back (the due time moves by exactly that much business time), and
claims warnings and breaches exactly once for ``sla check``. It also reads clocks
(``ticket show``), reports on them (``sla report``) and gives the next due time.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import attrs

from .. import policy
from ..actors import Actor
from ..errors import BadValue
from ..events import SlaEvent
from ..sla import Calendar
from ..sla.policy import TicketFacts
from .context import month_bounds

if TYPE_CHECKING:
    from ..model import Ticket
    from ..store import Repository
    from .context import ServiceContext

#: Who warns and breaches clocks.
SLA_ACTOR = Actor.system("sla")

CLOSING = ("resolved", "closed", "merged")
#: Business time is stored in whole microseconds (what ``Calendar.between_many`` returns).
_US = dt.timedelta(microseconds=1)


@attrs.frozen
class ClockView:
    """A clock as shown by ``ticket show``."""

    kind: str
    status: str
    calendar: str
    started_at: dt.datetime
    due_at: dt.datetime
    paused_seconds: int
    stopped_at: dt.datetime | None
    warned_at: dt.datetime | None
    breached_at: dt.datetime | None
    remaining_seconds: int | None


@attrs.define
class CheckResult:
    """What one ``sla check`` did."""

    warnings: int = 0
    breaches: int = 0
    escalations: int = 0
    live_clocks: int = 0
    #: ``{"ticket", "kind", "due_at"}`` of each clock warned / breached by this check
    warned: list[dict[str, Any]] = attrs.field(factory=list)
    breached: list[dict[str, Any]] = attrs.field(factory=list)


class SlaService:
    """Starts, pauses, resumes and stops clocks inside the ticket services' transactions;
    checks, reads and reports them in its own."""

    def __init__(self, ctx: ServiceContext):
        self.ctx = ctx

    @property
    def calendars(self) -> dict[str, Calendar]:
        """The configured business calendars by name."""
        return self.ctx.config.calendar_objects

    def calendar(self, name: str) -> Calendar:
        """The calendar ``name`` (``BadValue`` if not configured)."""
        try:
            return self.calendars[name]
        except KeyError:
            raise BadValue(f"unknown calendar '{name}'") from None

    def _policy(self, repo: Repository, row: Any) -> tuple[str, Any, Any] | None:
        if not self.ctx.config.sla_policies:
            return None
        contract = repo.contract_by_id(row.contract_id) if row.contract_id else None
        name = (contract.sla if contract else None) or self.ctx.settings.default_sla
        if not name:
            return None
        policy = self.ctx.config.sla_policies.get(name)
        if policy is None:
            return None
        return name, policy, contract

    def facts(self, repo: Repository, row: Any, contract: Any) -> TicketFacts:
        """What a policy knows of ticket ``row`` under ``contract``."""
        return TicketFacts(
            number=row.number,
            priority=row.priority,
            opened_at=row.created_at,
            support_type=contract.support_type if contract else None,
            contract=contract.key if contract else None,
            customer=repo.customer_key(row.customer_id),
            channel=row.channel,
            line=row.line,
        )

    # --- lifecycle -------------------------------------------------------------
    def on_open(self, repo: Repository, row: Any) -> None:
        """Start the clocks of a new ticket."""
        found = self._policy(repo, row)
        if found is None:
            return
        name, policy, contract = found
        for spec in policy.start(self.facts(repo, row, contract), self.calendars):
            self._add_clock(repo, row, name, spec, row.created_at)

    def on_agent_reply(self, repo: Repository, row: Any, now: dt.datetime) -> None:
        """Stop the clocks an agent's reply stops."""
        for clock in repo.live_clocks(row):
            if clock.stop_on == "reply":
                self._stop(clock, now)

    def on_customer_message(self, repo: Repository, row: Any, now: dt.datetime) -> None:
        """Start an update clock when the customer writes (unless one runs)."""
        if any(c.kind == "update" for c in repo.live_clocks(row)):
            return
        found = self._policy(repo, row)
        if found is None:
            return
        name, policy, contract = found
        spec = policy.restart("update", self.facts(repo, row, contract), now, self.calendars)
        if spec is not None:
            self._add_clock(repo, row, name, spec, now)

    def on_state(self, repo: Repository, row: Any, new_type: str, now: dt.datetime) -> None:
        """Stop, pause or resume clocks for a ticket's new state type."""
        for clock in repo.live_clocks(row):
            if new_type in CLOSING:
                self._stop(clock, now, cancel=clock.stop_on != "resolve" or new_type == "merged")
            elif new_type in clock.pause_on and clock.status == "running":
                clock.status, clock.paused_at = "paused", now
            elif clock.status == "paused" and new_type not in clock.pause_on:
                self._resume(clock, now)

    def on_priority(self, repo: Repository, row: Any) -> None:
        """Re-target live clocks after a priority change (started time and pause credit kept)."""
        found = self._policy(repo, row)
        if found is None:
            return
        _, policy, contract = found
        specs = {s.kind: s for s in policy.start(self.facts(repo, row, contract), self.calendars)}
        for clock in repo.live_clocks(row):
            spec = specs.get(clock.kind)
            if clock.kind == "update":
                continue
            if spec is None:
                self._stop(clock, repo.now, cancel=True)
                continue
            clock.due_base, clock.warn_base = spec.due, spec.warn_at
            self._apply_credit(clock)

    def on_contract(self, repo: Repository, row: Any, now: dt.datetime) -> None:
        """Follow a ticket's new customer or contract: if its SLA policy changes, every clock
        of the old one ends as ``cancelled`` (replaced) and the new policy's clocks start
        from the ticket's opening. A target an old clock already stopped on (the first
        reply, the resolution) stops the new clock at the same moment, met or missed by its
        own due time; on a closed ticket the other new clocks end cancelled, in a pause
        state they pause now."""
        found = self._policy(repo, row)
        name = found[0] if found else None
        clocks = repo.clocks(row.id)
        policies = {c.policy for c in clocks}
        if policies == ({name} if name else set()):
            return
        stopped: dict[str, dt.datetime] = {}
        for clock in clocks:
            if clock.status in ("met", "missed") and clock.stopped_at is not None:  # _stop always sets it
                stopped.setdefault(clock.kind, clock.stopped_at)
            if clock.status != "cancelled":
                clock.status = "cancelled"
                if clock.stopped_at is None:
                    self._stopped_at(clock, now)
        if found is None:
            return
        name, policy, contract = found
        for spec in policy.start(self.facts(repo, row, contract), self.calendars):
            clock = self._add_clock(repo, row, name, spec, row.created_at)
            if spec.kind in stopped:
                self._stop(clock, stopped[spec.kind])
            elif row.state_type in CLOSING:
                clock.status = "cancelled"
                self._stopped_at(clock, now)
            elif row.state_type in clock.pause_on:
                clock.status, clock.paused_at = "paused", now

    # --- clock arithmetic --------------------------------------------------------
    def _apply_credit(self, clock: Any) -> None:
        credit = dt.timedelta(seconds=clock.paused_seconds)
        if not credit:
            clock.due_at, clock.warn_at = clock.due_base, clock.warn_base
            return
        calendar = self.calendar(clock.calendar)
        clock.due_at = calendar.add(clock.due_base, credit)
        clock.warn_at = calendar.add(clock.warn_base, credit) if clock.warn_base else None

    def _resume(self, clock: Any, now: dt.datetime) -> None:
        paused = self.calendar(clock.calendar).between(clock.paused_at, now)
        clock.paused_seconds += int(paused.total_seconds())
        clock.paused_at = None
        clock.status = "running"
        self._apply_credit(clock)

    def _add_clock(self, repo: Repository, row: Any, name: str, spec: Any, started: dt.datetime) -> Any:
        """Start the clock of ``spec`` and store its target in working time of the calendar in
        force (``target_us``: from its start to its due time before pauses, what a report shows
        as the target without calendar arithmetic; None when the calendar is not configured)."""
        clock = repo.add_clock(row, name, spec, started)
        clock.target_us = self._working_us(clock, clock.due_base)
        return clock

    def _stopped_at(self, clock: Any, now: dt.datetime) -> None:
        """Stop ``clock`` at ``now`` and store its span's working time in the calendar in force
        (``business_us``: what a report measures it by, without calendar arithmetic; left None
        when the calendar is no longer configured)."""
        clock.stopped_at = now
        clock.business_us = self._working_us(clock, now)

    def _working_us(self, clock: Any, until: dt.datetime) -> int | None:
        """Working microseconds of ``clock``'s calendar in force from its start to ``until``
        (None when the calendar is no longer configured)."""
        calendar = self.calendars.get(clock.calendar)
        return None if calendar is None else calendar.between(clock.started_at, until) // _US

    def _stop(self, clock: Any, now: dt.datetime, cancel: bool = False) -> None:
        if clock.status == "paused":
            self._resume(clock, now)
        self._stopped_at(clock, now)
        if now > clock.due_at:
            clock.status = "missed"
        else:
            clock.status = "cancelled" if cancel else "met"

    # --- views and checks --------------------------------------------------------
    def views(self, repo: Repository, row: Any, now: dt.datetime) -> list[ClockView]:
        """The clocks of ticket ``row`` as of ``now`` (inside a caller's transaction)."""
        out = []
        for clock in repo.clock_values(row.id):
            remaining = None
            if clock.status in ("running", "paused"):
                calendar = self.calendar(clock.calendar)
                if clock.status == "paused":
                    assert clock.paused_at is not None, "every pause sets paused_at"
                    probe = calendar.add(
                        clock.due_base,
                        dt.timedelta(seconds=clock.paused_seconds) + calendar.between(clock.paused_at, now),
                    )
                    remaining = int(calendar.between(now, probe).total_seconds())
                elif now < clock.due_at:
                    remaining = int(calendar.between(now, clock.due_at).total_seconds())
                else:
                    remaining = -int(calendar.between(clock.due_at, now).total_seconds())
            out.append(
                ClockView(
                    kind=clock.kind,
                    status=clock.status,
                    calendar=clock.calendar,
                    started_at=clock.started_at,
                    due_at=clock.due_at,
                    paused_seconds=clock.paused_seconds,
                    stopped_at=clock.stopped_at,
                    warned_at=clock.warned_at,
                    breached_at=clock.breached_at,
                    remaining_seconds=remaining,
                )
            )
        return out

    def clocks(self, number: str, now: dt.datetime | None = None) -> list[ClockView]:
        """The ticket's SLA clocks with working time remaining (negative: overdue)."""
        with self.ctx.store.read() as repo:
            return self.views(repo, repo.ticket_row(number), now or self.ctx.clock())

    def ticket_with_clocks(
        self, number: str, *, actor: Actor | None = None, now: dt.datetime | None = None
    ) -> tuple[Ticket, list[ClockView]]:
        """``(ticket, clocks)`` in one read: the ticket as :meth:`TicketService.get
        <deskframe.services.tickets.TicketService.get>` answers it for ``actor`` (articles and
        history; :class:`~deskframe.errors.Forbidden` unless it may read it) and its :meth:`clocks`."""
        with self.ctx.store.read() as repo:
            row = repo.ticket_row_with_names(number)  # the names and queue the policy and the view need
            if actor is not None:
                policy.allow(actor, "ticket.read", repo=repo, ticket=row)
            ticket = policy.visible_ticket(actor, repo.ticket_view(row, full=True))
            return ticket, self.views(repo, row, now or self.ctx.clock())

    def next_due(self, number: str) -> dt.datetime | None:
        """The earliest due time of the ticket's running SLA clocks (None without one)."""
        running = [c.due_at for c in self.clocks(number) if c.status == "running"]
        return min(running) if running else None

    def report(self, customer: str, period: str, now: dt.datetime | None = None) -> list[dict[str, Any]]:
        """Per priority and clock kind: clocks, and how many are met, missed, overdue, running,
        paused, cancelled as of ``now`` (they add up; docs/sla.md), with the median and p90
        working response time of the stopped ones."""
        from ..sla.report import summarize

        start, end = month_bounds(period)
        zone = ZoneInfo(self.ctx.config.timezone)
        begin = dt.datetime.combine(start, dt.time(), zone)
        finish = dt.datetime.combine(end, dt.time(), zone)
        with self.ctx.store.read() as repo:
            repo.customer_row(customer)
            rows = repo.clock_report_rows(customer, begin, finish, now or self.ctx.clock())
        clocks = []
        for r in rows:
            response = None
            if r.stopped_at is not None and r.status in ("met", "missed"):
                calendar = self.calendar(r.calendar)
                response = calendar.between(r.started_at, r.stopped_at).total_seconds() - r.paused_seconds
            clocks.append(
                {"priority": r.priority, "kind": r.kind, "category": r.category, "response_seconds": response}
            )
        return summarize(clocks)

    def check(self, now: dt.datetime | None = None, *, actor: Actor = SLA_ACTOR) -> CheckResult:
        """Warn and breach every due clock exactly once (safe to run in several processes);
        history names ``actor`` (the system's ``sla``)."""
        now = now or self.ctx.clock()
        result = CheckResult()
        events: list[tuple[str, Any]] = []
        name = actor.history_name
        with self.ctx.store.write() as repo:
            policy.check(actor, "sla.check", repo=repo)
            warned = repo.claim_warnings(now)
            breached = repo.claim_breaches(now)
            zone = ZoneInfo(self.ctx.config.timezone)  # the reason is read by people: the desk's zone
            history = [
                dict(
                    ticket_id=w.ticket_id,
                    at=now,
                    actor=name,
                    action="sla_warning",
                    old=None,
                    new=w.kind,
                    reason=f"due {w.due_at.astimezone(zone).isoformat()}",
                )
                for w in warned
            ]
            history += [
                dict(
                    ticket_id=b.ticket_id,
                    at=now,
                    actor=name,
                    action="sla_breached",
                    old=None,
                    new=b.kind,
                    reason=f"due {b.due_at.astimezone(zone).isoformat()}",
                )
                for b in breached
            ]
            repo.add_history_rows(history)
            escalate = {b.ticket_id: b.escalate_to for b in breached if b.escalate_to}
            for ticket_id, line in escalate.items():
                row = repo.ticket_row_by_id(ticket_id)
                if row.line < line:
                    old, row.line = row.line, line
                    repo.history(row, name, "line", old=old, new=line, reason="escalated on SLA breach")
                    result.escalations += 1
            views = repo.ticket_views_by_id({c.ticket_id for c in warned} | {c.ticket_id for c in breached})
            events += [("sla_warning", SlaEvent(views[w.ticket_id], w.kind, w.due_at, now)) for w in warned]
            events += [("sla_breached", SlaEvent(views[b.ticket_id], b.kind, b.due_at, now)) for b in breached]
            result.warnings, result.breaches = len(warned), len(breached)
            result.warned = sorted(
                ({"ticket": views[w.ticket_id].number, "kind": w.kind, "due_at": w.due_at} for w in warned),
                key=lambda c: (c["ticket"], c["kind"]),
            )
            result.breached = sorted(
                ({"ticket": views[b.ticket_id].number, "kind": b.kind, "due_at": b.due_at} for b in breached),
                key=lambda c: (c["ticket"], c["kind"]),
            )
            result.live_clocks = repo.count_live_clocks()
            failures = self.ctx.enqueue_outbound(repo, events)
        self.ctx.fire_events(events, failures)
        return result
