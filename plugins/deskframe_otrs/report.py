"""What an import run reports: rows skipped or repaired (:class:`Report`) and the run's :class:`Summary`."""

from __future__ import annotations

import collections
import datetime as dt
from typing import Any

import attrs

from deskframe.importing import ImportCounts

#: How many skipped rows / warnings are kept with their ids (all are counted).
KEEP = 1000


def strip_nul(text: str | None) -> str:
    """Text a database will take: no NUL characters (PostgreSQL refuses them); ``None`` becomes ``""``."""
    return (text or "").replace("\x00", "")


@attrs.define
class Report:
    """Rows not imported (``skipped``) and rows imported with a repair (``warnings``)."""

    skipped: list[tuple[str, str, str]] = attrs.field(factory=list)
    warnings: list[tuple[str, str, str]] = attrs.field(factory=list)
    skipped_total: int = 0
    warnings_total: int = 0
    reasons: collections.Counter = attrs.field(factory=collections.Counter)
    #: implausible time entries: (otrs id, ticket number, units, minutes, reason)
    implausible: list[tuple[str, str, str, int, str]] = attrs.field(factory=list)
    implausible_total: int = 0
    #: keys of the warnings given once per run (an unknown state, priority or sender type)
    warned_keys: set[str] = attrs.field(factory=set, init=False, repr=False, eq=False)

    def skip(self, kind: str, ident: Any, reason: str) -> None:
        """Count a row that was not imported; keep its id and reason (the first :data:`KEEP`)."""
        self.skipped_total += 1
        self.reasons[f"skipped {kind}"] += 1
        if len(self.skipped) < KEEP:
            self.skipped.append((kind, str(ident), reason))

    def warn(self, kind: str, ident: Any, reason: str) -> None:
        """Count a row imported with a repair; keep its id and reason (the first :data:`KEEP`)."""
        self.warnings_total += 1
        if len(self.warnings) < KEEP:
            self.warnings.append((kind, str(ident), reason))

    def warn_once(self, key: str, kind: str, ident: Any, reason: str) -> None:
        """Warn as :meth:`warn` does, but only the first time ``key`` is seen in this run."""
        if key not in self.warned_keys:
            self.warned_keys.add(key)
            self.warn(kind, ident, reason)

    def implausible_time(self, ident: Any, ticket: str, units: Any, minutes: int, reason: str) -> None:
        """Count a time entry imported although its length looks wrong (the first :data:`KEEP` are kept)."""
        self.implausible_total += 1
        if len(self.implausible) < KEEP:
            self.implausible.append((str(ident), ticket, str(units), minutes, reason))


@attrs.define
class Summary:
    """What one run did (or, with ``dry_run``, would do)."""

    source: str
    layout: str
    dry_run: bool
    since: dt.datetime | None
    directory: dict[str, collections.Counter]
    counts: ImportCounts
    tickets_seen: int = 0
    tickets_known: int = 0
    report: Report = attrs.field(factory=Report)
    sla_path: str | None = None
    sla_policies: int = 0
    sla_text: str | None = None
    unthreaded: int = 0
    unthreaded_example: str | None = None
    system_id: str | None = None
    resumed_after: int = 0

    def as_dict(self) -> dict[str, Any]:
        """The summary as the JSON of ``deskframe import otrs --format json``."""
        c = self.counts
        return {
            "source": self.source,
            "layout": self.layout,
            "dry_run": self.dry_run,
            "since": self.since.isoformat() if self.since else None,
            "resumed_after_ticket_id": self.resumed_after,
            "directory": {k: dict(v) for k, v in self.directory.items()},
            "tickets": {
                "read": self.tickets_seen,
                "new": c.tickets,
                "updated": c.tickets_updated,
                "already_imported": self.tickets_known,
            },
            "articles": c.articles,
            "attachments": c.attachments,
            "history": c.history,
            "time_entries": c.time_entries,
            "minutes": c.minutes,
            "skipped_total": self.report.skipped_total,
            "skipped": [{"kind": k, "otrs_id": i, "reason": r} for k, i, r in self.report.skipped],
            "warnings_total": self.report.warnings_total,
            "warnings": [{"kind": k, "otrs_id": i, "reason": r} for k, i, r in self.report.warnings],
            "unthreaded_numbers": self.unthreaded,
            "otrs_system_id": self.system_id,
            "sla_suggestions": self.sla_policies,
            "sla_file": self.sla_path,
            "implausible_time_total": self.report.implausible_total,
            "implausible_time": [
                {"otrs_id": i, "ticket": t, "units": u, "minutes": m, "reason": r}
                for i, t, u, m, r in self.report.implausible
            ],
        }
