"""The core's ``file`` delivery (``.eml`` files, what the demo uses instead of a mail server),
``[outbox] redirect``, and the ``[outbox]`` table's errors (one line naming the key)."""

from __future__ import annotations

import email
import email.policy

import pytest
from outbox_support import deliver_all, mail_config

import deskframe
from deskframe.actors import Actor
from deskframe.config import parse_config
from deskframe.errors import ConfigError
from deskframe.plugins import build_plugins


def test_redirected_mail_becomes_eml_files_with_the_fixed_message_id(make_desk, tmp_path):
    folder = tmp_path / "eml"
    desk = make_desk(
        mail_config("smtp://127.0.0.1:9", f'file_dir = "{folder}"\nredirect = {{ email = "file" }}')
    )  # port 9: nothing listens; the redirect means nothing connects
    desk.directory.add_agent(deskframe.Agent("alice", "Alice", access="admin"), actor=Actor.operator())
    ticket = desk.tickets.open(
        subject="Счёт", body="b", contact="ivan@customer.example", channel="support-mail", actor=Actor.operator()
    )
    desk.tickets.reply(ticket.number, actor=Actor.agent("alice"), body="Готово, проверьте.")
    assert deliver_all(desk) == 1
    (entry,) = desk.outbox.list(state="sent")
    (path,) = folder.glob("*.eml")
    mail = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert str(mail["Message-ID"]).strip() == f"<{entry.message.message_id}>"  # a long one is folded
    assert str(mail["Subject"]) == f"[Ticket#{ticket.number}] Re: Счёт"
    assert str(mail["To"]) == "ivan@customer.example" and mail.get_content().strip() == "Готово, проверьте."
    assert not list(folder.glob(".*.tmp"))


@pytest.mark.parametrize(
    ("table", "key"),
    [
        ({"max_attempts": 0}, "outbox.max_attempts"),
        ({"backoff": "soon"}, "outbox.backoff"),
        ({"lease": "0s"}, "outbox.lease"),
        ({"colour": 1}, "outbox.colour"),
        ({"redirect": {"email": 5}}, "outbox.redirect.email"),
        ({"sessions": 0}, "outbox.sessions"),
        ({"sessions": "many"}, "outbox.sessions"),
    ],
)
def test_outbox_table_errors_name_their_key(table, key):
    registry = build_plugins().registry
    with pytest.raises(ConfigError) as caught:
        parse_config({"outbox": table}, registry)
    assert key in str(caught.value) and "\n" not in str(caught.value)


class Collector:
    """The only plugin of a desk: one ``file`` message per opened ticket (no notify hooks at all)."""

    @deskframe.hookimpl
    def outbound_messages(self, hook, event, view):
        if hook != "ticket_opened":
            return None
        contact = view.contact_by_email(event.ticket.contact or "")
        return [
            deskframe.OutboundMessage(
                kind="file",
                recipients=[event.ticket.contact],
                subject=f"Received: {event.ticket.subject}",
                text=f"Hello {contact.name if contact else ''}, your ticket is {event.ticket.number}.",
                ticket=event.ticket.number,
                topic="ack",
            )
        ]


def test_a_collect_hook_alone_gets_the_events_and_the_core_file_delivery_sends(make_desk, tmp_path):
    desk = make_desk(f'\n[outbox]\nfile_dir = "{tmp_path / "eml"}"\n', plugins=[Collector()], entry_points=False)
    desk.directory.add_contact(deskframe.Contact("Ivan", email="ivan@customer.example"), actor=Actor.operator())
    ticket = desk.tickets.open(subject="Hi", body="b", contact="ivan@customer.example", actor=Actor.operator())
    (entry,) = desk.outbox.list()
    assert entry.message.text == f"Hello Ivan, your ticket is {ticket.number}."  # the view saw the change's rows
    assert entry.message.message_id.endswith("@deskframe.invalid")  # made at enqueue
    assert deliver_all(desk) == 1
    (path,) = (tmp_path / "eml").glob("*.eml")
    assert f"<{entry.message.message_id}>" in path.read_text()
    assert [h.action for h in desk.tickets.get(ticket.number).history if h.action.startswith("outbox")] == [
        "outbox_sent"
    ]
