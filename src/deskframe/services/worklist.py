"""The agents' work list (what the ticket list page shows): filtered tickets, the most urgent
first, each with the status of its next SLA due time, and the queue counts of the sidebar.

What an actor sees is decided by :mod:`deskframe.policy` alone (:func:`~deskframe.policy.visible_queues`,
:func:`~deskframe.policy.visible_customer`): a queue it may not read shows neither tickets nor count.
"""

from __future__ import annotations

import builtins
import datetime as dt
from typing import TYPE_CHECKING, Any

import attrs

from .. import policy
from ..errors import BadValue
from ..model import PRIORITY_LEVELS, STATE_TYPES

if TYPE_CHECKING:
    from ..actors import Actor
    from .context import ServiceContext
    from .tickets import TicketService

#: State types of the default list (tickets still being worked on).
OPEN_TYPES = ("new", "open", "pending")
#: The largest page of the list, and how many search hits are looked at.
MAX_LIMIT = 500
SEARCH_HITS = 500


@attrs.frozen
class WorkFilter:
    """The list's filters: ``state`` is a state name, a state type, ``open`` (the default:
    new, open and pending) or ``all``; ``text`` is a full-text search; the rest match exactly."""

    state: str = "open"
    queue: str | None = None
    owner: str | None = None
    priority: str | None = None
    customer: str | None = None
    line: int | None = None
    text: str | None = None
    order: str = "due"
    limit: int = 50


def due_status(due: dt.datetime | None, warn_at: dt.datetime | None, now: dt.datetime) -> str | None:
    """``breached`` (due time passed), ``warning`` (past the warning point), ``running``, or None without a clock."""
    if due is None:
        return None
    if due <= now:
        return "breached"
    if warn_at is not None and warn_at <= now:
        return "warning"
    return "running"


class Worklist:
    """The ticket list of the agent pages, for one desk."""

    def __init__(self, ctx: ServiceContext, tickets: TicketService):
        self.ctx = ctx
        self.tickets = tickets

    def rows(self, work: WorkFilter, *, actor: Actor) -> builtins.list[dict[str, Any]]:
        """The tickets ``actor`` may read that match ``work``, as summary rows with ``due``,
        ``due_status`` and ``due_seconds`` (negative: overdue by that much)."""
        if not 1 <= work.limit <= MAX_LIMIT:
            raise BadValue(f"limit must be from 1 to {MAX_LIMIT}, got {work.limit}")
        if work.line is not None and work.line not in (1, 2, 3):
            raise BadValue(f"support line must be 1, 2 or 3, got {work.line}")
        state, types = self._state(work.state)
        priority = self.ctx.priority(work.priority) if work.priority else None
        numbers = None
        if work.text and work.text.strip():
            hits = self.tickets.search(work.text, limit=SEARCH_HITS, actor=actor)
            numbers = [hit["number"] for hit in hits]
            if not numbers:
                return []
        now = self.ctx.clock()
        with self.ctx.store.read() as repo:
            seen = policy.visibility(actor, repo=repo)  # once: it reads the actor's rights
            customer = work.customer
            if seen.limited:
                if seen.customer is None or (customer is not None and customer != seen.customer):
                    return []
                customer = seen.customer
            found = repo.worklist(
                state=state,
                state_types=types,
                queue=work.queue,
                queues=seen.queues,
                owner=work.owner,
                customer=customer,
                priority=priority,
                line=work.line,
                numbers=numbers,
                order=work.order if work.order in ("due", "updated", "created", "number") else "due",
                limit=work.limit,
            )
        for row in found:
            row["due_status"] = due_status(row["due"], row.pop("warn_at"), now)
            row["due_seconds"] = int((row["due"] - now).total_seconds()) if row["due"] else None
        if numbers is not None and work.order == "relevance":
            rank = {number: i for i, number in enumerate(numbers)}
            found.sort(key=lambda row: rank.get(row["number"], len(rank)))
        return found

    def queue_counts(self, *, actor: Actor) -> builtins.list[tuple[str, int]]:
        """``(queue, open tickets)`` of the queues ``actor`` may read, counting the tickets it
        may see (:func:`deskframe.policy.visibility`): an agent's from the database's counters,
        a contact's among its customer's tickets (its own unless it is a ``customer_admin``)."""
        with self.ctx.store.read() as repo:
            seen = policy.visibility(actor, repo=repo)
            if seen.limited and seen.customer is None:
                return [(queue, 0) for queue, _ in repo.queue_counts(state_types=(), queues=seen.queues)]
            return repo.queue_counts(
                state_types=OPEN_TYPES,
                queues=seen.queues,
                customer=seen.customer if seen.limited else None,
                contact=seen.contact,
            )

    def allowed(self, number: str, actions: builtins.list[str], *, actor: Actor) -> frozenset[str]:
        """Which of ``actions`` (policy action names) ``actor`` may take on ticket ``number`` now,
        as :func:`deskframe.policy.check` decides; a page offers only these."""
        from ..errors import Forbidden

        allowed = set()
        with self.ctx.store.read() as repo:
            row = repo.ticket_row(number)
            for action in actions:
                try:
                    policy.check(actor, action, repo=repo, ticket=row)
                except Forbidden:
                    continue
                allowed.add(action)
        return frozenset(allowed)

    def may(self, action: str, *, actor: Actor) -> bool:
        """Whether ``actor`` may take ``action`` (one not on a ticket, e.g. ``directory.write``), as the policy says."""
        from ..errors import Forbidden

        with self.ctx.store.read() as repo:
            try:
                policy.check(actor, action, repo=repo)
            except Forbidden:
                return False
        return True

    def estimate(self, number: str, *, actor: Actor) -> Any:
        """The ticket's estimate (:class:`~deskframe.billing.model.Estimate`), or None."""
        with self.ctx.store.read() as repo:
            row = repo.ticket_row(number)
            policy.check(actor, "ticket.read", repo=repo, ticket=row)
            return repo.estimate(row)

    def attachment_ids(self, article_ids: builtins.list[int]) -> dict[int, builtins.list[int]]:
        """The attachment ids (for the download route) of each article, in its attachments' order;
        the caller has read the ticket with its actor already."""
        with self.ctx.store.read() as repo:
            return repo.attachment_ids(article_ids)

    def queue_names(self) -> builtins.list[str]:
        """Every queue's name (what a move may name; the policy still decides the move)."""
        with self.ctx.store.read() as repo:
            return repo.queue_names()

    def _state(self, state: str | None) -> tuple[str | None, tuple[str, ...] | None]:
        if not state or state == "open":
            return None, OPEN_TYPES
        if state == "all":
            return None, None
        if state in self.ctx.settings.states:
            return state, None
        if state in STATE_TYPES:
            return None, (state,)
        raise BadValue(f"unknown state '{state}' (known: open, all, {', '.join(self.ctx.settings.states)})")


__all__ = ["OPEN_TYPES", "PRIORITY_LEVELS", "WorkFilter", "Worklist", "due_status"]
