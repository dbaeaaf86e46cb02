"""A desk's tickets written straight into its tables, for the quick-listing tests.

``fill(desk, world)`` replaces the desk's tickets and directory with ``world``: queues, customers
and agents by count, tickets with any combination of values (states that do not match their type,
tied change times, SLA clocks in every status) - more than the Desk API would produce.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, insert

from deskframe.store.rows import AgentRow, CustomerRow, QueueRow, SlaClockRow, TicketRow, table_of

#: Configured states: a name that is also a type name but of another type ("open"), names that
#: are no type name, and types without a state of their name ("resolved").
STATES_CONFIG = """
[tickets.states]
new = "new"
"in work" = "open"
open = "pending"
waiting = "pending"
"решено" = "resolved"
closed = "closed"
merged = "merged"
"""
STATE_NAMES = ("new", "in work", "open", "waiting", "решено", "closed", "merged")
BASE = dt.datetime(2026, 10, 1, 9, 0, tzinfo=dt.timezone.utc)
ZONES = (dt.timezone.utc, ZoneInfo("Europe/Moscow"), ZoneInfo("America/St_Johns"))
QUEUES = ("support", "hardware", "Бухгалтерия", "two words")
CUSTOMERS = ("acme", "globex", "ООО Ромашка", "initech")
AGENTS = ("alice", "bob", "вася", "carol")
CLOCK_STATUSES = ("running", "paused", "met", "missed", "cancelled")


def fill(desk: Any, world: dict[str, Any]) -> None:
    """Replace the desk's tickets and directory with ``world`` (Core inserts: any combination of values)."""
    with desk.store.write() as repo:
        session = repo.session
        for row in (SlaClockRow, TicketRow, QueueRow, CustomerRow, AgentRow):
            session.execute(delete(table_of(row)))
        queue_ids = [
            session.execute(
                insert(table_of(QueueRow)).values(name=name, description="").returning(QueueRow.id)
            ).scalar_one()
            for name in QUEUES[: world["queues"]]
        ]
        customer_ids = [
            session.execute(
                insert(table_of(CustomerRow))
                .values(key=key, name=key.upper(), created_at=BASE)
                .returning(CustomerRow.id)
            ).scalar_one()
            for key in CUSTOMERS[: world["customers"]]
        ]
        agent_ids = [
            session.execute(
                insert(table_of(AgentRow))
                .values(login=login, name=login, role="agent", line=1, active=True)
                .returning(AgentRow.id)
            ).scalar_one()
            for login in AGENTS[: world["agents"]]
        ]

        def pick(ids: list[int], index: int | None) -> int | None:
            return ids[index % len(ids)] if index is not None and ids else None

        for n, ticket in enumerate(world["tickets"]):
            ticket_id = session.execute(
                insert(table_of(TicketRow))
                .values(
                    number=f"2026100110{n:06d}",
                    subject=ticket["subject"],
                    state=ticket["state"],
                    state_type=ticket["state_type"],
                    priority=ticket["priority"],
                    queue_id=queue_ids[ticket["queue"] % len(queue_ids)],
                    customer_id=pick(customer_ids, ticket["customer"]),
                    owner_id=pick(agent_ids, ticket["owner"]),
                    locked_by_id=pick(agent_ids, ticket["locked_by"]),
                    line=1,
                    created_at=ticket["created_at"],
                    updated_at=ticket["updated_at"],
                )
                .returning(TicketRow.id)
            ).scalar_one()
            for clock in ticket["clocks"]:
                session.execute(
                    insert(table_of(SlaClockRow)).values(
                        ticket_id=ticket_id,
                        kind="resolution",
                        policy="std",
                        calendar="always",
                        stop_on="resolve",
                        pause_on=[],
                        status=clock["status"],
                        started_at=BASE,
                        due_base=clock["due_at"],
                        warn_base=clock["warn_at"],
                        due_at=clock["due_at"],
                        warn_at=clock["warn_at"],
                        paused_at=clock["paused_at"],
                        paused_seconds=0,
                        breached_at=clock["breached_at"],
                    )
                )
