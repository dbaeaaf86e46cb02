"""Threading needs a relation between the sender and the ticket (issue 18, defect 5).

A mail lands on the ticket it names (``[Ticket#N]`` in the subject, or References /
In-Reply-To) only if its sender is the ticket's original sender, a contact of the
ticket's customer, an address an agent wrote to, or it answers a message the desk
sent. Anything else opens a new ticket with a history line naming the ticket it
pointed at; the named ticket gets nothing and is not reopened.
"""

from __future__ import annotations

import datetime as dt

from deskframe import Contact, InboundMessage, numbering
from deskframe.actors import Actor
from deskframe.importing import ImportedArticle, ImportedTicket

NOW = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.timezone.utc)


def mail(n: str, *, sender: str, subject: str = "Help", references: tuple[str, ...] = ()) -> InboundMessage:
    return InboundMessage(
        channel="mail",
        external_id=n,
        received_at=NOW,
        sender=sender,
        subject=subject,
        text=f"text of {n}",
        message_id=f"{n}@mail.example",
        references=references,
        raw=f"From: {sender}\r\n\r\n{n}".encode(),
    )


def tagged(desk, number: str, text: str = "hello") -> str:
    return f"Re: {numbering.tag_subject(desk.settings.subject_hook, number, text)}"


def refused_line(desk, number: str):
    return [h for h in desk.tickets.get(number).history if h.action == "thread_refused"]


def assert_refused(desk, result, named: str, articles_before: int, state_before: str) -> None:
    """``result`` opened a new ticket pointing at ``named``; ``named`` is unchanged."""
    assert result.created and result.ticket != named
    lines = refused_line(desk, result.ticket)
    assert len(lines) == 1 and lines[0].new == named
    old = desk.tickets.get(named)
    assert len(old.articles) == articles_before and old.state == state_before
    assert not refused_line(desk, named)


# --- strangers ------------------------------------------------------------------------------


def test_stranger_quoting_the_number_of_a_ticket_without_customer_opens_a_new_ticket(desk):
    first = desk.intake.receive(mail("m1", sender="someone@unknown.example"))
    desk.tickets.set_state(first.ticket, "closed", actor=Actor.operator())
    attack = desk.intake.receive(mail("x1", sender="mallory@evil.example", subject=tagged(desk, first.ticket)))
    assert_refused(desk, attack, first.ticket, 1, "closed")
    assert desk.tickets.get(attack.ticket).articles[0].sender == "mallory@evil.example"


def test_stranger_referencing_a_customer_message_opens_a_new_ticket(desk):
    first = desk.intake.receive(mail("m1", sender="someone@unknown.example"))
    attack = desk.intake.receive(
        mail("x1", sender="mallory@evil.example", subject="Re: Help", references=("m1@mail.example",))
    )
    assert_refused(desk, attack, first.ticket, 1, desk.tickets.get(first.ticket).state)


def test_stranger_is_refused_on_a_customer_ticket_too(desk, factory):
    factory.customer("acme", domains=["acme.example"])
    first = desk.intake.receive(mail("m1", sender="ivan@acme.example"))
    attack = desk.intake.receive(mail("x1", sender="mallory@nowhere.example", subject=tagged(desk, first.ticket)))
    assert_refused(desk, attack, first.ticket, 1, desk.tickets.get(first.ticket).state)


def test_the_stranger_continues_the_new_ticket_not_the_named_one(desk):
    first = desk.intake.receive(mail("m1", sender="someone@unknown.example"))
    attack = desk.intake.receive(mail("x1", sender="mallory@evil.example", subject=tagged(desk, first.ticket)))
    # an answer quoting both numbers (ours first, as a reply would) lands on the stranger's own ticket
    again = desk.intake.receive(
        mail("x2", sender="mallory@evil.example", subject=tagged(desk, attack.ticket, tagged(desk, first.ticket)))
    )
    assert not again.created and again.ticket == attack.ticket
    assert len(desk.tickets.get(first.ticket).articles) == 1


# --- related senders still thread -----------------------------------------------------------


def test_original_sender_of_a_ticket_without_customer_threads(desk):
    first = desk.intake.receive(mail("m1", sender="Someone@Unknown.example"))
    desk.tickets.set_state(first.ticket, "closed", actor=Actor.operator())
    reply = desk.intake.receive(mail("m2", sender="someone@unknown.example", subject=tagged(desk, first.ticket)))
    assert not reply.created and reply.ticket == first.ticket
    assert desk.tickets.get(first.ticket).state == "open"


def test_another_contact_of_the_customer_threads(desk, factory):
    factory.customer("acme")  # no domain: membership comes from the contact alone
    desk.directory.add_contact(Contact(name="Ivan", email="ivan@acme.example", customer="acme"), actor=Actor.operator())
    desk.directory.add_contact(
        Contact(name="Olga", email="olga@gmail.example", customer="acme"), actor=Actor.operator()
    )
    first = desk.intake.receive(mail("m1", sender="ivan@acme.example"))
    by_number = desk.intake.receive(mail("m2", sender="olga@gmail.example", subject=tagged(desk, first.ticket)))
    by_refs = desk.intake.receive(mail("m3", sender="olga@gmail.example", references=("m1@mail.example",)))
    assert by_number.ticket == by_refs.ticket == first.ticket and not by_number.created


def test_an_address_the_agent_wrote_to_threads(desk, factory):
    factory.agent("alice")
    first = desk.intake.receive(mail("m1", sender="someone@unknown.example"))
    answer = desk.tickets.reply(first.ticket, actor=Actor.agent("alice"), body="Please ask your admin")
    desk.tickets.mark_sent(
        answer.id,
        message_id="out-1@vendor.example",
        recipients=("Admin@Unknown.example",),
        channel="mail",
        actor=Actor.operator(),
    )
    reply = desk.intake.receive(mail("m2", sender="admin@unknown.example", subject=tagged(desk, first.ticket)))
    assert not reply.created and reply.ticket == first.ticket


def test_a_reply_to_a_message_the_desk_sent_threads_from_any_address(desk, factory):
    factory.agent("alice")
    first = desk.intake.receive(mail("m1", sender="someone@unknown.example"))
    answer = desk.tickets.reply(first.ticket, actor=Actor.agent("alice"), body="answer")
    desk.tickets.mark_sent(
        answer.id,
        message_id="out-1@vendor.example",
        recipients=("someone@unknown.example",),
        channel="mail",
        actor=Actor.operator(),
    )
    forwarded = desk.intake.receive(
        mail(
            "m2",
            sender="colleague@elsewhere.example",
            subject="Re: answer",
            references=("m1@mail.example", "out-1@vendor.example"),
        )
    )
    assert not forwarded.created and forwarded.ticket == first.ticket
    # ... and having written into the ticket, that sender is now one of its correspondents
    later = desk.intake.receive(mail("m3", sender="colleague@elsewhere.example", subject=tagged(desk, first.ticket)))
    assert later.ticket == first.ticket


def test_a_merged_ticket_keeps_its_original_sender(desk):
    source = desk.intake.receive(mail("m1", sender="anna@unknown.example"))
    target = desk.intake.receive(mail("m2", sender="boris@unknown.example"))
    desk.tickets.merge(source.ticket, target.ticket, actor=Actor.operator())
    reply = desk.intake.receive(mail("m3", sender="anna@unknown.example", subject=tagged(desk, source.ticket)))
    assert reply.ticket == target.ticket and not reply.created


# --- one batch: the stranger's mail arrives with the original --------------------------------


def test_batch_stranger_guessing_the_next_number_in_the_same_batch(desk):
    settings = desk.settings
    guess = numbering.format_number(settings.number_layout, settings.system_id, desk.local_date(), 1)
    original, attack, legit = desk.intake.receive_many(
        [
            mail("m1", sender="someone@unknown.example"),
            mail("x1", sender="mallory@evil.example", subject=tagged(desk, guess)),
            mail("m2", sender="someone@unknown.example", subject=tagged(desk, guess)),
        ]
    )
    assert original.ticket == guess  # the guess was right: the path under test is exercised
    assert_refused(desk, attack, guess, 2, desk.tickets.get(guess).state)
    assert legit.ticket == guess and not legit.created


def test_batch_stranger_referencing_the_original_in_the_same_batch(desk):
    original, attack, legit = desk.intake.receive_many(
        [
            mail("m1", sender="someone@unknown.example"),
            mail("x1", sender="mallory@evil.example", references=("m1@mail.example",)),
            mail("m2", sender="someone@unknown.example", references=("m1@mail.example",)),
        ]
    )
    assert_refused(desk, attack, original.ticket, 2, desk.tickets.get(original.ticket).state)
    assert legit.ticket == original.ticket


def test_batch_sender_admitted_earlier_in_the_batch_keeps_threading(desk, factory):
    factory.agent("alice")
    first = desk.intake.receive(mail("m1", sender="someone@unknown.example"))
    answer = desk.tickets.reply(first.ticket, actor=Actor.agent("alice"), body="answer")
    desk.tickets.mark_sent(
        answer.id,
        message_id="out-1@vendor.example",
        recipients=("someone@unknown.example",),
        channel="mail",
        actor=Actor.operator(),
    )
    by_refs, by_number = desk.intake.receive_many(
        [
            mail("c1", sender="colleague@elsewhere.example", references=("out-1@vendor.example",)),
            mail("c2", sender="colleague@elsewhere.example", subject=tagged(desk, first.ticket)),
        ]
    )
    assert by_refs.ticket == by_number.ticket == first.ticket


# --- imported tickets -----------------------------------------------------------------------


def test_imported_ticket_threads_for_its_customer_and_original_sender_only(desk, factory):
    factory.customer("acme")
    desk.directory.add_contact(Contact(name="Ivan", email="ivan@acme.example", customer="acme"), actor=Actor.operator())
    desk.directory.add_contact(Contact(name="Olga", email="olga@acme.example", customer="acme"), actor=Actor.operator())
    number = "2011120999000041"  # an OTRS number of another system id: threads because it was imported
    article = ImportedArticle("a1", "in", NOW, "old", "x", sender="partner@outside.example")
    desk.tickets.import_tickets(
        [
            ImportedTicket(
                external_id="t1",
                number=number,
                subject="old",
                state="closed",
                priority="P3",
                queue="support",
                created_at=NOW,
                updated_at=NOW,
                customer="acme",
                contact="ivan@acme.example",
                articles=(article,),
            )
        ],
        namespace="otrs",
        actor=Actor.operator(),
    )
    for i, sender in enumerate(("ivan@acme.example", "olga@acme.example", "partner@outside.example")):
        result = desk.intake.receive(mail(f"ok{i}", sender=sender, subject=tagged(desk, number)))
        assert result.ticket == number and not result.created, sender
    attack = desk.intake.receive(mail("x1", sender="mallory@evil.example", subject=tagged(desk, number)))
    assert_refused(desk, attack, number, 4, desk.tickets.get(number).state)
