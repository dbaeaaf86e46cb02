"""The report's figures, computed from a :class:`~.source.ReportInput` (pure functions).

Everything in :class:`CustomerReport` is plain data (numbers, strings, lists, dicts) so
that the JSON output is the report itself and a rule can read any figure.
"""

from __future__ import annotations

import datetime as dt
import heapq
import math
import operator
import urllib.parse
from collections import Counter
from typing import Any

import attrs

from deskframe.model import PRIORITY_LEVELS
from deskframe.services.activity import instant

from . import words
from .clock_time import (
    C_CATEGORY,
    C_KIND,
    C_PAUSED_SECONDS,
    C_STOPPED_US,
    C_TICKET,
    US_PER_S,
    spent_us,
    target_us,
    working_seconds,
)
from .source import ReportInput

OPEN_TYPES = ("new", "open", "pending")
SLA_KINDS = ("first_response", "resolution")
#: Figures compared with the previous period, in display order.
COMPARED = ("opened", "resolved", "backlog", "breached_share", "billable_hours")
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)


@attrs.frozen
class CustomerReport:
    """The figures of one customer's report for one period (see docs/reports.md)."""

    customer: dict[str, Any]
    period: dict[str, Any]
    contracts: list[dict[str, Any]]
    tickets: dict[str, Any]
    sla: list[dict[str, Any]]
    breaches: dict[str, Any]
    outside_hours: dict[str, Any]
    slowest: list[dict[str, Any]]
    hours: dict[str, Any]
    retainer_usage: list[dict[str, Any]]
    categories: list[dict[str, Any]]
    night_duty: dict[str, Any]
    weekly: list[dict[str, Any]]
    recurring: list[dict[str, Any]]
    comparison: list[dict[str, Any]]
    priority_names: dict[str, str]
    generated_at: str
    recommendations: list[dict[str, Any]] = attrs.field(factory=list)
    #: The locale the report is shown in (rules format the values they quote with it).
    locale: str = "en"

    def as_dict(self) -> dict[str, Any]:
        """The report as JSON-ready data."""
        return attrs.asdict(self, recurse=False)


def percentile(values: list[float], pct: float, *, ordered: bool = False) -> float | None:
    """Nearest-rank percentile (None for no values); ``ordered``: ``values`` are sorted already."""
    if not values:
        return None
    if not ordered:
        values = sorted(values)
    return values[max(0, min(len(values) - 1, math.ceil(pct / 100 * len(values)) - 1))]


def _median(ordered: list[float]) -> float:
    """``statistics.median`` of sorted values (it would sort them again): the middle value, or
    the mean of the two middle ones, computed as it does."""
    n = len(ordered)
    i = n // 2
    return ordered[i] if n % 2 == 1 else (ordered[i - 1] + ordered[i]) / 2


def share(part: int | float, whole: int | float) -> float | None:
    """``part / whole`` as a percentage rounded to 0.1 (None when ``whole`` is 0)."""
    return round(100 * part / whole, 1) if whole else None


def hours(seconds: float | None) -> float | None:
    """Seconds as hours rounded to 0.01."""
    return None if seconds is None else round(seconds / 3600, 2)


#: Positions in the plain tuples of :attr:`ReportInput.opened` (``desk.activity.opened``).
T_ID, T_NUMBER, T_SUBJECT, T_PRIORITY, T_CHANNEL, T_LINE, T_QUEUE, T_CONTRACT, T_CREATED_US = range(9)
_US = dt.timedelta(microseconds=1)
_priority = operator.itemgetter(T_PRIORITY)


def ticket_counts(data: ReportInput) -> dict[str, Any]:
    """Opened, resolved and backlog (open at the period's end), overall and by priority,
    channel and support line (counted in SQL: :attr:`ReportInput.counts`)."""
    names = ("opened", "resolved", "backlog")

    def by(position: int, empty: str | None = None) -> dict[str, dict[str, int]]:
        out: dict[str, dict[str, int]] = {}
        for row in data.counts:
            raw = row[position]
            key = str(raw or empty) if empty is not None else str(raw)
            for name, n in zip(names, row[3:6]):
                if n:
                    out.setdefault(key, {"opened": 0, "resolved": 0, "backlog": 0})[name] += n
        return dict(sorted(out.items()))

    totals = [sum(row[k] for row in data.counts) for k in (3, 4, 5)]
    return {
        "opened": totals[0],
        "resolved": totals[1],
        "backlog": totals[2],
        "by_priority": by(0),
        "by_channel": by(1, "-"),
        "by_line": by(2),
    }


def sla_rows(data: ReportInput) -> list[dict[str, Any]]:
    """Per priority and clock kind (first response, resolution) of the tickets opened in the
    period: met and breached (missed + overdue) counts and percentages of the decided
    clocks, the clocks still running, and the median and p90 working time of the stopped
    clocks in hours of the contract's calendar, beside the target."""
    groups: dict[tuple[str, str], list[Any]] = {(p, k): [] for p in PRIORITY_LEVELS for k in SLA_KINDS}
    priority = {t[T_ID]: t[T_PRIORITY] for t in data.opened}
    for c in data.clocks:
        found = groups.get((priority[c[C_TICKET]], c[C_KIND]))
        if found is not None:
            found.append(c)
    rows = []
    for (level, kind), clocks in groups.items():
        if not clocks:
            continue
        categories = Counter(map(operator.itemgetter(C_CATEGORY), clocks))
        met = categories["met"]
        breached = categories["missed"] + categories["overdue"]
        stopped = [c for c in clocks if c[C_CATEGORY] in ("met", "missed") and c[C_STOPPED_US] is not None]
        spent = spent_us(data.calendars, stopped)
        # _working_seconds inlined (one call per clock was a tenth of the figures' time), and its
        # max(0.0, x) as a comparison: the same value, without a call per clock
        times = [
            x if (x := us / US_PER_S - c[C_PAUSED_SECONDS]) > 0.0 else 0.0
            for c, us in zip(stopped, spent)
            if us is not None
        ]
        times.sort()  # once, for both the median and the p90
        targets = sorted({us / US_PER_S for us in set(target_us(data.calendars, clocks)) if us is not None})
        rows.append(
            {
                "priority": level,
                "kind": kind,
                "clocks": len(clocks),
                "met": met,
                "breached": breached,
                "open": categories["running"] + categories["paused"],
                "met_pct": share(met, met + breached),
                "breached_pct": share(breached, met + breached),
                "median_hours": hours(_median(times)) if times else None,
                "p90_hours": hours(percentile(times, 90, ordered=True)),
                "target_hours": [hours(s) for s in targets],
            }
        )
    return rows


def breach_figures(data: ReportInput) -> dict[str, Any]:
    """Tickets opened in the period with at least one breached clock, and their share."""
    late = {c[C_TICKET] for c in data.clocks if c[C_CATEGORY] in ("missed", "overdue")}
    hit = [t[T_NUMBER] for t in data.opened if t[T_ID] in late]
    opened = len(data.opened)
    return {"tickets": len(hit), "opened": opened, "share": share(len(hit), opened), "numbers": hit}


def outside_hours(data: ReportInput) -> dict[str, Any]:
    """Tickets opened outside their contract's SLA calendar (tickets without a known
    calendar are left out of both counts)."""
    names = {t.contract.key: t.calendar for t in data.terms if t.calendar in data.calendars}
    created: dict[str, list[int]] = {}  # calendar name -> creation instants of its tickets
    for t in data.opened:
        name = names.get(t[T_CONTRACT] or "")
        if name is not None:
            created.setdefault(name, []).append(t[T_CREATED_US])
    considered = outside = 0
    for name, instants in created.items():
        # an instant is working time when the microsecond from it is: all of them in one pass
        working = data.calendars[name].between_many(instants, [us + 1 for us in instants])
        considered += len(instants)
        outside += working.count(0)
    return {"tickets": outside, "considered": considered, "share": share(outside, considered)}


def slowest(data: ReportInput, count: int = 5) -> list[dict[str, Any]]:
    """The ``count`` tickets opened in the period with the longest resolution working time
    (a clock still running counts until now)."""
    now_us = (data.now - EPOCH) // _US
    first: dict[int, Any] = {}  # ticket id -> its oldest resolution clock (clocks by ticket, oldest first)
    for c in data.clocks:
        if c[C_KIND] == "resolution" and c[C_TICKET] not in first:
            first[c[C_TICKET]] = c
    tickets = {t[T_ID]: t for t in data.opened}
    found = list(first.values())
    spent = spent_us(data.calendars, found, now_us)
    seconds = [(s, c) for c, us in zip(found, spent) if (s := working_seconds(us, c)) is not None]
    # rank by rounded hours, then number: only the clocks within a rounding step (36 s) of the
    # count-th longest can be among the first count, so round and look up only those
    if len(seconds) > count:
        least = heapq.nlargest(count, [s for s, _ in seconds])[-1] - 72
        seconds = [(s, c) for s, c in seconds if s >= least]
    ranked = [(-round(s / 3600, 2), tickets[c[C_TICKET]][T_NUMBER], c) for s, c in seconds]  # -hours(s)
    rows: list[dict[str, Any]] = []
    for minus_hours, number, clock in heapq.nsmallest(count, ranked, key=operator.itemgetter(0, 1)):
        t = tickets[clock[C_TICKET]]
        (target,) = target_us(data.calendars, [clock])
        rows.append(
            {
                "number": number,
                "subject": t[T_SUBJECT],
                "priority": t[T_PRIORITY],
                "hours": -minus_hours,
                "target_hours": hours(None if target is None else target / US_PER_S),
                "open": clock[C_STOPPED_US] is None,
                "breached": clock[C_CATEGORY] in ("missed", "overdue"),
            }
        )
    if data.link_base is not None:
        for row in rows:
            row["url"] = ticket_url(data.link_base, row["number"])
    return rows


#: Where a customer's contact sees a ticket (the portal's page; docs/reports.md).
PORTAL_TICKET = "/portal/tickets/{number}"


def ticket_url(base: str, number: str) -> str:
    """The absolute portal address of ticket ``number`` under the desk's public ``base``."""
    return base + PORTAL_TICKET.format(number=urllib.parse.quote(number, safe=""))


def _minutes(entries: list[Any]) -> tuple[int, int]:
    billable = sum(e.minutes for e in entries if e.billable)
    return billable, sum(e.minutes for e in entries if not e.billable)


def hour_figures(data: ReportInput) -> dict[str, Any]:
    """Hours by agent and by ticket, billable and non-billable, against the contracts'
    included hours and the tickets' estimates (the sums come from SQL)."""
    entries = data.time[data.period.label]
    estimates = data.estimates
    agents: dict[str, list[Any]] = {}
    for e in data.time_by_agent:
        agents.setdefault(e.agent, []).append(e)
    by_agent = []
    for login, items in sorted(agents.items()):
        billable, other = _minutes(items)
        by_agent.append(
            {"agent": login, "name": data.agent_names.get(login, login), "billable": billable, "non_billable": other}
        )
    by_ticket = []
    for number, subject, billable, other in data.time_by_ticket:  # by number
        estimate = estimates.get(number)
        by_ticket.append(
            {
                "ticket": number,
                "subject": subject,
                "billable": billable,
                "non_billable": other,
                "estimate_minutes": int(estimate * 60) if estimate is not None else None,
            }
        )
    billable, other = _minutes(entries)
    included = [t.included_minutes for t in data.terms if t.included_minutes is not None]
    total_included = sum(included) if included else None
    return {
        "billable": billable,
        "non_billable": other,
        "included": total_included,
        "used_pct": share(billable, total_included) if total_included else None,
        "by_agent": by_agent,
        "by_ticket": by_ticket,
    }


def retainer_usage(data: ReportInput) -> list[dict[str, Any]]:
    """Billable hours used against the included hours, this period and the two before
    (oldest first); empty without included hours."""
    included = sum(t.included_minutes or 0 for t in data.terms)
    if not included:
        return []
    out = []
    for label, entries in data.time.items():
        billable = _minutes(entries)[0]
        out.append({"period": label, "used": billable, "included": included, "used_pct": share(billable, included)})
    return sorted(out, key=lambda r: r["period"])


def categories(data: ReportInput) -> list[dict[str, Any]]:
    """Tickets opened in the period by queue (their category), most first."""
    counts = Counter(map(operator.itemgetter(T_QUEUE), data.opened))
    return [{"queue": q, "tickets": n} for q, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]


def night_duty(data: ReportInput) -> dict[str, Any]:
    """Tickets of 24x7 and premium contracts opened outside the on-call rotation's business
    calendar (``applies`` is false when no such contract or calendar is in the report)."""
    night = {t.contract.key: data.calendars.get(t.night_calendar or "") for t in data.terms if t.night_calendar}
    night = {k: v for k, v in night.items() if v is not None}
    rows = []
    for t in data.opened if night else ():
        calendar = night.get(t[T_CONTRACT] or "")
        created = instant(t[T_CREATED_US])
        if calendar is not None and not calendar.is_working(created):
            rows.append(
                {
                    "number": t[T_NUMBER],
                    "subject": t[T_SUBJECT],
                    "priority": t[T_PRIORITY],
                    "opened_at": created.isoformat(),
                }
            )
    return {"applies": bool(night), "count": len(rows), "tickets": rows}


#: Microseconds in which every time zone's offset since the 1980s is a whole multiple: an
#: instant's local date is the same for every instant of such a slice (UTC-aligned).
_SLICE_US = 15 * 60 * US_PER_S


def weekly(data: ReportInput) -> list[dict[str, Any]]:
    """Tickets opened per week (weeks start on Monday, in the desk's zone) by priority."""
    zone = data.start.tzinfo
    first = data.period.first - dt.timedelta(days=data.period.first.weekday())
    weeks: dict[dt.date, Counter[str]] = {}
    day = first
    while day < data.period.end:
        weeks[day] = Counter()
        day += dt.timedelta(days=7)
    # the local date per quarter-hour slice of UTC (each slice's dates the same), not per ticket,
    # and the tickets counted per week and priority by Counter (no Python loop per ticket)
    parts = [t[T_CREATED_US] // _SLICE_US for t in data.opened]
    monday: dict[int, dt.date] = {}
    for part in dict.fromkeys(parts):
        local = instant(part * _SLICE_US).astimezone(zone).date()
        monday[part] = local - dt.timedelta(days=local.weekday())
    for (week, priority), n in Counter(zip(map(monday.__getitem__, parts), map(_priority, data.opened))).items():
        weeks[week][priority] += n
    return [{"week": w.isoformat(), **{p: c[p] for p in PRIORITY_LEVELS}} for w, c in weeks.items()]


def headline(
    counts: tuple[int, int, int, int], entries: list[Any], breaches: dict[str, Any] | None = None
) -> dict[str, float | int | None]:
    """The figures compared between periods (:data:`COMPARED`) from a period's ``(opened,
    resolved, backlog, breached)`` totals; ``breaches`` is :func:`breach_figures` when computed."""
    opened, resolved, backlog, breached = counts
    return {
        "opened": opened,
        "resolved": resolved,
        "backlog": backlog,
        "breached_share": (breaches["share"] if breaches is not None else share(breached, opened)) or 0.0,
        "billable_hours": round(_minutes(entries)[0] / 60, 2),
    }


def comparison(data: ReportInput, now: dict[str, float | int | None]) -> list[dict[str, Any]]:
    """Each :data:`COMPARED` figure now (``now``, the period's :func:`headline`) and in the
    previous period, with an arrow (``up``, ``down``, ``same``) and the change in percent
    (None when the previous value is 0)."""
    previous = data.period.previous()
    before = headline(data.previous_counts, data.time[previous.label])
    rows = []
    for name in COMPARED:
        cur, old = now[name] or 0, before[name] or 0
        arrow = "up" if cur > old else "down" if cur < old else "same"
        change = round(100 * (cur - old) / old, 1) if old else None
        rows.append({"figure": name, "current": cur, "previous": old, "arrow": arrow, "change_pct": change})
    return rows


def build(data: ReportInput) -> CustomerReport:
    """The report's figures (recommendations are added by :func:`.rules.apply`)."""
    counts = ticket_counts(data)
    breaches = breach_figures(data)
    totals = (counts["opened"], counts["resolved"], counts["backlog"], breaches["tickets"])
    return CustomerReport(
        customer={"key": data.customer.key, "name": data.customer.name},
        period={
            "label": data.period.label,
            "first": data.period.first.isoformat(),
            "last": (data.period.end - dt.timedelta(days=1)).isoformat(),
            "previous": data.period.previous().label,
            "timezone": data.timezone,
            "contract": data.contract_filter,
        },
        contracts=[
            {
                "key": t.contract.key,
                "support_type": t.contract.support_type,
                "sla": t.contract.sla,
                "pricing": t.contract.pricing,
                "calendar": t.calendar,
                "included_minutes": t.included_minutes,
            }
            for t in data.terms
        ],
        tickets=counts,
        sla=sla_rows(data),
        breaches=breaches,
        outside_hours=outside_hours(data),
        slowest=slowest(data),
        hours=hour_figures(data),
        retainer_usage=retainer_usage(data),
        categories=categories(data),
        night_duty=night_duty(data),
        weekly=weekly(data),
        recurring=words.recurring([(t[T_NUMBER], t[T_SUBJECT]) for t in data.opened]),
        comparison=comparison(data, headline(totals, data.time[data.period.label], breaches)),
        priority_names=data.priority_names,
        generated_at=data.now.isoformat(),
    )
