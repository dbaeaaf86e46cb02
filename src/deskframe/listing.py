"""Ticket lists on the light path: what ``deskframe ticket list`` calls.

A listing is the command people run most, from scripts and prompts, so it should cost little
more than the interpreter: :func:`ticket_rows` answers through
:func:`deskframe.store.quick_list.quick_ticket_rows` (the DB-API driver, no SQLAlchemy, no Desk)
and takes the full path, ``desk.tickets.list`` (:class:`~deskframe.services.tickets.TicketService`),
for whatever that does not answer - an unknown state, customer, owner or queue (the full path
raises the error), a database not yet created or not migrated, another driver. Both paths give identical rows (tests/core/test_quick_list.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection
from typing import TYPE_CHECKING, Any

from .model import STATE_TYPES
from .store.quick_list import quick_ticket_rows

if TYPE_CHECKING:
    from .config import Config

#: State types of ``open_only``: what is still to be worked on.
OPEN_TYPES = ("new", "open", "pending")


def ticket_rows(
    config: Config,
    desk: Callable[[], Any],
    *,
    now: dt.datetime | None = None,
    state: str | None = None,
    queue: str | None = None,
    owner: str | None = None,
    customer: str | None = None,
    open_only: bool = False,
    limit: int | None = 100,
    sla: str | None = None,
    queues: Collection[str] | None = None,
    contact: str | None = None,
) -> list[dict[str, Any]]:
    """The rows ``desk.tickets.list`` gives the trusted operator (no actor) for these filters (most
    recently changed first, ``due`` the next SLA due time), read on the quick path when it can answer.

    ``desk`` returns the configured Desk; it is called only when the full path is needed.
    ``now`` stands for the desk's clock (``--now``); ``queues``, when not ``None``, keeps only
    tickets in those queues (the queues the acting user may see), ``contact`` (an e-mail) only
    tickets that contact opened: pass what :func:`deskframe.policy.visibility` gives an actor
    (``customer`` too when it is ``limited``)."""
    states = config.tickets.states
    if not state or state in states or state in STATE_TYPES:  # else the full path names the unknown state
        as_type = state if state and state not in states else None  # a state type, as the service reads it
        rows = quick_ticket_rows(
            config.database_url,
            now=now or dt.datetime.now(dt.timezone.utc),
            state=None if as_type else state,
            state_types=OPEN_TYPES if open_only else (as_type,) if as_type else None,
            queue=queue,
            owner=owner,
            customer=customer,
            limit=limit,
            sla=sla,
            queues=queues,
            contact=contact,
        )
        if rows is not None:
            return rows
    return desk().tickets.list(
        state=state,
        queue=queue,
        owner=owner,
        customer=customer,
        open_only=open_only,
        limit=limit,
        sla=sla,
        queues=queues,
        contact=contact,
    )
