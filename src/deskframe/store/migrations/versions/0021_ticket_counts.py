"""ticket_counts: tickets per queue and state type, kept by the database itself

The agent pages' queue sidebar counted the open tickets on every view (a GROUP BY over the
index of about half the desk: ~25 ms at 100,000 tickets, growing with the desk). Now triggers
on ``tickets`` keep ``ticket_counts (queue_id, state_type, n)`` for every INSERT, DELETE and
UPDATE of ``queue_id`` or ``state_type``, so no write path (services, imports, merges, Core bulk
inserts, plugins) can leave them behind, and a read sums ``n`` by queue:

* SQLite (writers take turns anyway): one row per (queue, state type), updated in place;
* PostgreSQL: writers only *insert* delta rows (the statement's count per queue and state
  type), so concurrent intake workers filing into one queue never wait on a shared counter
  row. Whoever's insert crosses a multiple of 256 delta ids compacts the table (each key's
  rows replaced by their sum, in one statement that deletes only the rows it sums), unless
  another transaction is compacting (a try-lock: nobody waits) or the transaction is not
  READ COMMITTED (an older snapshot could not delete another compaction's rows).

The counts of existing tickets are filled in by the upgrade; the downgrade drops the triggers,
their functions and the table.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

_SQLITE_TRIGGERS = ("ticket_counts_insert", "ticket_counts_delete", "ticket_counts_update")


def _sqlite_bump(ref: str, delta: str) -> str:
    """Statements adding ``delta`` to the row of ``ref``'s (``NEW``/``OLD``) queue and state type."""
    key = f"state_type = {ref}.state_type AND queue_id = {ref}.queue_id"
    return (
        f"INSERT INTO ticket_counts (queue_id, state_type, n) SELECT {ref}.queue_id, {ref}.state_type, 0"
        f" WHERE NOT EXISTS (SELECT 1 FROM ticket_counts WHERE {key}); "
        f"UPDATE ticket_counts SET n = n {delta} WHERE {key}; "
    )


_SQLITE = (
    f"CREATE TRIGGER ticket_counts_insert AFTER INSERT ON tickets BEGIN {_sqlite_bump('NEW', '+ 1')}END",
    f"CREATE TRIGGER ticket_counts_delete AFTER DELETE ON tickets BEGIN {_sqlite_bump('OLD', '- 1')}END",
    (
        "CREATE TRIGGER ticket_counts_update AFTER UPDATE OF queue_id, state_type ON tickets"
        " WHEN OLD.queue_id IS NOT NEW.queue_id OR OLD.state_type IS NOT NEW.state_type"
        f" BEGIN {_sqlite_bump('OLD', '- 1')}{_sqlite_bump('NEW', '+ 1')}END"
    ),
)

_POSTGRESQL = (
    # the rows of each key replaced by their sum: the DELETE takes only rows its snapshot sees
    # (a concurrent writer's uncommitted deltas stay), and the INSERT sums exactly those
    """CREATE FUNCTION ticket_counts_compact() RETURNS void LANGUAGE sql AS $$
WITH gone AS (DELETE FROM ticket_counts RETURNING queue_id, state_type, n)
INSERT INTO ticket_counts (queue_id, state_type, n)
SELECT queue_id, state_type, sum(n) FROM gone GROUP BY queue_id, state_type HAVING sum(n) <> 0
$$""",
    """CREATE FUNCTION ticket_counts_settle(added bigint) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    last bigint;
BEGIN
    IF added < 1 THEN
        RETURN;
    END IF;
    last := currval('ticket_counts_id_seq');
    IF last / 256 <> (last - added) / 256
       AND current_setting('transaction_isolation') = 'read committed'
       AND pg_try_advisory_xact_lock(hashtext('deskframe.ticket_counts'), 'ticket_counts'::regclass::oid::integer)
    THEN
        PERFORM ticket_counts_compact();
    END IF;
END
$$""",
    """CREATE FUNCTION ticket_counts_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    added bigint;
BEGIN
    INSERT INTO ticket_counts (queue_id, state_type, n)
    SELECT queue_id, state_type, count(*) FROM new_tickets GROUP BY queue_id, state_type;
    GET DIAGNOSTICS added = ROW_COUNT;
    PERFORM ticket_counts_settle(added);
    RETURN NULL;
END
$$""",
    """CREATE FUNCTION ticket_counts_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    added bigint;
BEGIN
    INSERT INTO ticket_counts (queue_id, state_type, n)
    SELECT queue_id, state_type, -count(*) FROM old_tickets GROUP BY queue_id, state_type;
    GET DIAGNOSTICS added = ROW_COUNT;
    PERFORM ticket_counts_settle(added);
    RETURN NULL;
END
$$""",
    """CREATE FUNCTION ticket_counts_moved() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO ticket_counts (queue_id, state_type, n)
    VALUES (OLD.queue_id, OLD.state_type, -1), (NEW.queue_id, NEW.state_type, 1);
    PERFORM ticket_counts_settle(2);
    RETURN NULL;
END
$$""",
    (
        "CREATE TRIGGER ticket_counts_insert AFTER INSERT ON tickets REFERENCING NEW TABLE AS new_tickets"
        " FOR EACH STATEMENT EXECUTE FUNCTION ticket_counts_inserted()"
    ),
    (
        "CREATE TRIGGER ticket_counts_delete AFTER DELETE ON tickets REFERENCING OLD TABLE AS old_tickets"
        " FOR EACH STATEMENT EXECUTE FUNCTION ticket_counts_deleted()"
    ),
    # transition tables cannot go with a column list: a row trigger, called only on a change
    (
        "CREATE TRIGGER ticket_counts_update AFTER UPDATE OF queue_id, state_type ON tickets FOR EACH ROW"
        " WHEN (OLD.queue_id IS DISTINCT FROM NEW.queue_id OR OLD.state_type IS DISTINCT FROM NEW.state_type)"
        " EXECUTE FUNCTION ticket_counts_moved()"
    ),
)
_POSTGRESQL_FUNCTIONS = (
    "ticket_counts_moved()",
    "ticket_counts_deleted()",
    "ticket_counts_inserted()",
    "ticket_counts_settle(bigint)",
    "ticket_counts_compact()",
)


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    op.create_table(
        "ticket_counts",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("queue_id", sa.Integer(), nullable=False),
        sa.Column("state_type", sa.String(length=20), nullable=False),
        sa.Column("n", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_ticket_counts_key", "ticket_counts", ["state_type", "queue_id", "n"])
    # the triggers first, then the counts of the tickets already there (one transaction: a
    # write between the two would wait for it on either engine)
    for statement in _SQLITE if dialect == "sqlite" else _POSTGRESQL if dialect == "postgresql" else ():
        op.execute(statement)
    op.execute(
        "INSERT INTO ticket_counts (queue_id, state_type, n)"
        " SELECT queue_id, state_type, count(*) FROM tickets GROUP BY queue_id, state_type"
    )


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for trigger in _SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    elif dialect == "postgresql":
        for trigger in _SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {trigger} ON tickets")
        for function in _POSTGRESQL_FUNCTIONS:
            op.execute(f"DROP FUNCTION IF EXISTS {function}")
    op.drop_index("ix_ticket_counts_key", table_name="ticket_counts")
    op.drop_table("ticket_counts")
