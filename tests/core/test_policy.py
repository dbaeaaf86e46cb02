"""The one permission path: every changing service operation asks deskframe.policy about its actor."""

from __future__ import annotations

import json

import pytest

from deskframe import policy
from deskframe.actors import Actor
from deskframe.errors import DomainError, Forbidden
from deskframe.model import Contact


@pytest.fixture
def two_customers(desk, factory):
    factory.customer("acme")
    factory.customer("beta")
    factory.agent("alice")
    op = Actor.operator()
    desk.directory.add_contact(Contact(name="Ivan", email="ivan@acme.example", customer="acme"), actor=op)
    desk.directory.add_contact(Contact(name="Bea", email="bea@beta.example", customer="beta"), actor=op)
    own = factory.ticket("acme", subject="Printer offline", contact="ivan@acme.example")
    other = factory.ticket("beta", subject="Beta's secret")
    return own, other


IVAN = Actor.contact("ivan@acme.example")


def test_a_contact_sees_and_writes_only_its_customers_tickets(desk, two_customers):
    own, other = two_customers
    assert desk.tickets.get(own.number, actor=IVAN).number == own.number
    with pytest.raises(Forbidden, match=r"contact 'ivan@acme.example' may not ticket.read"):
        desk.tickets.get(other.number, actor=IVAN)
    assert [row["number"] for row in desk.tickets.list(actor=IVAN)] == [own.number]
    with pytest.raises(Forbidden):
        desk.tickets.list(customer="beta", actor=IVAN)
    assert [hit["number"] for hit in desk.tickets.search("secret", actor=IVAN)] == []
    assert [hit["number"] for hit in desk.tickets.search("secret")] == [other.number]

    desk.tickets.add_article(own.number, direction="in", body="Still broken", actor=IVAN)
    with pytest.raises(Forbidden, match="is not of its customer"):
        desk.tickets.add_article(other.number, direction="in", body="let me in", actor=IVAN)
    assert [a.text for a in desk.tickets.get(other.number).articles] == ["Help, please."]


def test_a_contact_does_no_agent_work(desk, two_customers):
    own, _ = two_customers
    for refused in (
        lambda: desk.tickets.note(own.number, actor=IVAN, body="internal"),
        lambda: desk.tickets.add_article(own.number, direction="internal", body="internal", actor=IVAN),
        lambda: desk.tickets.lock(own.number, actor=IVAN),
        lambda: desk.tickets.assign(own.number, agent="alice", actor=IVAN),
        lambda: desk.tickets.escalate(own.number, to=2, reason="x", actor=IVAN),
        lambda: desk.tickets.move(own.number, "support", actor=IVAN),
        lambda: desk.time.log(own.number, actor=IVAN, minutes=10),
        lambda: desk.directory.add_contact(Contact(name="X", email="x@acme.example", customer="acme"), actor=IVAN),
    ):
        with pytest.raises(Forbidden, match=r"contact 'ivan@acme\.example' may not"):
            refused()
    shown = desk.tickets.get(own.number)
    assert [a.direction for a in shown.articles] == ["in"] and shown.locked_by is None and shown.line == 1


def test_a_contact_opens_tickets_only_for_its_customer(desk, two_customers):
    ticket = desk.tickets.open(subject="New", body="x", customer="acme", actor=IVAN)
    assert ticket.contact == "ivan@acme.example"
    with pytest.raises(Forbidden):
        desk.tickets.open(subject="Sneaky", body="x", customer="beta", actor=IVAN)


def test_an_unknown_or_inactive_agent_may_not_act(desk, factory, cli):
    ticket = factory.ticket()
    with pytest.raises(Forbidden, match="unknown agent 'ghost'"):
        desk.tickets.note(ticket.number, actor=Actor.agent("ghost"), body="boo")
    result = cli(desk)("ticket", "note", ticket.number, "--agent", "ghost", "--body", "boo")
    assert result.exit_code == 1, result.output
    assert "agent 'ghost' may not ticket.note: unknown agent 'ghost'" in result.output
    factory.agent("carol")
    with desk.store.write() as repo:
        repo.agent_row("carol").active = False
    with pytest.raises(Forbidden, match="not active"):
        desk.tickets.lock(ticket.number, actor=Actor.agent("carol"))
    assert issubclass(Forbidden, DomainError)
    assert [a.direction for a in desk.tickets.get(ticket.number).articles] == ["in"]


def test_system_and_plugin_actors_work_and_history_names_them(desk, factory, cli):
    factory.agent("alice")
    ticket = factory.ticket()
    desk.tickets.set_state(ticket.number, "open", actor=Actor.system("robot"))
    desk.tickets.set_priority(ticket.number, "P1", actor=Actor.plugin("deskframe_sla"))
    desk.tickets.reply(ticket.number, actor=Actor.agent("alice"), body="On it")
    desk.tickets.escalate(ticket.number, to=2, reason="hard", actor=Actor.operator())
    history = [(h.action, h.actor) for h in desk.tickets.get(ticket.number).history]
    assert ("state", "robot") in history
    assert ("priority", "deskframe_sla") in history
    assert ("reply", "alice") in history
    assert ("line", None) in history  # the anonymous local operator, as the CLI without --agent
    with pytest.raises(Forbidden, match="only an agent"):
        desk.tickets.reply(ticket.number, actor=Actor.system("robot"), body="x")
    shown = json.loads(cli(desk)("ticket", "show", ticket.number, "--format", "json").output)
    assert {"action": "state", "actor": "robot"}.items() <= shown["history"][1].items()


def test_policy_knows_every_action_it_is_asked(desk):
    with desk.store.read() as repo, pytest.raises(ValueError):
        policy.check(Actor.operator(), "ticket.teleport", repo=repo)
    # the trusted operator sees every queue without a look at the store
    assert policy.visible_queues(Actor.operator("alice"), repo=None) is None  # type: ignore[arg-type]
