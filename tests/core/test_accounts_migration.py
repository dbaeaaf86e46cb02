"""Migration 0015 (accounts) up and down, on SQLite and (with DESKFRAME_TEST_DATABASE_URL) PostgreSQL:
the downgrade removes exactly what it added and keeps the directory; the upgrade gives old rows defaults."""

from __future__ import annotations

from sqlalchemy import inspect, text

from deskframe.accounts.service import Accounts
from deskframe.actors import Actor
from deskframe.model import Agent, Contact, Customer, Queue
from deskframe.store.migrate import current_revision, downgrade, head_revision, upgrade

NEW_TABLES = {"agent_queue_rights", "api_tokens", "web_sessions", "login_failures", "audit_log"}


def _schema(db):
    with db.engine.connect() as conn:
        found = inspect(conn)
        tables = set(found.get_table_names())
        columns = {t: {c["name"] for c in found.get_columns(t)} for t in ("agents", "contacts")}
    return tables, columns


def test_0015_up_and_down(desk):
    db = desk.store.db
    desk.directory.add_queue(Queue(name="support"), actor=Actor.operator())
    desk.directory.add_customer(Customer(key="acme", name="ACME"), actor=Actor.operator())
    desk.directory.add_contact(
        Contact(name="Ann", email="ann@acme.example", customer="acme", customer_admin=True), actor=Actor.operator()
    )
    desk.directory.add_agent(
        Agent(login="bob", name="Bob", access="admin", queues={"support": "write"}), actor=Actor.operator()
    )
    # rows that point at agents and contacts: a migration that rebuilt those tables would break them
    ticket = desk.tickets.open(
        subject="Down", body="x", customer="acme", contact="ann@acme.example", queue="support", actor=Actor.operator()
    )
    desk.tickets.assign(ticket.number, agent="bob", actor=Actor.operator())
    desk.tickets.reply(ticket.number, actor=Actor.operator("bob"), body="On it")
    accounts = Accounts.of(desk)
    accounts.create_token("agent", "bob", label="ci", actor=Actor.operator())
    assert current_revision(db) == head_revision()  # 0015 or a later revision
    tables, columns = _schema(db)
    assert tables >= NEW_TABLES
    assert {"access", "password_hash"} <= columns["agents"]
    assert {"customer_admin", "password_hash"} <= columns["contacts"]

    downgrade(db, "0014")
    assert current_revision(db) == "0014"
    tables, columns = _schema(db)
    assert not NEW_TABLES & tables
    assert not {"access", "password_hash"} & columns["agents"]
    assert not {"customer_admin", "password_hash"} & columns["contacts"]
    with db.engine.connect() as conn:  # the directory itself is kept
        assert conn.execute(text("SELECT login FROM agents")).scalars().all() == ["bob"]
        assert conn.execute(text("SELECT email FROM contacts")).scalars().all() == ["ann@acme.example"]

    upgrade(db)
    assert current_revision(db) == head_revision()  # 0015 or a later revision
    bob = accounts.rights("agent", "bob")
    assert (bob.role, dict(bob.queues)) == ("agent", {})  # rows from before 0015: agents without rights
    assert accounts.rights("contact", "ann@acme.example").customer_admin is False
    assert accounts.tokens(actor=Actor.operator()) == []
    secret, token = accounts.create_token("agent", "bob", actor=Actor.operator())  # and the new tables work again
    assert accounts.token_principal(secret).token_id == token.id
    assert desk.tickets.get(ticket.number).owner == "bob"
