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


def poll(desk: "Desk", channel: Channel) -> PollReport:
    """Fetch everything the channel has now; store, then acknowledge each message."""
    report = PollReport(channel.name)
    for item in channel.fetch():
        report.fetched += 1
        if isinstance(item, Unparseable):
            quarantine(desk, item.channel, item.external_id, item.raw, item.reason)
            report.quarantined += 1
            channel.ack(item, None)  # type: ignore[arg-type]
            continue
        try:
            result = desk.intake(item)
        except StorageError as exc:
            # the database is unwell: leave the message at its source for the next poll
            report.stopped = str(exc)
            log.error("channel %s: storage error, stopping this poll: %s", channel.name, exc)
            break
        except DeskframeError as exc:
            quarantine(desk, item.channel, item.external_id, item.raw, f"cannot store: {exc}")
            report.quarantined += 1
            channel.ack(item, None)  # type: ignore[arg-type]
            continue
        if result.duplicate:
            report.duplicates += 1
        elif result.created:
            report.created += 1
        else:
            report.appended += 1
        channel.ack(item, result)
    return report


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
