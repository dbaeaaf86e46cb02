"""Issue 13, accounts: access roles, queue rights and customer admins from apply files, stored and
shown by ``agent list`` / ``contact list``, and the pure rights functions the policy will ask."""

from __future__ import annotations

import json

import pytest

from deskframe.accounts import rights as r
from deskframe.accounts.service import Accounts
from deskframe.actors import Actor
from deskframe.model import Agent, Contact

DIRECTORY = """
[[queues]]
name = "support"

[[queues]]
name = "billing"

[[queues]]
name = "hardware"

[[customers]]
id = "acme"
name = "ACME"

[[customers]]
id = "globex"
name = "Globex"

[[contacts]]
customer = "acme"
name = "Ann"
email = "ann@acme.example"
customer_admin = true

[[contacts]]
customer = "acme"
name = "Sam"
email = "sam@acme.example"

[[agents]]
login = "alice"
name = "Alice"
access = "admin"

[[agents]]
login = "bob"
name = "Bob"
role = "developer"
queues = { support = "write", billing = "read", hardware = "none" }
"""


def apply(run, tmp_path, text, name="directory.toml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return run("apply", str(path))


def test_apply_round_trip_of_access_queue_rights_and_customer_admin(desk, cli, tmp_path):
    run = cli(desk)
    first = apply(run, tmp_path, DIRECTORY)
    assert first.exit_code == 0, first.output
    agents = {a["login"]: a for a in json.loads(run("agent", "list", "--format", "json").output)}
    assert (agents["alice"]["access"], agents["alice"]["queues"]) == ("admin", {})
    assert (agents["bob"]["access"], agents["bob"]["role"]) == ("agent", "developer")
    assert agents["bob"]["queues"] == {"billing": "read", "support": "write"}  # "none" stores nothing
    contacts = {c["email"]: c for c in json.loads(run("contact", "list", "--format", "json").output)}
    assert contacts["ann@acme.example"]["customer_admin"] is True
    assert contacts["sam@acme.example"]["customer_admin"] is False
    table = run("agent", "list").output
    assert "alice" in table and "bob" in table

    again = apply(run, tmp_path, DIRECTORY)
    assert "agents unchanged: 2" in again.output and "contacts unchanged: 2" in again.output

    changed = DIRECTORY.replace('billing = "read"', 'billing = "write"').replace("customer_admin = true", "")
    changed = changed.replace('access = "admin"', 'access = "agent"\nqueues = { hardware = "read" }')
    out = apply(run, tmp_path, changed)
    assert "agents updated: 2" in out.output, out.output
    accounts = Accounts.of(desk)
    assert accounts.rights("agent", "bob").queues == {"billing": "write", "support": "write"}
    alice = accounts.rights("agent", "alice")
    assert (alice.role, dict(alice.queues)) == ("agent", {"hardware": "read"})
    # a contact entry that leaves customer_admin out keeps what is stored
    assert accounts.rights("contact", "ann@acme.example").customer_admin is True
    apply(run, tmp_path, '[[agents]]\nlogin = "bob"\nname = "Bob"\nrole = "developer"\nqueues = {}\n', "empty.toml")
    assert accounts.rights("agent", "bob").queues == {}


def test_agent_add_and_importers_keep_stored_rights(desk, cli, tmp_path):
    run = cli(desk)
    apply(run, tmp_path, DIRECTORY)
    assert run("agent", "add", "--login", "bob", "--name", "Robert", "--role", "developer").exit_code == 0
    desk.directory.upsert(
        [Agent(login="alice", name="Alice A."), Contact(name="Ann", email="ann@acme.example", customer="acme")],
        actor=Actor.operator(),
    )
    accounts = Accounts.of(desk)
    assert accounts.rights("agent", "bob").queues == {"billing": "read", "support": "write"}
    assert accounts.rights("agent", "alice").admin is True
    assert accounts.rights("contact", "ann@acme.example").customer_admin is True


@pytest.mark.parametrize(
    ("entry", "needle"),
    [
        ('access = "root"', "agents[0].access: unknown value 'root' (known: admin, agent)"),
        ('queues = { support = "admin" }', "agents[0].queues.support: unknown value 'admin'"),
        ("queues = { support = 1 }", "agents[0].queues.support: must be a string"),
        ('queues = "support"', "agents[0].queues: must be a table"),
        ('queues = { nowhere = "read" }', "unknown queue 'nowhere'"),
    ],
)
def test_bad_rights_in_apply_files_name_the_entry_and_write_nothing(desk, cli, tmp_path, entry, needle):
    run = cli(desk)
    result = apply(run, tmp_path, f'[[queues]]\nname = "support"\n\n[[agents]]\nlogin = "bob"\nname = "Bob"\n{entry}\n')
    assert result.exit_code == 2 and needle in result.output, result.output
    assert json.loads(run("agent", "list", "--format", "json").output) == []


def test_bad_customer_admin_value(desk, cli, tmp_path):
    result = apply(cli(desk), tmp_path, '[[contacts]]\nname = "Ann"\nemail = "a@b.example"\ncustomer_admin = "yes"\n')
    assert result.exit_code == 2 and "contacts[0].customer_admin: must be true or false" in result.output


def test_rights_functions():
    admin = r.of_agent(Agent(login="alice", name="A", access="admin"))
    bob = r.of_agent(Agent(login="bob", name="B", queues={"support": "write", "billing": "read"}))
    ann = r.of_contact(Contact(name="Ann", email="ann@acme.example", customer="acme", customer_admin=True))
    sam = r.of_contact(Contact(name="Sam", email="sam@acme.example", customer="acme"))
    loner = r.of_contact(Contact(name="Lo", email="lo@nowhere.example"))
    assert [x.role for x in (admin, bob, ann, sam, loner)] == ["admin", "agent", "contact", "contact", "contact"]

    assert [r.queue_right(bob, q) for q in ("support", "billing", "hardware")] == ["write", "read", None]
    assert r.may_write_queue(admin, "anything") and r.may_read_queue(admin, "anything")
    assert r.may_read_queue(bob, "billing") and not r.may_write_queue(bob, "billing")
    assert not r.may_read_queue(bob, "hardware") and not r.may_read_queue(ann, "support")
    assert r.readable_queues(bob, ["hardware", "support", "billing"]) == ["support", "billing"]
    assert r.readable_queues(ann, ["support"]) == []

    def sees(who, customer, contact, queue="support"):
        return r.may_see_ticket(who, queue=queue, customer=customer, contact=contact)

    assert sees(ann, "acme", "sam@acme.example")  # customer admin: all of ACME's tickets
    assert sees(sam, "acme", "SAM@acme.example") and not sees(sam, "acme", "ann@acme.example")
    assert not sees(ann, "globex", "ann@acme.example")  # never another customer's, even its own address
    assert not sees(sam, "globex", "sam@acme.example")
    assert sees(loner, None, "lo@nowhere.example") and not sees(loner, "acme", "lo@nowhere.example")
    assert not sees(loner, None, "other@nowhere.example")
    assert sees(bob, "globex", None) and not sees(bob, "globex", None, queue="hardware")
    assert r.may_see_internal(bob) and not r.may_see_internal(ann)
    assert r.may_administer(admin) and not r.may_administer(bob) and not r.may_administer(ann)
    # a customer_admin flag on a contact at no customer grants nothing
    assert not r.of_contact(Contact(name="X", email="x@y.example", customer_admin=True)).customer_admin
    assert bob.as_dict() == {
        "kind": "agent",
        "name": "bob",
        "role": "agent",
        "queues": {"support": "write", "billing": "read"},
        "customer": None,
        "customer_admin": False,
    }
    with pytest.raises(TypeError):
        bob.queues["hardware"] = "write"  # type: ignore[index]
