"""Workers sharing one outbox: two threads running delivery passes at once over 200 messages
deliver each exactly once (counted by Message-ID at a real SMTP server). On PostgreSQL (set
``DESKFRAME_TEST_DATABASE_URL``) the claims are ``FOR UPDATE SKIP LOCKED`` row locks; on SQLite
the write lock serializes the claims."""

from __future__ import annotations

import threading

from outbox_support import mail_config

from deskframe import OutboundMessage
from deskframe.actors import Actor

MESSAGES = 200


def test_two_workers_deliver_each_message_exactly_once(make_desk, sink):
    desk = make_desk(mail_config(sink.url))
    messages = [
        OutboundMessage(
            kind="email",
            recipients=[f"c{i % 7}@customer.example"],
            subject=f"Message {i}",
            text=f"Body {i}",
            sender="support@desk.example",
            channel="support-mail",
            topic="load",
        )
        for i in range(MESSAGES)
    ]
    ids = desk.outbox.enqueue(messages, actor=Actor.system("test"))
    expected = {e.message.message_id for e in desk.outbox.list(limit=None)}
    assert len(ids) == len(expected) == MESSAGES

    claimed = {"w1": 0, "w2": 0}
    errors = []
    start = threading.Barrier(2)

    def work(name):
        try:
            start.wait()
            while True:
                got = desk.outbox.deliver_due(name, limit=10)
                claimed[name] += got
                if got == 0:
                    return
        except Exception as exc:  # reported below: a thread's exception would otherwise vanish
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(name,)) for name in claimed]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == []
    assert sum(claimed.values()) == MESSAGES  # no message claimed twice
    assert sink.ids() == dict.fromkeys(expected, 1)  # each delivered exactly once
    assert desk.outbox.counts() == {"queued": 0, "sending": 0, "sent": MESSAGES, "failed": 0}
    if desk.store.db.dialect == "postgresql":
        assert all(claimed.values()), claimed  # both workers took part
