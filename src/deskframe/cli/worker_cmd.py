"""``deskframe worker``: intake polling, SLA checks, outbox delivery and scheduled jobs in one process."""

from __future__ import annotations

import sys
from typing import Any
from zoneinfo import ZoneInfo

import click

from ..errors import StorageError
from .context import pass_desk


@click.command("worker")
@click.option("--once", is_flag=True, help="Run each job once, then exit (for cron).")
@click.option(
    "--jobs",
    "wanted",
    metavar="NAMES",
    help="Only these jobs, comma-separated: intake, sla, outbox and the plugins' scheduled jobs (default: all).",
)
@click.option(
    "--log-format",
    "log_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="A line per job run, or one JSON object per line (journald).",
)
@pass_desk
def worker_command(desk: Any, once: bool, wanted: str | None, log_format: str) -> None:
    """Run intake polling, SLA checks, outbox delivery and scheduled jobs until stopped.

    Several workers may share one PostgreSQL database, on one machine or many: each
    unit of work (a channel's poll, an SLA check, an outbox message, a scheduled
    job's run) is claimed by one of them. SQLite allows one worker per desk.
    SIGTERM or Ctrl-C finishes the unit in hand and exits 0.
    """
    from ..store import head_revision
    from ..worker import tasks
    from ..worker.journal import Journal
    from ..worker.runner import Runner, worker_id
    from ..worker.single import sole_worker

    jobs = tasks.choose(desk, wanted)
    current, head = desk.store.revision(), head_revision()
    if current != head:
        raise StorageError(f"database at revision {current}, this deskframe needs {head}: run 'deskframe db upgrade'")
    ident = worker_id()
    journal = Journal(log_format, ident, lambda line: click.echo(line), ZoneInfo(desk.config.timezone))
    with sole_worker(desk.store.sqlite_file):
        runner = Runner(desk, [], journal, ident)
        runner.tasks = tasks.build(desk, jobs, ident, runner.stop.is_set)
        with runner.signals():  # before the start line: once it is out, SIGTERM stops the worker cleanly
            journal.start(jobs, [task.unit for task in runner.tasks], once)
            if once:
                runner.once()
            else:
                runner.forever()
        journal.stop(runner.runs, runner.failures, runner.signal_name)
    if once and runner.failures:
        sys.exit(1)
