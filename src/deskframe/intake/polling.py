"""Polling channels: fetch -> intake (commit) -> ack, and the quarantine.

The order is the reliability guarantee: a message is acknowledged (deleted,
moved or flagged at its source) only after its ticket change has committed. A
crash in between means it is fetched again and deduplicated, never lost. A
message that cannot be parsed or stored is kept raw in quarantine with the
reason, acknowledged, and the loop goes on.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import attrs

from ..errors import BadValue, ChannelUnavailable, ConfigError, DeskframeError, DomainError, NotFound, StorageError
from ..extensions import Channel, ChannelType
from ..model import InboundMessage, Unparseable

if TYPE_CHECKING:
    from ..desk import Desk

log = logging.getLogger("deskframe.intake")


@attrs.define
class PollReport:
    """What one poll of one channel did."""

    channel: str
    fetched: int = 0
    created: int = 0
    appended: int = 0
    duplicates: int = 0
    quarantined: int = 0
    stopped: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return attrs.asdict(self)


def build_channel(desk: Desk, name: str) -> Channel:
    """Instantiate the configured channel ``name`` through its registered type."""
    table = desk.config.channel(name)
    if table is None:
        known = ", ".join(t["name"] for t in desk.config.channels) or "none configured"
        raise NotFound(f"unknown channel '{name}' (configured: {known})")
    ctype: ChannelType | None = desk.plugins.registry.get("channel_types", table["type"])
    if ctype is None:  # the config checks types when it loads; a registry changed since is a bug, said plainly
        raise NotFound(f"channel '{name}' has unknown type '{table['type']}'")
    try:
        return ctype.build(table, desk)
    except ConfigError as exc:
        index = desk.config.channels.index(table)
        raise exc.within(file=desk.config.label, prefix=f"channels[{index}]") from None


def quarantine(desk: Desk, channel: str, external_id: str, raw: bytes | None, reason: str) -> int:
    """Keep ``raw`` (in the blob store, no size limit) with ``reason``; returns the item id."""
    digest = desk.blobs.put(raw, limit=False) if raw else None
    with desk.store.write() as repo:
        return repo.quarantine(channel, external_id or (digest or "?"), reason, digest, len(raw or b""))


def poll(
    desk: Desk,
    channel: Channel,
    batch: int | None = None,
    advance: Callable[[int], None] | None = None,
    *,
    should_stop: Callable[[], bool] | None = None,
) -> PollReport:
    """Fetch everything the channel has now; store, then acknowledge each message.

    A channel whose ``batch_size`` attribute is above 1 has its messages stored that
    many per transaction: it promises that ``ack`` still works after its ``fetch``
    iterator is exhausted (until the next ``fetch``). Others commit one by one.
    A :class:`~deskframe.errors.ChannelUnavailable` from the channel ends this poll
    with ``stopped`` set (what was stored stays stored; the rest stays at the
    source). ``advance(n)`` is told how many messages each step handled.
    ``should_stop()`` is asked after each stored step: when it answers True the poll
    ends there (what was stored is acknowledged, the rest stays at the source for
    the next poll) - how a worker asked to shut down finishes its current unit.
    """
    batch = batch or max(1, int(getattr(channel, "batch_size", 1)))
    report = PollReport(channel.name)
    pending: list[InboundMessage] = []
    step = advance or (lambda n: None)
    try:
        for item in channel.fetch():
            report.fetched += 1
            if isinstance(item, Unparseable):
                if not _flush(desk, channel, pending, report):
                    return report
                quarantine(desk, item.channel, item.external_id, item.raw, item.reason)
                report.quarantined += 1
                channel.ack(item, None)  # type: ignore[arg-type]
                step(1)
                continue
            pending.append(item)
            if len(pending) >= batch:
                count = len(pending)
                if not _flush(desk, channel, pending, report):
                    return report
                step(count)
                if should_stop is not None and should_stop():
                    return report
    except ChannelUnavailable as exc:
        _stop(channel, report, exc, what="channel unavailable")
        if pending:
            _flush_quietly(desk, channel, pending, report)
        return report
    count = len(pending)
    try:
        if _flush(desk, channel, pending, report):
            step(count)
    except ChannelUnavailable as exc:
        _stop(channel, report, exc, what="channel unavailable")
    return report


def _flush_quietly(desk: Desk, channel: Channel, pending: list[InboundMessage], report: PollReport) -> None:
    """Store what was fetched before the source failed (its acks may fail too: then it is fetched again)."""
    with contextlib.suppress(ChannelUnavailable):
        _flush(desk, channel, pending, report)


def claim_name(channel_name: str) -> str:
    """The unit lock a channel's poll runs under, in ``deskframe worker`` and ``intake run`` alike."""
    return f"intake:{channel_name}"


def poll_claimed(desk: Desk, channel: Channel, **kwargs: Any) -> PollReport | None:
    """:func:`poll` under the channel's unit lock (an advisory lock on PostgreSQL, a lock file on
    SQLite); ``None`` without polling if another process (a worker) holds it."""
    with desk.store.locks.hold(claim_name(channel.name)) as got:
        if not got:
            return None
        return poll(desk, channel, **kwargs)


def run_forever(
    desk: Desk,
    channels: list[Channel],
    default_interval: float,
    on_report: Callable[[PollReport], None],
    *,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
    rounds: int | None = None,
) -> None:
    """Poll every channel at its own interval (its ``poll_interval`` in seconds, else
    ``default_interval``), sleeping until the next one is due; a channel that is
    unavailable is reported and polled again at its next turn. Each poll holds the channel's
    unit lock (:func:`poll_claimed`): a channel a worker is polling is left to it at that turn. ``rounds`` ends the
    loop after that many polls in all (for tests)."""
    due = {id(channel): clock() for channel in channels}
    done = 0
    while rounds is None or done < rounds:
        now = clock()
        channel = min(channels, key=lambda c: due[id(c)])
        wait = due[id(channel)] - now
        if wait > 0:
            sleep(wait)
            continue
        report = poll_claimed(desk, channel)
        if report is not None:
            on_report(report)
        done += 1
        every = getattr(channel, "poll_interval", None) or default_interval
        due[id(channel)] = max(due[id(channel)] + every, clock())


def _flush(desk: Desk, channel: Channel, pending: list[InboundMessage], report: PollReport) -> bool:
    """Store ``pending`` (one transaction), then ack each; False if storage failed (stop polling)."""
    if not pending:
        return True
    batch, pending[:] = list(pending), []
    if len(batch) == 1:
        return _one(desk, channel, batch[0], report)
    try:
        results = desk.intake.receive_many(batch)
    except StorageError as exc:
        return _stop(channel, report, exc)
    except DeskframeError:
        # one message spoils the batch: take them one at a time, quarantining the bad one
        return all(_one(desk, channel, message, report) for message in batch)
    for message, result in zip(batch, results):
        _count(report, result)
        channel.ack(message, result)
    return True


def _one(desk: Desk, channel: Channel, message: InboundMessage, report: PollReport) -> bool:
    try:
        result = desk.intake.receive(message)
    except StorageError as exc:
        return _stop(channel, report, exc)
    except DeskframeError as exc:
        quarantine(desk, message.channel, message.external_id, message.raw, f"cannot store: {exc}")
        report.quarantined += 1
        channel.ack(message, None)  # type: ignore[arg-type]
        return True
    _count(report, result)
    channel.ack(message, result)
    return True


def _stop(channel: Channel, report: PollReport, exc: Exception, what: str = "storage error") -> bool:
    # the database (or the source) is unwell: leave the messages at their source for the next poll
    report.stopped = str(exc)
    log.error("channel %s: %s, stopping this poll: %s", channel.name, what, exc)
    return False


def _count(report: PollReport, result: Any) -> None:
    if result.duplicate:
        report.duplicates += 1
    elif result.created:
        report.created += 1
    else:
        report.appended += 1


def retry(desk: Desk, item_id: int) -> dict[str, Any]:
    """Parse a quarantined message again (after a fix) and take it in."""
    with desk.store.read() as repo:
        item = repo.quarantine_item(item_id)
    if item["status"] != "held":
        raise DomainError(f"quarantined message {item_id} is already {item['status']}")
    table = desk.config.channel(item["channel"])
    ctype = desk.plugins.registry.get("channel_types", table["type"]) if table else None
    if ctype is None or ctype.parse is None:
        raise BadValue(f"channel '{item['channel']}' cannot re-parse messages (is it still configured?)")
    raw = desk.blobs.get(item["raw_sha256"]) if item["raw_sha256"] else b""
    try:
        message: InboundMessage = ctype.parse(raw, table)
        result = desk.intake.receive(message)
    except StorageError:
        raise
    except Exception as exc:  # a parser's failure is the reason we keep it held
        with desk.store.write() as repo:
            repo.set_quarantine_status(item_id, "held", reason=f"retry failed: {type(exc).__name__}: {exc}")
        raise DomainError(f"retry of {item_id} failed: {type(exc).__name__}: {exc}") from None
    with desk.store.write() as repo:
        repo.set_quarantine_status(item_id, "retried", ticket_number=result.ticket)
        return repo.quarantine_item(item_id)


def drop(desk: Desk, item_id: int) -> None:
    """Mark a quarantined message as dropped (its raw bytes stay in the blob store)."""
    with desk.store.write() as repo:
        repo.quarantine_item(item_id)
        repo.set_quarantine_status(item_id, "dropped")
