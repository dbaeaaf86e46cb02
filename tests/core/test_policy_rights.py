"""Issue 13, roles in the one permission module: the policy matrix at the service level.

Seven accounts - an admin, an agent with ``write`` on queue ``support``, one with ``read`` on it,
one without rights, a contact on its own ticket, its customer's ``customer_admin``, and a contact
of another customer - against reads (show, list, search, queue counts, the quick list path) and
every changing action. Each expectation fails if its rule is taken out of ``deskframe.policy``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from deskframe import policy
from deskframe.actors import Actor
from deskframe.errors import Forbidden
from deskframe.model import Agent, Contact, Customer, Queue
from deskframe.store.quick_list import quick_ticket_rows

OP = Actor.operator()

ADMIN = Actor.agent("root")
WRITER = Actor.agent("wendy")  # support = write
READER = Actor.agent("rita")  # support = read
NOBODY = Actor.agent("nick")  # access = agent, no rights
SAM = Actor.contact("sam@acme.example")  # opened the ticket
ANN = Actor.contact("ann@acme.example")  # ACME's customer admin
GIL = Actor.contact("gil@globex.example")  # another customer's

ROLES = {"admin": ADMIN, "writer": WRITER, "reader": READER, "nobody": NOBODY, "own": SAM, "cadmin": ANN, "other": GIL}


@pytest.fixture
def world(desk, factory):
    for name in ("support", "billing"):
        desk.directory.add_queue(Queue(name), actor=OP)
    for key in ("acme", "globex"):
        desk.directory.add_customer(Customer(key=key, name=key.upper()), actor=OP)
    factory.agent("root", access="admin")
    factory.agent("wendy", access="agent", queues={"support": "write"})
    factory.agent("rita", access="agent", queues={"support": "read", "billing": "none"})
    factory.agent("nick", access="agent")
    factory.agent("bill", access="agent", queues={"billing": "write"})  # the target of assignments
    for name, email, customer, cadmin in (
        ("Sam", "sam@acme.example", "acme", False),
        ("Ann", "ann@acme.example", "acme", True),
        ("Gil", "gil@globex.example", "globex", False),
    ):
        desk.directory.add_contact(Contact(name=name, email=email, customer=customer, customer_admin=cadmin), actor=OP)
    tickets = {
        "sam": factory.ticket("acme", subject="Printer sam", body="printer jams", contact="sam@acme.example"),
        "ann": factory.ticket("acme", subject="Printer ann", body="printer smokes", contact="ann@acme.example"),
        "gil": factory.ticket("globex", subject="Printer gil", body="printer gone", contact="gil@globex.example"),
        "bill": factory.ticket(
            "acme", subject="Invoice sam", body="printer invoice", contact="sam@acme.example", queue="billing"
        ),
    }
    desk.tickets.note(tickets["sam"].number, actor=Actor.operator("root"), body="zebracode internal remark")
    desk.time.log(tickets["sam"].number, actor=Actor.operator("root"), minutes=15, date=dt.date(2026, 3, 2))
    return {k: t.number for k, t in tickets.items()}


def allowed(call: Any) -> bool:
    try:
        call()
    except Forbidden:
        return False
    return True


def names(world: dict[str, str], numbers: Any) -> set[str]:
    by_number = {v: k for k, v in world.items()}
    return {by_number[n] for n in numbers}


# --- reads ---------------------------------------------------------------------


def test_who_reads_which_ticket(desk, world):
    seen = {
        role: {t for t, number in world.items() if allowed(lambda n=number, a=actor: desk.tickets.get(n, actor=a))}
        for role, actor in ROLES.items()
    }
    assert seen == {
        "admin": {"sam", "ann", "gil", "bill"},
        "writer": {"sam", "ann", "gil"},
        "reader": {"sam", "ann", "gil"},
        "nobody": set(),
        "own": {"sam", "bill"},
        "cadmin": {"sam", "ann", "bill"},
        "other": {"gil"},
    }
    with desk.store.read() as repo:
        row = repo.ticket_row(world["ann"])
        assert [policy.may_read(a, repo=repo, ticket=row) for a in (None, OP, ANN, SAM, NOBODY)] == [
            True,
            True,
            True,
            False,
            False,
        ]


EXPECTED_LISTS = {
    "admin": {"sam", "ann", "gil", "bill"},
    "writer": {"sam", "ann", "gil"},
    "reader": {"sam", "ann", "gil"},
    "nobody": set(),
    "own": {"sam", "bill"},
    "cadmin": {"sam", "ann", "bill"},
    "other": {"gil"},
}


def test_lists_and_searches_show_only_what_each_may_read(desk, world):
    for role, actor in ROLES.items():
        listed = names(world, [r["number"] for r in desk.tickets.list(actor=actor)])
        assert listed == EXPECTED_LISTS[role], role
        found = names(world, [h["number"] for h in desk.tickets.search("printer", actor=actor)])
        assert found == EXPECTED_LISTS[role], role
    # the queue filter of an agent narrows what it asks for, never widens it
    assert desk.tickets.list(actor=NOBODY, queue="support") == []
    assert names(world, [r["number"] for r in desk.tickets.list(actor=READER, queues=["support", "billing"])]) == {
        "sam",
        "ann",
        "gil",
    }
    # a contact that is not a customer admin cannot list a colleague's tickets by naming them
    assert desk.tickets.list(actor=SAM, contact="ann@acme.example") == []
    with pytest.raises(Forbidden):
        desk.tickets.list(actor=GIL, customer="acme")


def test_search_does_not_find_internal_notes_for_contacts(desk, world):
    for role, actor in ROLES.items():
        hits = names(world, [h["number"] for h in desk.tickets.search("zebracode", actor=actor)])
        assert hits == ({"sam"} if role in ("admin", "writer", "reader") else set()), role


def test_queue_counts_follow_the_rights(desk, world):
    counts = {role: {q.name: n for q, n in desk.directory.queues(actor=actor)} for role, actor in ROLES.items()}
    assert counts == {
        "admin": {"billing": 1, "support": 3},
        "writer": {"support": 3},
        "reader": {"support": 3},
        "nobody": {},
        "own": {"billing": 1, "support": 1},
        "cadmin": {"billing": 1, "support": 2},
        "other": {"billing": 0, "support": 1},
    }
    assert {q.name: n for q, n in desk.directory.queues()} == counts["admin"]  # the operator: everything


def test_the_quick_list_path_filters_as_the_service(desk, world):
    url = desk.config.database_url
    now = dt.datetime.now(dt.timezone.utc)
    for role, actor in ROLES.items():
        with desk.store.read() as repo:
            seen = policy.visibility(actor, repo=repo)
        if seen.limited and seen.customer is None:
            continue
        rows = quick_ticket_rows(
            url,
            now=now,
            queues=seen.queues,
            customer=seen.customer if seen.limited else None,
            contact=seen.contact,
        )
        assert rows is not None
        assert names(world, [r["number"] for r in rows]) == EXPECTED_LISTS[role], role


def test_visibility_answers(desk, world):
    with desk.store.read() as repo:
        assert policy.visible_queues(READER, repo=repo) == frozenset({"support"})
        assert policy.visible_queues(NOBODY, repo=repo) == frozenset()
        assert policy.visible_queues(ADMIN, repo=repo) is None
        assert policy.visible_queues(Actor.operator("nick"), repo=repo) is None  # the CLI as nick: trusted
        assert policy.visible_customer(SAM, repo=repo) == (True, "acme")
        assert policy.visible_customer(WRITER, repo=repo) == (False, None)
        assert policy.visible_contact(SAM, repo=repo) == "sam@acme.example"
        assert policy.visible_contact(ANN, repo=repo) is None
        with pytest.raises(Forbidden, match="unknown agent"):
            policy.visibility(Actor.agent("ghost"), repo=repo)
        sam, reader = policy.visibility(SAM, repo=repo), policy.visibility(READER, repo=repo)
    assert sam.sees(queue="billing", customer="acme", contact="Sam@acme.example")
    assert not sam.sees(queue="support", customer="acme", contact="ann@acme.example")
    assert not sam.sees(queue="support", customer="globex", contact="sam@acme.example")
    assert reader.sees(queue="support", customer="globex", contact=None)
    assert not reader.sees(queue="billing", customer="acme", contact=None)
    assert policy.EVERYTHING.everything and not reader.everything


def test_a_contact_sees_no_internal_notes_time_or_agent_addresses(desk, world):
    number = world["sam"]
    desk.tickets.reply(number, actor=Actor.operator("root"), body="We are on it")
    full = desk.tickets.get(number, actor=ADMIN)
    assert [a.direction for a in full.articles] == ["in", "internal", "out"]
    assert full.articles[2].sender == "root@vendor.example"
    assert {"note", "time"} <= {h.action for h in full.history}
    for contact in (SAM, ANN):
        shown = desk.tickets.get(number, actor=contact)
        assert [a.direction for a in shown.articles] == ["in", "out"]
        assert "zebracode" not in " ".join(a.text for a in shown.articles)
        assert shown.articles[1].sender is None and shown.articles[1].text == "We are on it"
        assert not {"note", "time"} & {h.action for h in shown.history}
        with pytest.raises(Forbidden):
            desk.time.entries(ticket=number, actor=contact)
    assert not policy.may_see_internal(SAM) and policy.may_see_internal(READER) and policy.may_see_internal(None)
    note = full.articles[1]
    assert not policy.may_see_article(SAM, note) and policy.may_see_article(READER, note)
    assert policy.may_see_article(SAM, full.articles[0])
    assert [e.minutes for e in desk.time.entries(ticket=number, actor=READER)] == [15]
    assert desk.time.entries(actor=NOBODY) == []
    with pytest.raises(Forbidden):
        desk.time.entries(ticket=number, actor=NOBODY)


# --- changes -------------------------------------------------------------------

AGENTS_WITH_WRITE = {"admin", "writer"}


def _fresh(desk, factory, queue="support", contact="sam@acme.example"):
    return factory.ticket("acme", subject="Paper jam", body="paper", contact=contact, queue=queue).number


def _locked_by(desk, number, actor):
    if actor.kind == "agent":
        desk.tickets.lock(number, actor=Actor.operator(actor.name))
    return number


CHANGES: dict[str, Any] = {
    "reply": lambda d, n, a: d.tickets.reply(n, actor=a, body="answer"),
    "note": lambda d, n, a: d.tickets.note(n, actor=a, body="internal"),
    "article": lambda d, n, a: d.tickets.add_article(n, direction="in", body="more", actor=a),
    "lock": lambda d, n, a: d.tickets.lock(n, actor=a),
    "unlock": lambda d, n, a: d.tickets.unlock(_locked_by(d, n, a), actor=a),
    "assign": lambda d, n, a: d.tickets.assign(n, agent="bill", actor=a),
    "state": lambda d, n, a: d.tickets.set_state(n, "open", actor=a),
    "priority": lambda d, n, a: d.tickets.set_priority(n, "P1", actor=a),
    "estimate": lambda d, n, a: d.tickets.estimate(n, actor=a, hours="3"),
    "escalate": lambda d, n, a: d.tickets.escalate(n, to=2, reason="hard", actor=a),
    "time": lambda d, n, a: d.time.log(n, actor=a, minutes=10, date=dt.date(2026, 3, 2)),
}

#: What a contact may change on a ticket it sees (as the customer does).
CONTACT_CHANGES = {"article", "state", "priority"}


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_who_may_change_a_support_ticket(desk, factory, world, change):
    done = {
        role
        for role, actor in ROLES.items()
        if allowed(lambda a=actor: CHANGES[change](desk, _fresh(desk, factory), a))
    }
    expected = set(AGENTS_WITH_WRITE)
    if change in CONTACT_CHANGES:
        expected |= {"own", "cadmin"}
    assert done == expected


def test_a_refused_change_changes_nothing(desk, world):
    number = world["sam"]
    before = desk.tickets.get(number)
    for actor in (READER, NOBODY, GIL):
        for name, change in CHANGES.items():
            if name != "unlock":  # its set-up locks as the trusted operator
                allowed(lambda c=change, a=actor: c(desk, number, a))
    after = desk.tickets.get(number)
    assert after.articles == before.articles and after.locked_by is None
    assert (after.state, after.priority, after.line, after.owner) == (before.state, before.priority, 1, None)


def test_a_customer_admin_writes_to_colleagues_tickets_a_contact_only_to_its_own(desk, factory, world):
    anns = _fresh(desk, factory, contact="ann@acme.example")
    assert allowed(lambda: desk.tickets.add_article(anns, direction="in", body="x", actor=ANN))
    assert not allowed(lambda: desk.tickets.add_article(anns, direction="in", body="x", actor=SAM))
    assert not allowed(lambda: desk.tickets.set_state(anns, "open", actor=GIL))


def test_move_needs_write_on_both_queues(desk, factory, world):
    # wendy: write on support, read on billing
    desk.directory.add_agent(
        Agent(login="wendy", name="Wendy", queues={"support": "write", "billing": "read"}), actor=OP
    )
    assert not allowed(lambda: desk.tickets.move(_fresh(desk, factory), "billing", actor=WRITER))
    assert not allowed(lambda: desk.tickets.move(_fresh(desk, factory, queue="billing"), "support", actor=WRITER))
    assert not allowed(lambda: desk.tickets.move(_fresh(desk, factory), "billing", actor=READER))
    bill = Actor.agent("bill")
    desk.directory.add_agent(
        Agent(login="bill", name="Bill", queues={"support": "write", "billing": "write"}), actor=OP
    )
    assert allowed(lambda: desk.tickets.move(_fresh(desk, factory), "billing", actor=bill))
    assert allowed(lambda: desk.tickets.move(_fresh(desk, factory), "billing", actor=ADMIN))
    for contact in (SAM, ANN):
        assert not allowed(lambda c=contact: desk.tickets.move(_fresh(desk, factory), "billing", actor=c))


def test_merge_needs_write_on_both_tickets(desk, factory, world):
    merges = {
        role: allowed(lambda a=actor: desk.tickets.merge(_fresh(desk, factory), _fresh(desk, factory), actor=a))
        for role, actor in ROLES.items()
    }
    assert {r for r, ok in merges.items() if ok} == AGENTS_WITH_WRITE
    into_billing = _fresh(desk, factory, queue="billing")
    assert not allowed(lambda: desk.tickets.merge(_fresh(desk, factory), into_billing, actor=WRITER))
    assert allowed(lambda: desk.tickets.merge(_fresh(desk, factory), into_billing, actor=ADMIN))


def test_opening_needs_write_on_the_queue_or_the_own_customer(desk, world):
    def opens(actor, queue="support", customer="acme"):
        return allowed(lambda: desk.tickets.open(subject="New", body="x", customer=customer, queue=queue, actor=actor))

    assert [opens(a) for a in (ADMIN, WRITER, READER, NOBODY)] == [True, True, False, False]
    assert not opens(WRITER, queue="billing")
    assert opens(SAM) and opens(ANN) and not opens(GIL)


def test_admin_only_actions(desk, world):
    def directory(actor):
        return allowed(lambda: desk.directory.add_customer(Customer(key="initech", name="Initech"), actor=actor))

    def invoice_run(actor):
        return allowed(lambda: desk.billing.run("2026-01", actor=actor))

    assert {r for r, a in ROLES.items() if directory(a)} == {"admin"}
    assert {r for r, a in ROLES.items() if invoice_run(a)} == {"admin"}
    assert not allowed(lambda: desk.directory.add_agent(Agent(login="wendy", name="W", access="admin"), actor=WRITER))
    assert desk.directory.agent("wendy").access == "agent"
    with pytest.raises(Forbidden, match=r"agent 'wendy' may not search\.reindex: only an admin does this"):
        desk.tickets.reindex_search(actor=WRITER)
    with pytest.raises(Forbidden, match="only an admin does this"):
        desk.billing.pay("2026-000001", Decimal(1), dt.date(2026, 3, 2), actor=READER)
    with desk.store.read() as repo:
        for action in ("token.create", "token.revoke", "audit.read", "account.password"):
            assert not allowed(lambda x=action: policy.check(WRITER, x, repo=repo, account=("agent", "rita")))
            assert allowed(lambda x=action: policy.check(ADMIN, x, repo=repo, account=("agent", "rita")))
        # an account manages its own tokens and password, never sees the audit log
        for account_actor, account in ((WRITER, ("agent", "wendy")), (SAM, ("contact", "sam@acme.example"))):
            assert allowed(lambda a=account_actor, k=account: policy.check(a, "token.create", repo=repo, account=k))
            assert not allowed(lambda a=account_actor, k=account: policy.check(a, "audit.read", repo=repo, account=k))


def test_the_trusted_operator_acting_as_an_agent_keeps_every_right(desk, factory, world):
    number = _fresh(desk, factory)
    desk.tickets.reply(number, actor=Actor.operator("nick"), body="the CLI user as nick")
    desk.tickets.move(number, "billing", actor=Actor.operator("rita"))
    assert desk.tickets.get(number, full=False).queue == "billing"
    with pytest.raises(Forbidden, match="unknown agent"):
        desk.tickets.note(number, actor=Actor.operator("ghost"), body="x")
