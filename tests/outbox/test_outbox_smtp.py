"""The outbox against a real SMTP server (aiosmtpd on loopback): written with the change that causes
it, delivered once, the same message (same Message-ID) on every attempt, back-off while the server
is down and nothing lost, ``failed`` after ``max_attempts`` and requeued by ``outbox retry --failed``,
claims that expire with a dead worker, and the one crash window (docs/outbox.md)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from outbox_support import deliver_all, mail_config

import deskframe
from deskframe import Delivery, OutboundMessage
from deskframe.actors import Actor

ALICE = Actor.agent("alice")


def mail_desk(make_desk, url, clock=None, outbox="", plugins=()):
    desk = make_desk(mail_config(url, outbox), clock=clock, plugins=plugins)
    desk.directory.add_agent(deskframe.Agent("alice", "Alice", access="admin"), actor=Actor.operator())
    return desk


def open_ticket(desk, contact="ivan@customer.example"):
    return desk.tickets.open(
        subject="Printer", body="broken", contact=contact, channel="support-mail", actor=Actor.operator()
    )


class Abort(BaseException):
    """Raised by a test plugin to make a change roll back after the e-mail plugin enqueued its reply."""


class Watcher:
    """Runs after the e-mail plugin inside the change: what the change sees, what others see."""

    def __init__(self, desk_holder, abort=False):
        self.desk_holder, self.abort, self.seen = desk_holder, abort, []

    @deskframe.hookimpl(trylast=True)
    def outbound_messages(self, hook, event, view):
        if hook != "article_added":
            return None
        number = event.ticket.number
        inside = [e.message.topic for e in view.entries(number)]
        outside = [e.message.topic for e in self.desk_holder[0].outbox.list(ticket=number)]  # another connection
        self.seen.append((inside, outside))
        if self.abort:
            raise Abort()
        return None


def test_reply_is_enqueued_in_the_change_and_rolls_back_with_it(make_desk, sink):
    holder = []
    watcher = Watcher(holder)
    desk = mail_desk(make_desk, sink.url, plugins=[watcher])
    holder.append(desk)
    ticket = open_ticket(desk)
    desk.tickets.reply(ticket.number, actor=ALICE, body="Restart it.")
    assert watcher.seen == [(["reply"], [])]  # in the change's transaction, not yet visible outside it
    assert sink.messages == []  # nothing is sent from inside a hook
    (entry,) = desk.outbox.list(ticket=ticket.number)
    assert entry.state == "queued" and entry.message.recipients == ("ivan@customer.example",)

    watcher.abort = True
    with pytest.raises(Abort):
        desk.tickets.reply(ticket.number, actor=ALICE, body="Rolled back")
    assert len(desk.outbox.list(ticket=ticket.number)) == 1  # the second reply's message went with its change
    assert [a.text for a in desk.tickets.get(ticket.number).articles][-1] == "Restart it."

    assert deliver_all(desk) == 1
    assert deliver_all(desk) == 0
    (sent,) = sink.parsed()
    assert str(sent["Message-ID"]).strip().strip("<>") == entry.message.message_id
    article = desk.tickets.get(ticket.number).articles[-1]
    assert article.message_id == entry.message.message_id  # answers thread back by References
    assert desk.outbox.show(entry.id).state == "sent"


def test_smtp_down_messages_queue_with_back_off_and_go_out_once_it_is_back(make_desk, sink, clock):
    desk = mail_desk(make_desk, sink.url, clock=clock, outbox='backoff = "30s"\nmax_backoff = "2m"\nmax_attempts = 10')
    sink.stop()
    tickets = [open_ticket(desk, f"c{i}@customer.example") for i in range(5)]
    for t in tickets:
        desk.tickets.reply(t.number, actor=ALICE, body=f"Answer for {t.number}")
    enqueued = {e.id: e.message.message_id for e in desk.outbox.list()}
    assert len(enqueued) == 5

    waits = []
    for _ in range(4):
        report = desk.outbox.deliver_pass("w1")
        assert (report.claimed, report.retrying, report.sent) == (5, 5, 0)
        assert desk.outbox.deliver_pass("w1").claimed == 0  # not due again before its back-off
        entries = desk.outbox.list()
        assert {e.state for e in entries} == {"queued"} and all("Connection" in (e.last_error or "") for e in entries)
        waits.append({e.next_attempt_at - clock.now for e in entries})
        clock.advance(minutes=5)
    assert waits == [{dt.timedelta(seconds=s)} for s in (30, 60, 120, 120)]  # doubling, capped at max_backoff

    sink.start()
    assert deliver_all(desk) == 5
    assert deliver_all(desk) == 0
    assert sink.ids() == dict.fromkeys(enqueued.values(), 1)  # none lost, none twice, the enqueued Message-IDs
    assert {e.state: e.attempts for e in desk.outbox.list()} == {"sent": 5}


def test_max_attempts_then_failed_and_retry_failed_requeues_the_same_message(make_desk, sink, clock, cli):
    desk = mail_desk(make_desk, sink.url, clock=clock, outbox='max_attempts = 2\nbackoff = "10s"')
    sink.stop()
    ticket = open_ticket(desk)
    desk.tickets.reply(ticket.number, actor=ALICE, body="Answer")
    assert desk.outbox.deliver_pass("w").retrying == 1
    clock.advance(seconds=11)
    assert desk.outbox.deliver_pass("w").failed == 1
    (entry,) = desk.outbox.list(state="failed")
    assert entry.attempts == 2
    failed = [h for h in desk.tickets.get(ticket.number).history if h.action == "delivery_failed"]
    assert len(failed) == 1 and "Connection" in failed[0].reason
    clock.advance(hours=1)
    assert desk.outbox.deliver_pass("w").claimed == 0  # failed stays failed

    listed = cli(desk)("outbox", "list", "--state", "failed", "--format", "json")
    assert listed.exit_code == 0, listed.output
    assert [(r["id"], r["state"], r["attempts"]) for r in json.loads(listed.output)] == [(entry.id, "failed", 2)]
    shown = cli(desk)("outbox", "show", str(entry.id), "--format", "json")
    assert json.loads(shown.output)["message_id"] == entry.message.message_id
    assert cli(desk)("outbox", "retry").exit_code == 2  # neither an ID nor --failed
    retried = cli(desk)("outbox", "retry", "--failed")
    assert retried.exit_code == 0 and "1 failed message(s) queued again" in retried.output
    sink.start()
    delivered = cli(desk)("outbox", "deliver", "--format", "json")  # the CLI's desk runs on the wall clock
    assert delivered.exit_code == 0, delivered.output
    assert json.loads(delivered.output)["sent"] == 1
    assert sink.ids() == {entry.message.message_id: 1}
    assert desk.outbox.show(entry.id).state == "sent"
    assert cli(desk)("outbox", "retry", str(entry.id)).exit_code == 1  # a sent message is not sent again: refused


class Killed(BaseException):
    """A worker killed mid-delivery (nothing after this line of the worker runs)."""


class CrashAfterSend:
    """A ``crashmail`` delivery: sends through the e-mail delivery, then the worker dies (if armed)."""

    def __init__(self):
        self.armed = True

    @deskframe.hookimpl
    def register_deliveries(self, register):
        def deliver(message, desk):
            from deskframe_email.smtp import deliver as smtp

            smtp(message, desk)
            if self.armed:
                raise Killed()

        register(Delivery("crashmail", deliver))


def test_expired_claim_is_taken_over_and_the_crash_window_resends_the_same_message(make_desk, sink, clock):
    crash = CrashAfterSend()
    desk = mail_desk(make_desk, sink.url, clock=clock, outbox='lease = "2m"', plugins=[crash])
    message = OutboundMessage(
        kind="crashmail",
        recipients=["ivan@customer.example"],
        subject="Your invoice",
        text="Here it is.",
        sender="support@desk.example",
        channel="support-mail",
        topic="test",
    )
    (entry_id,) = desk.outbox.enqueue([message], actor=Actor.system("test"))
    with pytest.raises(Killed):
        desk.outbox.deliver_due("worker-a")
    held = desk.outbox.show(entry_id)
    assert (held.state, held.claimed_by, held.attempts) == ("sending", "worker-a", 1)
    assert desk.outbox.deliver_due("worker-b") == 0  # the claim still holds
    clock.advance(minutes=3)
    crash.armed = False
    assert desk.outbox.deliver_due("worker-b") == 1
    done = desk.outbox.show(entry_id)
    assert (done.state, done.attempts, done.claimed_by) == ("sent", 2, None)
    # the one duplicate the outbox allows: accepted by the server, not recorded before the crash
    assert sink.ids() == {held.message.message_id: 2}


def test_dedupe_key_enqueues_once(make_desk, sink):
    desk = mail_desk(make_desk, sink.url)
    base = OutboundMessage(kind="email", recipients=["a@customer.example"], text="x", channel="support-mail")
    first = desk.outbox.enqueue([deskframe_evolve(base, dedupe_key="k1")] * 2, actor=Actor.system("test"))
    again = desk.outbox.enqueue([deskframe_evolve(base, dedupe_key="k1")], actor=Actor.system("test"))
    assert first[0] == first[1] == again[0] and len(desk.outbox.list()) == 1


def deskframe_evolve(message, **changes):
    import attrs

    return attrs.evolve(message, **changes)
