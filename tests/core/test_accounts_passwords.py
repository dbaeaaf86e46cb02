"""Issue 13, accounts: argon2 passwords set from the CLI, verified, rehashed; never shown anywhere."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from deskframe.accounts import passwords
from deskframe.accounts.service import Accounts, LoginRefused
from deskframe.actors import Actor
from deskframe.errors import BadValue
from deskframe.model import Agent, Contact, Customer
from deskframe.testing import Clock

T0 = dt.datetime(2026, 12, 3, 9, 0, tzinfo=dt.timezone.utc)
PLANT = "Pl4nted-pässwörd-7731"
#: Cheap parameters for tests that only need a hash that differs from the defaults.
WEAK = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


def test_hash_and_verify():
    hashed = passwords.hash_password(PLANT)
    assert hashed.startswith("$argon2id$") and PLANT not in hashed
    assert passwords.verify(hashed, PLANT) == passwords.Verdict(True, None)
    assert passwords.verify(hashed, PLANT + "x").ok is False
    assert passwords.verify(hashed, "").ok is False
    assert passwords.verify(None, PLANT).ok is False  # no password set: never matches
    assert passwords.verify("not a hash", PLANT).ok is False
    assert passwords.hash_password(PLANT) != hashed  # salted


@pytest.mark.parametrize("bad", ["", "   ", "Qz9!", "x" * 1025, "abcdefgh\x00"])
def test_unacceptable_passwords_are_refused_without_repeating_them(bad):
    with pytest.raises(BadValue) as info:
        passwords.hash_password(bad)
    assert (bad.strip() == "" or bad not in str(info.value)) and "password" in str(info.value)


def test_rehash_when_the_parameters_changed():
    old = WEAK.hash(PLANT)
    verdict = passwords.verify(old, PLANT)  # the default hasher's parameters differ
    assert verdict.ok and verdict.new_hash is not None
    assert passwords.hasher().check_needs_rehash(old) and not passwords.hasher().check_needs_rehash(verdict.new_hash)
    assert passwords.verify(verdict.new_hash, PLANT) == passwords.Verdict(True, None)


def _stored_hash(desk, kind, name):
    with desk.store.read() as repo:
        return repo.password_hash(kind, name)[1]


def test_login_rehashes_a_hash_made_with_old_parameters(make_desk):
    desk = make_desk(clock=Clock(T0))
    desk.directory.add_agent(Agent(login="alice", name="Alice"), actor=Actor.operator())
    weak = Accounts(desk.store, desk.clock, data_dir=desk.config.data_dir, hasher=WEAK)
    weak.set_password("agent", "alice", PLANT, actor=Actor.operator())
    old = _stored_hash(desk, "agent", "alice")
    assert "m=8," in old
    accounts = Accounts.of(desk)
    with pytest.raises(LoginRefused):
        accounts.login("agent", "alice", "wrong-password", address="10.0.0.1")
    assert _stored_hash(desk, "agent", "alice") == old  # a failed login changes nothing
    accounts.login("agent", "alice", PLANT, address="10.0.0.1")
    new = _stored_hash(desk, "agent", "alice")
    assert new != old and "m=65536," in new
    accounts.login("agent", "alice", PLANT, address="10.0.0.1")  # the new hash verifies
    assert _stored_hash(desk, "agent", "alice") == new  # and is not rehashed again


def test_cli_sets_agent_and_contact_passwords(desk, cli):
    run = cli(desk)
    desk.directory.add_customer(Customer(key="acme", name="ACME"), actor=Actor.operator())
    desk.directory.add_contact(Contact(name="Ann", email="ann@acme.example", customer="acme"), actor=Actor.operator())
    desk.directory.add_agent(Agent(login="alice", name="Alice"), actor=Actor.operator())
    result = run("agent", "password", "alice", "--stdin", input=PLANT + "\n")
    assert result.exit_code == 0, result.output
    assert "password of agent alice set" in result.output
    result = run("contact", "password", "ANN@acme.example", "--stdin", input=PLANT + "\r\n")
    assert result.exit_code == 0, result.output
    accounts = Accounts.of(desk)
    assert accounts.login("agent", "alice", PLANT, address="a").principal.name == "alice"
    assert accounts.login("contact", "ann@acme.example", PLANT, address="a").principal.kind == "contact"
    with pytest.raises(LoginRefused):
        accounts.login("contact", "ann@acme.example", PLANT + "\r", address="a")


def test_cli_password_refusals(desk, cli):
    run = cli(desk)
    desk.directory.add_agent(Agent(login="alice", name="Alice"), actor=Actor.operator())
    nobody = run("agent", "password", "zed", "--stdin", input=PLANT + "\n")
    assert nobody.exit_code == 2 and "unknown agent 'zed'" in nobody.output
    no_tty = run("agent", "password", "alice", input=PLANT + "\n")
    assert no_tty.exit_code == 2 and "--stdin" in no_tty.output
    short = run("agent", "password", "alice", "--stdin", input="abc\n")
    assert short.exit_code == 2 and "too short" in short.output
    assert _stored_hash(desk, "agent", "alice") is None
    assert run("contact", "password", "nobody@x.example", "--stdin", input=PLANT + "\n").exit_code == 2


def test_the_password_never_appears_in_output_json_logs_or_the_database(desk, cli, caplog):
    """Plant a password, run every accounts command in every format, and grep what came out."""
    caplog.set_level(logging.DEBUG)
    run = cli(desk)
    desk.directory.add_agent(Agent(login="alice", name="Alice"), actor=Actor.operator())
    seen = []
    for args, stdin in [
        (("agent", "password", "alice", "--stdin"), PLANT + "\n"),
        (("agent", "password", "alice", "--stdin"), PLANT[:3] + "\n"),  # refused: too short
        (("agent", "list", "--format", "json"), None),
        (("agent", "list"), None),
        (("token", "create", "--agent", "alice", "--format", "json"), None),
        (("token", "list", "--format", "json"), None),
        (("audit", "list", "--format", "json"), None),
        (("audit", "list"), None),
    ]:
        result = run(*args, input=stdin)
        assert PLANT not in " ".join(args)
        seen.append(result.output + repr(result.exception))
    accounts = Accounts.of(desk)
    for attempt in (PLANT, PLANT + "!", "wrong-" + PLANT):
        try:
            accounts.login("agent", "alice", attempt, address="10.0.0.9")
        except LoginRefused as exc:
            seen.append(str(exc) + repr(exc))
    seen.append(caplog.text)
    seen.append(repr(accounts.audit_log(actor=Actor.operator())))
    everything = "\n".join(seen)
    assert PLANT not in everything and PLANT[:12] not in everything
    # the database holds only the argon2 hash
    if desk.store.db.dialect == "sqlite":
        files = Path(desk.config.path).parent.glob("deskframe.db*")
        assert all(PLANT.encode() not in f.read_bytes() for f in files)
    with desk.store.read() as repo:
        dump = repr(list(repo.list_audit())) + str(repo.password_hash("agent", "alice"))
    assert PLANT not in dump
