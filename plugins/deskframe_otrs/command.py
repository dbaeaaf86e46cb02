"""``deskframe import otrs``: the click command and its summary."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import click

from deskframe.cli import FORMAT_OPTION, emit_one, pass_desk
from deskframe.errors import ConfigError
from deskframe.foreign import ForeignDatabase

from . import options as opts_mod
from .importer import OtrsImport
from .report import Summary

SLA_FILE = "otrs-sla-suggestions.toml"
SHOWN = 50


def parse_since(text: str, zone: ZoneInfo) -> dt.datetime:
    """``2026-10-01`` or ``2026-10-01 18:30[:00]`` (or ISO with an offset) -> aware datetime."""
    try:
        value = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise click.BadParameter(
            f"{text!r} is not a date (YYYY-MM-DD or 'YYYY-MM-DD HH:MM')", param_hint="--since"
        ) from None
    return value if value.tzinfo else value.replace(tzinfo=zone)


class Progress:
    """A progress bar on stderr when it is a terminal; silent otherwise."""

    def __init__(self, enabled: bool):
        self.enabled = enabled
        self.bar: Any = None

    def total(self, n: int) -> None:
        if self.enabled and n:
            self.bar = click.progressbar(
                length=n, label="Importing tickets", file=sys.stderr, show_pos=True, show_eta=True
            )
            self.bar.__enter__()

    def step(self, n: int) -> None:
        if self.bar is not None:
            self.bar.update(n)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


def _line(kind: str, counter: Any) -> str:
    return (
        f"  {kind + ':':<14}{counter.get('created', 0)} created, {counter.get('updated', 0)} updated, "
        f"{counter.get('unchanged', 0)} unchanged"
    )


def render(summary: Summary, settings: Any) -> str:
    c = summary.counts
    verb = "Would import" if summary.dry_run else "Imported"
    lines = [f"{verb} from {summary.source} ({summary.layout})"]
    if summary.dry_run:
        lines.append("  dry run: nothing was written")
    if summary.since:
        lines.append(f"  tickets changed since {summary.since.isoformat(' ')}")
    elif summary.resumed_after:
        lines.append(f"  continuing after OTRS ticket id {summary.resumed_after} (imported by earlier runs)")
    for kind in ("customers", "contacts", "agents", "queues"):
        lines.append(_line(kind, summary.directory[kind]))
    known = f", {summary.tickets_known} already imported" if summary.dry_run else ""
    lines += [
        f"  {'tickets:':<14}{summary.tickets_seen} read, {c.tickets} new, {c.tickets_updated} updated{known}",
        f"  {'articles:':<14}{c.articles}",
        f"  {'attachments:':<14}{c.attachments}",
        f"  {'history:':<14}{c.history}",
        f"  {'time entries:':<14}{c.time_entries} ({c.minutes} minutes)",
    ]
    for title, rows, total in (
        ("Skipped rows", summary.report.skipped, summary.report.skipped_total),
        ("Imported with repairs", summary.report.warnings, summary.report.warnings_total),
    ):
        if not total:
            continue
        lines.append(f"{title} ({total}):")
        lines += [f"  {kind} {ident}: {reason}" for kind, ident, reason in rows[:SHOWN]]
        if total > SHOWN:
            lines.append(f"  ... and {total - SHOWN} more (--format json lists the first {len(rows)})")
    if summary.unthreaded:
        sid = f"; the OTRS SystemID is {summary.system_id}" if summary.system_id else ""
        lines.append(
            f"Note: {summary.unthreaded} ticket number(s) (e.g. {summary.unthreaded_example}) do not fit "
            f"[tickets] number_layout = {settings.number_layout!r}, system_id = {settings.system_id!r}{sid}: "
            "replies quoting them in the subject thread only through their Message-ID references."
        )
    if summary.sla_path:
        lines.append(f"SLA policy suggestions ({summary.sla_policies}): {summary.sla_path}")
    total = summary.report.implausible_total
    if total:  # last, where it is seen: time that would be billed or reported as it is
        lines.append(f"Implausible time ({total}): imported as OTRS has it; check these entries")
        lines += [
            f"  time_accounting {ident} (ticket {ticket or '?'}): {units} units = {minutes} minutes: {reason}"
            for ident, ticket, units, minutes, reason in summary.report.implausible[:SHOWN]
        ]
        if total > SHOWN:
            lines.append(
                f"  ... and {total - SHOWN} more (--format json lists the first {len(summary.report.implausible)})"
            )
    return "\n".join(lines)


@click.command("otrs")
@click.option(
    "--source",
    required=True,
    envvar="DESKFRAME_OTRS_SOURCE",
    metavar="URL",
    help="SQLAlchemy URL of the OTRS/Znuny database: postgresql://user:pw@host/otrs or "
    "mysql://user:pw@host/otrs (env DESKFRAME_OTRS_SOURCE).",
)
@click.option("--dry-run", is_flag=True, help="Read and map everything, write nothing; report what would change.")
@click.option(
    "--since",
    metavar="DATE",
    help="Only tickets changed since DATE ('YYYY-MM-DD[ HH:MM]', source "
    "time zone): the final delta before switching over.",
)
@click.option("--batch", type=click.IntRange(1, 10_000), help="Tickets per transaction (default 100).")
@click.option("--unit-minutes", metavar="N", help="Minutes per OTRS time unit (default 1).")
@click.option(
    "--already-billed/--not-billed",
    default=None,
    help="Mark imported time as billed in OTRS, never invoiced here (default), or leave it billable.",
)
@click.option("--source-timezone", metavar="ZONE", help="Time zone of OTRS's stored times (default UTC).")
@click.option("--article-dir", type=click.Path(file_okay=False), help="OTRS var/article directory (ArticleStorageFS).")
@click.option(
    "--sla-out", metavar="FILE", help=f"Where to write SLA suggestions (default DATA_DIR/{SLA_FILE}; '-' prints them)."
)
@FORMAT_OPTION
@pass_desk
def otrs_command(
    desk: Any,
    source: str,
    dry_run: bool,
    since: str | None,
    batch: int | None,
    unit_minutes: str | None,
    already_billed: bool | None,
    source_timezone: str | None,
    article_dir: str | None,
    sla_out: str | None,
    fmt: str,
) -> None:
    """Import an OTRS / Znuny database: directory, tickets, articles, history, time.

    Resumable (run it again after an interruption) and idempotent (a second run adds
    nothing). Settings: [import.otrs] in deskframe.toml; flags override them.
    """
    options = opts_mod.from_config(desk.config)
    changes: dict[str, Any] = {}
    if batch is not None:
        changes["batch"] = batch
    if unit_minutes is not None:
        changes["unit_minutes"] = opts_mod.parse_unit_minutes(unit_minutes, "--unit-minutes")
    if already_billed is not None:
        changes["already_billed"] = already_billed
    if source_timezone is not None:
        changes["source_timezone"] = opts_mod.check_timezone(source_timezone, "--source-timezone")
    if article_dir is not None:
        changes["article_dir"] = article_dir
    options = attrs.evolve(options, **changes)
    when = parse_since(since, ZoneInfo(options.source_timezone)) if since else None
    if options.article_dir and not Path(options.article_dir).is_dir():
        raise ConfigError(f"not a directory: {options.article_dir}", key="--article-dir")

    db = ForeignDatabase(source)
    progress = Progress(enabled=sys.stderr.isatty())
    try:
        run = OtrsImport(
            desk, db, options, dry_run=dry_run, since=when, progress=progress.step, progress_total=progress.total
        )
        try:
            summary = run.run()
        finally:
            progress.close()
    finally:
        db.close()

    if sla_out == "-":
        pass
    elif sla_out or not dry_run:
        path = Path(sla_out) if sla_out else Path(desk.config.data_dir) / SLA_FILE
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(summary.sla_text or "", encoding="utf-8")
        summary.sla_path = str(path)
    data = summary.as_dict()
    if sla_out == "-":
        data["sla_toml"] = summary.sla_text
    emit_one(data, fmt, render(summary, desk.settings))
    if sla_out == "-" and fmt != "json":
        click.echo("")
        click.echo(summary.sla_text or "", nl=False)
