"""A desk with accounts and tickets for the API tests, built once per test module (setting up a
desk costs more than the tests that read it): run with ``DESKFRAME_TEST_DATABASE_URL`` set to
test on PostgreSQL."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from typing import Any

import pytest
from argon2 import PasswordHasher
from starlette.testclient import TestClient

from deskframe.accounts.service import Accounts
from deskframe.actors import Actor
from deskframe.config import load_config
from deskframe.desk import Desk
from deskframe.model import Agent, Contact, Contract, Customer, InboundAttachment, InboundMessage, Queue
from deskframe.plugins import build_plugins
from deskframe.store.scratch import scratch_database
from deskframe.testing import DATABASE_ENV, Clock
from deskframe.web import create_app

T0 = dt.datetime(2026, 12, 3, 9, 0, tzinfo=dt.timezone.utc)
PASSWORD = "correct horse battery"
#: argon2 with cheap parameters (the session tests log in).
CHEAP = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
#: A stored file name an attacker chose.
EVIL_NAME = '../../etc/x"; y=1\r\n.html'


PRICING = """
[pricing.flat]
model = "retainer"
currency = "RUB"
fee = "1000.00"
included = "10h"
overage_rate = "100.00"
"""


class World:
    """The shared desk: ``tokens[name]`` per account, ``tickets[name]`` numbers, a client per token."""

    def __init__(self, desk: Desk, clock: Clock, root: Any) -> None:
        self.desk, self.clock, self.root = desk, clock, root
        self.password = PASSWORD
        self.tokens: dict[str, str] = {}
        self.tickets: dict[str, str] = {}
        self.invoice = ""
        self.app = create_app(desk)
        self.app.state.accounts = Accounts.of(desk, hasher=CHEAP)

    def client(self, who: str | None = None) -> TestClient:
        """A client sending ``who``'s token (None: no token)."""
        client = TestClient(self.app)
        if who is not None:
            client.headers["Authorization"] = f"Bearer {self.tokens[who]}"
        return client

    def tick(self, seconds: int = 1) -> None:
        self.clock.now += dt.timedelta(seconds=seconds)


def build(root: Any, url: str, clock: Clock) -> World:
    path = root / "deskframe.toml"
    path.write_text(f'[desk]\ndatabase = "{url}"\ndata_dir = "data"\n' + PRICING, encoding="utf-8")
    plugins = build_plugins()
    desk = Desk(load_config(path, plugins.registry), plugins, clock=clock)
    desk.upgrade()
    world = World(desk, clock, root)
    op = Actor.operator()
    d = desk.directory
    for q in ("support", "billing"):
        d.add_queue(Queue(name=q), actor=op)
    d.add_customer(Customer(key="acme", name="ACME"), actor=op)
    d.add_customer(Customer(key="globex", name="Globex"), actor=op)
    d.add_contact(Contact(name="Ann", email="ann@acme.example", customer="acme", customer_admin=True), actor=op)
    d.add_contact(Contact(name="Gus", email="gus@globex.example", customer="globex", customer_admin=True), actor=op)
    d.add_agent(Agent(login="alice", name="Alice", email="alice@vendor.example", access="admin"), actor=op)
    d.add_agent(
        Agent(login="bob", name="Bob", email="bob@vendor.example", queues={"support": "write", "billing": "write"}),
        actor=op,
    )
    d.add_agent(Agent(login="carl", name="Carl", email="carl@vendor.example", queues={"support": "write"}), actor=op)
    d.add_contract(
        Contract(key="acme-2026", customer="acme", support_type="8x5", pricing="flat", start=dt.date(2026, 1, 1)),
        actor=op,
    )
    desk.billing.run("2026-11", actor=op)
    (invoice,) = desk.billing.issue(period="2026-11", actor=op)
    world.invoice = invoice.number
    accounts = world.app.state.accounts
    for kind, name, label in (
        ("agent", "alice", "alice"),
        ("agent", "bob", "bob"),
        ("agent", "carl", "carl"),
        ("contact", "ann@acme.example", "ann"),
        ("contact", "gus@globex.example", "gus"),
    ):
        world.tokens[label], _ = accounts.create_token(kind, name, actor=op)
    world.tokens["revoked"], revoked = accounts.create_token("agent", "alice", actor=op)
    accounts.revoke_token(revoked.id, actor=op)
    world.tokens["expired"], _ = accounts.create_token("agent", "alice", lifetime=dt.timedelta(seconds=1), actor=op)
    accounts.set_password("agent", "bob", PASSWORD, actor=op)

    t = desk.tickets
    world.tickets["acme"] = t.open(
        subject="Printer on fire",
        body="It burns",
        customer="acme",
        contact="ann@acme.example",
        queue="support",
        actor=op,
    ).number
    world.tick(5)
    t.note(world.tickets["acme"], actor=Actor.agent("alice"), body="SECRET internal note")
    world.tick()
    t.reply(world.tickets["acme"], actor=Actor.agent("alice"), body="We are on it")
    world.tick()
    desk.time.log(world.tickets["acme"], actor=Actor.agent("alice"), minutes=30, note="looked at it")
    world.tick()
    world.tickets["globex"] = t.open(
        subject="Globex confidential outage", body="secret globex text", customer="globex", queue="support", actor=op
    ).number
    world.tick()
    result = desk.intake.receive(
        InboundMessage(
            channel="email",
            external_id="m1",
            received_at=clock.now,
            sender="ann@acme.example",
            subject="Screenshot attached",
            text="see the file",
            attachments=(InboundAttachment(EVIL_NAME, "text/html", b"<script>alert(1)</script>"),),
        )
    )
    world.tickets["attached"] = result.ticket
    world.tick(5)
    return world


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    root = tmp_path_factory.mktemp("api")
    url, drop = scratch_database(os.environ.get(DATABASE_ENV), str(root / "deskframe.db"))
    built = build(root, url, Clock(T0))
    yield built
    built.desk.close()
    drop()
