"""Issue 13, the authorisation matrix: every ``ApiRoute`` of the app's route table (the core's
and a plugin's) is called by every role of :data:`api_world.ROLES`, and each answer is checked
for its status and its body.

What a cell expects is derived from the route's ``access`` and policy ``action`` (see
:func:`derive`) and, where that cannot tell, from :data:`EXPECTED`. A route whose expectation
cannot be derived, or whose path parameters or body the fixture does not know, is a failure
telling its author what to declare: a route added without its access or policy fails here.

The rules, from issue 13: no credential (none, revoked, expired) -> 401; ``admin`` routes ->
admins only (403 for agents); an agent without rights on the queue gets 404 for the queue's
ticket (no existence leak), a reading agent may read but not change (403 or 404), a writing
agent and an admin may do both; a contact may use ``contact`` routes on its customer's ticket
and gets 404 for another customer's; ``agent`` routes refuse contacts. Whatever the status,
a role that may not see the ticket never finds its subject in the answer; a contact never
finds an internal note, a time entry's note or an agent's e-mail address.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import attrs
import pytest
from api_world import ROLES, UNAUTHENTICATED, World, agent_email, build_world, close_world

from deskframe import policy
from deskframe.actors import Actor
from deskframe.web.api.openapi import api_routes
from deskframe.web.api.routing import ApiRoute

#: Refusals that tell nothing about existence.
DENIED = frozenset({403, 404})
#: A policy action (or none) that only reads.
READ_ACTIONS = (None, "ticket.read")
#: Paths that act on one ticket (of customer A in queue ``support`` in the fixture).
TICKET_PATH = re.compile(r"/tickets/\{number\}|/attachments/\{id\}")
#: Whether a role may see the fixture's tickets (customer A, queue ``support``).
SEES_TICKET = {
    "agent_none": False,
    "agent_read": True,
    "agent_write": True,
    "contact_a": True,
    "contact_b": False,
    "admin": True,
}
#: Operations whose 200 answer shows the fixture's ticket (its subject) to everyone who may see it.
LISTS_TICKET = ("tickets.list", "search.tickets", "tickets.show", "articles.list", "x.ticket")
#: Cells :func:`derive` cannot tell, per operation: role -> allowed statuses.
EXPECTED: dict[str, dict[str, set[int]]] = {
    # opening a ticket in queue "support" for customer "acme": a write right on the queue, or
    # being a contact of that customer
    "tickets.open": {
        "agent_none": {403},
        "agent_read": {403},
        "agent_write": {201},
        "contact_a": {201},
        "contact_b": {403},
        "admin": {201},
    },
}


@attrs.frozen
class Cell:
    """What one call needs: a ticket of its own for a change, and a second one to merge into."""

    ticket: str
    subject: str
    other: str
    tag: str
    other_subject: str = ""


#: Bodies of the changing operations, per operation id.
BODIES: dict[str, Callable[[Cell], dict[str, Any]]] = {
    "tickets.open": lambda c: {"subject": c.subject, "body": "matrix", "customer": "acme", "queue": "support"},
    "tickets.reply": lambda c: {"body": "matrix reply"},
    "tickets.note": lambda c: {"body": "matrix note"},
    "x.note": lambda c: {"body": "matrix note"},
    "tickets.lock": lambda c: {},
    "tickets.unlock": lambda c: {"force": True, "reason": "matrix"},
    "tickets.assign": lambda c: {"agent": "walt"},
    "tickets.state": lambda c: {"state": "closed"},
    "tickets.priority": lambda c: {"priority": "P2"},
    "tickets.move": lambda c: {"queue": "billing"},
    "tickets.merge": lambda c: {"into": c.other},
    "tickets.escalate": lambda c: {"to": 2, "reason": "matrix"},
    "tickets.estimate": lambda c: {"hours": "2.5"},
    "time.log": lambda c: {"minutes": 15, "note": "matrix"},
    "customers.create": lambda c: {"id": f"c-{c.tag}", "name": "New Customer"},
    "customers.update": lambda c: {"name": "ACME"},
    "contacts.create": lambda c: {"email": f"{c.tag}@acme.example", "name": "New", "customer": "acme"},
    "contacts.update": lambda c: {"name": "Ann"},
    "agents.create": lambda c: {"login": f"n-{c.tag}", "name": "New"},
    "agents.update": lambda c: {"name": "Walt"},
    "contracts.create": lambda c: {"id": f"k-{c.tag}", "customer": "acme", "support_type": "8x5", "pricing": "flat"},
    "contracts.update": lambda c: {"support_type": "8x5"},
}
#: Set up before a call on the cell's own ticket, per operation id.
BEFORE: dict[str, Callable[[World, Cell], None]] = {
    "tickets.unlock": lambda w, c: w.desk.tickets.lock(c.ticket, actor=Actor.agent("walt")) and None,
}


def path_values(world: World) -> dict[tuple[str, str], str]:
    """Path parameter values by (the collection before the parameter, its name)."""
    return {
        ("tickets", "number"): world.ticket,
        ("attachments", "id"): world.attachment,
        ("invoices", "ref"): world.invoice,
        ("customers", "key"): "acme",
        ("contacts", "key"): "ann@acme.example",
        ("agents", "key"): "walt",
        ("contracts", "key"): "acme-2026",
    }


def _collection(path: str, name: str) -> str:
    return path.split("/{" + name, 1)[0].rsplit("/", 1)[-1]


def query_values(world: World) -> dict[str, str]:
    """Values of required query parameters, by name."""
    return {"q": world.subject.split()[-1]}


def derive(route: ApiRoute, path: str, role: str) -> set[int] | None:
    """The statuses a role may get from a route, or None when they cannot be derived."""
    if route.operation_id in EXPECTED and role in EXPECTED[route.operation_id]:
        return set(EXPECTED[route.operation_id][role])
    ok = {route.status}
    if route.access == "public":
        return ok
    if role in UNAUTHENTICATED:
        return {401}
    if route.action is not None and route.action not in policy.ACTIONS:
        return None
    changes = route.method not in ("GET", "HEAD")
    if changes and route.action is None:
        return None  # a change that names no policy action
    if role == "admin":
        return ok
    contact = role.startswith("contact")
    if route.access == "admin":
        return set(DENIED) if contact else {403}
    if contact and route.access == "agent":  # refused by role, whatever the ticket: nothing leaks
        return set(DENIED)
    if TICKET_PATH.search(path):
        if not SEES_TICKET[role]:
            return {404}
        if contact:
            return ok
        return ok if role == "agent_write" or (route.action in READ_ACTIONS and not changes) else set(DENIED)
    return ok if not changes else None


def undeclared(route: ApiRoute, path: str, world: World) -> list[str]:
    """What the fixture lacks to call ``route``: each a sentence for the route's author."""
    missing = []
    values = path_values(world)
    for name in re.findall(r"\{(\w+)", path):
        if (_collection(path, name), name) not in values:
            missing.append(f"a value of path parameter {name!r} after /{_collection(path, name)}/ in path_values()")
    for param in route.params:
        if param.where == "query" and param.required and param.name not in query_values(world):
            missing.append(f"a value of required query parameter {param.name!r} in query_values()")
    if route.body is not None and route.operation_id not in BODIES:
        missing.append("a body in BODIES")
    for role in ROLES:
        if derive(route, path, role) is None:
            missing.append(
                f"the statuses of role {role!r} in EXPECTED (access={route.access!r}, action={route.action!r})"
            )
            break
    return missing


def check_answer(world: World, route: ApiRoute, role: str, answer: Any, allowed: set[int], cell: Cell) -> list[str]:
    """Everything wrong with one answer."""
    wrong = []
    text = answer.text
    if answer.status_code not in allowed:
        wrong.append(f"status {answer.status_code}, expected {sorted(allowed)}: {text[:160]!r}")
    if answer.status_code >= 400:
        if answer.headers.get("content-type", "").split(";")[0] != "application/problem+json":
            wrong.append(f"error is {answer.headers.get('content-type')!r}, not application/problem+json")
        elif answer.json().get("status") != answer.status_code:
            wrong.append("problem's status differs from the answer's")
    if answer.status_code == 401 and "www-authenticate" not in answer.headers:
        wrong.append("401 without WWW-Authenticate")
    sees = SEES_TICKET.get(role, False)
    if not sees:
        for subject in {world.subject, cell.subject, cell.other_subject} - {""}:
            if subject in text:
                wrong.append(f"leaks the subject of a ticket it may not see ({subject!r})")
    if (role.startswith("contact") or not sees) and world.note_text in text:
        wrong.append("sees an internal note or a time entry of a ticket it may not see inside")
    if role.startswith("contact") and any(agent_email(a) in text for a in ("alice", "nina", "rita", "walt")):
        wrong.append("a contact sees an agent's e-mail address")
    if sees and answer.status_code == 200 and route.operation_id in LISTS_TICKET and world.subject not in text:
        wrong.append("the answer lacks the fixture's ticket the role may see")
    return wrong


@pytest.fixture(scope="module")
def world(tmp_path_factory):  # type: ignore[no-untyped-def]
    built = build_world(tmp_path_factory)
    yield built
    close_world(built)


def test_every_api_route_with_every_role(world):  # type: ignore[no-untyped-def]
    app = world.app()
    client = world.client()
    routes = list(api_routes(app.routes))
    assert len(routes) >= 4
    failures: list[str] = []
    calls = 0
    for n, (path, route) in enumerate(routes):
        missing = undeclared(route, path, world)
        if missing:
            failures.append(f"{route.operation_id} ({route.method} {path}): declare " + "; ".join(missing))
            continue
        query = {p.name: query_values(world)[p.name] for p in route.params if p.where == "query" and p.required}
        for role in ROLES:
            allowed = derive(route, path, role)
            assert allowed is not None
            changes = route.method not in ("GET", "HEAD")
            cell = Cell(world.ticket, world.subject, "", f"{n}-{role.replace('_', '-')}")
            if changes and role not in UNAUTHENTICATED and TICKET_PATH.search(path):
                number, subject = world.fresh_ticket(cell.tag)
                other = world.fresh_ticket(f"{cell.tag}-into") if route.operation_id == "tickets.merge" else ("", "")
                cell = Cell(number, subject, other[0], cell.tag, other[1])
                BEFORE.get(route.operation_id, lambda w, c: None)(world, cell)
            elif route.operation_id == "tickets.open":
                cell = Cell(world.ticket, f"Secret subject {cell.tag} opened", "", cell.tag)
            url = path
            for name in re.findall(r"\{(\w+)", path):
                value = cell.ticket if name == "number" else path_values(world)[(_collection(path, name), name)]
                url = url.replace("{" + name + "}", value)
            body = BODIES[route.operation_id](cell) if route.body is not None else None
            answer = client.request(route.method, url, params=query, json=body, headers=world.headers(role))
            calls += 1
            for problem in check_answer(world, route, role, answer, allowed, cell):
                failures.append(f"{route.operation_id} ({route.method} {path}) as {role}: {problem}")
    size = f"{len(routes)} routes x {len(ROLES)} roles = {len(routes) * len(ROLES)} cells, {calls} calls"
    print(size)
    assert not failures, f"{size}; {len(failures)} failure(s):\n" + "\n".join(failures)


async def _nothing(request):  # type: ignore[no-untyped-def]
    raise AssertionError("never called")


def test_a_route_without_its_policy_or_fixture_fails_with_a_message(world):  # type: ignore[no-untyped-def]
    silent = ApiRoute("/api/x/things", _nothing, method="POST", operation_id="x.things", summary="", tag="x", access="agent")  # fmt: skip
    missing = undeclared(silent, "/api/x/things", world)
    assert any("EXPECTED" in m and "action=None" in m for m in missing), missing
    bogus = ApiRoute("/api/x/b", _nothing, method="GET", operation_id="x.b", summary="", tag="x", access="agent", action="nope")  # fmt: skip
    assert any("EXPECTED" in m for m in undeclared(bogus, "/api/x/b", world))
    bodied = ApiRoute(
        "/api/x/w/{widget}", _nothing, method="POST", operation_id="x.w", summary="", tag="x", access="agent",
        action="ticket.note", body={"type": "object"},
    )  # fmt: skip
    missing = undeclared(bodied, "/api/x/w/{widget}", world)
    assert any("'widget'" in m for m in missing) and any("BODIES" in m for m in missing), missing


def test_derived_expectations_follow_issue_13():  # type: ignore[no-untyped-def]
    show = ApiRoute("/api/v1/tickets/{number}", _nothing, method="GET", operation_id="t.show", summary="", tag="t", access="contact", action="ticket.read")  # fmt: skip
    note = ApiRoute("/api/v1/tickets/{number}/note", _nothing, method="POST", operation_id="t.note", summary="", tag="t", access="agent", action="ticket.note", status=201)  # fmt: skip
    admin = ApiRoute("/api/v1/customers", _nothing, method="POST", operation_id="c.new", summary="", tag="c", access="admin", action="directory.write")  # fmt: skip
    table = {role: (derive(show, show.path, role), derive(note, note.path, role), derive(admin, admin.path, role)) for role in ROLES}  # fmt: skip
    assert table == {
        "anonymous": ({401}, {401}, {401}),
        "revoked": ({401}, {401}, {401}),
        "expired": ({401}, {401}, {401}),
        "agent_none": ({404}, {404}, {403}),
        "agent_read": ({200}, {403, 404}, {403}),
        "agent_write": ({200}, {201}, {403}),
        "contact_a": ({200}, {403, 404}, {403, 404}),
        "contact_b": ({404}, {403, 404}, {403, 404}),
        "admin": ({200}, {201}, {200}),
    }
