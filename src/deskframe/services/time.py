"""The time service: time entries, logging (``time log``), listing, and correcting (``time edit``,
``time void``), each recorded with its actor.

Logging: an entry is 1..1440 minutes (a day), and one agent's entries of one work date
may not add up to more than ``[time] max_per_day`` (refused as the desk's state, exit 1).

Correction rules (docs/time.md):

* An entry billed on an **issued** invoice is refused (exit 1): void the invoice first
  (its credit note releases the entry), then correct it.
* An entry on a **draft** invoice may be corrected: the draft of that contract and period
  is discarded in the same transaction (drafts are rebuilt from scratch by every
  ``invoice run``), and the caller is told to run the period again.
* A voided entry is kept with who voided it, when and why, but is no longer listed
  (unless asked for), billed or reported; it cannot be edited or voided again.
* An edit keeps the 24-hour bound of one entry (1..1440 minutes); the entry records who
  edited it last and when, the ticket's history the old and new values.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import attrs

from .. import policy
from ..bounds import MAX_ENTRY_MINUTES
from ..errors import BadValue, DomainError
from ..model import TimeEntry
from .context import month_bounds

if TYPE_CHECKING:
    from ..actors import Actor
    from ..store import Repository
    from .context import ServiceContext


@attrs.frozen
class Correction:
    """The entry after a correction, and the draft invoice it discarded (``draft-ID``, period)."""

    entry: TimeEntry
    discarded_draft: tuple[str, str] | None = None


def _describe(row: Any) -> str:
    kind = "billable" if row.billable else "non-billable"
    return f"{row.minutes}m {row.work_date.isoformat()} {kind}" + (f" '{row.note}'" if row.note else "")


def _release(repo: Repository, entry_id: int) -> tuple[str, str] | None:
    """Refuse if the entry is on an issued invoice; discard its draft if it is on one."""
    invoice = repo.entry_invoice(entry_id)
    if invoice is None:
        return None
    if invoice.status == "draft" and invoice.contract_id is not None:
        repo.lock_contracts([invoice.contract_id])  # as an invoice run does, so it waits for us
        invoice = repo.entry_invoice(entry_id)
        if invoice is None:
            return None
    if invoice.status != "draft":
        raise DomainError(
            f"time entry {entry_id} is billed on invoice {invoice.number} ({invoice.status}): void the invoice first"
        )
    ref, period = f"draft-{invoice.id}", invoice.period
    if invoice.contract_id is not None:  # a draft without a contract matches no contract's drafts
        repo.delete_drafts([invoice.contract_id], period)
    return ref, period


def _entry(repo: Repository, entry_id: int) -> TimeEntry:
    return repo.list_time(entry_id=entry_id, voided=True)[0]


def _open_entry(repo: Repository, entry_id: int, actor: Actor, action: str, *, voided: str) -> tuple[str, Any]:
    """The acting agent's login and entry ``entry_id``, locked for the correction;
    a voided entry is refused with the message ``voided``."""
    row = repo.time_entry_row(entry_id, for_update=True)
    login = policy.check_agent(actor, action, repo=repo, ticket=repo.ticket_row_by_id(row.ticket_id)).login
    if row.voided_at is not None:
        raise DomainError(voided)
    return login, row


class TimeService:
    """Logs, lists and corrects time entries, each in its own transaction."""

    def __init__(self, ctx: ServiceContext):
        self.ctx = ctx

    def log(
        self,
        number: str,
        *,
        actor: Actor,
        minutes: int,
        date: dt.date | None = None,
        note: str = "",
        billable: bool = True,
    ) -> TimeEntry:
        """Record ``minutes`` the acting agent spent on ticket ``number`` (work date: ``date``, else today)."""
        if isinstance(minutes, bool) or not isinstance(minutes, int) or not 0 < minutes <= MAX_ENTRY_MINUTES:
            raise BadValue(f"minutes must be from 1 to {MAX_ENTRY_MINUTES} (a day) per entry, got {minutes!r}")
        with self.ctx.store.write() as repo:
            row = repo.ticket_row(number)
            agent_row = policy.check_agent(actor, "time.log", repo=repo, ticket=row)
            agent = agent_row.login
            work_date = date or self.ctx.local_date()
            self.check_day_total(repo, agent_row, agent, work_date, minutes)
            entry = repo.add_time(row, agent_row, minutes, work_date, note, billable)
            repo.history(row, agent, "time", new=f"{minutes}m")
            customer = repo.customer_key(row.customer_id)
        return TimeEntry(
            id=entry.id,
            ticket=number,
            agent=agent,
            minutes=minutes,
            work_date=entry.work_date,
            note=note,
            billable=billable,
            customer=customer,
            created_at=entry.created_at,
        )

    def check_day_total(self, repo: Repository, agent_row: Any, agent: str, work_date: dt.date, minutes: int) -> None:
        """Refuse an entry that takes the agent's day over ``[time] max_per_day`` (the desk's state: exit 1)."""
        limit = int(self.ctx.config.time.max_per_day.total_seconds() // 60)
        logged = repo.agent_day_minutes(agent_row, work_date)
        if logged + minutes > limit:
            raise DomainError(
                f"{agent} has {logged} min logged on {work_date}; {minutes} more would exceed "
                f"the limit of {limit} min a day ([time] max_per_day)"
            )

    def edit(
        self,
        entry_id: int,
        *,
        actor: Actor,
        minutes: int | None = None,
        date: dt.date | None = None,
        note: str | None = None,
        billable: bool | None = None,
        reason: str | None = None,
    ) -> Correction:
        """Change an entry's minutes, work date, note or billable flag (see the module's rules)."""
        if minutes is not None and not 1 <= minutes <= MAX_ENTRY_MINUTES:
            raise BadValue(f"--minutes must be 1..{MAX_ENTRY_MINUTES} (24 h per entry), got {minutes}")
        if minutes is None and date is None and note is None and billable is None:
            raise DomainError("nothing to change: give --minutes, --date, --note or --billable/--non-billable")
        with self.ctx.store.write() as repo:
            login, row = _open_entry(repo, entry_id, actor, "time.edit", voided=f"time entry {entry_id} is voided")
            before = _describe(row)
            changes = {"minutes": minutes, "work_date": date, "note": note, "billable": billable}
            changes = {k: v for k, v in changes.items() if v is not None and getattr(row, k) != v}
            discarded = None
            if changes:
                discarded = _release(repo, entry_id)
                for key, value in changes.items():
                    setattr(row, key, value)
                row.edited_at, row.edited_by = repo.now, login
                repo.history(
                    repo.ticket_row_by_id(row.ticket_id),
                    login,
                    "time_edit",
                    old=f"#{entry_id} {before}",
                    new=_describe(row),
                    reason=reason,
                )
            repo.flush()
            return Correction(_entry(repo, entry_id), discarded)

    def void(self, entry_id: int, *, actor: Actor, reason: str) -> Correction:
        """Void an entry: kept with who/when/why, never billed, listed or reported again."""
        if not (reason and reason.strip()):
            raise DomainError("voiding a time entry needs a reason")
        with self.ctx.store.write() as repo:
            login, row = _open_entry(
                repo, entry_id, actor, "time.void", voided=f"time entry {entry_id} is already voided"
            )
            discarded = _release(repo, entry_id)
            row.voided_at, row.voided_by, row.void_reason = repo.now, login, reason.strip()
            repo.history(
                repo.ticket_row_by_id(row.ticket_id),
                login,
                "time_void",
                old=f"#{entry_id} {_describe(row)}",
                reason=reason.strip(),
            )
            repo.flush()
            return Correction(_entry(repo, entry_id), discarded)

    def entries(
        self,
        *,
        ticket: str | None = None,
        customer: str | None = None,
        period: str | None = None,
        voided: bool = False,
        actor: Actor | None = None,
    ) -> list[TimeEntry]:
        """Time entries, optionally of one ticket, customer, or month (``2026-10``); voided
        entries only with ``voided``. An unknown ticket or customer is refused (exit 2).

        With ``actor``: a customer's contact sees no time entries (refused); an agent only the
        entries on tickets of the queues it may read."""
        start = end = None
        if period is not None:
            start, end = month_bounds(period)
        with self.ctx.store.read() as repo:
            if customer is not None:
                repo.customer_row(customer)
            row = repo.ticket_row(ticket) if ticket is not None else None
            if actor is not None:
                policy.check(actor, "time.read", repo=repo, ticket=row)
            queues = policy.visible_queues(actor, repo=repo)
            return repo.list_time(ticket=ticket, customer=customer, start=start, end=end, voided=voided, queues=queues)
