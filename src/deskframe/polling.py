"""Polling channels: fetch -> intake (commit) -> ack, and the quarantine.

The order is the reliability guarantee: a message is acknowledged (deleted,
moved or flagged at its source) only after its ticket change has committed. A
crash in between means it is fetched again and deduplicated, never lost. A
message that cannot be parsed or stored is kept raw in quarantine with the
reason, acknowledged, and the loop goes on.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import attrs

from .errors import ConfigError, DeskframeError, DomainError, NotFound, StorageError
from .extensions import Channel
from .model import InboundMessage, Unparseable

if TYPE_CHECKING:
    from .desk import Desk

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


def build_channel(desk: "Desk", name: str) -> Channel:
    """Instantiate the configured channel ``name`` through its registered type."""
    table = desk.config.channel(name)
    if table is None:
        known = ", ".join(t["name"] for t in desk.config.channels) or "none configured"
        raise NotFound(f"unknown channel '{name}' (configured: {known})")
    ctype = desk.plugins.registry.get("channel_types", table["type"])
    try:
        return ctype.build(table, desk)
    except ConfigError as exc:
        index = desk.config.channels.index(table)
        raise exc.within(file=desk.config.label, prefix=f"channels[{index}]") from None


def quarantine(desk: "Desk", channel: str, external_id: str, raw: bytes | None, reason: str) -> int:
    """Keep ``raw`` (in the blob store, no size limit) with ``reason``; returns the item id."""
    digest = desk.blobs.put(raw, limit=False) if raw else None
    with desk.store.write() as repo:
        return repo.quarantine(channel, external_id or (digest or "?"), reason, digest, len(raw or b""))


def poll(desk: "Desk", channel: Channel, batch: int | None = None) -> PollReport:
    """Fetch everything the channel has now; store, then acknowledge each message.

    A channel whose ``batch_size`` attribute is above 1 has its messages stored that
    many per transaction: it promises that ``ack`` still works after its ``fetch``
    iterator is exhausted (until the next ``fetch``). Others commit one by one.
    """
    batch = batch or max(1, int(getattr(channel, "batch_size", 1)))
    report = PollReport(channel.name)
    pending: list[InboundMessage] = []
    for item in channel.fetch():
        report.fetched += 1
        if isinstance(item, Unparseable):
            if not _flush(desk, channel, pending, report):
                return report
            quarantine(desk, item.channel, item.external_id, item.raw, item.reason)
            report.quarantined += 1
            channel.ack(item, None)  # type: ignore[arg-type]
            continue
        pending.append(item)
        if len(pending) >= batch and not _flush(desk, channel, pending, report):
            return report
    _flush(desk, channel, pending, report)
    return report


def _flush(desk: "Desk", channel: Channel, pending: list[InboundMessage], report: PollReport) -> bool:
    """Store ``pending`` (one transaction), then ack each; False if storage failed (stop polling)."""
    if not pending:
        return True
    batch, pending[:] = list(pending), []
    if len(batch) == 1:
        return _one(desk, channel, batch[0], report)
    try:
        results = desk.intake_many(batch)
    except StorageError as exc:
        return _stop(channel, report, exc)
    except DeskframeError:
        # one message spoils the batch: take them one at a time, quarantining the bad one
        for message in batch:
            if not _one(desk, channel, message, report):
                return False
        return True
    for message, result in zip(batch, results):
        _count(report, result)
        channel.ack(message, result)
    return True


def _one(desk: "Desk", channel: Channel, message: InboundMessage, report: PollReport) -> bool:
    try:
        result = desk.intake(message)
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


def _stop(channel: Channel, report: PollReport, exc: Exception) -> bool:
    # the database is unwell: leave the messages at their source for the next poll
    report.stopped = str(exc)
    log.error("channel %s: storage error, stopping this poll: %s", channel.name, exc)
    return False


def _count(report: PollReport, result: Any) -> None:
    if result.duplicate:
        report.duplicates += 1
    elif result.created:
        report.created += 1
    else:
        report.appended += 1


def retry(desk: "Desk", item_id: int) -> dict[str, Any]:
    """Parse a quarantined message again (after a fix) and take it in."""
    with desk.store.read() as repo:
        item = repo.quarantine_item(item_id)
    if item["status"] != "held":
        raise DomainError(f"quarantined message {item_id} is already {item['status']}")
    table = desk.config.channel(item["channel"])
    ctype = desk.plugins.registry.get("channel_types", table["type"]) if table else None
    if ctype is None or ctype.parse is None:
        raise DomainError(f"channel '{item['channel']}' cannot re-parse messages (is it still configured?)")
    raw = desk.blobs.get(item["raw_sha256"]) if item["raw_sha256"] else b""
    try:
        message: InboundMessage = ctype.parse(raw, table)
        result = desk.intake(message)
    except StorageError:
        raise
    except Exception as exc:  # a parser's failure is the reason we keep it held
        with desk.store.write() as repo:
            repo.set_quarantine_status(item_id, "held", reason=f"retry failed: {type(exc).__name__}: {exc}")
        raise DomainError(f"retry of {item_id} failed: {type(exc).__name__}: {exc}") from None
    with desk.store.write() as repo:
        repo.set_quarantine_status(item_id, "retried", ticket_number=result.ticket)
        return repo.quarantine_item(item_id)


def drop(desk: "Desk", item_id: int) -> None:
    """Mark a quarantined message as dropped (its raw bytes stay in the blob store)."""
    with desk.store.write() as repo:
        repo.quarantine_item(item_id)
        repo.set_quarantine_status(item_id, "dropped")
