"""How the report reads the desk: all its reads in one read transaction (one snapshot, one
connection checkout), on SQLite and PostgreSQL alike."""

from __future__ import annotations

import contextlib

from deskframe.periods import Period
from deskframe_reports import build_report, source


def _count_transactions(desk, monkeypatch) -> list[int]:
    """Count the read transactions the store's database opens (the real ones, wrapped)."""
    opened = [0]
    real = desk.store.db.read

    @contextlib.contextmanager
    def counted():
        opened[0] += 1
        with real() as session:
            yield session

    monkeypatch.setattr(desk.store.db, "read", counted)
    return opened


def test_the_report_reads_in_one_transaction(scenario, monkeypatch):
    opened = _count_transactions(scenario.desk, monkeypatch)
    data = source.load(scenario.desk, "acme", Period.parse("2026-10"))
    assert opened == [1]
    assert len(data.opened) == 7 and data.time_by_ticket


def test_one_transaction_gives_the_same_report(scenario, monkeypatch):
    before = build_report(scenario.desk, "acme", "2026-10")[0].as_dict()
    opened = _count_transactions(scenario.desk, monkeypatch)
    with scenario.desk.store.one_read():  # already inside one: load joins it
        after = build_report(scenario.desk, "acme", "2026-10")[0].as_dict()
    assert opened == [1]
    assert after == before
