"""Several sessions per delivery pass (``[outbox] sessions``): the e-mail delivery opens that many
SMTP connections and sends over them side by side, while the pass's one gate keeps at most one
message accepted but not recorded at any moment (docs/outbox.md, the crash window). A delivery
that does not say ``parallel=True`` (the ``file`` delivery, a third party's) keeps one session."""

from __future__ import annotations

import asyncio
import contextlib
import threading

import pytest
from outbox_support import Clock, Sink, deliver_all, mail_config
from test_outbox_pipelined import CheckingSink, failing_second_recording, messages, slow_recording

import deskframe
from deskframe.actors import Actor
from deskframe.errors import StorageError
from deskframe.outbound import Delivery, OutboundMessage

#: How long the sink waits for the sessions to meet (a bound on the wait, not on speed).
PATIENCE = 20.0


class MeetingSink(Sink):
    """Holds each transaction's ``RCPT`` until ``sessions`` transactions are open at once (or
    PATIENCE ran out), and keeps the most open at once and the connections that sent mail."""

    def __init__(self, sessions: int) -> None:
        super().__init__()
        self.sessions = sessions
        self.open = 0
        self.most_open = 0
        self.peers: set[object] = set()
        self.met: asyncio.Event | None = None

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        envelope.rcpt_tos.append(address)
        self.met = self.met or asyncio.Event()
        self.open += 1
        self.most_open = max(self.most_open, self.open)
        if self.open >= self.sessions:
            self.met.set()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.met.wait(), PATIENCE)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.open -= 1
        self.peers.add(session.peer)
        return await super().handle_DATA(server, session, envelope)


def test_the_sessions_of_a_pass_send_side_by_side(make_desk):
    with MeetingSink(sessions=3) as sink:
        desk = make_desk(mail_config(sink.url, "sessions = 3"))
        desk.outbox.enqueue(messages(12), actor=Actor.system("test"))
        assert deliver_all(desk) == 12
    assert sink.most_open == 3  # three transactions open at once, on three connections
    assert len(sink.peers) == 3
    assert len(sink.ids()) == 12 and set(sink.ids().values()) == {1}
    assert desk.outbox.counts()["sent"] == 12


def test_with_several_sessions_each_outcome_is_committed_before_the_next_message_is_accepted(make_desk, monkeypatch):
    with CheckingSink() as sink:
        desk = make_desk(mail_config(sink.url, "sessions = 4"))
        sink.desk = desk
        desk.outbox.enqueue(messages(12), actor=Actor.system("test"))
        slow_recording(monkeypatch)  # without the one gate, other sessions' messages would be accepted meanwhile
        assert deliver_all(desk) == 12
    assert sink.recorded_before == list(range(12))
    assert desk.outbox.counts()["sent"] == 12


def test_a_failed_recording_ends_every_session_before_another_message_is_accepted(make_desk, monkeypatch, sink):
    clock = Clock()
    desk = make_desk(mail_config(sink.url, 'lease = "2m"\nsessions = 3'), clock=clock)
    desk.outbox.enqueue(messages(9), actor=Actor.system("test"))
    restore = failing_second_recording(monkeypatch)
    with pytest.raises(StorageError, match="database went away"):
        desk.outbox.deliver_pass("worker-a")
    # one recorded; one accepted with its outcome lost; the other sessions' messages waited at the
    # gate (envelope and bytes sent, not the final dot) and were not accepted
    assert len(sink.messages) == 2
    assert desk.outbox.counts() == {"queued": 0, "sending": 8, "sent": 1, "failed": 0}
    restore()
    clock.advance(minutes=3)  # the claims expire
    assert deliver_all(desk, "worker-b") == 8
    assert sorted(sink.ids().values()) == [1] * 8 + [2]  # the one accepted but not recorded, once more


class ThirdParty:
    """A third party's ``pigeon`` delivery with sessions, pipelined (``send(message, ready)``),
    parallel or not; it counts the sessions open at once."""

    def __init__(self, parallel: bool, expect: int) -> None:
        self.parallel = parallel
        self.expect = expect
        self.lock = threading.Lock()
        self.open = 0
        self.most_open = 0
        self.sent: list[str] = []
        self.met = threading.Event()

    @contextlib.contextmanager
    def session(self, desk):
        with self.lock:
            self.open += 1
            self.most_open = max(self.most_open, self.open)
            if self.open >= self.expect:
                self.met.set()
        self.met.wait(PATIENCE)  # parallel sessions meet here; a lone one waits PATIENCE at most

        def send(message, ready):
            ready()
            with self.lock:
                self.sent.append(message.message_id)

        try:
            yield send
        finally:
            with self.lock:
                self.open -= 1

    @deskframe.hookimpl
    def register_deliveries(self, register):
        register(
            Delivery(
                "pigeon",
                lambda m, desk: None,
                session=self.session,
                pipelined=True,
                parallel=self.parallel,
            )
        )


def pigeons(count: int) -> list[OutboundMessage]:
    return [OutboundMessage(kind="pigeon", recipients=[f"loft{n}"], text="coo") for n in range(count)]


@pytest.mark.parametrize(("parallel", "most_open"), [(True, 4), (False, 1)])
def test_a_third_party_delivery_gets_several_sessions_only_if_it_says_parallel(make_desk, parallel, most_open):
    plugin = ThirdParty(parallel, expect=4 if parallel else 1)
    desk = make_desk("[outbox]\nsessions = 4\n", plugins=[plugin])
    ids = desk.outbox.enqueue(pigeons(10), actor=Actor.system("test"))
    assert deliver_all(desk) == 10
    assert plugin.most_open == most_open
    assert sorted(plugin.sent) == sorted(desk.outbox.show(i).message.message_id for i in ids)


def test_the_file_delivery_keeps_working_with_several_sessions(make_desk, tmp_path):
    folder = tmp_path / "eml"
    desk = make_desk(
        mail_config("smtp://127.0.0.1:9", f'file_dir = "{folder}"\nredirect = {{ email = "file" }}\nsessions = 8')
    )
    desk.outbox.enqueue(messages(5), actor=Actor.system("test"))
    assert deliver_all(desk) == 5
    assert len(list(folder.glob("*.eml"))) == 5
