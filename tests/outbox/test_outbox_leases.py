"""Claims and leases without a network: a claim that expires during a slow pass is not sent by
that pass (another worker takes it over, and it goes out once); an outcome is recorded only by
the claim's holder."""

from __future__ import annotations

import collections
import contextlib

from outbox_support import Clock

import deskframe
from deskframe import Delivery, OutboundMessage
from deskframe.actors import Actor


class Slow:
    """A ``slow`` delivery counting what it sends; each delivery takes ``minutes`` of the test clock."""

    def __init__(self, clock: Clock, minutes: float):
        self.clock, self.minutes, self.sent = clock, minutes, collections.Counter()

    @deskframe.hookimpl
    def register_deliveries(self, register):
        def deliver(message, desk):
            self.clock.advance(minutes=self.minutes)
            self.sent[message.message_id] += 1

        register(Delivery("slow", deliver))


def test_a_claim_expiring_mid_pass_is_left_to_another_worker(make_desk):
    clock = Clock()
    slow = Slow(clock, minutes=3)
    desk = make_desk('\n[outbox]\nlease = "5m"\n', plugins=[slow], clock=clock, entry_points=False)
    messages = [OutboundMessage(kind="slow", recipients=[f"r{i}"], text=str(i)) for i in range(3)]
    desk.outbox.enqueue(messages, actor=Actor.system("test"))
    first = desk.outbox.deliver_pass("worker-a")
    assert (first.claimed, first.sent) == (3, 2)  # the third one's claim ran out while the others were sent
    left = desk.outbox.list(state="sending")
    assert [(e.claimed_by, e.attempts) for e in left] == [("worker-a", 1)]
    second = desk.outbox.deliver_pass("worker-b")  # its lease has expired: taken over
    assert (second.claimed, second.sent) == (1, 1)
    assert sorted(slow.sent.values()) == [1, 1, 1]  # each message once
    assert desk.outbox.counts() == {"queued": 0, "sending": 0, "sent": 3, "failed": 0}


def test_a_stopping_worker_gives_its_unsent_claims_back(make_desk):
    clock = Clock()
    slow = Slow(clock, minutes=0)
    desk = make_desk(plugins=[slow], clock=clock, entry_points=False)
    messages = [OutboundMessage(kind="slow", recipients=[f"r{i}"], text=str(i)) for i in range(4)]
    desk.outbox.enqueue(messages, actor=Actor.system("test"))
    asked = []

    def stop():  # SIGTERM arrives while the first message is out
        asked.append(1)
        return len(asked) > 1

    report = desk.outbox.deliver_pass("worker-a", stop=stop)
    assert (report.claimed, report.sent, report.released) == (4, 1, 3)
    assert desk.outbox.counts() == {"queued": 3, "sending": 0, "sent": 1, "failed": 0}  # nothing half-claimed
    assert {e.attempts for e in desk.outbox.list(state="queued")} == {0}  # the given-back claim is no attempt
    assert desk.outbox.deliver_pass("worker-b").sent == 3
    assert sorted(slow.sent.values()) == [1, 1, 1, 1]


def test_a_pass_records_outcomes_lazily_and_leaves_no_setting_behind(make_desk):
    """The pass's outcomes are committed with ``synchronous_commit = off`` on PostgreSQL (docs/outbox.md,
    the crash window); the connection goes back to the pool with the setting reset."""
    clock = Clock()
    slow = Slow(clock, minutes=0)
    desk = make_desk(plugins=[slow], clock=clock, entry_points=False)
    messages = [OutboundMessage(kind="slow", recipients=[f"r{i}"], text=str(i)) for i in range(5)]
    desk.outbox.enqueue(messages, actor=Actor.system("test"))
    report = desk.outbox.deliver_pass("worker-a")
    assert (report.claimed, report.sent) == (5, 5)
    assert desk.outbox.counts() == {"queued": 0, "sending": 0, "sent": 5, "failed": 0}
    if desk.store.db.dialect != "postgresql":
        return
    with contextlib.ExitStack() as stack:  # every pooled connection, the pass's among them
        repos = [stack.enter_context(desk.store.write()) for _ in range(5)]
        settings = [repo.session.connection().exec_driver_sql("SHOW synchronous_commit").scalar() for repo in repos]
    assert settings == ["on"] * 5
