"""Desk.intake: dedupe, threading, routing, raw source and attachments kept."""

from __future__ import annotations

import datetime as dt

from deskframe import InboundAttachment, InboundMessage
from deskframe.actors import Actor

NOW = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.timezone.utc)


def message(**kw):
    values = dict(
        channel="mail",
        external_id="m1",
        received_at=NOW,
        sender="ivan@acme.example",
        subject="Не работает почта",
        text="Письма не уходят",
        message_id="m1@acme.example",
        raw=b"From: ivan@acme.example\r\n\r\nraw body",
    )
    values.update(kw)
    return InboundMessage(**values)


def test_known_contact_routes_to_customer_and_contract(desk, factory):
    factory.customer("acme", domains=["acme.example"])
    factory.contract("acme", key="acme-2026")
    result = desk.intake.receive(message())
    assert result.created and not result.duplicate
    ticket = desk.tickets.get(result.ticket)
    assert (ticket.customer, ticket.contract, ticket.queue, ticket.contact) == (
        "acme",
        "acme-2026",
        "support",
        "ivan@acme.example",
    )
    article = ticket.articles[0]
    assert article.raw_sha256 and desk.blobs.get(article.raw_sha256) == b"From: ivan@acme.example\r\n\r\nraw body"
    assert article.created_at == NOW


def test_unknown_sender_goes_to_unknown_queue_as_new_contact(desk):
    result = desk.intake.receive(message(sender="stranger@nowhere.example"))
    ticket = desk.tickets.get(result.ticket)
    assert ticket.queue == "unknown" and ticket.customer is None
    assert [c.email for c in desk.directory.contacts()] == ["stranger@nowhere.example"]


def test_same_message_twice_yields_one_article(desk):
    first = desk.intake.receive(message())
    again = desk.intake.receive(message())
    assert again.duplicate and again.ticket == first.ticket and again.article_id == first.article_id
    # same Message-ID under another external id (e.g. a new IMAP UID after UIDVALIDITY changed)
    other_uid = desk.intake.receive(message(external_id="uid-99"))
    assert other_uid.duplicate and other_uid.ticket == first.ticket
    assert len(desk.tickets.get(first.ticket).articles) == 1


def test_no_message_id_dedupes_on_raw_bytes(desk):
    a = desk.intake.receive(message(external_id="", message_id=None, raw=b"exact same bytes"))
    b = desk.intake.receive(message(external_id="", message_id=None, raw=b"exact same bytes"))
    c = desk.intake.receive(message(external_id="", message_id=None, raw=b"other bytes"))
    assert b.duplicate and not c.duplicate
    assert a.ticket == b.ticket


def test_reply_threads_by_ticket_number_in_subject(desk, factory):
    factory.customer("acme", domains=["acme.example"])
    first = desk.intake.receive(message())
    reply = desk.intake.receive(
        message(
            external_id="m2", message_id="m2@acme.example", subject=f"Re: [Ticket#{first.ticket}] Не работает почта"
        )
    )
    assert not reply.created and reply.ticket == first.ticket
    # a number of another system id is not ours: new ticket
    foreign = desk.intake.receive(message(external_id="m3", message_id="m3@x", subject="[Ticket#2011120999000041] hi"))
    assert foreign.created


def test_reply_threads_by_references_and_reopens_closed_ticket(desk, factory):
    factory.customer("acme", domains=["acme.example"])
    first = desk.intake.receive(message())
    desk.tickets.set_state(first.ticket, "closed", actor=Actor.operator())
    reply = desk.intake.receive(
        message(
            external_id="m2",
            message_id="m2@acme.example",
            subject="Re: hello",
            references=("unrelated@x", "m1@acme.example"),
        )
    )
    assert reply.ticket == first.ticket
    assert desk.tickets.get(first.ticket).state == "open"


def test_reply_from_another_customer_does_not_land_on_foreign_ticket(desk, factory):
    factory.customer("acme", domains=["acme.example"])
    factory.customer("evil", domains=["evil.example"])
    first = desk.intake.receive(message())
    attack = desk.intake.receive(
        message(
            external_id="x",
            message_id="x@evil.example",
            sender="mallory@evil.example",
            subject=f"Re: [Ticket#{first.ticket}]",
        )
    )
    assert attack.created and attack.ticket != first.ticket
    assert len(desk.tickets.get(first.ticket).articles) == 1


def test_attachments_stored_under_digest_with_safe_names(desk, tmp_path):
    files = (
        InboundAttachment("../../etc/passwd", "text/plain", b"root:x:0:0"),
        InboundAttachment("C:\\x\\..\\report.pdf", "application/pdf", b"%PDF-1.4"),
        InboundAttachment("a\x00b" + "x" * 300 + ".txt", "text/plain", b"long"),
    )
    result = desk.intake.receive(message(attachments=files))
    stored = desk.tickets.get(result.ticket).articles[0].attachments
    assert [a.filename for a in stored][:2] == ["passwd", "report.pdf"]
    assert "\x00" not in stored[2].filename and len(stored[2].filename.encode()) <= 200
    assert stored[2].filename.endswith(".txt")
    root = desk.blobs.root.resolve()
    for a, original in zip(stored, files):
        assert desk.blobs.get(a.sha256) == original.data  # kept by digest (small ones in the database)
        assert root in desk.blobs.path(a.sha256).resolve().parents
    assert not (root.parent / "etc").exists() and not list(root.parent.rglob("passwd"))


def test_attachment_over_limit_is_recorded_not_dropped_silently(make_desk):
    desk = make_desk("")
    desk.blobs.max_bytes = 10
    result = desk.intake.receive(
        message(attachments=(InboundAttachment("big.bin", "application/octet-stream", b"x" * 11),))
    )
    ticket = desk.tickets.get(result.ticket)
    assert ticket.articles[0].attachments == ()
    assert any(h.action == "attachment_too_large" and h.new == "big.bin" for h in ticket.history)
    assert ticket.articles[0].raw_sha256  # the raw source still holds it


def test_control_headers_apply_only_on_trusted_channels(desk):
    headers = {"x-deskframe-queue": "vip", "x-deskframe-priority": "P1"}
    untrusted = desk.tickets.get(desk.intake.receive(message(headers=headers)).ticket)
    assert (untrusted.queue, untrusted.priority) == ("unknown", "P3")
    trusted = desk.tickets.get(
        desk.intake.receive(message(external_id="m2", message_id="m2@x", headers=headers, trusted=True)).ticket
    )
    assert (trusted.queue, trusted.priority) == ("vip", "P1")


def test_mark_sent_records_message_id_so_replies_thread(desk, factory):
    factory.customer("acme", domains=["acme.example"])
    factory.agent("alice")
    first = desk.intake.receive(message())
    reply = desk.tickets.reply(first.ticket, actor=Actor.agent("alice"), body="answer")
    desk.tickets.mark_sent(
        reply.id,
        message_id="out-1@vendor.example",
        recipients=("ivan@acme.example",),
        channel="mail",
        actor=Actor.operator(),
    )
    answer = desk.intake.receive(
        message(
            external_id="m9",
            message_id="m9@acme.example",
            subject="no number here",
            references=("out-1@vendor.example",),
        )
    )
    assert answer.ticket == first.ticket
    assert desk.tickets.get(first.ticket).history[-2].action == "sent"


# --- a batch (Desk.intake_many): one transaction, written together -------------------------------


def test_batch_reply_threads_into_a_ticket_opened_earlier_in_the_same_batch(desk):
    first, by_refs, by_number_later = desk.intake.receive_many(
        [
            message(),
            message(
                external_id="m2", message_id="m2@acme.example", subject="Re: hello", references=("m1@acme.example",)
            ),
            message(
                external_id="m3", message_id="m3@acme.example", subject="Re: again", references=("m2@acme.example",)
            ),
        ]
    )
    assert first.created and not by_refs.created and not by_number_later.created
    assert first.ticket == by_refs.ticket == by_number_later.ticket
    ticket = desk.tickets.get(first.ticket)
    assert [a.message_id for a in ticket.articles] == ["m1@acme.example", "m2@acme.example", "m3@acme.example"]
    assert [h.action for h in ticket.history] == ["created", "article", "article", "article"]
    assert [h.new for h in ticket.history if h.action == "article"] == [
        str(r.article_id) for r in (first, by_refs, by_number_later)
    ]


def test_batch_threads_by_the_number_of_a_ticket_opened_in_the_same_batch(desk, factory):
    factory.customer("acme", domains=["acme.example"])
    first = desk.intake.receive_many([message()])[0]
    # the next ticket's number is unknown until written: a subject naming it must still find it
    opened, reply = desk.intake.receive_many(
        [
            message(external_id="n1", message_id="n1@acme.example", subject="New problem"),
            message(external_id="n2", message_id="n2@acme.example", subject=f"Re: [Ticket#{first.ticket}] ok"),
        ]
    )
    assert opened.created and opened.ticket != first.ticket
    assert reply.ticket == first.ticket and not reply.created


def test_batch_dedupes_within_itself_and_against_stored_mail(desk):
    stored = desk.intake.receive(message())
    again, new, new_again, same_id_other_uid = desk.intake.receive_many(
        [
            message(),
            message(external_id="k1", message_id="k1@x"),
            message(external_id="k1", message_id="k1@x"),
            message(external_id="uid-7", message_id="k1@x"),
        ]
    )
    assert again.duplicate and again.article_id == stored.article_id
    assert new.created and new_again.duplicate and same_id_other_uid.duplicate
    assert new_again.article_id == same_id_other_uid.article_id == new.article_id
    assert desk.intake.receive(message(external_id="uid-7", message_id="k1@x")).duplicate  # keys were stored


def test_batch_creates_one_contact_per_new_sender(desk):
    results = desk.intake.receive_many(
        [message(external_id=f"s{i}", message_id=f"s{i}@x", sender="New.Person@Somewhere.example") for i in range(3)]
        + [
            message(external_id=f"t{i}", message_id=f"t{i}@x", sender="tel:+7 495 123-45-67", text="call")
            for i in range(2)
        ]
    )
    assert all(r.created for r in results)
    contacts = desk.directory.contacts()
    assert sorted((c.email or "", c.phone or "") for c in contacts) == [
        ("", "+7 495 123-45-67"),
        ("new.person@somewhere.example", ""),
    ]
    tickets = [desk.tickets.get(r.ticket) for r in results]
    assert {t.contact for t in tickets[:3]} == {"new.person@somewhere.example"}


def test_batch_numbers_skip_numbers_an_import_already_holds(desk):
    from deskframe import numbering

    settings = desk.settings
    day = desk.local_date()
    taken = numbering.format_number(settings.number_layout, settings.system_id, day, 2)
    from deskframe.importing import ImportedArticle, ImportedTicket

    desk.tickets.import_tickets(
        [
            ImportedTicket(
                external_id="t1",
                number=taken,
                subject="old",
                state="closed",
                priority="P3",
                queue="support",
                created_at=NOW,
                updated_at=NOW,
                articles=(ImportedArticle("a1", "in", NOW, "old", "x"),),
            )
        ],
        namespace="otrs",
        actor=Actor.operator(),
    )
    results = desk.intake.receive_many([message(external_id=f"b{i}", message_id=f"b{i}@x") for i in range(3)])
    numbers = [r.ticket for r in results]
    assert taken not in numbers and len(set(numbers)) == 3
    assert numbers == sorted(numbers)


def test_batch_events_fire_after_commit_with_the_written_rows(make_desk):
    from deskframe import hookimpl

    seen = []

    class Listener:
        @hookimpl
        def ticket_opened(self, event, desk):
            seen.append(("opened", event.ticket.number, event.article.message_id, len(desk.tickets.list())))

        @hookimpl
        def article_added(self, event, desk):
            seen.append(("added", event.ticket.number, event.article.message_id, len(desk.tickets.list())))

    desk = make_desk("", plugins=[Listener()])
    first, reply = desk.intake.receive_many(
        [message(), message(external_id="m2", message_id="m2@acme.example", references=("m1@acme.example",))]
    )
    assert seen == [("opened", first.ticket, "m1@acme.example", 1), ("added", first.ticket, "m2@acme.example", 1)]
