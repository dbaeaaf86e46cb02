"""A message's bytes are composed once, when it is enqueued, by its delivery's ``compose``, and
stored with it (``outbox.raw``, migration 0022): a delivery sends exactly those bytes and composes
nothing. A message whose composing fails at enqueue is still written (the change commits) and is
composed, and fails visibly, at delivery; a row without bytes (enqueued before 0022) is composed
when it is sent."""

from __future__ import annotations

import email
import email.policy

from outbox_support import deliver_all, mail_config
from sqlalchemy import inspect, update

import deskframe
from deskframe import OutboundMessage
from deskframe.actors import Actor
from deskframe.store.migrate import current_revision, downgrade, head_revision, upgrade
from deskframe.store.outbox_rows import OutboxRow

ALICE = Actor.agent("alice")


def mail_desk(make_desk, url, outbox=""):
    desk = make_desk(mail_config(url, outbox))
    desk.directory.add_agent(deskframe.Agent("alice", "Alice", access="admin"), actor=Actor.operator())
    return desk


def no_composing_at_delivery(monkeypatch):
    """Make composing in the e-mail plugin fail from now on: only stored bytes can go out."""
    import deskframe_email.smtp

    def refuse(*args, **kwargs):
        raise AssertionError("composed at delivery")

    monkeypatch.setattr(deskframe_email.smtp, "message_bytes", refuse)


def test_a_reply_is_composed_at_enqueue_and_delivery_sends_the_stored_bytes(make_desk, sink, monkeypatch):
    desk = mail_desk(make_desk, sink.url)
    ticket = desk.tickets.open(
        subject="Printer",
        body="broken",
        contact="ivan@customer.example",
        channel="support-mail",
        actor=Actor.operator(),
    )
    desk.tickets.reply(ticket.number, actor=ALICE, body="Restart it.")
    (entry,) = desk.outbox.list(ticket=ticket.number)
    assert entry.message.raw is not None  # composed in the change, by the e-mail plugin
    stored = email.message_from_bytes(entry.message.raw, policy=email.policy.default)
    assert str(stored["Message-ID"]).strip() == f"<{entry.message.message_id}>"
    assert str(stored["Subject"]) == f"[Ticket#{ticket.number}] Re: Printer"

    no_composing_at_delivery(monkeypatch)
    assert deliver_all(desk) == 1
    ((mail_from, rcpts, raw),) = sink.messages
    assert (mail_from, rcpts) == ("support@desk.example", ["ivan@customer.example"])
    assert raw.replace(b"\r\n", b"\n") == entry.message.raw.replace(b"\r\n", b"\n")  # byte for byte
    assert desk.outbox.show(entry.id).state == "sent"


def test_messages_enqueued_outside_a_change_are_composed_too(make_desk, sink, monkeypatch):
    desk = mail_desk(make_desk, sink.url)
    message = OutboundMessage(
        kind="email", recipients=["a@customer.example"], subject="Report", text="Figures", channel="support-mail"
    )
    (entry_id,) = desk.outbox.enqueue([message], actor=Actor.system("test"))
    raw = desk.outbox.show(entry_id).message.raw
    assert raw is not None and b"Subject: Report" in raw
    no_composing_at_delivery(monkeypatch)
    assert deliver_all(desk) == 1
    assert sink.ids() == {desk.outbox.show(entry_id).message.message_id: 1}


def test_a_message_that_cannot_be_composed_is_enqueued_and_fails_at_delivery(make_desk, sink):
    desk = mail_desk(make_desk, sink.url)
    bad = OutboundMessage(kind="email", recipients=["not an address"], text="x", channel="support-mail")
    (entry_id,) = desk.outbox.enqueue([bad], actor=Actor.system("test"))
    assert desk.outbox.show(entry_id).message.raw is None  # left to the delivery
    assert deliver_all(desk) == 0
    failed = desk.outbox.show(entry_id)
    assert failed.state == "failed" and "cannot compose" in (failed.last_error or "")
    assert sink.messages == []


def test_a_row_without_bytes_is_composed_when_it_is_sent(make_desk, sink):
    desk = mail_desk(make_desk, sink.url)
    message = OutboundMessage(kind="email", recipients=["a@customer.example"], text="old", channel="support-mail")
    (entry_id,) = desk.outbox.enqueue([message], actor=Actor.system("test"))
    with desk.store.write() as repo:  # as a row enqueued before migration 0022 has it
        repo.session.execute(update(OutboxRow).where(OutboxRow.id == entry_id).values(raw=None))
    assert desk.outbox.show(entry_id).message.raw is None
    assert deliver_all(desk) == 1
    (sent,) = sink.parsed()
    assert str(sent["Message-ID"]).strip("<> ") == desk.outbox.show(entry_id).message.message_id
    assert sent.get_content().strip() == "old"


def test_the_file_delivery_writes_the_bytes_composed_at_enqueue(make_desk, tmp_path):
    folder = tmp_path / "eml"
    desk = make_desk(mail_config("smtp://127.0.0.1:9", f'file_dir = "{folder}"\nredirect = {{ email = "file" }}'))
    message = OutboundMessage(kind="email", recipients=["a@customer.example"], text="to a file", subject="F")
    (entry_id,) = desk.outbox.enqueue([message], actor=Actor.system("test"))
    raw = desk.outbox.show(entry_id).message.raw
    assert raw is not None  # composed by the delivery that sends it: the file one
    assert deliver_all(desk) == 1
    (path,) = folder.glob("*.eml")
    assert path.read_bytes() == raw


def _columns(db) -> set[str]:
    with db.engine.connect() as conn:
        return {c["name"] for c in inspect(conn).get_columns("outbox")}


def test_0022_down_and_up(make_desk, sink):
    desk = mail_desk(make_desk, sink.url)
    db = desk.store.db
    assert "raw" in _columns(db)
    message = OutboundMessage(kind="email", recipients=["a@customer.example"], text="kept", channel="support-mail")
    (entry_id,) = desk.outbox.enqueue([message], actor=Actor.system("test"))
    downgrade(db, "0020")
    assert current_revision(db) == "0020" and "raw" not in _columns(db)
    upgrade(db)
    assert current_revision(db) == head_revision() and "raw" in _columns(db)
    assert desk.outbox.show(entry_id).message.raw is None  # the bytes went with the column: composed when sent
    assert deliver_all(desk) == 1
    assert sink.parsed()[0].get_content().strip() == "kept"
