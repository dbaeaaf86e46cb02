"""A contact's ticket list reads its tickets from an index, in order.

Without ``ix_tickets_contact_customer_updated`` (migration 0028), or with the contact filtered by
``contact_id IN (SELECT ...)``, SQLite walked every open ticket of the desk newest first until it
had a page of the contact's (7 ms on a 100,000-ticket desk). SQLite plans a statement from its shape and the
indexes (these desks have no ``ANALYZE`` statistics), so a small desk shows the plan a large one
gets. Each test captures the SELECT the real path runs (API, service, quick CLI listing) and
asks SQLite for its plan.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

from deskframe import listing
from deskframe.actors import Actor
from deskframe.config import load_config
from deskframe.desk import Desk
from deskframe.model import Contact, Customer, Queue
from deskframe.plugins import build_plugins
from deskframe.store.scratch import scratch_database

pytestmark = pytest.mark.sqlite_pass

LISTS = "FROM tickets JOIN queues"


@pytest.fixture
def desk(tmp_path: Path, deskframe_schema_templates: Any) -> Iterator[Desk]:
    """A SQLite desk of its own (the plans are SQLite's): two contacts of one customer, three tickets each."""
    url, drop = scratch_database(None, str(tmp_path / "deskframe.db"))
    config = tmp_path / "deskframe.toml"
    config.write_text(f'[desk]\ndatabase = "{url}"\ndata_dir = "data"\n', encoding="utf-8")
    plugins = build_plugins()
    desk = Desk(load_config(config, plugins.registry), plugins)
    deskframe_schema_templates.upgrade(desk.store)
    fill(desk)
    yield desk
    desk.close()
    drop()


def fill(desk: Desk) -> None:
    op = Actor.operator()
    directory = desk.directory
    directory.add_queue(Queue(name="support"), actor=op)
    directory.add_customer(Customer(key="acme", name="ACME"), actor=op)
    directory.add_contact(Contact(name="Ann", email="ann@acme.example", customer="acme"), actor=op)
    directory.add_contact(
        Contact(name="Boss", email="boss@acme.example", customer="acme", customer_admin=True), actor=op
    )
    for n in range(6):
        contact = "ann@acme.example" if n % 2 else "boss@acme.example"
        desk.tickets.open(subject=f"t{n}", body="b", customer="acme", contact=contact, queue="support", actor=op)


def plan_of(database: str, sql: str, params: Any) -> list[str]:
    """The ``EXPLAIN QUERY PLAN`` lines of ``sql`` on the SQLite file ``database``."""
    with sqlite3.connect(database) as connection:
        return [row[3] for row in connection.execute("EXPLAIN QUERY PLAN " + sql, params)]


def tickets_step(plan: list[str]) -> str:
    (step,) = [line for line in plan if line.startswith(("SEARCH tickets", "SCAN tickets"))]
    return step


@pytest.fixture
def listed(desk: Any) -> Callable[[Callable[[], Any]], tuple[list[str], Any]]:
    """``listed(call)``: run ``call`` and return the plan of the ticket-list SELECT it ran, and its result."""
    engine = desk.store.db.engine
    database = engine.url.database

    def run(call: Callable[[], Any]) -> tuple[list[str], Any]:
        seen: list[tuple[str, Any]] = []

        def keep(conn: Any, cursor: Any, statement: str, params: Any, context: Any, many: bool) -> None:
            if LISTS in statement:
                seen.append((statement, params))

        event.listen(engine, "before_cursor_execute", keep)
        try:
            result = call()
        finally:
            event.remove(engine, "before_cursor_execute", keep)
        ((statement, params),) = seen
        return plan_of(database, statement, params), result

    return run


@pytest.mark.parametrize("state", ["new", None])
def test_a_contacts_list_searches_its_tickets_by_the_contact_index(desk: Any, listed: Any, state: Any) -> None:
    plan, (rows, _) = listed(lambda: desk.tickets.page(actor=Actor.contact("ann@acme.example"), state=state))
    assert tickets_step(plan).startswith(
        "SEARCH tickets USING INDEX ix_tickets_contact_customer_updated (contact_id=? AND customer_id=?)"
    )
    assert not any("TEMP B-TREE" in line for line in plan), plan
    assert sorted(r["subject"] for r in rows) == ["t1", "t3", "t5"]


@pytest.fixture
def quick_sql(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The statements the quick listing's own SQLite connections run."""
    statements: list[str] = []
    connect = sqlite3.connect

    def traced(*args: Any, **kwargs: Any) -> sqlite3.Connection:
        connection = connect(*args, **kwargs)
        connection.set_trace_callback(statements.append)
        return connection

    monkeypatch.setattr(sqlite3, "connect", traced)
    yield statements


def test_the_quick_listing_of_a_contact_searches_by_the_contact_index(desk: Any, quick_sql: list[str]) -> None:
    rows = listing.ticket_rows(desk.config, lambda: desk, contact="ann@acme.example", customer="acme")
    assert sorted(r["subject"] for r in rows) == ["t1", "t3", "t5"]
    (sql,) = [s for s in quick_sql if "FROM tickets" in s and "ORDER BY" in s]  # bound values inlined
    step = tickets_step(plan_of(desk.store.db.engine.url.database, sql, ()))
    assert step.startswith(
        "SEARCH tickets USING INDEX ix_tickets_contact_customer_updated (contact_id=? AND customer_id=?)"
    )
