"""The e-mail delivery sends a message's attachments (blob references fixed at enqueue): they reach
a real SMTP server (aiosmtpd on loopback) as parts with their file name and content type, whether
the message was composed at enqueue or, without stored bytes, at delivery."""

from __future__ import annotations

from outbox_support import deliver_all, mail_config
from sqlalchemy import update

from deskframe import OutboundAttachment, OutboundMessage
from deskframe.actors import Actor
from deskframe.store.outbox_rows import OutboxRow

PDF = b"%PDF-1.4\n% an invoice\n" + bytes(range(256)) * 4


def invoice_mail(desk, sha256: str) -> OutboundMessage:
    return OutboundMessage(
        kind="email",
        recipients=["ivan@customer.example"],
        subject="Invoice 2026-11",
        text="Your invoice is attached.",
        channel="support-mail",
        attachments=[
            OutboundAttachment(sha256, "Счёт 2026-11.pdf", "application/pdf"),
            OutboundAttachment(desk.blobs.put(b"a,b\n1,2\n"), "hours.csv", "text/csv"),
        ],
    )


def check_arrived(sink) -> None:
    (mail,) = sink.parsed()
    assert mail.get_content_type() == "multipart/mixed"
    assert mail.get_body(("plain",)).get_content().strip() == "Your invoice is attached."
    parts = list(mail.iter_attachments())
    assert [(p.get_filename(), p.get_content_type()) for p in parts] == [
        ("Счёт 2026-11.pdf", "application/pdf"),
        ("hours.csv", "text/csv"),
    ]
    assert parts[0].get_content() == PDF
    assert parts[1].get_content().replace("\r\n", "\n") == "a,b\n1,2\n"


def test_attachments_reach_the_smtp_server_with_their_names_and_types(make_desk, sink):
    desk = make_desk(mail_config(sink.url))
    (entry_id,) = desk.outbox.enqueue([invoice_mail(desk, desk.blobs.put(PDF))], actor=Actor.system("test"))
    assert b"Content-Type: application/pdf" in (desk.outbox.show(entry_id).message.raw or b"")  # composed at enqueue
    assert deliver_all(desk) == 1
    check_arrived(sink)


def test_attachments_of_a_message_composed_at_delivery_are_sent_too(make_desk, sink):
    desk = make_desk(mail_config(sink.url))
    (entry_id,) = desk.outbox.enqueue([invoice_mail(desk, desk.blobs.put(PDF))], actor=Actor.system("test"))
    with desk.store.write() as repo:  # as a row enqueued before migration 0022 has it
        repo.session.execute(update(OutboxRow).where(OutboxRow.id == entry_id).values(raw=None))
    assert deliver_all(desk) == 1
    check_arrived(sink)


def test_a_missing_attachment_is_not_sent_without_it(make_desk, sink):
    desk = make_desk(mail_config(sink.url))
    (entry_id,) = desk.outbox.enqueue([invoice_mail(desk, "0" * 64)], actor=Actor.system("test"))
    assert desk.outbox.show(entry_id).message.raw is None  # could not be composed at enqueue
    assert deliver_all(desk) == 0
    entry = desk.outbox.show(entry_id)
    assert entry.state == "queued" and "is not stored" in (entry.last_error or "")  # retried with back-off
    assert sink.messages == []
