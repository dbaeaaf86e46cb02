"""The customer portal's views and the upload service, without a browser (SQLite and PostgreSQL):
what a contact may list, read, change and attach; everything through the services as the contact."""

from __future__ import annotations

import pytest

from deskframe.actors import Actor
from deskframe.errors import BadValue, DomainError, Forbidden, NotFound
from deskframe.model import Agent, Contact, Contract, Customer, Queue
from deskframe.services.uploads import Upload, UploadService
from deskframe.web.portal import views

OP = Actor.operator()


@pytest.fixture
def desk(make_desk):
    desk = make_desk()
    desk.directory.add_queue(Queue(name="support"), actor=OP)
    for key in ("acme", "globex"):
        desk.directory.add_customer(Customer(key=key, name=key.title()), actor=OP)
    desk.directory.add_contact(
        Contact(name="Ann", email="ann@acme.example", customer="acme", customer_admin=True), actor=OP
    )
    desk.directory.add_contact(Contact(name="Andy", email="andy@acme.example", customer="acme"), actor=OP)
    desk.directory.add_contact(Contact(name="Gina", email="gina@globex.example", customer="globex"), actor=OP)
    desk.directory.add_agent(Agent(login="alice", name="Alice", email="alice@vendor.example", access="admin"), actor=OP)
    desk.directory.add_contract(
        Contract(key="acme-1", customer="acme", support_type="8x5", params={"portal_priorities": ["P2", "P9", "P3"]}),
        actor=OP,
    )
    return desk


def test_a_contact_opens_reads_and_replies_on_its_own_ticket(desk):
    number = views.open_ticket(desk, "andy@acme.example", subject="Printer", body="On fire", priority="P2")
    stored = desk.tickets.get(number)
    assert (stored.customer, stored.contact, stored.priority, stored.channel) == (
        "acme",
        "andy@acme.example",
        "P2",
        "portal",
    )
    desk.tickets.reply(number, actor=Actor.agent("alice"), body="On our way")
    desk.tickets.note(number, actor=Actor.agent("alice"), body="SECRET note")
    shown = views.ticket(desk, "andy@acme.example", number)
    assert [(a.side, a.author, a.text) for a in shown.articles] == [
        ("customer", "andy@acme.example", "On fire"),
        ("support", "", "On our way"),
    ]
    views.reply(desk, "andy@acme.example", number, "Thanks")
    assert desk.tickets.get(number).articles[-1].text == "Thanks"


def test_another_customers_ticket_is_not_found_and_unchanged(desk):
    number = views.open_ticket(desk, "andy@acme.example", subject="Printer", body="On fire", priority=None)
    for call in (
        lambda: views.ticket(desk, "gina@globex.example", number),
        lambda: views.reply(desk, "gina@globex.example", number, "mine"),
        lambda: views.reopen(desk, "gina@globex.example", number),
    ):
        with pytest.raises(NotFound):
            call()
    assert number not in [t["number"] for t in views.tickets(desk, "gina@globex.example")]
    assert len(desk.tickets.get(number).articles) == 1


def test_priorities_come_from_the_contract(desk):
    assert views.priorities(desk, "andy@acme.example") == ("P2", "P3")  # P9 is no level
    assert views.priorities(desk, "gina@globex.example") == ()
    # a priority the contract does not grant falls back to the default
    number = views.open_ticket(desk, "gina@globex.example", subject="Mail", body="bounces", priority="P1")
    assert desk.tickets.get(number).priority == desk.settings.default_priority


def test_reopen_only_a_resolved_ticket(desk):
    number = views.open_ticket(desk, "andy@acme.example", subject="Printer", body="On fire", priority=None)
    desk.tickets.set_state(number, "resolved", actor=Actor.agent("alice"))
    views.reopen(desk, "andy@acme.example", number)
    assert desk.tickets.get(number).state_type == "open"


def test_invoices_only_for_a_customer_admin(desk):
    assert views.invoices(desk, "andy@acme.example", customer_admin=False) == []
    assert views.invoices(desk, "ann@acme.example", customer_admin=True) == []  # none issued yet


def test_uploads_are_stored_with_safe_names_and_only_on_own_messages(desk):
    files = [Upload("../../etc/passwd", "text/plain; charset=utf-8", b"root:x:0:0")]
    number = views.open_ticket(desk, "andy@acme.example", subject="Log", body="see file", priority=None, uploads=files)
    first = desk.tickets.get(number).articles[0]
    assert [(a.filename, a.content_type, a.size) for a in first.attachments] == [("passwd", "text/plain", 10)]
    assert desk.blobs.get(first.attachments[0].sha256) == b"root:x:0:0"
    uploads = UploadService(desk.context)
    reply = desk.tickets.reply(number, actor=Actor.agent("alice"), body="ok")
    with pytest.raises(Forbidden):  # not the contact's own message
        uploads.attach(number, reply.id, files, actor=Actor.contact("andy@acme.example"))
    with pytest.raises(Forbidden):  # not its customer's ticket
        uploads.attach(number, first.id, files, actor=Actor.contact("gina@globex.example"))
    other = views.open_ticket(desk, "andy@acme.example", subject="Other", body="x", priority=None)
    with pytest.raises(NotFound):  # an article of another ticket
        uploads.attach(other, first.id, files, actor=Actor.contact("andy@acme.example"))
    with pytest.raises(BadValue):
        uploads.attach(number, first.id, files * 21, actor=Actor.contact("andy@acme.example"))
    assert len(desk.tickets.get(number).articles[0].attachments) == 1


def test_an_upload_over_the_limit_stores_nothing(make_desk):
    desk = make_desk(config="")
    desk.directory.add_customer(Customer(key="acme", name="Acme"), actor=OP)
    desk.directory.add_contact(Contact(name="Andy", email="andy@acme.example", customer="acme"), actor=OP)
    number = views.open_ticket(desk, "andy@acme.example", subject="Log", body="x", priority=None)
    first = desk.tickets.get(number).articles[0]
    too_big = desk.blobs.max_bytes + 1 if desk.blobs.max_bytes else None
    if too_big is None:
        pytest.skip("no attachment limit configured")
    with pytest.raises(DomainError):
        UploadService(desk.context).attach(
            number,
            first.id,
            [Upload("big.bin", "application/octet-stream", b"x" * too_big)],
            actor=Actor.contact("andy@acme.example"),
        )
    assert desk.tickets.get(number).articles[0].attachments == ()
