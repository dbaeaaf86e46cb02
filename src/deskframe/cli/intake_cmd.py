"""``deskframe intake run`` and ``deskframe intake quarantine list|show|retry|drop``."""

from __future__ import annotations

import datetime as dt
import json
import sys
from typing import Any

import click

from .. import serialize
from ..intake import polling
from ..progress import progress
from ..text import clean_line
from .context import pass_desk
from .output import FORMAT_OPTION, ROW_ID, desk_zone, emit, emit_one, local_time, safe_json


@click.group("intake")
def intake_group() -> None:
    """Poll intake channels; inspect and retry quarantined messages."""


@intake_group.command("run")
@click.option("--once", is_flag=True, help="Poll every channel once, then exit.")
@click.option("--channel", "names", multiple=True, help="Only this channel (repeatable).")
@click.option(
    "--interval",
    type=click.IntRange(1, 7 * 24 * 3600),
    default=600,
    show_default=True,
    help="Seconds between polls of a channel that sets no interval of its own (when not --once).",
)
@FORMAT_OPTION
@pass_desk
def intake_run(desk: Any, once: bool, names: tuple[str, ...], interval: int, fmt: str) -> None:
    """Fetch new messages from the configured channels and turn them into tickets.

    Without --once it runs until stopped: each channel is polled at its own
    interval, and a channel whose source is unreachable is reported and tried
    again at its next turn while the others go on. A channel is polled under the
    same lock as a worker's poll of it: one a worker is polling is skipped.
    """
    wanted = list(names) or [t["name"] for t in desk.config.channels]
    if not wanted:
        click.echo("No channels configured ([[channels]] in the config).", err=True)
        return
    channels = [polling.build_channel(desk, name) for name in wanted]
    if once:
        reports = []
        for channel in channels:
            with progress(f"{channel.name}: messages") as advance:
                report = polling.poll_claimed(desk, channel, advance=advance)
            if report is None:  # a worker (or another intake run) is polling it now: not twice at once
                if fmt != "json":
                    click.echo(f"{channel.name}: skipped, another process is polling it", err=True)
                reports.append({"channel": channel.name, "skipped": "another process is polling it"})
                continue
            _show(report, fmt)
            reports.append(report.as_dict())
        if fmt == "json":
            click.echo(safe_json(serialize.dumps(reports)))
        if any(r.get("stopped") for r in reports):
            sys.exit(1)
        return
    polling.run_forever(desk, channels, interval, lambda report: _show(report, fmt, lines=True))


def _show(report: Any, fmt: str, lines: bool = False) -> None:
    if fmt == "json":
        if lines:  # a long-running loop: one JSON object per poll, as it happens
            click.echo(safe_json(json.dumps(report.as_dict(), ensure_ascii=False)))
        return
    click.echo(
        clean_line(
            f"{report.channel}: fetched {report.fetched}, new tickets {report.created}, "
            f"follow-ups {report.appended}, duplicates {report.duplicates}, "
            f"quarantined {report.quarantined}" + (f", stopped: {report.stopped}" if report.stopped else "")
        )
    )


@intake_group.group("quarantine")
def quarantine_group() -> None:
    """Messages kept raw because they could not be parsed or stored."""


@quarantine_group.command("list")
@click.option("--status", type=click.Choice(["held", "retried", "dropped", "all"]), default="held", show_default=True)
@click.option("--channel")
@FORMAT_OPTION
@pass_desk
def quarantine_list(desk: Any, status: str, channel: str | None, fmt: str) -> None:
    """List quarantined messages."""
    with desk.store.read() as repo:
        rows = repo.quarantine_items(None if status == "all" else status, channel)
    emit(
        rows, ("id", "channel", "status", "size", "attempts", "created_at", "reason"), fmt, empty="Quarantine is empty."
    )


@quarantine_group.command("show")
@click.argument("item_id", type=ROW_ID)
@click.option("--raw", is_flag=True, help="Write the raw message bytes to stdout.")
@FORMAT_OPTION
@pass_desk
def quarantine_show(desk: Any, item_id: int, raw: bool, fmt: str) -> None:
    """Show one quarantined message (its reason and raw source)."""
    with desk.store.read() as repo:
        item = repo.quarantine_item(item_id)
    data = desk.blobs.get(item["raw_sha256"]) if item["raw_sha256"] else b""
    if raw:
        sys.stdout.buffer.write(data)
        return
    preview = data[:2000].decode("utf-8", "replace")
    zone = desk_zone()
    text = (
        "\n".join(f"{k}: {local_time(v, zone) if isinstance(v, dt.datetime) else v}" for k, v in item.items())
        + "\n\n"
        + preview
    )
    emit_one(item, fmt, text)


@quarantine_group.command("retry")
@click.argument("item_ids", type=ROW_ID, nargs=-1, required=True)
@pass_desk
def quarantine_retry(desk: Any, item_ids: tuple[int, ...]) -> None:
    """Parse quarantined messages again and take them in."""
    for item_id in item_ids:
        item = polling.retry(desk, item_id)
        click.echo(f"{item_id}: taken in as ticket {item['ticket']}")


@quarantine_group.command("drop")
@click.argument("item_ids", type=ROW_ID, nargs=-1, required=True)
@pass_desk
def quarantine_drop(desk: Any, item_ids: tuple[int, ...]) -> None:
    """Give up on quarantined messages (their raw bytes are kept)."""
    for item_id in item_ids:
        polling.drop(desk, item_id)
        click.echo(f"{item_id}: dropped")
