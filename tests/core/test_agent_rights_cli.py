"""Issue 13: ``agent add`` / ``agent set`` take ``--access`` and ``--queue NAME=RIGHT``; ``agent show``
and ``agent list --format json`` give access and queue rights; the rights set there bind the policy."""

from __future__ import annotations

import json

from deskframe.actors import Actor
from deskframe.model import Queue


def test_agent_add_set_show_with_access_and_queue_rights(desk, factory, cli):
    run = cli(desk)
    for name in ("support", "billing", "hardware"):
        desk.directory.add_queue(Queue(name), actor=Actor.operator())
    added = run(
        "agent", "add", "--login", "bob", "--name", "Bob", "--queue", "support=write", "--queue", "billing=read"
    )
    assert added.exit_code == 0, added.output
    shown = json.loads(run("agent", "show", "bob", "--format", "json").output)
    assert (shown["access"], shown["queues"], shown["role"]) == (
        "agent",
        {"billing": "read", "support": "write"},
        "engineer",
    )
    assert "support=write" in run("agent", "show", "bob").output

    # set changes only what is given: one queue's right, the name stays
    assert run("agent", "set", "bob", "--queue", "billing=none", "--queue", "hardware=read").exit_code == 0
    shown = json.loads(run("agent", "show", "bob", "--format", "json").output)
    assert shown["queues"] == {"hardware": "read", "support": "write"} and shown["name"] == "Bob"
    assert run("agent", "set", "bob", "--access", "admin", "--clear-queues").exit_code == 0
    listed = {a["login"]: a for a in json.loads(run("agent", "list", "--format", "json").output)}
    assert (listed["bob"]["access"], listed["bob"]["queues"]) == ("admin", {})
    assert "all (admin)" in run("agent", "show", "bob").output

    # add without --access or --queue keeps what is stored
    assert run("agent", "add", "--login", "bob", "--name", "Robert").exit_code == 0
    shown = json.loads(run("agent", "show", "bob", "--format", "json").output)
    assert (shown["access"], shown["name"]) == ("admin", "Robert")
    assert run("agent", "add", "--login", "bob", "--name", "Robert", "--access", "agent").exit_code == 0
    assert json.loads(run("agent", "show", "bob", "--format", "json").output)["access"] == "agent"


def test_bad_rights_on_the_command_line_exit_2(desk, cli):
    run = cli(desk)
    desk.directory.add_queue(Queue("support"), actor=Actor.operator())
    assert run("agent", "add", "--login", "bob", "--name", "Bob").exit_code == 0
    for args in (
        ("agent", "set", "bob", "--queue", "support"),
        ("agent", "set", "bob", "--queue", "support=admin"),
        ("agent", "set", "bob", "--queue", "nowhere=read"),
        ("agent", "set", "bob", "--access", "root"),
        ("agent", "set", "ghost", "--access", "admin"),
        ("agent", "show", "ghost"),
        ("agent", "add", "--login", "carl", "--name", "Carl", "--queue", "=read"),
    ):
        result = run(*args)
        assert result.exit_code == 2, (args, result.output)
    assert json.loads(run("agent", "show", "bob", "--format", "json").output)["queues"] == {}
    assert [a["login"] for a in json.loads(run("agent", "list", "--format", "json").output)] == ["bob"]


def test_rights_given_on_the_command_line_bind_the_policy(desk, factory, cli):
    run = cli(desk)
    for name in ("support", "billing"):
        desk.directory.add_queue(Queue(name), actor=Actor.operator())
    support = factory.ticket(subject="in support").number
    billing = factory.ticket(subject="in billing", queue="billing").number
    run("agent", "add", "--login", "rita", "--name", "Rita", "--queue", "support=read")
    rita = Actor.agent("rita")
    assert [r["number"] for r in desk.tickets.list(actor=rita)] == [support]
    run("agent", "set", "rita", "--queue", "billing=write")
    assert {r["number"] for r in desk.tickets.list(actor=rita)} == {support, billing}
    # the CLI itself is the trusted operator: --agent rita may reply in support although she only reads it
    result = run("ticket", "reply", support, "--agent", "rita", "--body", "from the console")
    assert result.exit_code == 0, result.output
