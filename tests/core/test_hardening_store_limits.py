"""Issue 18, defect 1: no value a sender controls can make the store fail a batch.

Every column that takes outside data (senders, subjects, Message-IDs, external ids,
file names, content types, actors, queue names from trusted headers, cursor keys)
is given a value at its former limit and over it, beside two ordinary messages in
one batch; on PostgreSQL these used to raise ``DataError`` for the whole batch.
NUL characters, which PostgreSQL text cannot hold, are stripped instead.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import string
from pathlib import Path

import pytest

from deskframe import Agent, Customer, InboundAttachment, InboundMessage
from deskframe.actors import Actor

NOW = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.timezone.utc)
CHANNEL = "support-mail"


def inbound(n: int, **kw) -> InboundMessage:
    values = dict(
        channel=CHANNEL,
        external_id=f"ext-{n}",
        received_at=NOW,
        sender=f"user{n}@customer.example",
        subject=f"Subject {n}",
        text=f"Body {n}",
        message_id=f"<m{n}@customer.example>",
    )
    values.update(kw)
    return InboundMessage(**values)


def noise(length: int) -> str:
    """Letters PostgreSQL cannot compress (a repeated letter would fit a B-tree entry compressed)."""
    rng = random.Random(length)
    return "".join(rng.choice(string.ascii_lowercase) for _ in range(length))


def long_address(length: int) -> str:
    domain = "@customer.example"
    return noise(length - len(domain)) + domain


def _articles(desk):
    found = []
    for row in desk.tickets.list(limit=None):
        ticket = desk.tickets.get(row["number"])
        found += [(ticket, a) for a in ticket.articles]
    return found


# (name, former limit, builder of a message carrying a value of that length, check on the stored article)
def _sender(n):
    return {"sender": long_address(n)}, lambda t, a, m: a.sender == m.sender and t.history[0].actor == m.sender


CASES = {
    "articles.sender + history.actor": (500, _sender),
    "history.actor (the 246-character sender of the issue)": (200, _sender),
    "contacts.email": (320, _sender),
    "contacts.name": (300, lambda n: ({"sender_name": "N" * n}, lambda t, a, m: True)),
    "articles.subject + tickets.subject": (
        1000,
        lambda n: ({"subject": "S" * n}, lambda t, a, m: a.subject == m.subject),
    ),
    "articles.message_id": (
        998,
        lambda n: ({"message_id": "<" + "i" * (n - 2) + ">"}, lambda t, a, m: a.message_id == m.message_id),
    ),
    "intake_keys.key": (500, lambda n: ({"external_id": "k" * n}, lambda t, a, m: True)),
    "attachments.filename": (
        255,
        lambda n: (
            {"attachments": (InboundAttachment("f" * (n - 4) + ".txt", "text/plain", b"data"),)},
            lambda t, a, m: len(a.attachments) == 1,
        ),
    ),
    "attachments.content_type": (
        255,
        lambda n: (
            {"attachments": (InboundAttachment("a.bin", "x/" + "c" * (n - 2), b"data"),)},
            lambda t, a, m: a.attachments[0].content_type == m.attachments[0].content_type,
        ),
    ),
    "queues.name (trusted X-Deskframe-Queue)": (
        200,
        lambda n: (
            {"trusted": True, "headers": {"x-deskframe-queue": "Q" * n}},
            lambda t, a, m: t.queue == "Q" * len(t.queue) and len(t.queue) == n,
        ),
    ),
}


@pytest.mark.parametrize("over", [0, 1, 700], ids=["at", "over", "far-over"])
@pytest.mark.parametrize("case", sorted(CASES))
def test_every_outside_string_column_takes_a_value_at_and_over_its_former_limit(desk, case, over):
    limit, build = CASES[case]
    values, check = build(limit + over)
    odd = inbound(2, **values)
    results = desk.intake.receive_many([inbound(1), odd, inbound(3)])
    assert [r.duplicate for r in results] == [False, False, False]
    stored = {a.message_id: (t, a) for t, a in _articles(desk)}
    assert len(stored) == 3
    ticket, article = stored[odd.message_id]
    assert check(ticket, article, odd), case
    again = desk.intake.receive_many([odd])  # the (hashed) dedupe key still finds it
    assert again[0].duplicate and again[0].article_id == results[1].article_id


@pytest.mark.parametrize("over", [0, 1, 700])
def test_quarantine_cursor_and_external_id_columns_take_long_values(desk, over):
    from deskframe.intake.polling import quarantine

    item = quarantine(desk, CHANNEL, "q" * (500 + over), b"raw", "r" * 5000)
    assert desk_quarantine(desk, item)["external_id"] == "q" * (500 + over)
    desk.cursors.set("chat", "conversation:" + "c" * (200 + over), "v")
    assert desk.cursors.get("chat", "conversation:" + "c" * (200 + over)) == "v"
    desk.external_ids.set("otrs", "ticket", "e" * (500 + over), "l" * (200 + over))
    assert desk.external_ids.get("otrs", "ticket", "e" * (500 + over)) == "l" * (200 + over)


def desk_quarantine(desk, item_id):
    with desk.store.read() as repo:
        return repo.quarantine_item(item_id)


def test_nul_characters_are_stripped_not_fatal(desk):
    odd = inbound(
        2,
        subject="Sub\x00ject",
        text="Bo\x00dy",
        sender="nu\x00l@customer.example",
        sender_name="N\x00",
        message_id="<n\x00ul@customer.example>",
        external_id="ext\x00-2",
        attachments=(InboundAttachment("a\x00.txt", "text/pl\x00ain", b"x"),),
    )
    results = desk.intake.receive_many([inbound(1), odd, inbound(3)])
    assert len({r.article_id for r in results}) == 3
    (article,) = [a for _, a in _articles(desk) if a.subject == "Subject"]
    assert article.text == "Body" and article.sender == "nul@customer.example"
    assert desk.intake.receive_many([odd])[0].duplicate


def test_trusted_chat_accepts_a_long_sender_address(make_desk):
    """The chat payload allows a 254-character e-mail; the history column held 200."""
    import hashlib
    import hmac

    from starlette.testclient import TestClient

    from deskframe.web import create_app

    desk = make_desk(
        '\n[[channels]]\nname = "site-chat"\ntype = "chat"\nsecret_env = "HARDEN_CHAT_SECRET"\ntrusted = true\n'
    )
    os.environ["HARDEN_CHAT_SECRET"] = "s3cret"
    try:
        body = json.dumps(
            {
                "message_id": "m1",
                "conversation_id": "c1",
                "timestamp": "2026-11-02T09:00:00Z",
                "sender": {"id": "v1", "email": long_address(246), "name": "V"},
                "text": "hello there",
            }
        ).encode()
        signature = "sha256=" + hmac.new(b"s3cret", body, hashlib.sha256).hexdigest()
        with TestClient(create_app(desk)) as client:
            answer = client.post(
                "/channels/site-chat/messages",
                content=body,
                headers={"X-Deskframe-Signature": signature, "Content-Type": "application/json"},
            )
    finally:
        del os.environ["HARDEN_CHAT_SECRET"]
    assert answer.status_code == 200, answer.text
    assert desk.tickets.get(answer.json()["ticket"]).articles[0].sender == long_address(246)


def _mail(
    n: int, *, sender: str = "Ivan <ivan@customer.example>", msgid: str | None = None, subject: str = "Printer"
) -> bytes:
    lines = [
        f"From: {sender}",
        "To: support@desk.example",
        f"Subject: {subject} {n}",
        "Date: Mon, 02 Nov 2026 09:00:00 +0000",
        f"Message-ID: {msgid or f'<mail{n}@customer.example>'}",
        "MIME-Version: 1.0",
        'Content-Type: text/plain; charset="utf-8"',
        "",
        f"Body {n}",
    ]
    return "\r\n".join(lines).encode()


def test_intake_run_stores_a_batch_with_a_long_message_id_and_a_long_sender(make_desk, cli, tmp_path):
    box = tmp_path / "mail"
    for sub in ("tmp", "new", "cur"):
        (box / sub).mkdir(parents=True)
    mails = [_mail(1), _mail(2, msgid="<" + "x" * 598 + ">"), _mail(3, sender=long_address(246)), _mail(4)]
    for i, raw in enumerate(mails):
        (box / "new" / f"1790000000.M{i}P1.test").write_bytes(raw)
    desk = make_desk(
        f'\n[[channels]]\nname = "{CHANNEL}"\ntype = "email"\naddress = "support@desk.example"\n'
        f'source = "maildir:{box}"\n'
    )
    result = cli(desk)("intake", "run", "--once", "--format", "json")
    assert result.exit_code == 0, result.output
    (report,) = json.loads(result.output)
    assert (report["created"], report["quarantined"], report["stopped"]) == (4, 0, None)
    assert os.listdir(Path(box) / "new") == []
    assert len(_articles(desk)) == 4


class ListChannel:
    """A polled channel over a list of messages, committed 50 per transaction (as Maildir is)."""

    name = CHANNEL
    batch_size = 50

    def __init__(self, messages):
        self.messages = messages
        self.acked = []

    def fetch(self):
        yield from self.messages

    def ack(self, message, result):
        self.acked.append((message.external_id, result))


def test_a_value_the_database_refuses_quarantines_only_its_own_message(desk):
    """A 3,000-character queue name from a trusted header is over PostgreSQL's B-tree entry limit:
    that message goes to quarantine with the reason, the rest of its batch is stored and acknowledged."""
    from deskframe.intake.polling import poll

    messages = [inbound(n, raw=f"raw {n}".encode()) for n in range(1, 6)]
    messages[2] = inbound(3, raw=b"raw 3", trusted=True, headers={"x-deskframe-queue": noise(3000)})
    channel = ListChannel(messages)
    report = poll(desk, channel)
    assert report.stopped is None and report.created + report.quarantined == 5
    assert sorted(e for e, _ in channel.acked) == [m.external_id for m in messages]
    with desk.store.read() as repo:
        held = repo.quarantine_items()
    assert len(_articles(desk)) + len(held) == 5 and len(held) == report.quarantined
    if desk.store.db.dialect == "postgresql":
        assert report.quarantined == 1 and held[0]["external_id"] == "ext-3"
        assert "cannot store" in held[0]["reason"] and "index row" in held[0]["reason"]
        assert desk.blobs.get(held[0]["raw_sha256"]) == b"raw 3"


def test_a_sender_longer_than_any_address_is_kept_on_the_article_without_a_contact(desk):
    sender = long_address(4000)
    desk.intake.receive_many([inbound(1), inbound(2, sender=sender), inbound(3)])
    ((ticket, _article),) = [(t, a) for t, a in _articles(desk) if a.sender == sender]
    assert ticket.contact is None
    assert len(desk.directory.contacts()) == 2


@pytest.mark.parametrize("over", [0, 1, 700], ids=["at", "over", "far-over"])
def test_a_callers_phone_number_and_name_take_long_values(desk, over):
    """``tel:`` senders (phone and chat plugins) become contacts by number: phone held 64, digits 32."""
    phone = "+" + "7" * (63 + over)
    caller = dict(sender=f"tel:{phone}", sender_name="N" * (300 + over))
    results = desk.intake.receive_many([inbound(1, **caller), inbound(2, **caller)])
    assert not any(r.duplicate for r in results)
    (contact,) = [c for c in desk.directory.contacts() if c.phone]
    assert contact.phone == phone and contact.name == "N" * (300 + over)


@pytest.mark.parametrize("over", [0, 1, 700], ids=["at", "over", "far-over"])
def test_directory_values_from_imports_and_apply_take_long_values(desk, over):
    """Customer keys and names, domains, agent logins and names, ticket numbers kept from an import."""
    key, login = noise(100 + over), noise(100 + over)
    desk.directory.add_customer(
        Customer(key=key, name=noise(300 + over), domains=(noise(240 + over) + ".example",)), actor=Actor.operator()
    )
    desk.directory.add_agent(
        Agent(
            login=login,
            name=noise(300 + over),
            role=noise(100 + over),
            line=1,
            email=long_address(320 + over),
            access="admin",
        ),
        actor=Actor.operator(),
    )
    assert [c.key for c in desk.directory.customers()] == [key]
    assert [a.login for a in desk.directory.agents()] == [login]
    ticket = desk.tickets.open(
        subject=noise(1000 + over), body="x", customer=key, contact=long_address(320 + over), actor=Actor.operator()
    )
    desk.time.log(ticket.number, actor=Actor.agent(login), minutes=5, note=noise(50))
    assert desk.tickets.get(ticket.number).contact == long_address(320 + over)
