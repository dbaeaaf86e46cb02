"""The summed path of an invoice run: unbilled time grouped per contract in SQL.

Each entry's billed minutes (per-entry rounding, minimums, weekend and out-of-hours
multipliers, retainer budgets) are computed once into temporary work tables private to the
connection; the ledger reads the groups, the held entries, and finally links every entry
of the drafted lines in one statement. :class:`TimeGroupRepo` is a part of
:class:`~deskframe.store.Repository`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Column, Date, Integer, MetaData, Table, bindparam, insert, select, text
from sqlalchemy.orm import Session

from ..billing.model import TimeGroup, TimeRules
from ..errors import DomainError
from .rows import AgentRow, TicketRow, TimeEntryRow
from .sql_values import as_date, chunks, group_key

# Work tables of the summed path (see ``BillingRepo.time_groups``): temporary, so private
# to the connection, created and dropped inside one write transaction.
_TEMP = MetaData()
_RULES = Table(
    "billing_tmp_rules",
    _TEMP,
    Column("contract_id", Integer, primary_key=True),
    Column("inc", Integer),
    Column("minimum", Integer),
    Column("wk", Integer),
    Column("cal", Integer),
    Column("wk_wins", Integer),
    Column("budget", Integer),
    Column("by_ticket", Integer),
    Column("billable_only", Integer),
    prefixes=["TEMPORARY"],
)
_FRAMES = Table(
    "billing_tmp_frames",
    _TEMP,
    Column("cal", Integer),
    Column("s", TimeEntryRow.created_at.type),
    Column("e", TimeEntryRow.created_at.type),
    prefixes=["TEMPORARY"],
)
_KEY = ("contract_id", "g_ticket", "g_agent", "b", "g_cls", "g_late", "over")
_LINES = Table(
    "billing_tmp_lines",
    _TEMP,
    Column("contract_id", Integer),
    Column("g_ticket", Integer),
    Column("g_agent", Integer),
    Column("b", Integer),
    Column("g_cls", Integer),
    Column("g_late", Date),
    Column("over", Integer),
    Column("line_id", Integer),
    prefixes=["TEMPORARY"],
)
#: SQLite page cache (KiB) while an invoice run's work tables exist; SQLite's default is 2 MiB.
RUN_CACHE_KIB = 65_536
_ENTRIES = "billing_tmp_entries"
_NOT_LATE = dt.date(1, 1, 1)  # the late-date key of an entry of the period itself
_CLASSES = (None, "weekend", "out_of_hours")


class TimeGroupRepo:
    """Unbilled time summed per contract and group in SQL, and the links of a run's lines."""

    session: Session

    def time_groups(
        self, rules: dict[int, TimeRules], calendars: dict[str, Any], before: dt.date, period_start: dt.date
    ) -> dict[int, list[TimeGroup]]:
        """Sum the unbilled entries of these contracts in SQL, per their :class:`TimeRules`.

        The same entries as :meth:`unbilled_by_contract` (not linked, not billed
        externally, worked before ``before``). Each entry's billed minutes, multiplier,
        late date and budget side are computed once into a temporary table, which
        :meth:`held_entries` and :meth:`link_groups` read later in the same
        transaction (:meth:`drop_time_groups` drops it). Groups per contract come by
        ticket, then first entry id.
        """
        conn = self.session.connection()
        self.drop_time_groups()
        if conn.dialect.name == "sqlite":
            # for this run only (drop_time_groups restores the default): a page cache big enough
            # that the batches' reads of time_entries and the link table's pages stay in memory;
            # durability unchanged. Other work (intake, imports) keeps SQLite's 2 MiB cache.
            conn.exec_driver_sql(f"PRAGMA cache_size = -{RUN_CACHE_KIB}")
        _RULES.create(conn)
        _FRAMES.create(conn)
        _LINES.create(conn)
        cal_ids: dict[str, int] = {}
        rows = []
        for cid, r in rules.items():
            if r.group_by not in ("ticket", "contract"):
                raise DomainError(f"TimeRules.group_by must be 'ticket' or 'contract', got {r.group_by!r}")
            cal = None
            if r.out_of_hours is not None:
                if r.calendar not in calendars:
                    raise DomainError(f"calendar '{r.calendar}' is not configured")
                cal = cal_ids.setdefault(r.calendar, len(cal_ids) + 1)
            weekend_wins = r.weekend is not None and (r.out_of_hours is None or r.weekend >= r.out_of_hours)
            rows.append(
                dict(
                    contract_id=cid,
                    inc=r.increment or None,
                    minimum=r.minimum or 0,
                    wk=int(r.weekend is not None),
                    cal=cal,
                    wk_wins=int(weekend_wins),
                    budget=r.budget,
                    by_ticket=int(r.group_by == "ticket"),
                    billable_only=int(r.billable_only),
                )
            )
        for at in range(0, len(rows), 500):
            conn.execute(insert(_RULES), rows[at : at + 500])
        # CROSS JOIN fixes SQLite's join order (PostgreSQL plans it freely): these contracts,
        # their tickets, their entries - not every entry of the month through the work date
        # index; an entry is unbilled when no line links it (a primary-key look-up)
        candidates = (
            "FROM billing_tmp_rules r CROSS JOIN tickets t CROSS JOIN time_entries e "
            "WHERE t.contract_id = r.contract_id AND e.ticket_id = t.id "
            "AND NOT EXISTS (SELECT 1 FROM invoice_line_entries l WHERE l.entry_id = e.id) "
            "AND NOT e.billed_externally AND e.voided_at IS NULL AND e.work_date < :before "
            "AND (r.billable_only = 0 OR e.billable)"
        )
        params = dict(before=before, start=period_start, not_late=_NOT_LATE)
        types = [bindparam("before", type_=Date), bindparam("start", type_=Date), bindparam("not_late", type_=Date)]
        if cal_ids:
            self._add_frames(conn, candidates + " AND r.cal IS NOT NULL", params, types, cal_ids, calendars)
        if conn.dialect.name == "sqlite":
            weekend = "strftime('%w', e.work_date) IN ('0', '6')"
        else:
            weekend = "EXTRACT(ISODOW FROM e.work_date) >= 6"
        ooh = (
            "(r.cal IS NOT NULL AND NOT EXISTS (SELECT 1 FROM billing_tmp_frames f WHERE f.cal = r.cal "
            "AND e.created_at >= f.s AND e.created_at < f.e))"
        )
        wk = f"(r.wk = 1 AND {weekend})"
        at_least = "(CASE WHEN e.minutes < r.minimum THEN r.minimum ELSE e.minutes END)"
        inner = f"""
                SELECT e.id, t.contract_id, e.ticket_id, e.minutes, e.work_date, e.created_at,
                       NULLIF(e.note, '') AS note, r.budget,
                       CASE WHEN e.billable THEN 1 ELSE 0 END AS b,
                       CASE WHEN e.minutes <= 0 THEN 0
                            WHEN r.inc IS NULL THEN {at_least}
                            ELSE ({at_least} + r.inc - 1) / r.inc * r.inc END AS billed,
                       CASE WHEN r.by_ticket = 1 THEN e.ticket_id ELSE 0 END AS g_ticket,
                       CASE WHEN r.by_ticket = 1 THEN e.agent_id ELSE 0 END AS g_agent,
                       CASE WHEN r.by_ticket = 0 THEN 0
                            WHEN {wk} AND {ooh} THEN (CASE WHEN r.wk_wins = 1 THEN 1 ELSE 2 END)
                            WHEN {wk} THEN 1 WHEN {ooh} THEN 2 ELSE 0 END AS g_cls,
                       CASE WHEN r.by_ticket = 1 AND e.work_date < :start THEN e.work_date
                            ELSE :not_late END AS g_late
                {candidates}"""
        # the running sum (a sort) only over the contracts with a budget; only the columns
        # read later are kept (the table is written once per entry, so each column costs)
        kept = "id, contract_id, ticket_id, minutes, work_date, note, b, billed, g_ticket, g_agent, g_cls, g_late"
        conn.execute(
            text(f"""
            CREATE TEMPORARY TABLE {_ENTRIES} AS
            SELECT {kept}, 0 AS over FROM ({inner} AND r.budget IS NULL) y
            UNION ALL
            SELECT {kept}, CASE WHEN SUM(CASE WHEN x.b = 1 THEN x.billed ELSE 0 END) OVER (
                       PARTITION BY x.contract_id ORDER BY x.work_date, x.created_at, x.id ROWS UNBOUNDED PRECEDING
                   ) > x.budget THEN 1 ELSE 0 END AS over
            FROM ({inner} AND r.budget IS NOT NULL) x""").bindparams(*types),
            params,
        )
        agents = {
            r.id: (r.login, r.role) for r in self.session.execute(select(AgentRow.id, AgentRow.login, AgentRow.role))
        }
        tickets: dict[int, tuple[str, str]] = {}
        for chunk in chunks(sorted(rules)):
            for row in self.session.execute(
                select(TicketRow.id, TicketRow.number, TicketRow.subject).where(TicketRow.contract_id.in_(chunk))
            ):
                tickets[row.id] = (row.number, row.subject)
        notes: dict[tuple[Any, ...], list[str]] = {}
        for *read, note in conn.execute(
            text(f"SELECT {', '.join(_KEY)}, note FROM {_ENTRIES} WHERE note IS NOT NULL ORDER BY id")
        ):
            key = group_key(read)
            if note not in notes.setdefault(key, []):
                notes[key].append(note)
        out: dict[int, list[TimeGroup]] = {}
        dates: dict[Any, dt.date] = {}
        for *read, entries, minutes, billed, first, last, first_id, negative in conn.execute(
            text(
                f"SELECT {', '.join(_KEY)}, COUNT(*), SUM(minutes), SUM(billed), MIN(work_date), MAX(work_date), "
                f"MIN(id), MIN(CASE WHEN minutes < 0 AND b = 1 THEN id END) FROM {_ENTRIES} "
                f"GROUP BY {', '.join(_KEY)} ORDER BY contract_id, g_ticket, MIN(id)"
            )
        ):
            key = group_key(read)
            cid, tid, aid, b, cls, late, over = key
            number, subject = tickets[tid] if tid else (None, None)
            login, role = agents[aid] if aid else (None, None)
            for day in (first, last):
                if day not in dates:
                    dates[day] = as_date(day)
            out.setdefault(cid, []).append(
                TimeGroup(
                    ticket=number,
                    ticket_subject=subject,
                    agent=login,
                    role=role,
                    billable=bool(b),
                    multiplier=_CLASSES[cls],
                    original_date=None if late == _NOT_LATE else late,
                    over_budget=bool(over),
                    entries=entries,
                    minutes=int(minutes),
                    billed=int(billed),
                    first_date=dates[first],
                    last_date=dates[last],
                    first_id=first_id,
                    notes=tuple(notes.get(key, ())),
                    negative=(negative, 0) if negative is not None else None,
                    key=key,
                )
            )
        negatives = [g.negative[0] for gs in out.values() for g in gs if g.negative is not None]
        if negatives:  # rare: the minutes of each group's first negative entry, for the error message
            found: dict[int, int] = {
                row.id: row.minutes
                for row in self.session.execute(
                    select(TimeEntryRow.id, TimeEntryRow.minutes).where(TimeEntryRow.id.in_(negatives))
                )
            }
            for cid, gs in out.items():
                out[cid] = [g._replace(negative=(g.negative[0], found[g.negative[0]])) if g.negative else g for g in gs]
        return out

    def _add_frames(
        self,
        conn: Any,
        candidates: str,
        params: dict[str, Any],
        types: list[Any],
        cal_ids: dict[str, int],
        calendars: dict[str, Any],
    ) -> None:
        """The working frames (UTC) of each calendar over the logged-at range of the candidates."""
        lo, hi = conn.execute(
            text(f"SELECT MIN(e.created_at), MAX(e.created_at) {candidates}").bindparams(
                *(b for b in types if b.key == "before")
            ),
            {"before": params["before"]},
        ).one()
        if lo is None:
            return
        lo, hi = (v if isinstance(v, dt.datetime) else dt.datetime.fromisoformat(v) for v in (lo, hi))
        frames = []
        for name, cal in cal_ids.items():
            calendar = calendars[name]
            day, last = lo.date() - dt.timedelta(days=2), hi.date() + dt.timedelta(days=2)
            while day <= last:
                for start, end in calendar.frames_on(day):
                    frames.append(dict(cal=cal, s=start, e=end))
                day += dt.timedelta(days=1)
        for chunk in range(0, len(frames), 500):
            conn.execute(insert(_FRAMES), frames[chunk : chunk + 500])

    def held_entries(self, groups: list[TimeGroup]) -> list[dict[str, Any]]:
        """The entries of these groups, one by one, by ticket then id (as the held list shows them)."""
        if not groups:
            return []
        keys = {g.key: g for g in groups}
        tickets = sorted({g.key[1] for g in groups})
        contracts = sorted({g.key[0] for g in groups})
        out = []
        conn = self.session.connection()
        for chunk in chunks(contracts):
            rows = conn.execute(
                text(
                    f"SELECT {', '.join(_KEY)}, id, ticket_id, minutes, work_date FROM {_ENTRIES} "
                    "WHERE contract_id IN :cids AND g_ticket IN :tids ORDER BY ticket_id, id"
                ).bindparams(bindparam("cids", expanding=True), bindparam("tids", expanding=True)),
                dict(cids=chunk, tids=tickets),
            )
            for *key, eid, _tid, minutes, day in rows:
                group = keys.get(group_key(key))
                if group is not None:
                    out.append(
                        {
                            "id": eid,
                            "ticket": group.ticket,
                            "agent": group.agent,
                            "minutes": minutes,
                            "work_date": as_date(day).isoformat(),
                            "reason": "estimate not approved",
                        }
                    )
        return out

    def drop_time_groups(self) -> None:
        """Drop the run's work tables (and restore SQLite's default page cache)."""
        conn = self.session.connection()
        for name in (_ENTRIES, _LINES.name, _FRAMES.name, _RULES.name):
            conn.execute(text(f"DROP TABLE IF EXISTS {name}"))
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql("PRAGMA cache_size = -2000")  # SQLite's default

    def link_groups(self, links: list[tuple[Any, ...]]) -> int:
        """Link every entry of the given groups (rows of ``_LINES``) to its line in one statement.

        The links are appended in entry order (the primary key's), so the insert walks
        the link table's pages once; an entry linked already (a parallel run) is left
        alone and shows in the count returned.
        """
        conn = self.session.connection()
        # ``(group key..., line id)`` straight to the driver (one row per line: SQLAlchemy's
        # parameter building cost more than the insert); only the late date goes through its
        # column type's own conversion, so it compares equal to the working table's
        late = _KEY.index("g_late")
        to_db = _LINES.c.g_late.type.bind_processor(conn.dialect) or (lambda value: value)
        rows = [(*row[:late], to_db(row[late]), *row[late + 1 :]) for row in links]
        mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
        conn.exec_driver_sql(
            f"INSERT INTO {_LINES.name} ({', '.join(_KEY)}, line_id) VALUES ({', '.join([mark] * (len(_KEY) + 1))})",
            rows,
        )
        on = " AND ".join(f"m.{c} = x.{c}" for c in _KEY)
        return conn.execute(
            text(
                f"INSERT INTO invoice_line_entries (entry_id, line_id) SELECT x.id, m.line_id "
                f"FROM {_ENTRIES} x JOIN {_LINES.name} m ON {on} WHERE true ORDER BY x.id "
                "ON CONFLICT (entry_id) DO NOTHING"
            )
        ).rowcount
