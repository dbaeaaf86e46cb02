"""Issue 13, accounts: API tokens created, listed, revoked and expiring through the CLI; bearer resolution."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from deskframe.accounts import tokens
from deskframe.accounts.service import Accounts
from deskframe.actors import Actor
from deskframe.model import Agent, Contact, Customer
from deskframe.testing import Clock

NOW = "2026-12-03T10:00:00+00:00"
LATER = "2027-03-03T10:00:01+00:00"  # just past 90 days
REVOKE = "2026-12-04T10:00:00+00:00"


def _directory(desk):
    desk.directory.add_customer(Customer(key="acme", name="ACME"), actor=Actor.operator())
    desk.directory.add_contact(
        Contact(name="Ann", email="ann@acme.example", customer="acme", customer_admin=True), actor=Actor.operator()
    )
    desk.directory.add_agent(Agent(login="alice", name="Alice", access="admin"), actor=Actor.operator())
    desk.directory.add_agent(Agent(login="bob", name="Bob"), actor=Actor.operator())


def test_token_create_list_revoke_and_expiry_through_the_cli(make_desk, cli):
    desk = make_desk(clock=Clock(dt.datetime.fromisoformat(NOW)))
    _directory(desk)
    run = cli(desk)
    made = run("--now", NOW, "token", "create", "--agent", "bob", "--name", "ci", "--expires", "90d")
    assert made.exit_code == 0, made.output
    secret = made.stdout.strip()
    assert tokens.looks_like_token(secret) and "shown once" in made.stderr and secret not in made.stderr
    as_json = run("--now", NOW, "token", "create", "--contact", "ANN@acme.example", "--format", "json")
    portal = json.loads(as_json.stdout)
    assert portal["contact"] == "ann@acme.example" and portal["agent"] is None and portal["expires_at"] is None
    assert tokens.looks_like_token(portal["token"]) and portal["token"] != secret

    listed = json.loads(run("--now", NOW, "token", "list", "--format", "json").stdout)
    assert [(t["id"], t["name"], t["agent"], t["contact"], t["state"]) for t in listed] == [
        (1, "ci", "bob", None, "active"),
        (2, "token", None, "ann@acme.example", "active"),
    ]
    assert listed[0]["expires_at"] == "2027-03-03T10:00:00+00:00"
    assert secret not in json.dumps(listed) and "hash" not in json.dumps(listed)
    only_bob = json.loads(run("--now", NOW, "token", "list", "--agent", "bob", "--format", "json").stdout)
    assert [t["id"] for t in only_bob] == [1]

    accounts = Accounts.of(desk)  # the desk's clock stands at NOW
    bob = accounts.token_principal(secret)
    assert (bob.kind, bob.name, bob.via, bob.token_id, bob.rights.role) == ("agent", "bob", "token", 1, "agent")
    ann = accounts.token_principal(portal["token"])
    assert (ann.kind, ann.name, ann.rights.customer, ann.rights.customer_admin) == (
        "contact",
        "ann@acme.example",
        "acme",
        True,
    )

    # past its 90 days the token is listed as expired and authenticates nothing
    later = json.loads(run("--now", LATER, "token", "list", "--format", "json").stdout)
    assert [t["state"] for t in later] == ["expired", "active"]

    assert run("--now", REVOKE, "token", "revoke", "2").output.strip() == "token 2 revoked"
    assert run("--now", REVOKE, "token", "revoke", "2").output.strip() == "token 2 was already revoked"
    assert accounts.token_principal(portal["token"]) is None
    revoked = json.loads(run("--now", REVOKE, "token", "list", "--format", "json").stdout)[1]
    assert revoked["state"] == "revoked" and revoked["revoked_at"]

    kinds = [e.kind for e in accounts.audit_log(actor=Actor.operator())]
    assert kinds == ["token_revoked", "token_created", "token_created"]  # newest first; one per revocation

    # only the SHA-256 of a token is stored
    if desk.store.db.dialect == "sqlite":
        for f in Path(desk.config.path).parent.glob("deskframe.db*"):
            data = f.read_bytes()
            assert secret.encode() not in data and portal["token"].encode() not in data


def test_expired_token_does_not_authenticate(make_desk):
    clock = Clock(dt.datetime(2026, 12, 3, 10, 0, tzinfo=dt.timezone.utc))
    desk = make_desk(clock=clock)
    _directory(desk)
    accounts = Accounts.of(desk)
    secret, _token = accounts.create_token(
        "agent", "bob", label="short", lifetime=dt.timedelta(hours=1), actor=Actor.operator()
    )
    assert accounts.token_principal(secret).name == "bob"
    clock.now += dt.timedelta(minutes=59, seconds=59)
    assert accounts.token_principal(secret) is not None
    clock.now += dt.timedelta(seconds=1)
    assert accounts.token_principal(secret) is None
    assert accounts.tokens(actor=Actor.operator())[0].state(clock.now) == "expired"


def test_token_refusals(desk, cli):
    _directory(desk)
    run = cli(desk)
    for args, needle in [
        (("token", "create"), "--agent LOGIN or --contact EMAIL"),
        (("token", "create", "--agent", "bob", "--contact", "ann@acme.example"), "not both"),
        (("token", "create", "--agent", "zed"), "unknown agent 'zed'"),
        (("token", "create", "--contact", "nobody@acme.example"), "unknown contact"),
        (("token", "create", "--agent", "bob", "--expires", "soon"), "--expires"),
        (("token", "create", "--agent", "bob", "--expires", "30s"), "at least"),
        (("token", "revoke", "99"), "unknown token 99"),
        (("token", "list", "--agent", "zed"), "unknown agent"),
    ]:
        result = run(*args)
        assert result.exit_code == 2, (args, result.output)
        assert needle in result.output, (args, result.output)
    assert json.loads(run("token", "list", "--format", "json").stdout) == []
    assert run("token", "list").output.strip() == "No tokens."


def test_bad_bearer_values_are_no_token(desk):
    _directory(desk)
    accounts = Accounts.of(desk)
    secret, _ = accounts.create_token("agent", "alice", actor=Actor.operator())
    for bad in ("", "dft_", secret + "x", secret[:-1], "Bearer " + secret, secret.upper(), "dft_" + "é" * 40):
        assert accounts.token_principal(bad) is None, bad
    assert accounts.token_principal(secret).rights.role == "admin"


def test_tokens_and_the_audit_log_ask_the_policy(desk):
    """Token creation, listing and revocation, passwords and audit reads go through deskframe.policy:
    an agent manages its own tokens only, an admin everyone's; only an admin reads the audit log;
    the trusted CLI operator may do all of it."""
    from deskframe.errors import Forbidden

    _directory(desk)
    accounts = Accounts.of(desk)
    bob, alice, ann = Actor.agent("bob"), Actor.agent("alice"), Actor.contact("ann@acme.example")
    _, of_alice = accounts.create_token("agent", "alice", label="alice's", actor=Actor.operator())
    _, of_bob = accounts.create_token("agent", "bob", label="bob's", actor=bob)  # its own: allowed
    _, of_ann = accounts.create_token("contact", "Ann@acme.example", actor=ann)  # a contact's own, any case

    with pytest.raises(Forbidden, match=r"token\.revoke"):
        accounts.revoke_token(of_alice.id, actor=bob)  # someone else's token: refused, and still live
    with pytest.raises(Forbidden, match=r"token\.revoke"):
        accounts.revoke_token(of_bob.id, actor=ann)
    with pytest.raises(Forbidden, match=r"token\.create"):
        accounts.create_token("agent", "alice", actor=bob)
    with pytest.raises(Forbidden, match=r"token\.list"):
        accounts.tokens(actor=bob)  # every token is an admin's view
    with pytest.raises(Forbidden, match=r"token\.list"):
        accounts.tokens("agent", "alice", actor=bob)
    with pytest.raises(Forbidden, match=r"audit\.read"):
        accounts.audit_log(actor=bob)
    with pytest.raises(Forbidden, match=r"audit\.read"):
        accounts.audit_log(actor=ann)
    with pytest.raises(Forbidden, match=r"account\.password"):
        accounts.set_password("agent", "alice", "a new password of bob's choosing", actor=bob)
    assert [t.revoked_at for t in accounts.tokens(actor=alice)] == [None, None, None]

    assert [t.id for t in accounts.tokens("agent", "bob", actor=bob)] == [of_bob.id]
    assert accounts.revoke_token(of_bob.id, actor=bob)[1] is True  # its own token
    assert accounts.revoke_token(of_ann.id, actor=ann)[1] is True
    assert accounts.revoke_token(of_alice.id, actor=alice)[1] is True  # an admin
    _, again = accounts.create_token("agent", "bob", actor=alice)
    assert accounts.revoke_token(again.id, actor=alice)[1] is True
    kinds = [e.kind for e in accounts.audit_log(actor=alice)]
    assert kinds.count("token_revoked") == 4 and kinds.count("token_created") == 4
    assert accounts.audit_log(actor=Actor.operator(), by="bob", limit=10)[-1].kind == "token_created"
