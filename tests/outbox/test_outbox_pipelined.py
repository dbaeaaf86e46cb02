"""The e-mail delivery is pipelined (``Delivery.pipelined``): the outcome of message k is committed
in the recorder's thread while message k+1's envelope (``MAIL``, ``RCPT``, ``DATA``) goes out, and
k+1's bytes follow only once that commit is done. So a worker killed at any moment leaves at most
one message accepted but not recorded (docs/outbox.md, the crash window); a recording that fails
ends the pass before another message can be accepted."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from outbox_support import Clock, Sink, deliver_all, mail_config

from deskframe import OutboundMessage
from deskframe.actors import Actor
from deskframe.errors import StorageError
from deskframe.store.repository import RepositorySeries


def messages(count: int, text: str = "Hello") -> list[OutboundMessage]:
    return [
        OutboundMessage(
            kind="email", recipients=[f"c{n}@customer.example"], subject=f"m{n}", text=text, channel="support-mail"
        )
        for n in range(count)
    ]


class CheckingSink(Sink):
    """Counts, as each message is accepted, how many earlier ones the desk has recorded ``sent``."""

    def __init__(self) -> None:
        super().__init__()
        self.desk = None
        self.recorded_before: list[int] = []

    async def handle_DATA(self, server, session, envelope):
        self.recorded_before.append(self.desk.outbox.counts()["sent"])
        return await super().handle_DATA(server, session, envelope)


def slow_recording(monkeypatch, seconds: float = 0.05) -> None:
    """Each outcome takes ``seconds`` more to record: unless the gate waits for it, the next
    message is accepted before it is committed."""
    original = RepositorySeries.finish_outbox

    def slow(self, *args, **kwargs):
        time.sleep(seconds)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(RepositorySeries, "finish_outbox", slow)


def failing_second_recording(monkeypatch) -> Callable[[], None]:
    """Make the second outcome mark fail as a lost database would; returns what puts the real one back."""
    original = RepositorySeries.finish_outbox
    calls = []

    def failing(self, *args, **kwargs):
        calls.append(args[0])
        if len(calls) == 2:
            raise StorageError("database went away")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(RepositorySeries, "finish_outbox", failing)
    return lambda: monkeypatch.setattr(RepositorySeries, "finish_outbox", original)


def test_each_outcome_is_committed_before_the_next_message_is_accepted(make_desk, monkeypatch):
    with CheckingSink() as sink:
        desk = make_desk(mail_config(sink.url))
        sink.desk = desk
        desk.outbox.enqueue(messages(6), actor=Actor.system("test"))
        slow_recording(monkeypatch)
        assert deliver_all(desk) == 6
    assert sink.recorded_before == [0, 1, 2, 3, 4, 5]
    assert desk.outbox.counts()["sent"] == 6


def test_a_failed_recording_ends_the_pass_before_another_message_is_accepted(make_desk, monkeypatch, sink):
    clock = Clock()
    desk = make_desk(mail_config(sink.url, 'lease = "2m"'), clock=clock)
    desk.outbox.enqueue(messages(5), actor=Actor.system("test"))
    restore = failing_second_recording(monkeypatch)
    with pytest.raises(StorageError, match="database went away"):
        desk.outbox.deliver_pass("worker-a")
    # the first was recorded; the second was accepted but its outcome was lost; the third waited at
    # the gate (its envelope sent, its bytes not) and was not accepted; the rest were not begun
    assert len(sink.messages) == 2
    assert desk.outbox.counts() == {"queued": 0, "sending": 4, "sent": 1, "failed": 0}
    restore()
    clock.advance(minutes=3)  # the claims expire
    assert deliver_all(desk, "worker-b") == 4
    assert desk.outbox.counts()["sent"] == 5
    counts = sorted(sink.ids().values())
    assert counts == [1, 1, 1, 1, 2]  # the one message accepted but not recorded, once more


def test_lines_starting_with_a_dot_arrive_intact(make_desk, sink):
    desk = make_desk(mail_config(sink.url))
    text = "Line one\n.hidden\n.\n..two dots\nend"
    desk.outbox.enqueue(messages(1, text=text), actor=Actor.system("test"))
    assert deliver_all(desk) == 1
    (mail,) = sink.parsed()
    assert mail.get_content().replace("\r\n", "\n").rstrip("\n") == text


@pytest.mark.parametrize(
    "address",
    [
        "a@b.c",
        "a.b+x@c-d.example",
        "o'neil@x.ie",
        "Ivan <i@x.ru>",
        '"q w"@x.y',
        "a..b@c",
        "a@[1.2.3.4]",
        "иван@пример.рф",
        "",
    ],
)
def test_mail_and_rcpt_quote_an_address_as_smtplib_does(address):
    import smtplib

    from deskframe_email.smtp import quote_address

    assert quote_address(address) == smtplib.quoteaddr(address)
