"""Migration 0021 (ticket_counts) up and down with tickets in the desk, on SQLite and (with
DESKFRAME_TEST_DATABASE_URL) PostgreSQL: the upgrade counts the tickets already there, the
downgrade drops the table, its triggers and functions, and tickets written in between are
counted by the next upgrade."""

from __future__ import annotations

import importlib

from sqlalchemy import inspect, text

from deskframe.actors import Actor
from deskframe.model import Queue
from deskframe.store.migrate import current_revision, downgrade, upgrade
from deskframe.store.quick_list import HEAD_REVISION

from .test_ticket_counts import counted, counters, open_by_queue

OP = Actor.operator()
MIGRATION = importlib.import_module("deskframe.store.migrations.versions.0021_ticket_counts")


def leftovers(db) -> list[str]:
    """Triggers and functions named ticket_counts* in the desk's schema."""
    with db.engine.connect() as conn:
        if db.dialect == "sqlite":
            query = "SELECT name FROM sqlite_master WHERE name LIKE 'ticket_counts%'"
        else:
            query = (
                "SELECT trigger_name FROM information_schema.triggers WHERE trigger_schema = current_schema()"
                " AND trigger_name LIKE 'ticket_counts%' UNION ALL SELECT p.proname FROM pg_proc p JOIN"
                " pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = current_schema()"
                " AND p.proname LIKE 'ticket_counts%'"
            )
        return [name for (name,) in conn.execute(text(query))]


def test_0021_counts_existing_tickets_and_goes_away_cleanly(desk, factory):
    db = desk.store.db
    desk.directory.add_queue(Queue("billing"), actor=OP)
    numbers = [factory.ticket(queue=("support", "billing")[i % 2]).number for i in range(7)]
    desk.tickets.set_state(numbers[0], "closed", actor=OP)
    assert MIGRATION.down_revision == "0020"
    downgrade(db, "0020")
    assert current_revision(db) == "0020"
    assert "ticket_counts" not in inspect(db.engine).get_table_names()
    assert leftovers(db) == []
    # written while the counters are gone: a plain insert and a state change must still work
    with db.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO tickets (number, subject, state, state_type, priority, queue_id, line, created_at,"
                " updated_at) SELECT number || '-old', subject, 'pending', 'pending', priority, queue_id, line,"
                " created_at, updated_at FROM tickets"
            )
        )
        conn.execute(
            text("UPDATE tickets SET state = 'resolved', state_type = 'resolved' WHERE number = :n"), {"n": numbers[1]}
        )
    upgrade(db)
    assert current_revision(db) == HEAD_REVISION
    assert sum(counted(desk).values()) == 14
    assert counters(desk) == counted(desk)  # the backfill
    desk.tickets.move(numbers[2], "billing", actor=OP)  # and the triggers are back
    factory.ticket(queue="billing")
    assert counters(desk) == counted(desk)
    assert desk.worklist.queue_counts(actor=OP) == open_by_queue(desk)
