"""Migration 0018: the work list's indexes come and go with upgrade and downgrade."""

from __future__ import annotations

from sqlalchemy import inspect

from deskframe.store.database import Database
from deskframe.store.migrate import current_revision, downgrade, upgrade

NEW = {"ix_tickets_state_type_queue", "ix_tickets_merged_into_id"}


def indexes(db: Database) -> set[str]:
    with db.engine.connect() as conn:
        return {ix["name"] for ix in inspect(conn).get_indexes("tickets")}


def test_upgrade_adds_and_downgrade_drops_the_worklist_indexes(tmp_path):
    db = Database(f"sqlite:///{tmp_path / 'm.db'}")
    upgrade(db)
    assert indexes(db) >= NEW
    downgrade(db, "0015")
    assert current_revision(db) == "0015" and not NEW & indexes(db)
    upgrade(db)
    assert indexes(db) >= NEW
    db.dispose()
