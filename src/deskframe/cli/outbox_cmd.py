"""``deskframe outbox list|show|retry|deliver``: the outgoing messages (docs/outbox.md)."""

from __future__ import annotations

import datetime as dt
import os
import socket
from typing import Any

import click

from ..outbound import STATES, OutboxEntry
from .context import actor_for, fail, pass_desk
from .output import FORMAT_OPTION, ROW_ID, desk_zone, emit, emit_one, local_time


@click.group("outbox")
def outbox_group() -> None:
    """Outgoing messages: list, show, retry failed ones, deliver due ones."""


def _row(entry: OutboxEntry) -> dict[str, Any]:
    message = entry.message
    return {
        "id": entry.id,
        "state": entry.state,
        "kind": message.kind,
        "topic": message.topic,
        "ticket": message.ticket,
        "recipients": list(message.recipients),
        "subject": message.subject,
        "message_id": message.message_id,
        "attempts": entry.attempts,
        "enqueued_at": entry.enqueued_at,
        "next_attempt_at": entry.next_attempt_at if entry.state == "queued" else None,
        "sent_at": entry.sent_at,
        "last_error": entry.last_error,
    }


def _detail(entry: OutboxEntry) -> dict[str, Any]:
    message = entry.message
    return {
        **_row(entry),
        "sender": message.sender,
        "channel": message.channel,
        "article_id": message.article_id,
        "dedupe_key": message.dedupe_key,
        "headers": [list(pair) for pair in message.headers],
        "attachments": [
            {"sha256": a.sha256, "filename": a.filename, "content_type": a.content_type} for a in message.attachments
        ],
        "claimed_by": entry.claimed_by,
        "lease_until": entry.lease_until,
        "text": message.text,
        "html": message.html,
    }


@outbox_group.command("list")
@click.option("--state", type=click.Choice(STATES), help="Only messages in this state.")
@click.option("--ticket", help="Only the messages of this ticket.")
@click.option("--limit", type=click.IntRange(1, 100_000), default=100, show_default=True, help="At most this many.")
@FORMAT_OPTION
@pass_desk
def outbox_list(desk: Any, state: str | None, ticket: str | None, limit: int, fmt: str) -> None:
    """List outgoing messages, newest first."""
    entries = desk.outbox.list(state, ticket=ticket, limit=limit, actor=actor_for())
    rows = [_row(e) for e in entries]
    if fmt != "json":
        for row in rows:
            row["recipients"] = ", ".join(row["recipients"])
    emit(
        rows,
        ("id", "state", "kind", "topic", "ticket", "recipients", "subject", "attempts", "enqueued_at", "last_error"),
        fmt,
        empty="The outbox is empty." if state is None else f"No {state} messages.",
    )


@outbox_group.command("show")
@click.argument("entry_id", type=ROW_ID)
@FORMAT_OPTION
@pass_desk
def outbox_show(desk: Any, entry_id: int, fmt: str) -> None:
    """Show one outgoing message: its state, attempts, headers and body."""
    data = _detail(desk.outbox.show(entry_id, actor=actor_for()))
    zone = desk_zone()
    head = {k: v for k, v in data.items() if k not in ("text", "html")}
    lines = []
    for key, value in head.items():
        if isinstance(value, dt.datetime):
            value = local_time(value, zone)
        elif isinstance(value, list):
            value = ", ".join(": ".join(v) if isinstance(v, list) else str(v) for v in value)
        lines.append(f"{key}: {'' if value is None else value}")
    emit_one(data, fmt, "\n".join(lines) + "\n\n" + (data["text"] or ""))


@outbox_group.command("retry")
@click.argument("entry_id", type=ROW_ID, required=False)
@click.option("--failed", "all_failed", is_flag=True, help="Queue every failed message again.")
@pass_desk
def outbox_retry(desk: Any, entry_id: int | None, all_failed: bool) -> None:
    """Queue a failed message (ID) or every failed one (--failed) again; the same message is sent."""
    if (entry_id is None) == (not all_failed):
        fail("give a message ID or --failed (not both)", 2)
    if all_failed:
        count = desk.outbox.retry_failed(actor=actor_for())
        click.echo(f"{count} failed message(s) queued again")
        return
    assert entry_id is not None
    entry = desk.outbox.retry(entry_id, actor=actor_for())
    click.echo(f"{entry.id}: queued again ({entry.message.message_id})")


@outbox_group.command("deliver")
@click.option("--limit", type=click.IntRange(1, 100_000), default=100, show_default=True, help="Claim at most N.")
@FORMAT_OPTION
@pass_desk
def outbox_deliver(desk: Any, limit: int, fmt: str) -> None:
    """Deliver the messages that are due, once (for cron and tests; `deskframe worker` does it all the time)."""
    report = desk.outbox.deliver_pass(f"cli:{socket.gethostname()}:{os.getpid()}", limit=limit)
    data = {
        "claimed": report.claimed,
        "sent": report.sent,
        "retrying": report.retrying,
        "failed": report.failed,
        "released": report.released,
    }
    text = f"claimed {report.claimed}: sent {report.sent}, retrying {report.retrying}, failed {report.failed}"
    emit_one(data, fmt, text)
