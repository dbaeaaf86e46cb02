"""Three ``deskframe worker`` processes on one PostgreSQL deliver one outbox to a real SMTP server.

Issue 15 (Workers): 1,000 outbox messages reach an aiosmtpd sink on loopback exactly once each, by
Message-ID, with three workers claiming them (``FOR UPDATE SKIP LOCKED``). Then ``kill -9`` hits a
delivering worker twice: its claims come back to the others when their lease expires; a message
the server accepted just before the kill, and that was not yet recorded ``sent``, is sent once
more with the same Message-ID (the documented crash window); this run has 400 messages. Each
worker sends over 4 SMTP sessions at once (``[outbox] sessions``). Nothing is lost; duplicates are
at most the number of kills, counted and printed.
"""

from __future__ import annotations

import signal

import pytest
from worker_support import SmtpSink, Worker, smtp_channel_toml, totals, wait_for

from deskframe.actors import Actor
from deskframe.outbound import OutboundMessage

pytestmark = pytest.mark.slow

MESSAGES = 1000
#: The kill test delivers fewer (each kill costs a lease of waiting): enough for two kills mid-run.
KILL_MESSAGES = 400
#: A claim is held 20 s (a pass of 10 messages takes far less: a lease shorter than a pass would let a
#: second worker take over messages still being sent - docs/outbox.md); a killed worker's claims
#: come back after it. Each worker sends over 4 SMTP sessions side by side (their one gate keeps
#: the crash window one message wide per worker, so a kill still duplicates at most one message).
LEASE = '\n[outbox]\nlease = "20s"\nbackoff = "1s"\nsessions = 4\n[worker]\noutbox_every = "1s"\noutbox_batch = 10\n'


@pytest.fixture
def sink():
    server = SmtpSink()
    server.start()
    yield server
    server.stop()


def enqueue(desk, tag: str, count: int = MESSAGES) -> set[str]:
    messages = [
        OutboundMessage(
            kind="email",
            recipients=(f"customer{n}@customer.example",),
            subject=f"{tag} message {n}",
            text=f"Hello {n}",
            channel="support-mail",
            message_id=f"{tag}.{n}@desk.example",
        )
        for n in range(count)
    ]
    desk.outbox.enqueue(messages, actor=Actor.operator())
    return {m.message_id for m in messages if m.message_id}


def outbox_states(desk) -> dict[str, int]:
    rows = desk.outbox.list(limit=None)
    out: dict[str, int] = {}
    for row in rows:
        state = row["state"] if isinstance(row, dict) else row.state
        out[state] = out.get(state, 0) + 1
    return out


def stop_all(workers):
    # a SIGTERM before a worker installed its handler (still importing, on a loaded machine) would
    # end it with -15: stop each one once it is up
    wait_for(lambda: all(w.started() or w.process.poll() is not None for w in workers), "every worker to be up")
    for worker in workers:
        worker.process.send_signal(signal.SIGTERM)
    return [worker.wait() for worker in workers]


@pytest.mark.postgres_pass
def test_three_workers_deliver_each_message_exactly_once(desk_dir, tmp_path, sink):
    desk = desk_dir("postgres", smtp_channel_toml(sink.url) + LEASE)
    ids = enqueue(desk.desk, "once")
    workers = [Worker(desk.config, tmp_path / f"w{i}.log", "--jobs", "outbox") for i in range(3)]
    try:
        wait_for(lambda: sink.received() >= MESSAGES, "every message to reach the sink")
        wait_for(lambda: outbox_states(desk.desk).get("sent", 0) == MESSAGES, "every message recorded sent", every=0.5)
    finally:
        codes = stop_all(workers)
    assert codes == [0, 0, 0]
    assert set(sink.ids) == ids
    assert max(sink.ids.values()) == 1  # exactly once each, by Message-ID
    sent = [totals(w.records(), "outbox")["sent"] for w in workers]
    assert sum(sent) == MESSAGES
    print(f"3 workers, {MESSAGES} outbox messages: sent per worker {sent}, each Message-ID once")


@pytest.mark.postgres_pass
def test_kill_9_twice_while_delivering_loses_nothing(desk_dir, tmp_path, sink):
    desk = desk_dir("postgres", smtp_channel_toml(sink.url) + LEASE)
    ids = enqueue(desk.desk, "kill", KILL_MESSAGES)
    serial = iter(range(100))

    def start() -> Worker:
        return Worker(desk.config, tmp_path / f"w{next(serial)}.log", "--jobs", "outbox")

    workers = [start() for _ in range(3)]
    kills = 0
    try:
        for target in (KILL_MESSAGES // 5, KILL_MESSAGES // 2):
            wait_for(lambda target=target: sink.received() >= target, f"{target} messages to reach the sink")
            victim = workers.pop(0)  # the workers deliver side by side: each one is mid-pass
            victim.process.send_signal(signal.SIGKILL)
            victim.wait()
            kills += 1
            assert sink.received() < KILL_MESSAGES, "the outbox was delivered before the kill: not mid-run"
            workers.append(start())
        wait_for(lambda: set(sink.ids) >= ids, "every message to reach the sink")
        wait_for(
            lambda: outbox_states(desk.desk).get("sent", 0) == KILL_MESSAGES, "every message recorded sent", every=0.5
        )
    finally:
        codes = stop_all(workers)
    assert codes == [0, 0, 0]
    duplicates = sum(sink.ids.values()) - len(sink.ids)
    print(
        f"kill -9 x{kills} while delivering {KILL_MESSAGES} outbox messages: received {sum(sink.ids.values())}, "
        f"distinct Message-IDs {len(sink.ids)}, duplicates {duplicates}"
    )
    assert set(sink.ids) == ids  # nothing lost
    assert 0 <= duplicates <= kills
    assert outbox_states(desk.desk) == {"sent": KILL_MESSAGES}


@pytest.mark.sqlite_pass
def test_sigterm_while_delivering_leaves_nothing_claimed(desk_dir, tmp_path, sink):
    count = 300
    desk = desk_dir("sqlite", smtp_channel_toml(sink.url) + LEASE)
    ids = enqueue(desk.desk, "term", count)
    worker = Worker(desk.config, tmp_path / "worker.log", "--jobs", "outbox")
    wait_for(lambda: sink.received() >= 20, "the first messages to reach the sink")
    worker.process.send_signal(signal.SIGTERM)
    assert worker.wait() == 0
    states = outbox_states(desk.desk)
    assert "sending" not in states  # the pass in hand finished: every claim ended as sent (or queued)
    assert states.get("sent", 0) == sink.received() == len(sink.ids)
    assert 0 < states["sent"] < count, "SIGTERM came after the whole outbox was delivered: not mid-run"
    assert set(sink.ids) <= ids
    print(f"SIGTERM while delivering: {states.get('sent', 0)} of {count} sent, none left sending")
