"""SELECTs of ticket summary rows: the ticket list's (:func:`list_select`) and the worklist's
(:func:`summary_select`), built once and kept (a SELECT is an immutable value; building one
costs more Python time than SQLite takes to run it)."""

from __future__ import annotations

import functools
from typing import Any

from sqlalchemy import and_, bindparam, select

from .rows import AgentRow, ContactRow, CustomerRow, QueueRow, TicketRow

#: The ticket's owner and locking agent in :func:`summary_select`: one pair of Core aliases of the
#: agents table for every SELECT (new aliases per call, and adapting ORM attributes to them, cost
#: most of a list query's Python time).
OWNER_AGENT = AgentRow.__table__.alias("owner_agent")
LOCKER_AGENT = AgentRow.__table__.alias("locker_agent")


def _summary_select(*extra: Any) -> Any:
    return (
        select(
            TicketRow.id,
            TicketRow.number,
            TicketRow.subject,
            TicketRow.state,
            TicketRow.state_type,
            TicketRow.priority,
            QueueRow.name.label("queue"),
            CustomerRow.key.label("customer"),
            OWNER_AGENT.c.login.label("owner"),
            LOCKER_AGENT.c.login.label("locked_by"),
            *extra,
            TicketRow.created_at,
            TicketRow.updated_at,
        )
        .join(QueueRow, TicketRow.queue_id == QueueRow.id)
        .outerjoin(CustomerRow, TicketRow.customer_id == CustomerRow.id)
        .outerjoin(OWNER_AGENT, TicketRow.owner_id == OWNER_AGENT.c.id)
        .outerjoin(LOCKER_AGENT, TicketRow.locked_by_id == LOCKER_AGENT.c.id)
    )


#: :func:`summary_select` without extra columns, built once (a SELECT is an immutable value;
#: building it took about 0.3 ms of every list request).
_SUMMARY = _summary_select()


def summary_select(*extra: Any) -> tuple[Any, Any]:
    """The SELECT of ticket summary rows (``id, number, subject, state, state_type, priority,
    queue, customer, owner, locked_by``, then ``extra`` columns, then ``created_at, updated_at``)
    with its joins, and the owner's agent alias (a Core alias: filter by ``owner.c.login``).
    Shared by the ticket list and the agents' worklist."""
    return (_summary_select(*extra) if extra else _SUMMARY), OWNER_AGENT


@functools.lru_cache(maxsize=512)
def list_select(given: frozenset[str]) -> Any:
    """The SELECT of :meth:`~.ticket_views_repo.TicketViewRepo.list_tickets` for the filters named in ``given`` (the
    names of its bind parameters: ``state``, ``state_type`` or the expanding ``state_types``,
    ``queue``, ``queues``, ``owner``, ``customer``, ``contact``, ``priority``, ``line``,
    ``text_ids``, ``after_at`` with ``after_id``, ``limit``). Built once per set of filters and
    kept (a SELECT is an immutable value): building it with its operators and coercions took a
    sixth of a list request's CPU, and a statement used again also skips SQLAlchemy's
    adaptation of a cached compilation to a new statement object."""
    query, owner_row = summary_select()
    query = query.order_by(TicketRow.updated_at.desc(), TicketRow.id.desc())
    equal = {
        "state": TicketRow.state,
        "state_type": TicketRow.state_type,
        "queue": QueueRow.name,
        "owner": owner_row.c.login,
        "customer": CustomerRow.key,
        "priority": TicketRow.priority,
        "line": TicketRow.line,
    }
    within = {"state_types": TicketRow.state_type, "queues": QueueRow.name, "text_ids": TicketRow.id}
    for name in sorted(given):
        if name in equal:
            query = query.where(equal[name] == bindparam(name))
        elif name in within:
            query = query.where(within[name].in_(bindparam(name, expanding=True)))
    if "contact" in given:  # "= (SELECT ...)", not IN: SQLite then reads ix_tickets_contact_customer_updated (0028)
        mail = select(ContactRow.id).where(ContactRow.email == bindparam("contact")).scalar_subquery()
        query = query.where(TicketRow.contact_id == mail)
    if "after_at" in given:
        at_time: Any = bindparam("after_at")
        at_id: Any = bindparam("after_id")
        query = query.where(
            (TicketRow.updated_at < at_time) | and_(TicketRow.updated_at == at_time, TicketRow.id < at_id)
        )
    if "limit" in given:
        query = query.limit(bindparam("limit"))
    return query
