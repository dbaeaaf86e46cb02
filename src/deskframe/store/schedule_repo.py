"""When each scheduled job of ``deskframe worker`` last ran: one row per job, claimed by one worker per period."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import String, or_, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from .rows import Base, FreeText
from .ticket_repo import dialect_insert


class JobRunRow(Base):
    """The last run of a scheduled job (migration 0020): when it started and ended, and in which worker."""

    __tablename__ = "worker_job_runs"
    name: Mapped[str] = mapped_column(String(200), primary_key=True)
    started_at: Mapped[dt.datetime | None]
    finished_at: Mapped[dt.datetime | None]
    worker: Mapped[str | None] = mapped_column(FreeText())


class ScheduleRepo:
    """Claims of scheduled job runs; the only place their SQL lives."""

    session: Session

    def claim_job_run(self, name: str, worker: str, now: dt.datetime, every: dt.timedelta) -> bool:
        """Claim the run of job ``name`` due at ``now`` (its last run started ``every`` ago or more,
        or it never ran); False if another worker ran it within the period.

        One conditional UPDATE: of two workers claiming at once, the second finds the row changed
        (PostgreSQL re-checks the condition on the row the first committed) and claims nothing.
        """
        insert = dialect_insert(self.session)
        self.session.execute(insert(JobRunRow).values(name=name).on_conflict_do_nothing(index_elements=["name"]))
        result = self.session.execute(
            update(JobRunRow)
            .where(
                JobRunRow.name == name,
                or_(JobRunRow.started_at.is_(None), JobRunRow.started_at <= now - every),
            )
            .values(started_at=now, finished_at=None, worker=worker)
            .execution_options(synchronize_session=False)
        )
        return bool(getattr(result, "rowcount", 0) == 1)

    def finish_job_run(self, name: str, worker: str, now: dt.datetime) -> None:
        """Record that ``worker``'s run of job ``name`` ended at ``now``."""
        self.session.execute(
            update(JobRunRow)
            .where(JobRunRow.name == name, JobRunRow.worker == worker)
            .values(finished_at=now)
            .execution_options(synchronize_session=False)
        )

    def job_runs(self) -> list[dict[str, object]]:
        """Every scheduled job's last run: name, started_at, finished_at, worker."""
        rows = self.session.execute(select(JobRunRow).order_by(JobRunRow.name)).scalars()
        return [
            {"name": r.name, "started_at": r.started_at, "finished_at": r.finished_at, "worker": r.worker} for r in rows
        ]
