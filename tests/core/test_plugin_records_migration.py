"""Migration 0017 (plugin_records) up and down, on SQLite and (with DESKFRAME_TEST_DATABASE_URL)
PostgreSQL: the downgrade drops the table and keeps the rest; the upgrade brings it back empty."""

from __future__ import annotations

import importlib

from sqlalchemy import inspect

from deskframe.actors import Actor
from deskframe.model import Customer
from deskframe.store.migrate import current_revision, downgrade, upgrade


def _tables(db) -> set[str]:
    with db.engine.connect() as conn:
        return set(inspect(conn).get_table_names())


def test_0017_up_and_down(desk):
    db = desk.store.db
    desk.directory.add_customer(Customer(key="acme", name="ACME"), actor=Actor.operator())
    desk.records("p").put("k", "a", {"x": 1}, actor=Actor.operator())
    before = _tables(db)
    assert "plugin_records" in before
    previous = importlib.import_module("deskframe.store.migrations.versions.0017_plugin_records").down_revision
    downgrade(db, previous)  # back to whatever revision 0017 follows
    assert current_revision(db) == previous
    after = _tables(db)
    assert "plugin_records" not in after and {"customers", "tickets", "channel_cursors"} <= after
    assert [c.key for c in desk.directory.customers()] == ["acme"]
    upgrade(db)
    assert "plugin_records" in _tables(db)
    assert desk.records("p").list("k") == []
