"""``deskframe phone log``: callers matched by number or e-mail, new or given ticket, work requests."""

from __future__ import annotations

import datetime as dt
import json

from deskframe import InboundMessage
from deskframe.actors import Actor


def log(cli, desk, *args):
    return cli(desk)("phone", "log", *args)


def history(desk, number, action):
    return [(h.actor, h.new, h.reason) for h in desk.tickets.get(number).history if h.action == action]


def test_known_caller_by_number_in_another_format_opens_a_ticket(world, cli):
    result = log(
        cli,
        world,
        "--caller",
        "+7 495 123 45 67",
        "--agent",
        "alice",
        "--duration",
        "5m",
        "--summary",
        "Printer offline\nTried a restart already.",
    )
    assert result.exit_code == 0, result.output
    number = result.stdout.strip()
    assert "Call from Ivan Petrov (+7 495 123-45-67) logged on new ticket" in result.stderr
    ticket = world.tickets.get(number)
    assert (ticket.customer, ticket.contract, ticket.contact) == ("acme", "acme-2026", "ivan@acme.example")
    assert (ticket.channel, ticket.subject, ticket.queue) == ("phone", "Printer offline", "support")
    article = ticket.articles[0]
    assert (article.direction, article.channel, article.sender) == ("in", "phone", "ivan@acme.example")
    assert article.text == (
        "Phone call\nCaller: Ivan Petrov (+7 495 123-45-67)\nAgent: Alice Smith (alice)\n"
        "Duration: 5m\n\nPrinter offline\nTried a restart already."
    )
    assert history(world, number, "phone_call") == [("alice", "5m", "+74951234567 with alice")]


def test_json_output(world, cli):
    result = log(
        cli,
        world,
        "--caller",
        "ivan@ACME.example",
        "--agent",
        "alice",
        "--summary",
        "VPN",
        "--duration",
        "1h30m",
        "--format",
        "json",
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["created"] is True and data["caller"] == "ivan@acme.example"
    assert data["duration_seconds"] == 5400 and data["customer"] == "acme" and data["state"] == "new"
    assert data["work_request"] is False and data["written_request"] is None
    assert world.tickets.get(data["ticket"]).articles[0].id == data["article_id"]


def test_contact_known_only_by_phone_is_routed_to_its_customer(world, cli):
    result = log(cli, world, "--caller", "89167654321", "--agent", "alice", "--summary", "Mail quota")
    assert result.exit_code == 0, result.output
    ticket = world.tickets.get(result.stdout.strip())
    assert (ticket.customer, ticket.contract, ticket.queue) == ("acme", "acme-2026", "support")
    assert ticket.articles[0].sender == "tel:+79167654321"


def test_unknown_caller_becomes_one_contact_in_the_unknown_queue(world, cli):
    first = log(cli, world, "--caller", "(812) 555-12-34", "--agent", "alice", "--summary", "Who are you?")
    second = log(cli, world, "--caller", "+78125551234", "--agent", "alice", "--summary", "Me again")
    assert first.exit_code == 0 and second.exit_code == 0, first.output + second.output
    for result in (first, second):
        ticket = world.tickets.get(result.stdout.strip())
        assert (ticket.queue, ticket.customer, ticket.contact) == ("unknown", None, "+7 812 555-12-34")
    handles = [c for c in world.directory.contacts() if c.phone == "+78125551234"]
    assert len(handles) == 1 and handles[0].name == "+7 812 555-12-34" and handles[0].email is None


def test_call_on_a_given_ticket(world, cli):
    ticket = world.tickets.open(
        subject="Backup failing", body="...", customer="acme", contact="ivan@acme.example", actor=Actor.operator()
    )
    world.tickets.set_state(ticket.number, "pending", actor=Actor.operator())
    result = log(
        cli,
        world,
        "--caller",
        "ivan@acme.example",
        "--agent",
        "alice",
        "--summary",
        "Still failing",
        "--ticket",
        ticket.number,
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == ticket.number
    after = world.tickets.get(ticket.number)
    assert len(after.articles) == 2 and after.state == "open"  # the customer called: back to work
    article = after.articles[-1]
    assert (article.direction, article.channel, article.agent) == ("in", "phone", "alice")
    assert history(world, ticket.number, "phone_call") == [("alice", None, "ivan@acme.example with alice")]


def test_summary_quoting_a_ticket_number_still_opens_a_new_ticket(world, cli):
    other = world.tickets.open(subject="Other", body="x", actor=Actor.operator())
    result = log(
        cli, world, "--caller", "ivan@acme.example", "--agent", "alice", "--summary", f"[Ticket#{other.number}] call"
    )
    assert result.stdout.strip() != other.number


def test_errors_store_nothing(world, cli):
    before = len(world.tickets.list(limit=None))
    cases = [
        (("--caller", "hello", "--agent", "alice", "--summary", "x"), 2, "not a phone number or e-mail address"),
        (("--caller", "+74951234567", "--agent", "bob", "--summary", "x"), 2, "unknown agent 'bob'"),
        (
            ("--caller", "+74951234567", "--agent", "alice", "--summary", "x", "--ticket", "2026010110000011"),
            2,
            "unknown ticket 2026010110000011",
        ),
        (("--caller", "+74951234567", "--agent", "alice", "--summary", "x", "--duration", "5"), 2, "bad duration"),
        (("--caller", "+74951234567", "--agent", "alice", "--summary", " "), 2, "a call needs a summary"),
    ]
    for args, code, message in cases:
        result = log(cli, world, *args)
        assert result.exit_code == code and message in result.output, (args, result.output)
    assert len(world.tickets.list(limit=None)) == before


def test_work_request_asks_for_it_in_writing_and_the_answer_threads_back(world, cli):
    result = log(
        cli,
        world,
        "--caller",
        "+74951234567",
        "--agent",
        "alice",
        "--summary",
        "Install a new server",
        "--work-request",
        "--format",
        "json",
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    number = data["ticket"]
    assert data["state"] == "awaiting written request"
    assert data["written_request"]["to"] == "ivan@acme.example"
    ticket = world.tickets.get(number)
    assert ticket.state == "awaiting written request" and ticket.contact == "ivan@acme.example"
    out = ticket.articles[-1]
    assert out.id == data["written_request"]["article_id"]
    assert (out.direction, out.channel, out.agent, out.sender) == (
        "out",
        "support-mail",
        "alice",
        "alice@vendor.example",
    )
    assert out.subject == f"[Ticket#{number}] Please send us your request in writing"
    assert out.text == f"Dear ACME Ltd, please confirm ticket {number} in writing. Alice Smith"
    assert history(world, number, "phone_work_request") == [
        ("alice", "awaiting written request", f"written request sent to ivan@acme.example (article {out.id})")
    ]
    # the customer's e-mail answer threads into the ticket by its number and reopens it
    reply = InboundMessage(
        channel="support-mail",
        external_id="<answer@acme.example>",
        received_at=dt.datetime.now(dt.timezone.utc),
        sender="ivan@acme.example",
        subject=f"Re: {out.subject}",
        text="Yes, please install it. Ivan",
    )
    result = world.intake.receive(reply)
    assert result.ticket == number and result.created is False
    assert world.tickets.get(number).state == "open"


def test_work_request_with_a_format_template(phone_desk, cli):
    from deskframe.testing import Factory

    desk = phone_desk(
        phone='[phone]\nemail_channel = "support-mail"\nwritten_request_template = '
        '"Hi {contact}, write to us about {summary} (ticket {number}, {customer}). {agent}"\n'
        'written_request_subject = "Confirm in writing"\n'
    )
    Factory(desk).agent("alice", name="Alice")
    result = log(
        cli, desk, "--caller", "new@client.example", "--agent", "alice", "--summary", "Paid setup", "--work-request"
    )
    assert result.exit_code == 0, result.output
    number = result.stdout.strip()
    out = desk.tickets.get(number).articles[-1]
    assert out.text == (
        f"Hi new@client.example, write to us about Paid setup (ticket {number}, new@client.example). Alice"
    )
    assert out.subject == f"[Ticket#{number}] Confirm in writing"


def test_work_request_without_an_email_sets_the_state_only(world, cli):
    result = log(
        cli, world, "--caller", "+7 916 765-43-21", "--agent", "alice", "--summary", "Migration", "--work-request"
    )
    assert result.exit_code == 0, result.output
    number = result.stdout.strip()
    ticket = world.tickets.get(number)
    assert ticket.state == "awaiting written request"
    assert [a.direction for a in ticket.articles] == ["in"]
    assert history(world, number, "phone_work_request") == [
        ("alice", "awaiting written request", "written request not sent: the caller has no e-mail address")
    ]
    assert "no written request sent" in result.stderr


def test_work_request_on_someone_elses_ticket_is_not_mailed_to_its_contact(world, cli):
    ticket = world.tickets.open(
        subject="Olga's thing", body="...", customer="acme", contact="boss@acme.example", actor=Actor.operator()
    )
    result = log(
        cli,
        world,
        "--caller",
        "ivan@acme.example",
        "--agent",
        "alice",
        "--summary",
        "Paid work",
        "--ticket",
        ticket.number,
        "--work-request",
    )
    assert result.exit_code == 0, result.output
    after = world.tickets.get(ticket.number)
    assert after.state == "awaiting written request"
    assert [a.direction for a in after.articles] == ["in", "in"]
    reason = history(world, ticket.number, "phone_work_request")[0][2]
    assert "the ticket's contact is boss@acme.example, not the caller ivan@acme.example" in reason


def test_work_request_needs_the_state_configured(make_desk, cli):
    from deskframe.testing import Factory

    desk = make_desk()  # no [phone] table, default states
    Factory(desk).agent("alice")
    result = log(cli, desk, "--caller", "+74951234567", "--agent", "alice", "--summary", "x", "--work-request")
    assert result.exit_code == 1
    assert "state 'awaiting written request' is not configured" in result.output
    assert desk.tickets.list(limit=None) == []
    # without --work-request the defaults are enough
    assert log(cli, desk, "--caller", "+74951234567", "--agent", "alice", "--summary", "x").exit_code == 0


def test_route_hook_leaves_other_senders_alone(world):
    from deskframe_phone.callers import route_phone_sender

    def message(sender):
        return InboundMessage(
            channel="x",
            external_id="1",
            received_at=dt.datetime.now(dt.timezone.utc),
            sender=sender,
            subject="s",
            text="t",
        )

    with world.directory.lookup() as lookup:
        assert route_phone_sender(message("ivan@acme.example"), lookup) is None
        assert route_phone_sender(message("tel:+78125551234"), lookup) is None  # unknown number
        assert route_phone_sender(message("tel:garbage"), lookup) is None
        olga = route_phone_sender(message("tel:+79167654321"), lookup)
        ivan = route_phone_sender(message("tel:+74951234567"), lookup)
    assert (olga.customer, olga.contact_email, olga.contact_name) == ("acme", None, "Olga")
    assert (ivan.customer, ivan.contact_email) == ("acme", "ivan@acme.example")
