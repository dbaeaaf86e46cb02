"""The core intake loop: commit before ack, quarantine, retry, storage errors leave mail at the source."""

from __future__ import annotations

import datetime as dt
import json

import pytest

import deskframe
from deskframe import ChannelType, InboundMessage
from deskframe.errors import StorageError
from deskframe.intake.polling import build_channel, poll
from deskframe.model import Unparseable

NOW = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.timezone.utc)


def parse_line(raw: bytes, table: dict) -> InboundMessage:
    """The test channel's 'format': 'external-id|sender|subject|text'."""
    text = raw.decode("utf-8")
    ext, sender, subject, body = text.split("|", 3)
    if subject == "BROKEN":
        raise ValueError("still broken")
    return InboundMessage(
        channel=table["name"], external_id=ext, received_at=NOW, sender=sender, subject=subject, text=body, raw=raw
    )


class ListChannel:
    """A channel over an in-memory mailbox: items stay until acknowledged."""

    def __init__(self, table, desk):
        self.name = table["name"]
        self.table = table
        self.desk = desk
        self.mailbox: list[bytes] = list(table.get("_mailbox", []))
        self.acked: list[str] = []
        self.committed_at_ack: list[bool] = []

    def fetch(self):
        for raw in list(self.mailbox):
            try:
                yield parse_line(raw, self.table)
            except ValueError as exc:
                yield Unparseable(self.name, raw.decode().split("|")[0], raw, f"parse error: {exc}")

    def ack(self, message, result):
        if result is not None:  # the ticket must already be committed when we are told
            self.committed_at_ack.append(bool(self.desk.tickets.get(result.ticket).articles))
        self.acked.append(message.external_id)
        self.mailbox = [r for r in self.mailbox if not r.decode().startswith(message.external_id + "|")]


class ListChannelPlugin:
    """Registers the 'list' channel type; ``fixed`` stands for a deployed parser fix."""

    def __init__(self):
        self.fixed = False

    def parse(self, raw, table):
        if self.fixed:
            raw = raw.replace(b"BROKEN", b"Recovered")
        return parse_line(raw, table)

    @deskframe.hookimpl
    def register_channel_types(self, register):
        register(ChannelType("list", build=ListChannel, parse=self.parse))


CONFIG = '[[channels]]\nname = "box"\ntype = "list"\n'


@pytest.fixture
def plugin():
    return ListChannelPlugin()


@pytest.fixture
def box_desk(make_desk, plugin):
    return make_desk(CONFIG, plugins=[plugin])


def channel_with(desk, *lines):
    channel = build_channel(desk, "box")
    channel.mailbox = [line.encode() for line in lines]
    return channel


def test_poll_commits_then_acks_and_quarantines_unparseable(box_desk):
    channel = channel_with(
        box_desk, "a|ivan@acme.example|Hello|first", "b|x@y.example|BROKEN|zzz", "c|ivan@acme.example|Other|second"
    )
    report = poll(box_desk, channel)
    assert (report.fetched, report.created, report.quarantined) == (3, 2, 1)
    assert channel.acked == ["a", "b", "c"] and channel.mailbox == []
    assert channel.committed_at_ack == [True, True]
    with box_desk.store.read() as repo:
        held = repo.quarantine_items("held")
    assert [(h["external_id"], h["reason"]) for h in held] == [("b", "parse error: still broken")]
    assert box_desk.blobs.get(held[0]["raw_sha256"]) == b"b|x@y.example|BROKEN|zzz"


def test_refetch_after_crash_before_ack_is_deduplicated(box_desk):
    channel = channel_with(box_desk, "a|ivan@acme.example|Hello|first")
    box_desk.intake.receive(next(iter(channel.fetch())))  # stored, then "crashed" before ack
    report = poll(box_desk, channel)
    assert (report.created, report.duplicates) == (0, 1)
    assert len(box_desk.tickets.list()) == 1


def test_storage_error_leaves_message_at_source(box_desk, monkeypatch):
    channel = channel_with(box_desk, "a|ivan@acme.example|Hello|first")

    def broken(message):
        raise StorageError("database is locked")

    monkeypatch.setattr(box_desk.intake, "receive", broken)
    monkeypatch.setattr(box_desk.intake, "receive_many", broken)
    report = poll(box_desk, channel)
    assert report.stopped and channel.acked == [] and len(channel.mailbox) == 1


def test_quarantine_cli_list_show_retry_drop(box_desk, cli):
    channel = channel_with(box_desk, "b|x@y.example|BROKEN|zzz", "d|x@y.example|BROKEN|again")
    poll(box_desk, channel)
    run = cli(box_desk)
    listed = run("intake", "quarantine", "list", "--format", "json")
    assert listed.exit_code == 0, listed.output
    items = json.loads(listed.output)
    assert [i["external_id"] for i in items] == ["b", "d"]
    shown = run("intake", "quarantine", "show", str(items[0]["id"]))
    assert "parse error" in shown.output and "BROKEN" in shown.output
    failed = run("intake", "quarantine", "retry", str(items[0]["id"]))
    assert failed.exit_code == 1 and "still broken" in failed.output
    dropped = run("intake", "quarantine", "drop", str(items[1]["id"]))
    assert dropped.exit_code == 0
    remaining = json.loads(run("intake", "quarantine", "list", "--format", "json").output)
    assert [i["external_id"] for i in remaining] == ["b"]
    assert remaining[0]["attempts"] == 2


def test_retry_takes_message_in_after_parser_fix(box_desk, plugin, cli):
    channel = channel_with(box_desk, "b|x@y.example|BROKEN|zzz")
    poll(box_desk, channel)
    item = json.loads(cli(box_desk)("intake", "quarantine", "list", "--format", "json").output)[0]
    plugin.fixed = True
    result = cli(box_desk)("intake", "quarantine", "retry", str(item["id"]))
    assert result.exit_code == 0, result.output
    number = result.output.split()[-1]
    assert box_desk.tickets.get(number).subject == "Recovered"
    retried = json.loads(
        cli(box_desk)("intake", "quarantine", "list", "--status", "retried", "--format", "json").output
    )
    assert retried[0]["ticket"] == number


def test_intake_run_once_over_cli(box_desk, cli):
    result = cli(box_desk)("intake", "run", "--once", "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)[0]["channel"] == "box"


def test_a_message_that_cannot_be_stored_spoils_only_itself(box_desk, monkeypatch):
    channel = channel_with(
        box_desk, "a|ivan@acme.example|Hello|first", "b|x@y.example|Other|second", "c|z@y.example|Third|third"
    )
    real = box_desk.intake.receive

    def picky(message):
        if message.external_id == "b":
            from deskframe.errors import DomainError

            raise DomainError("refused")
        return real(message)

    def picky_many(messages):
        if any(m.external_id == "b" for m in messages):
            from deskframe.errors import DomainError

            raise DomainError("refused")  # the whole batch rolls back
        return [real(m) for m in messages]

    monkeypatch.setattr(box_desk.intake, "receive", picky)
    monkeypatch.setattr(box_desk.intake, "receive_many", picky_many)
    report = poll(box_desk, channel, batch=3)
    assert (report.created, report.quarantined) == (2, 1)
    assert channel.acked == ["a", "b", "c"]


def test_batches_are_committed_before_their_messages_are_acked(box_desk):
    lines = [f"m{i}|ivan@acme.example|Subject {i}|body {i}" for i in range(7)]
    channel = channel_with(box_desk, *lines)
    report = poll(box_desk, channel, batch=3)
    assert report.created == 7 and channel.committed_at_ack == [True] * 7


def test_cursor_update_is_atomic_read_modify_write(box_desk):
    import threading

    cursors = box_desk.cursors

    def bump(current):
        value = int(current or "0") + 1
        return str(value), value

    threads = [threading.Thread(target=lambda: [cursors.update("box", "n", bump) for _ in range(20)]) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert cursors.get("box", "n") == "80"
    assert cursors.update("box", "n", lambda current: (None, current)) == "80"  # None keeps the value
    cursors.delete("box", "n")
    assert cursors.get("box", "n") is None


# --- an unreachable source; the long-running loop's schedule -----------------------------------


class FlakyChannel(ListChannel):
    """Yields ``fail_after`` messages, then its server 'goes away'."""

    batch_size = 50

    def __init__(self, table, desk, fail_after=2):
        super().__init__(table, desk)
        self.fail_after = fail_after

    def fetch(self):
        from deskframe.errors import ChannelUnavailable

        for index, message in enumerate(super().fetch()):
            if index == self.fail_after:
                raise ChannelUnavailable("imap.example.com: connection refused")
            yield message


def test_an_unreachable_source_stops_its_poll_keeping_what_was_fetched(box_desk):
    channel = FlakyChannel({"name": "box"}, box_desk)
    channel.mailbox = [f"f{i}|ivan@acme.example|Subject {i}|body".encode() for i in range(5)]
    report = poll(box_desk, channel)
    assert report.stopped == "imap.example.com: connection refused"
    assert (report.fetched, report.created) == (2, 2)
    assert channel.acked == ["f0", "f1"] and len(channel.mailbox) == 3  # the rest waits at the source
    channel.fail_after = 99
    again = poll(box_desk, channel)
    assert again.stopped is None and again.created == 3 and channel.mailbox == []


def test_run_forever_polls_each_channel_at_its_own_interval_and_survives_an_outage(box_desk):
    from deskframe.intake.polling import run_forever

    fast = FlakyChannel({"name": "fast"}, box_desk, fail_after=0)  # unreachable at first
    fast.poll_interval = 60
    fast.mailbox = [b"x1|ivan@acme.example|Back|body"]
    slow = ListChannel({"name": "slow"}, box_desk)
    slow.mailbox = [b"s1|ivan@acme.example|Slow|body"]
    now = [0.0]
    polls = []

    def on_report(report):
        polls.append((now[0], report.channel, report.fetched, bool(report.stopped)))
        if len(polls) == 3:
            fast.fail_after = 99  # the server is back

    run_forever(
        box_desk,
        [fast, slow],
        600,
        on_report,
        sleep=lambda s: now.__setitem__(0, now[0] + s),
        clock=lambda: now[0],
        rounds=14,
    )
    assert polls[:4] == [
        (0.0, "fast", 0, True),
        (0.0, "slow", 1, False),
        (60.0, "fast", 0, True),
        (120.0, "fast", 1, False),
    ]
    assert [t for t, name, *_ in polls if name == "slow"] == [0.0, 600.0]
    assert [t for t, name, *_ in polls if name == "fast"] == [60.0 * i for i in range(12)]


def test_intake_run_once_goes_on_after_an_unreachable_channel(make_desk, cli, tmp_path):
    config = (
        CONFIG.replace('"box"', '"good"') + '\n[[channels]]\nname = "gone"\ntype = "email"\n'
        f'source = "maildir:{tmp_path / "missing"}"\naddress = "support@desk.example"\n'
    )
    plugin = ListChannelPlugin()
    desk = make_desk(config, plugins=[plugin])
    result = cli(desk)("intake", "run", "--once", "--format", "json", "--channel", "gone", "--channel", "good")
    assert result.exit_code == 1, result.output
    reports = {r["channel"]: r for r in json.loads(result.output)}
    assert "is not a Maildir" in reports["gone"]["stopped"] and reports["good"]["stopped"] is None
