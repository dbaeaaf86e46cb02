"""One desk for a test module of the API: two customers, queues, agents with each kind of right,
contacts, live/revoked/expired tokens, a ticket of customer A with an internal note, and a
plugin that registers API routes (so the document and the matrix have plugin routes too).

Build it once per module (:func:`build_world` in a module-scoped fixture): setting up a desk
and nine tokens is the slow part.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import attrs
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.testclient import TestClient

import deskframe
from deskframe.accounts.service import Accounts
from deskframe.accounts.web_routes import authenticate
from deskframe.actors import Actor
from deskframe.config import DATABASE_ENV, load_config
from deskframe.desk import Desk
from deskframe.errors import Forbidden, NotFound
from deskframe.model import Agent, Contact, Contract, Customer, InboundAttachment, InboundMessage, Queue
from deskframe.plugins import build_plugins
from deskframe.store.scratch import scratch_database
from deskframe.testing import Clock
from deskframe.web import create_app

T0 = dt.datetime(2026, 12, 3, 9, 0, tzinfo=dt.timezone.utc)
#: A retainer, so the fixture's contract has an invoice to show.
PRICING = """
[pricing.flat]
model = "retainer"
currency = "RUB"
fee = "1000.00"
included = "10h"
overage_rate = "100.00"
"""
#: Every caller the matrix tries, in the order of issue 13.
ROLES = (
    "anonymous",
    "revoked",
    "expired",
    "agent_none",
    "agent_read",
    "agent_write",
    "contact_a",
    "contact_b",
    "admin",
)
#: Callers without a live credential.
UNAUTHENTICATED = ("anonymous", "revoked", "expired")
#: Who each role is: (kind, name); the revoked and expired tokens belong to the writing agent.
ACCOUNTS = {
    "revoked": ("agent", "walt"),
    "expired": ("agent", "walt"),
    "agent_none": ("agent", "nina"),
    "agent_read": ("agent", "rita"),
    "agent_write": ("agent", "walt"),
    "contact_a": ("contact", "ann@acme.example"),
    "contact_b": ("contact", "bea@beta.example"),
    "admin": ("agent", "alice"),
}


def _problem(status: int, detail: str) -> Response:
    body = {"type": "about:blank", "title": "error", "status": status, "detail": detail, "errors": []}
    return JSONResponse(body, status_code=status, media_type="application/problem+json")


def _actor(principal: Any) -> Actor:
    return Actor.agent(principal.name) if principal.kind == "agent" else Actor.contact(principal.name)


class PluginApi:
    """A plugin's API routes under ``/api/x/``, written as a plugin author would: a public ping,
    a ticket read (contacts and agents), an internal note (agents) and an admin-only list."""

    @deskframe.hookimpl
    def register_routes(self, register):  # type: ignore[no-untyped-def]
        async def ping(request: Request) -> Response:
            return JSONResponse({"pong": True})

        async def ticket(request: Request) -> Response:
            principal = await authenticate(request)
            desk: Desk = request.app.state.desk
            number = request.path_params["number"]
            try:
                found = await run_in_threadpool(desk.tickets.get, number, full=False, actor=_actor(principal))
            except (NotFound, Forbidden):
                return _problem(404, f"no ticket {number}")
            return JSONResponse({"number": found.number, "subject": found.subject})

        async def note(request: Request) -> Response:
            principal = await authenticate(request)
            if principal.kind != "agent":
                return _problem(403, "agents only")
            desk: Desk = request.app.state.desk
            number = request.path_params["number"]
            try:
                data = json.loads(await request.body())
            except ValueError:
                return _problem(400, "the body is not JSON")
            if not isinstance(data, dict) or not isinstance(data.get("body"), str) or not data["body"].strip():
                return _problem(422, "a note needs a body")
            actor = _actor(principal)
            try:
                await run_in_threadpool(lambda: desk.tickets.note(number, actor=actor, body=data["body"]))
            except NotFound:
                return _problem(404, f"no ticket {number}")
            except Forbidden:
                try:
                    await run_in_threadpool(desk.tickets.get, number, full=False, actor=actor)
                except (NotFound, Forbidden):
                    return _problem(404, f"no ticket {number}")
                return _problem(403, "no right to add a note")
            return JSONResponse({"number": number}, status_code=201)

        async def accounts(request: Request) -> Response:
            principal = await authenticate(request)
            if not principal.rights.admin:
                return _problem(403, "admins only")
            return JSONResponse({"accounts": sorted(name for _, name in ACCOUNTS.values())})

        number = deskframe.Param("number", where="path", description="a ticket number")
        register(
            deskframe.ApiRoute(
                "/api/x/ping", ping, method="GET", operation_id="x.ping", summary="Ping", tag="x", access="public",
                response={"type": "object", "properties": {"pong": {"type": "boolean"}}, "required": ["pong"]},
            )
        )  # fmt: skip
        register(
            deskframe.ApiRoute(
                "/api/x/tickets/{number}", ticket, method="GET", operation_id="x.ticket", summary="A ticket",
                tag="x", access="contact", action="ticket.read", params=(number,), errors=(404,),
                response={
                    "type": "object",
                    "properties": {"number": {"type": "string"}, "subject": {"type": "string"}},
                    "required": ["number", "subject"],
                },
            )
        )  # fmt: skip
        register(
            deskframe.ApiRoute(
                "/api/x/tickets/{number}/notes", note, method="POST", operation_id="x.note", summary="Add a note",
                tag="x", access="agent", action="ticket.note", params=(number,), status=201,
                errors=(400, 403, 404, 422),
                body={"type": "object", "properties": {"body": {"type": "string", "minLength": 1}}, "required": ["body"]},
                response={"type": "object", "properties": {"number": {"type": "string"}}},
            )
        )  # fmt: skip
        register(
            deskframe.ApiRoute(
                "/api/x/accounts", accounts, method="GET", operation_id="x.accounts", summary="Accounts",
                tag="x", access="admin", errors=(403,),
                response={"type": "object", "properties": {"accounts": {"type": "array", "items": {"type": "string"}}}},
            )
        )  # fmt: skip


@attrs.define
class World:
    """The module's desk, its app and a client, and who is who."""

    desk: Desk
    clock: Clock
    root: Path
    tokens: dict[str, str | None]
    ticket: str
    subject: str
    note_text: str
    drop: Any
    invoice: str = ""
    attachment: str = ""

    def app(self) -> Any:
        """A new app of the desk (the document and middleware settings as configured)."""
        return create_app(self.desk)

    def client(self, **kwargs: Any) -> TestClient:
        """A test client of a new app; server errors come back as 500 answers, not exceptions."""
        return TestClient(self.app(), raise_server_exceptions=False, **kwargs)

    def headers(self, role: str) -> dict[str, str]:
        """The ``Authorization`` header of a role (none for ``anonymous``)."""
        token = self.tokens[role]
        return {"Authorization": f"Bearer {token}"} if token else {}

    def fresh_ticket(self, tag: str) -> tuple[str, str]:
        """A new ticket of customer A in queue ``support``, opened by its contact: ``(number, subject)``."""
        subject = f"Secret subject {tag} {uuid.uuid4().hex[:10]}"
        ticket = self.desk.tickets.open(
            subject=subject,
            body="The printer is on fire",
            customer="acme",
            contact="ann@acme.example",
            queue="support",
            actor=Actor.operator(),
        )
        return ticket.number, subject


def agent_email(login: str) -> str:
    """An agent's e-mail address: personal data no contact may see."""
    return f"{login}.private@vendor.example"


def build_world(tmp_path_factory: Any, *, config: str = "", plugins: Iterable[Any] = ()) -> World:
    """A desk (SQLite, or the PostgreSQL of ``DESKFRAME_TEST_DATABASE_URL``) with the fixture data."""
    root = tmp_path_factory.mktemp("api")
    url, drop = scratch_database(os.environ.get(DATABASE_ENV), str(root / "deskframe.db"))
    path = root / "deskframe.toml"
    path.write_text(f'[desk]\ndatabase = "{url}"\ndata_dir = "data"\n{PRICING}{config}', encoding="utf-8")
    built = build_plugins(extra=[("api-test-plugin", PluginApi()), *((f"extra-{i}", p) for i, p in enumerate(plugins))])
    clock = Clock(T0)
    desk = Desk(load_config(path, built.registry), built, clock=clock)
    desk.upgrade()
    op = Actor.operator()
    directory = desk.directory
    for queue in ("support", "billing"):
        directory.add_queue(Queue(name=queue), actor=op)
    directory.add_customer(Customer(key="acme", name="ACME"), actor=op)
    directory.add_customer(Customer(key="beta", name="Beta"), actor=op)
    directory.add_contact(Contact(name="Ann", email="ann@acme.example", customer="acme"), actor=op)
    directory.add_contact(Contact(name="Bea", email="bea@beta.example", customer="beta"), actor=op)
    for login, access, queues in (
        ("alice", "admin", {}),
        ("nina", "agent", {"billing": "write"}),
        ("rita", "agent", {"support": "read"}),
        ("walt", "agent", {"support": "write", "billing": "write"}),
    ):
        agent = Agent(login=login, name=login.title(), email=agent_email(login), access=access, queues=queues)
        directory.add_agent(agent, actor=op)
    directory.add_contract(
        Contract(key="acme-2026", customer="acme", support_type="8x5", pricing="flat", start=dt.date(2026, 1, 1)),
        actor=op,
    )
    desk.billing.run("2026-11", actor=op)
    (invoice,) = desk.billing.issue(period="2026-11", actor=op)

    accounts = Accounts.of(desk)
    tokens: dict[str, str | None] = {"anonymous": None}
    for role, (kind, name) in ACCOUNTS.items():
        if role == "expired":  # made ten days ago for one day
            clock.now = T0 - dt.timedelta(days=10)
            tokens[role], _ = accounts.create_token(kind, name, lifetime=dt.timedelta(days=1), actor=op)
            clock.now = T0
        else:
            tokens[role], token = accounts.create_token(kind, name, actor=op)
            if role == "revoked":
                accounts.revoke_token(token.id, actor=op)
    world = World(desk, clock, root, tokens, "", "", f"Internal note {uuid.uuid4().hex[:10]}", drop)
    world.invoice = invoice.number or ""
    world.ticket, world.subject = world.fresh_ticket("A")
    desk.tickets.note(world.ticket, actor=Actor.agent("walt"), body=world.note_text)
    desk.time.log(world.ticket, actor=Actor.agent("walt"), minutes=30, note=world.note_text)
    added = desk.intake.receive(
        InboundMessage(
            channel="email",
            external_id="matrix-1",
            received_at=clock.now,
            sender="ann@acme.example",
            subject=f"Re: [Ticket#{world.ticket}] {world.subject}",
            text="the screenshot",
            attachments=(InboundAttachment("screen.png", "image/png", b"\x89PNG fixture"),),
        )
    )
    assert added.ticket == world.ticket, "the attachment did not thread to the fixture ticket"
    ticket = desk.tickets.get(world.ticket)
    world.attachment = next(str(a.id) for article in ticket.articles for a in article.attachments)
    return world


def close_world(world: World) -> None:
    """Close the desk and drop its scratch database."""
    world.desk.close()
    world.drop()
