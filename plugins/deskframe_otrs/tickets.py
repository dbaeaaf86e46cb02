"""An OTRS ticket row, with its articles, history and time rows, as an imported ticket.

States and priorities are mapped by name through the desk's settings and the ``state_map`` / ``priority_map``
options; time units become minutes by ``unit_minutes``. What cannot be mapped is reported, not guessed.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from deskframe.importing import ImportedHistory, ImportedTicket, ImportedTime
from deskframe.text import clean_line

from . import limits, mapping
from .articles import ArticleMapper
from .directory import DirectorySync
from .lookups import Lookups
from .options import Options
from .report import Report, strip_nul


class TicketMapper:
    """Maps the ticket rows of one run (see :meth:`ticket`); counts the numbers that do not thread here."""

    def __init__(
        self,
        desk: Any,
        options: Options,
        lookups: Lookups,
        report: Report,
        *,
        directory: DirectorySync,
        articles: ArticleMapper,
        zone: Any,
    ) -> None:
        self.desk = desk
        self.opts = options
        self.lookups = lookups
        self.report = report
        self.directory = directory
        self.articles = articles
        self.zone = zone
        #: ticket numbers that do not fit this desk's number layout (replies by number will not thread)
        self.unthreaded = 0
        self.unthreaded_example: str | None = None

    def ticket(
        self,
        r: dict[str, Any],
        article_rows: list[dict[str, Any]],
        plains: dict[Any, Any],
        attachments: dict[Any, list[dict[str, Any]]],
        chats: dict[Any, list[dict[str, Any]]],
        history_rows: list[dict[str, Any]],
        time_rows: list[dict[str, Any]],
        customer_users: dict[str, dict[str, Any]],
    ) -> ImportedTicket | None:
        """One ticket row with its rows as an :class:`ImportedTicket`; ``None`` (reported) when it has no number.

        ``plains``, ``attachments`` and ``chats`` are the batch's, by article id; a row that cannot be mapped is
        skipped and reported, the ticket goes on.
        """
        tid = r["id"]
        number = strip_nul(mapping.text_of(r.get("tn"))).strip()
        if not number:
            self.report.skip("ticket", tid, "empty ticket number (tn)")
            return None
        settings = self.desk.settings
        if not mapping.number_threads(settings.number_layout, settings.system_id, number):
            self.unthreaded += 1
            self.unthreaded_example = self.unthreaded_example or number

        state_row = self.lookups.states.get(r["ticket_state_id"]) or {}
        state, note = mapping.state_for(
            state_row.get("type_name"), state_row.get("name"), settings.states, self.opts.state_map
        )
        if note:
            self.report.warn_once(f"state:{r['ticket_state_id']}", "ticket_state", r["ticket_state_id"], note)
        priority = self._priority(r.get("ticket_priority_id"))
        queue = self.lookups.queue_names.get(r.get("queue_id"))
        if not queue:
            queue = settings.default_queue
            self.report.warn("ticket", tid, f"unknown queue id {r.get('queue_id')}; put in {queue!r}")

        owner_id = r.get("user_id")
        owner = self.lookups.logins.get(owner_id)
        locked = (self.lookups.locks.get(r.get("ticket_lock_id")) or "").lower() in ("lock", "tmp_lock")
        if owner_id is not None and owner is None:
            self.report.warn("ticket", tid, f"owner user id {owner_id} does not exist; imported without owner")
        if owner_id == self.opts.system_user_id and not locked:
            owner = None
        locked_by = owner if locked else None

        company = strip_nul(mapping.text_of(r.get("customer_id"))).strip()
        customer = company if company in self.directory.company_keys else None

        articles = []
        for a in article_rows:
            try:
                article = self.articles.article(
                    a, plains.pop(a["id"], None), attachments.get(a["id"], []), chats.get(a["id"])
                )
            except Exception as exc:
                self.report.skip("article", a["id"], f"cannot be mapped: {type(exc).__name__}: {exc}")
                continue
            if article is not None:
                articles.append(article)
        contact = self.directory.ticket_contact(tid, r, customer, customer_users, articles)

        history = []
        types = []
        for h in history_rows:
            type_name = self.lookups.history_types.get(h["history_type_id"])
            name = strip_nul(mapping.text_of(h.get("name")))
            types.append((type_name, name))
            action, old, new, reason = mapping.history_entry(type_name, name)
            history.append(
                ImportedHistory(
                    external_id=str(h["id"]),
                    at=self._utc(h["create_time"]),
                    action=action,
                    actor=self.lookups.logins.get(h.get("create_by")),
                    old=old,
                    new=new,
                    reason=reason,
                )
            )
        merged_into = None
        if settings.states.get(state) == "merged":
            merged_into = mapping.merge_target(types, number)
            if merged_into is None:
                self.report.warn(
                    "ticket",
                    tid,
                    "merged ticket without a 'Merged' history entry; imported as merged without a link to its target",
                )

        subjects = {a.external_id: a.subject for a in articles}
        entries = []
        for x in time_rows:
            entry = self._time(x, subjects, number)
            if entry is not None:
                entries.append(entry)

        subject = (
            clean_line(mapping.text_of(r.get("title")) or "").strip()
            or (articles[0].subject if articles else "")
            or "(no subject)"
        )
        return ImportedTicket(
            external_id=str(tid),
            number=number,
            subject=subject,
            state=state,
            priority=priority,
            queue=queue,
            created_at=self._utc(r["create_time"]),
            updated_at=self._utc(r["change_time"]),
            customer=customer,
            contact=contact,
            owner=owner,
            locked_by=locked_by,
            channel=articles[0].channel if articles else None,
            merged_into=merged_into,
            articles=articles,
            history=history,
            time=entries,
        )

    def _utc(self, value: Any) -> dt.datetime:
        return mapping.local_to_utc(value, self.zone)

    def _priority(self, priority_id: Any) -> str:
        settings = self.desk.settings
        name = self.lookups.priorities.get(priority_id)
        target, note = mapping.priority_for(name, self.opts.priority_map)
        level = settings.priority_level(target) if target else None
        if level is None:
            level = settings.default_priority
        if note:
            self.report.warn_once(
                f"priority:{priority_id}", "ticket_priority", priority_id, note if target else f"{note} ({level})"
            )
        return level

    def _time(self, x: dict[str, Any], subjects: dict[str, str], number: str = "") -> ImportedTime | None:
        units = Decimal(str(x["time_unit"]))
        minutes = mapping.minutes_for(units, self.opts.unit_minutes)
        if not limits.storable(minutes):
            self.report.skip(
                "time_accounting", x["id"], f"{units} unit(s) = {minutes} minutes: more than one time entry can hold"
            )
            return None
        if minutes == 0:
            self.report.skip(
                "time_accounting", x["id"], f"{units} unit(s) is 0 minutes (unit_minutes = {self.opts.unit_minutes})"
            )
            return None
        agent = self.lookups.logins.get(x.get("create_by"))
        if agent is None:
            self.report.skip("time_accounting", x["id"], f"booked by unknown user id {x.get('create_by')}")
            return None
        problem = limits.time_problem(minutes)
        if problem:
            self.report.implausible_time(x["id"], number, units, minutes, f"{problem}; imported as is")
        when = self._utc(x["create_time"]).astimezone(self.zone)
        note = subjects.get(str(x.get("article_id")), "") if x.get("article_id") is not None else ""
        return ImportedTime(
            external_id=str(x["id"]),
            agent=agent,
            minutes=minutes,
            work_date=when.date(),
            note=strip_nul(note)[:500],
            billable=True,
            already_billed=self.opts.already_billed,
        )
