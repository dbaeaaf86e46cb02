"""Migration 0016 (the outbox) down and up again, on SQLite and (with DESKFRAME_TEST_DATABASE_URL) PostgreSQL."""

from __future__ import annotations

from sqlalchemy import inspect

from deskframe import OutboundMessage
from deskframe.actors import Actor
from deskframe.store.migrate import current_revision, downgrade, head_revision, upgrade


def _tables(db):
    with db.engine.connect() as conn:
        return set(inspect(conn).get_table_names())


def test_0016_down_and_up(desk):
    db = desk.store.db
    message = OutboundMessage(kind="file", recipients=["a@example.com"], text="x")
    desk.outbox.enqueue([message], actor=Actor.system("test"))
    assert "outbox" in _tables(db)
    downgrade(db, "0015")
    assert current_revision(db) == "0015" and "outbox" not in _tables(db)
    upgrade(db)
    assert current_revision(db) == head_revision() and "outbox" in _tables(db)
    assert desk.outbox.counts()["queued"] == 0  # a fresh table
    desk.outbox.enqueue([message], actor=Actor.system("test"))
    assert desk.outbox.counts()["queued"] == 1
