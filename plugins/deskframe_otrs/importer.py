"""The import run: directory first, then tickets in id order, one transaction per batch.

The run is put together from :mod:`.directory` (the directory step), :mod:`.tickets` and :mod:`.articles`
(rows to imported values), :mod:`.lookups` (the source's lookup tables) and :mod:`.report` (what it reports).

* Directory rows (``customer_company``, ``customer_user``, ``users``, ``queue``) go
  through ``desk.add_*`` only when new or different, so a re-run writes nothing.
* Tickets are read in keyset pages of ``batch`` ids with their articles, raw mail,
  attachments, history and time, mapped to :class:`~deskframe.importing.ImportedTicket`
  and stored with :meth:`TicketService.import_tickets` (one transaction, idempotent through the
  external-id map). The batch's last OTRS ticket id is kept as a cursor in that same
  transaction, so a run killed midway continues after the last committed batch.
  A batch's source queries share one connection (:meth:`Source.batch`).
* ``--since`` re-reads every ticket changed (or given an article, history row or time
  entry) since a date, whatever the cursor says; the core adds only what is new and
  updates the ticket's state, owner, queue ...
* A row that cannot be mapped is reported with its OTRS id and reason; a ticket the
  core refuses is isolated by splitting its batch and reported; the run goes on.
"""

from __future__ import annotations

import collections
import datetime as dt
import os
import time as _time
from collections.abc import Callable, Iterator
from typing import Any
from zoneinfo import ZoneInfo

from deskframe.errors import StorageError
from deskframe.importing import ImportCounts, ImportedTicket

from . import mail, mapping, sla
from .acting import ACTOR
from .articles import ArticleMapper
from .directory import DirectorySync
from .lookups import Lookups
from .options import Options
from .report import Report, Summary
from .source import Layout, Source, detect
from .tickets import TicketMapper

#: Test hook: seconds to sleep after each committed batch (lets a test kill a run midway).
PAUSE_ENV = "DESKFRAME_OTRS_BATCH_PAUSE"


def _is_fatal(exc: BaseException) -> bool:
    """The target database itself failed (not one ticket): stop rather than skip everything."""
    return isinstance(exc, StorageError)


def _core_skip_kind(reason: str) -> str:
    if reason.startswith("ticket number"):
        return "ticket"
    if reason.startswith("attachment"):
        return "article"
    if reason.startswith("time entry"):
        return "time_accounting"
    return "row"


class OtrsImport:
    """One run of ``deskframe import otrs`` against an opened source database."""

    def __init__(
        self,
        desk: Any,
        db: Any,
        options: Options,
        *,
        dry_run: bool = False,
        since: dt.datetime | None = None,
        progress: Callable[[int], Any] | None = None,
        progress_total: Callable[[int], Any] | None = None,
        pause: float | None = None,
    ):
        self.desk = desk
        self.db = db
        self.opts = options
        self.dry_run = dry_run
        self.since = since
        self.zone = ZoneInfo(options.source_timezone)
        self.ns = options.namespace
        self.layout: Layout = detect(db)
        registry = getattr(getattr(desk, "plugins", None), "registry", None)
        channels = getattr(getattr(desk, "config", None), "channels", ()) or ()
        # intake's limits: a message's size (the e-mail channel's max_bytes), an attachment's (the desk's)
        attachment_bytes = (
            getattr(getattr(desk, "blobs", None), "max_bytes", None)
            or getattr(getattr(desk, "config", None), "attachment_max_bytes", None)
            or 25 * 1024 * 1024
        )
        self.max_bytes = mail.size_limit(registry, channels, attachment_bytes)
        self.src = Source(db, self.layout, body_bytes=self.max_bytes, attachment_bytes=attachment_bytes)
        self.report = Report()
        parser = mail.email_parser(registry, channels)
        self.parser = parser.parse
        if parser.note:
            self.report.warn("import", "-", parser.note)
        self.progress = progress or (lambda n: None)
        self.progress_total = progress_total or (lambda n: None)
        self.pause = float(os.environ.get(PAUSE_ENV, "0") or 0) if pause is None else pause
        self.directory = DirectorySync(desk, self.src, self.report, dry_run=dry_run)
        self.counts = ImportCounts()
        self.tickets_seen = 0
        self.tickets_known = 0
        self._known: dict[str, set[str]] = {}

    # --- the run ------------------------------------------------------------------------
    def run(self) -> Summary:
        """Import (or, with ``dry_run``, count) the directory and the tickets; the summary says what was done."""
        lookups = Lookups.read(self.src)
        self.directory.sync(lookups)
        articles = ArticleMapper(
            self.opts, self.layout, lookups, self.report, parser=self.parser, max_bytes=self.max_bytes, zone=self.zone
        )
        self.tickets = TicketMapper(
            self.desk, self.opts, lookups, self.report, directory=self.directory, articles=articles, zone=self.zone
        )
        resumed_after = self._import_tickets()
        self._orphans()
        slas = self.src.slas()
        text, policies = sla.snippet(slas, lookups.queue_rows)
        system_id = self.opts.system_id or self.src.system_id()
        return Summary(
            source=self.db.url,
            layout=self.layout.label,
            dry_run=self.dry_run,
            since=self.since,
            directory=self.directory.counts,
            counts=self.counts,
            tickets_seen=self.tickets_seen,
            tickets_known=self.tickets_known,
            report=self.report,
            sla_policies=policies,
            sla_text=text,
            unthreaded=self.tickets.unthreaded,
            unthreaded_example=self.tickets.unthreaded_example,
            system_id=system_id,
            resumed_after=resumed_after,
        )

    # --- tickets ------------------------------------------------------------------------
    def _pages(self) -> tuple[int, Iterator[list[dict[str, Any]]], int]:
        """(total, pages of ticket rows, cursor the run starts after)."""
        batch = self.opts.batch
        if self.since is not None:
            local_since = self.since.astimezone(self.zone).replace(tzinfo=None)
            ids = self.src.changed_ticket_ids(local_since)

            def by_ids() -> Iterator[list[dict[str, Any]]]:
                for start in range(0, len(ids), batch):
                    yield self.src.tickets_by_id(ids[start : start + batch])

            return len(ids), by_ids(), 0
        cursor = int(self.desk.external_ids.get(self.ns, "cursor", "ticket") or 0)
        return self.src.count_tickets(cursor), self.src.ticket_batches(cursor, batch), cursor

    def _import_tickets(self) -> int:
        if self.dry_run:
            self._known = {
                kind: set(self.desk.external_ids.mapping(self.ns, kind))
                for kind in ("ticket", "article", "history", "time")
            }
        total, pages, cursor = self._pages()
        self.progress_total(total)
        for rows in pages:
            # the resume point commits with the batch (a --since or dry run moves no cursor)
            after = str(rows[-1]["id"]) if self.since is None and not self.dry_run else None
            counts = self._store(self._build(rows), after)
            for ext, reason in counts.skipped:  # the core's reasons, reported as they come (bounded memory)
                self.report.skip(_core_skip_kind(reason), ext, reason)
            counts.skipped = []
            self.counts.add(counts)
            self.tickets_seen += len(rows)
            self.progress(len(rows))
            if self.pause:
                _time.sleep(self.pause)
        self._known = {}
        return cursor

    def _store(self, tickets: list[ImportedTicket], after: str | None = None) -> ImportCounts:
        """Store one batch; ``after`` is the OTRS ticket id the run resumes after once it is stored."""
        if self.dry_run:
            return self._would_store(tickets)
        if not tickets:
            counts = ImportCounts()
        else:
            try:
                return self.desk.tickets.import_tickets(
                    tickets, namespace=self.ns, cursor=("ticket", after) if after is not None else None, actor=ACTOR
                )
            except Exception as exc:
                if _is_fatal(exc):
                    raise
                if len(tickets) == 1:
                    self.report.skip(
                        "ticket",
                        tickets[0].external_id,
                        f"ticket {tickets[0].number} not stored: {type(exc).__name__}: {exc}",
                    )
                    counts = ImportCounts()
                else:  # isolate the ticket the core refuses; the rest of the batch is stored
                    half = len(tickets) // 2
                    counts = self._store(tickets[:half])
                    counts.add(self._store(tickets[half:]))
        if after is not None:
            self.desk.external_ids.set(self.ns, "cursor", "ticket", after)
        return counts

    def _would_store(self, tickets: list[ImportedTicket]) -> ImportCounts:
        counts = ImportCounts()
        known = self._known
        for t in tickets:
            if t.external_id in known["ticket"]:
                self.tickets_known += 1
            else:
                counts.tickets += 1
            for a in t.articles:
                if a.external_id not in known["article"]:
                    counts.articles += 1
                    counts.attachments += len(a.attachments)
            counts.history += sum(1 for h in t.history if h.external_id not in known["history"])
            for e in t.time:
                if e.external_id not in known["time"]:
                    counts.time_entries += 1
                    counts.minutes += e.minutes
        return counts

    def _build(self, rows: list[dict[str, Any]]) -> list[ImportedTicket]:
        src = self.src
        ids = [r["id"] for r in rows]
        articles: dict[Any, list[dict[str, Any]]] = collections.defaultdict(list)
        history: dict[Any, list[dict[str, Any]]] = collections.defaultdict(list)
        times: dict[Any, list[dict[str, Any]]] = collections.defaultdict(list)
        logins = sorted({mapping.text_of(r.get("customer_user_id")).strip() for r in rows} - {""})
        with src.batch():  # the batch's queries on one source connection
            for a in src.articles(ids):
                articles[a["ticket_id"]].append(a)
            plains = src.plains(ids)
            attachments = src.attachments(ids)
            chats = src.chats(ids)
            for h in src.history(ids):
                history[h["ticket_id"]].append(h)
            for x in src.time(ids):
                times[x["ticket_id"]].append(x)
            customer_users = src.customer_users_by_login(logins)
        out = []
        for r in rows:
            try:
                ticket = self.tickets.ticket(
                    r,
                    articles.get(r["id"], []),
                    plains,
                    attachments,
                    chats,
                    history.get(r["id"], []),
                    times.get(r["id"], []),
                    customer_users,
                )
            except Exception as exc:  # one bad row never stops the run
                self.report.skip("ticket", r["id"], f"cannot be mapped: {type(exc).__name__}: {exc}")
                continue
            if ticket is not None:
                out.append(ticket)
        return out

    # --- rows of no ticket --------------------------------------------------------------
    def _orphans(self) -> None:
        for a in self.src.orphan_articles():
            self.report.skip("article", a["id"], f"orphan article: ticket {a['ticket_id']} does not exist")
        for x in self.src.orphan_time():
            self.report.skip(
                "time_accounting",
                x["id"],
                f"orphan time ({x['time_unit']} units): ticket {x['ticket_id']} does not exist",
            )
