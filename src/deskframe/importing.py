"""Importing another system's history: values an importer builds, and their rules.

An importer plugin (OTRS/Znuny, Zammad, RT ...) reads its source, builds
:class:`ImportedTicket` values and hands them to :meth:`deskframe.services.tickets.TicketService.import_tickets`
in batches. The core stores each batch in one transaction and records every
external id in the external-id map, so a re-run adds nothing and a run killed
midway resumes where it stopped. Imported tickets keep their numbers and times,
start no SLA clocks and fire no notify hooks (no auto-replies to old mail).
"""

from __future__ import annotations

import datetime as dt

import attrs

from .model import InboundAttachment


def _tuple(value: object) -> tuple:
    return tuple(value or ())  # type: ignore[arg-type]


@attrs.frozen
class ImportedArticle:
    """One article of an imported ticket (``external_id`` unique within the importer's namespace)."""

    external_id: str
    direction: str  # in, out, internal
    created_at: dt.datetime
    subject: str
    text: str
    sender: str | None = None
    recipients: tuple[str, ...] = attrs.field(default=(), converter=_tuple)
    channel: str | None = None
    visible: bool = True
    message_id: str | None = None
    references: tuple[str, ...] = attrs.field(default=(), converter=_tuple)
    html: str | None = None
    raw: bytes | None = None
    agent: str | None = None
    attachments: tuple[InboundAttachment, ...] = attrs.field(default=(), converter=_tuple)


@attrs.frozen
class ImportedHistory:
    """One history entry of an imported ticket."""

    external_id: str
    at: dt.datetime
    action: str
    actor: str | None = None
    old: str | None = None
    new: str | None = None
    reason: str | None = None


@attrs.frozen
class ImportedTime:
    """Time accounted on an imported ticket; ``already_billed`` keeps it off every invoice."""

    external_id: str
    agent: str
    minutes: int
    work_date: dt.date
    note: str = ""
    billable: bool = True
    already_billed: bool = True


@attrs.frozen
class ImportedTicket:
    """A ticket with its articles, history and time, as an importer read it.

    ``state`` is a configured state name (map the source's state *types*);
    ``customer`` a customer key, ``contact`` an e-mail, ``owner``/``locked_by``
    agent logins, ``queue`` a queue name (created if missing).
    """

    external_id: str
    number: str
    subject: str
    state: str
    priority: str
    queue: str
    created_at: dt.datetime
    updated_at: dt.datetime
    customer: str | None = None
    contact: str | None = None
    contract: str | None = None
    owner: str | None = None
    locked_by: str | None = None
    channel: str | None = None
    merged_into: str | None = None  # number of the ticket it was merged into
    articles: tuple[ImportedArticle, ...] = attrs.field(default=(), converter=_tuple)
    history: tuple[ImportedHistory, ...] = attrs.field(default=(), converter=_tuple)
    time: tuple[ImportedTime, ...] = attrs.field(default=(), converter=_tuple)


@attrs.define
class ImportCounts:
    """What one batch added (a re-run of the same data adds zero everywhere)."""

    tickets: int = 0
    tickets_updated: int = 0
    articles: int = 0
    attachments: int = 0
    history: int = 0
    time_entries: int = 0
    minutes: int = 0
    skipped: list[tuple[str, str]] = attrs.field(factory=list)  # (external id, reason)

    def add(self, other: ImportCounts) -> None:
        for field in ("tickets", "tickets_updated", "articles", "attachments", "history", "time_entries", "minutes"):
            setattr(self, field, getattr(self, field) + getattr(other, field))
        self.skipped.extend(other.skipped)
