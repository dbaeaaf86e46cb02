"""Every read the report makes of the desk and the core, in one place.

The rest of the plugin works on the plain :class:`ReportInput` this module returns, so
when the core's API moves only this module changes. It reads through the desk's services
(``desk.directory``, ``desk.activity``) and its configuration. Nothing here writes.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import attrs

from deskframe.errors import BadValue
from deskframe.model import PRIORITY_LEVELS, Contract, Customer
from deskframe.periods import Period
from deskframe.services.activity import TimeTotal
from deskframe.sla import TicketFacts

#: What the report counts of a period's tickets in SQL per priority, channel and line.
COUNTED = ("opened", "resolved", "backlog")
#: Support types whose tickets night duty watches when no ``[oncall]`` rotation says otherwise.
NIGHT_SUPPORT_TYPES = ("24x7", "premium")


@attrs.frozen
class ContractTerms:
    """What the report needs of one contract: its SLA calendar and targets, its included
    hours, and the business calendar outside which its tickets are night duty."""

    contract: Contract
    calendar: str | None = None
    #: ``(priority, clock kind) -> target`` in working time of ``calendar``.
    targets: dict[tuple[str, str], dt.timedelta] = attrs.field(factory=dict)
    included_minutes: int | None = None
    night_calendar: str | None = None


@attrs.frozen
class ReportInput:
    """Everything one report is computed from (plain values, no desk behind them)."""

    customer: Customer
    period: Period
    start: dt.datetime
    end: dt.datetime
    now: dt.datetime
    timezone: str
    terms: tuple[ContractTerms, ...]
    #: The tickets opened in the period, oldest first: ``(id, number, subject, priority, channel,
    #: line, queue, contract, created_us)`` plain tuples (``desk.activity.opened``).
    opened: list[tuple[Any, ...]]
    #: Their SLA clocks: ``(ticket id, *clock)`` plain tuples, ``clock`` in ``ClockRecord``'s order.
    clocks: list[tuple[Any, ...]]
    #: This period's tickets counted in SQL per priority, channel and line: ``(priority, channel,
    #: line, opened, resolved, backlog)`` (``desk.activity.counts``; the breaches come from the clocks).
    counts: list[tuple[Any, ...]]
    #: The previous period's totals: ``(opened, resolved, backlog, breached)``.
    previous_counts: tuple[int, int, int, int]
    #: Ticket number -> estimated hours, of the tickets that matter to the period.
    estimates: dict[str, Any]
    #: ``period label -> time`` summed per billable (SQL sums; this period's per agent too), this
    #: period and the two before it.
    time: dict[str, list[TimeTotal]]
    agent_names: dict[str, str]
    priority_names: dict[str, str]
    calendars: dict[str, Any]
    rules: list[Any]
    contract_filter: str | None = None
    #: This period's time per ticket: ``(number, subject, billable minutes, non-billable
    #: minutes)`` by number (``desk.activity.time_per_ticket``).
    time_by_ticket: list[tuple[str, str, int, int]] = attrs.field(factory=list)
    #: This period's time summed per agent and billable (no ticket).
    time_by_agent: list[TimeTotal] = attrs.field(factory=list)
    #: The desk's public address (``[billing] public_url`` when the file sets it), from which
    #: the slowest tickets link to their portal pages; None: no links.
    link_base: str | None = None


def _customer(desk: Any, key: str) -> Customer:
    for customer in desk.directory.customers():
        if customer.key == key:
            return customer
    raise BadValue(f"unknown customer '{key}'")


def _contracts(desk: Any, customer: str, period: Period, contract: str | None) -> list[Contract]:
    contracts = desk.directory.contracts(customer)
    if contract is not None:
        chosen = [c for c in contracts if c.key == contract]
        if not chosen:
            known = ", ".join(c.key for c in contracts) or "none"
            raise BadValue(f"--contract: customer '{customer}' has no contract '{contract}' (known: {known})")
        return chosen
    last = period.end - dt.timedelta(days=1)
    return [c for c in contracts if (c.start is None or c.start <= last) and (c.end is None or c.end >= period.first)]


def _night_calendar(desk: Any, support_type: str) -> str | None:
    """The business calendar of the on-call rotation that watches ``support_type`` (``[oncall]``
    of the SLA plugin, read by attribute), or None when no rotation says."""
    rotations = desk.config.sections.get("oncall") or {}
    for rotation in rotations.values() if isinstance(rotations, dict) else ():
        types = tuple(getattr(rotation, "support_types", ()) or NIGHT_SUPPORT_TYPES)
        calendar = getattr(rotation, "business_calendar", None)
        if support_type in types and calendar:
            return str(calendar)
    return None


def _terms(desk: Any, contract: Contract, start: dt.datetime) -> ContractTerms:
    calendars = desk.sla.calendars
    name = contract.sla or desk.settings.default_sla
    policy = desk.config.sla_policies.get(name) if name else None
    calendar, targets = None, {}
    if policy is not None:
        for priority in PRIORITY_LEVELS:
            facts = TicketFacts(
                number="report",
                priority=priority,
                opened_at=start,
                support_type=contract.support_type,
                contract=contract.key,
                customer=contract.customer,
            )
            for spec in policy.start(facts, calendars):
                calendar = calendar or spec.calendar
                targets[(priority, spec.kind)] = calendars[spec.calendar].between(start, spec.due)
    included = None
    if "included_hours" in contract.params:
        included = round(float(contract.params["included_hours"]) * 60)
    else:
        model = desk.config.pricing_models.get(contract.pricing) if contract.pricing else None
        minutes = getattr(model, "included", None)
        if isinstance(minutes, int) and not isinstance(minutes, bool):
            included = minutes
    night = _night_calendar(desk, contract.support_type) if contract.support_type in NIGHT_SUPPORT_TYPES else None
    return ContractTerms(contract, calendar, targets, included, night)


def load(desk: Any, customer_key: str, period: Period, contract: str | None = None) -> ReportInput:
    """Read what the report of ``customer_key`` for ``period`` needs (exit 2 on an unknown
    customer or a contract of another customer), in one read transaction: one snapshot for all
    the figures and one connection checkout instead of one per read (``store.one_read``)."""
    with desk.store.one_read():
        return _load(desk, customer_key, period, contract)


def _load(desk: Any, customer_key: str, period: Period, contract: str | None) -> ReportInput:
    customer = _customer(desk, customer_key)
    zone = desk.config.timezone
    start, end = period.bounds(zone)
    previous = period.previous()
    pstart, pend = previous.bounds(zone)
    contracts = _contracts(desk, customer.key, period, contract)
    opened, clocks = desk.activity.opened(customer.key, start, end, contract=contract)
    counts = desk.activity.counts(
        customer.key, start, end, contract=contract, by=("priority", "channel", "line"), figures=COUNTED
    )
    (previous_counts,) = desk.activity.counts(customer.key, pstart, pend, contract=contract)
    by_agent = desk.activity.time(customer.key, period.first, period.end, contract=contract, by=("agent",))
    # this period's billable and non-billable totals are the per-agent sums summed (no third scan)
    time = {period.label: by_agent}
    for p in (previous, previous.previous()):
        time[p.label] = desk.activity.time(customer.key, p.first, p.end, contract=contract, by=())
    return ReportInput(
        customer=customer,
        period=period,
        start=start,
        end=end,
        now=desk.clock(),
        timezone=zone,
        terms=tuple(_terms(desk, c, start) for c in contracts),
        opened=opened,
        clocks=clocks,
        counts=counts,
        previous_counts=previous_counts,
        estimates=desk.activity.estimates(customer.key, start, end, contract=contract),
        time=time,
        agent_names={a.login: a.name for a in desk.directory.agents()},
        priority_names=dict(desk.settings.priority_names),
        calendars=dict(desk.sla.calendars),
        rules=list(desk.plugins.registry.items("report_rules")),
        contract_filter=contract,
        time_by_ticket=desk.activity.time_per_ticket(customer.key, period.first, period.end, contract=contract),
        time_by_agent=by_agent,
        link_base=desk.config.billing.public_url if desk.config.billing.public_url_given else None,
    )


def contract_calendar(desk: Any, contract: Contract) -> str | None:
    """The name of ``contract``'s business calendar: for night-duty support types the
    ``business_calendar`` of the ``[oncall]`` rotation that watches them, else the calendar of
    its SLA policy's first clock; None when neither says."""
    terms = _terms(desk, contract, desk.clock())
    return terms.night_calendar or terms.calendar
