"""The worker's jobs as units of work: what each one runs, how often, and under which claim.

Jobs, by name (``deskframe worker --jobs``):

* ``intake`` - one unit per configured channel (``intake:NAME``): a poll, as ``deskframe intake run``
  does it, every ``poll_interval`` of the channel or ``[worker] intake_every``;
* ``sla`` - ``sla check`` every ``[worker] sla_every``;
* ``outbox`` - delivery passes over the due outbox messages (``desk.outbox.deliver_pass``) every
  ``[worker] outbox_every``, again at once while a full batch was delivered; only on a desk that
  has an outbox;
* every job a plugin registered through ``register_jobs``, every ``Job.every``.

A unit is claimed before it runs: a channel's poll, the SLA check and each scheduled job under an
advisory lock on PostgreSQL (:class:`deskframe.store.locks.UnitLocks`), a scheduled job's run also
by its row in ``worker_job_runs`` (once per period across workers); outbox messages are claimed one
by one by the outbox itself (``FOR UPDATE SKIP LOCKED`` and a lease).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import attrs

from ..errors import BadValue, PluginError

if TYPE_CHECKING:
    from ..desk import Desk
    from ..extensions import Job

#: The core's jobs, in the order they run when due at once.
CORE_JOBS = ("intake", "sla", "outbox")


@attrs.define
class Task:
    """One unit of work the worker schedules.

    ``run()`` does the unit and returns its counts; ``lock`` names the advisory lock it runs under
    (None: the unit claims its own rows); ``scheduled`` is the period of a plugin job, whose run is
    claimed in ``worker_job_runs``; ``again(counts)`` says whether to run it once more at once.
    ``failed(counts)`` names a problem the unit reported without raising (a channel unreachable).
    """

    job: str
    unit: str
    every: float
    run: Callable[[], Mapping[str, Any]]
    lock: str | None = None
    scheduled: dt.timedelta | None = None
    again: Callable[[Mapping[str, Any]], bool] | None = None
    failed: Callable[[Mapping[str, Any]], str | None] | None = None


def has_outbox(desk: Desk) -> bool:
    """Whether this deskframe has the outbox service (the ``outbox`` job runs only then)."""
    return getattr(desk, "outbox", None) is not None


def plugin_jobs(desk: Desk) -> dict[str, Job]:
    """The jobs plugins registered, by name; a name of the core's, or a period that is not a
    positive timedelta, is a :class:`PluginError` naming the plugin."""
    jobs: dict[str, Job] = {}
    for entry in desk.plugins.registry:
        if entry.kind != "jobs":
            continue
        job = entry.item
        if job.name in CORE_JOBS:
            raise PluginError(f"plugin '{entry.plugin}' registers job '{job.name}', which the core already has")
        if not isinstance(job.every, dt.timedelta) or job.every <= dt.timedelta(0):
            raise PluginError(f"plugin '{entry.plugin}': job '{job.name}' needs a positive timedelta as its every")
        jobs[job.name] = job
    return jobs


def known_jobs(desk: Desk) -> list[str]:
    """The names ``--jobs`` accepts on this desk."""
    core = [name for name in CORE_JOBS if name != "outbox" or has_outbox(desk)]
    return core + sorted(plugin_jobs(desk))


def choose(desk: Desk, wanted: str | None) -> list[str]:
    """The jobs of ``--jobs`` (comma-separated; None: all); an unknown name is a BadValue naming it."""
    known = known_jobs(desk)
    if wanted is None:
        return known
    names = [name.strip() for name in wanted.split(",") if name.strip()]
    if not names:
        raise BadValue(f"--jobs: name at least one job (known: {', '.join(known)})")
    for name in names:
        if name not in known:
            raise BadValue(f"--jobs: unknown job '{name}' (known: {', '.join(known)})")
    return [name for name in known if name in names]


def build(desk: Desk, jobs: list[str], worker_id: str, stopping: Callable[[], bool]) -> list[Task]:
    """The units of ``jobs`` on ``desk``; ``stopping()`` tells a long unit to end early."""
    settings = desk.config.worker
    tasks: list[Task] = []
    if "intake" in jobs:
        tasks += _intake_tasks(desk, settings.intake_every.total_seconds(), stopping)
    if "sla" in jobs:
        tasks.append(Task("sla", "sla", settings.sla_every.total_seconds(), lambda: _sla(desk), lock="sla"))
    if "outbox" in jobs:
        batch = settings.outbox_batch

        def deliver() -> Mapping[str, Any]:
            report = desk.outbox.deliver_pass(worker_id, limit=batch, stop=stopping)
            return {
                "claimed": report.claimed,
                "sent": report.sent,
                "retrying": report.retrying,
                "failed": report.failed,
                "released": report.released,
            }

        tasks.append(
            Task(
                "outbox",
                "outbox",
                settings.outbox_every.total_seconds(),
                deliver,
                again=lambda counts: counts["claimed"] >= batch,
            )
        )
    for name, job in plugin_jobs(desk).items():
        if name in jobs:
            tasks.append(
                Task(
                    name,
                    f"job:{name}",
                    job.every.total_seconds(),
                    _plugin_run(desk, job),
                    lock=f"job:{name}",
                    scheduled=job.every,
                )
            )
    return tasks


def _intake_tasks(desk: Desk, default_every: float, stopping: Callable[[], bool]) -> list[Task]:
    from ..intake import polling

    tasks = []
    for table in desk.config.channels:
        channel = polling.build_channel(desk, table["name"])
        every = float(getattr(channel, "poll_interval", None) or default_every)

        def run(channel: Any = channel) -> Mapping[str, Any]:
            report = polling.poll(desk, channel, should_stop=stopping)
            counts = report.as_dict()
            del counts["channel"]
            return counts

        tasks.append(
            Task(
                "intake",
                f"intake:{channel.name}",
                every,
                run,
                lock=polling.claim_name(channel.name),
                failed=lambda counts: counts.get("stopped"),
            )
        )
    return tasks


def _sla(desk: Desk) -> Mapping[str, Any]:
    result = desk.sla.check()
    return {
        "warnings": result.warnings,
        "breaches": result.breaches,
        "escalations": result.escalations,
        "live_clocks": result.live_clocks,
    }


def _plugin_run(desk: Desk, job: Job) -> Callable[[], Mapping[str, Any]]:
    def run() -> Mapping[str, Any]:
        counts = job.run(desk)
        return dict(counts) if counts else {}

    return run
