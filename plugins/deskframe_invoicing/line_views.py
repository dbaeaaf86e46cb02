"""An invoice's lines as the customer reads them: grouped per ticket, each group with the hours logged and
billed beside the estimate (and why they differ), and the time entries held back awaiting an estimate's approval.

An agent is shown by display name, or role with ``agent_label = "role"``; never by login.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import attrs

from deskframe.billing import Invoice, InvoiceLine
from deskframe.money import Money

from . import formatting
from .locale_text import N_, LocaleText

HELD_LABEL = N_("estimate awaiting approval")
LATE_LABEL = N_("logged late")
#: Units pricing models write, as the catalog knows them.
UNITS = {
    "h": N_("h"),
    "min": N_("min"),
    "user": N_("user"),
    "server": N_("server"),
    "service": N_("service"),
    "month": N_("month"),
    "pcs": N_("pcs"),
}
_HOUR_UNITS = frozenset({"h", "hr", "hrs", "hour", "hours"})
_MINUTE_UNITS = frozenset({"min", "mins", "minute", "minutes"})
_SIXTY = Decimal(60)
_HUNDREDTH = Decimal("0.01")


@attrs.frozen
class LineView:
    """One invoice line: ``when`` is the work date, or the period a subscription line covers."""

    no: int
    when: str
    late: bool
    agent: str
    description: str
    quantity: str
    unit: str
    rate: str
    amount: str
    kind: str


@attrs.frozen
class TicketGroup:
    """The lines of one ticket (``ticket`` None: lines not tied to a ticket)."""

    ticket: str | None
    title: str
    note: str | None  # estimate, hours logged and billed, and why they differ
    lines: tuple[LineView, ...]
    amount: str


@attrs.frozen
class HeldView:
    """A time entry not billed yet because its ticket's estimate awaits approval."""

    ticket: str
    agent: str
    date: str
    hours: str
    reason: str


def line_hours(line: InvoiceLine) -> Decimal | None:
    """Hours of work a line stands for: the worked minutes a pricing model noted in
    ``details["minutes"]``, else the quantity of a line counted in hours or minutes."""
    minutes = line.details.get("minutes") if isinstance(line.details, Mapping) else None
    if isinstance(minutes, int) and not isinstance(minutes, bool):
        return Decimal(minutes) / _SIXTY
    return _quantity_hours(line)


def billed_hours(line: InvoiceLine) -> Decimal | None:
    """Hours a line bills: its quantity when counted in hours or minutes."""
    return _quantity_hours(line)


def _quantity_hours(line: InvoiceLine) -> Decimal | None:
    unit = (line.unit or "").strip().lower()
    if unit in _HOUR_UNITS:
        return line.quantity
    if unit in _MINUTE_UNITS:
        return line.quantity / _SIXTY
    return None


def _agent(line: InvoiceLine, invoice: Invoice, label: str, w: LocaleText) -> str:
    """The agent as the customer may see it: display name, or role; never the login."""
    if not line.agent:
        return ""
    name, role = invoice.agents.get(line.agent, ("", ""))
    if not role and isinstance(line.details, Mapping):
        role = str(line.details.get("role") or "")
    if label == "role":
        return role
    return name or role


def _line_view(no: int, line: InvoiceLine, invoice: Invoice, agent_label: str, w: LocaleText) -> LineView:
    day = line.original_date or line.work_date
    return LineView(
        no=no,
        when=w.date(day) if day else w.period_range(invoice.period),
        late=line.original_date is not None,
        agent=_agent(line, invoice, agent_label, w),
        description=line.description,
        quantity=formatting.number(line.quantity, w.locale),
        unit=w(UNITS[line.unit]) if line.unit in UNITS else line.unit,
        rate=w.money(line.unit_price, exact=True),
        amount=w.money(line.amount),
        kind=line.kind,
    )


def _rounding(lines: list[InvoiceLine], w: LocaleText) -> str:
    """Why billed time exceeds logged time, from what the pricing model noted."""
    details = [line.details for line in lines if isinstance(line.details, Mapping)]
    increments = {d.get("increment_minutes") for d in details} - {None}
    minimums = {d.get("minimum_minutes") for d in details} - {None}
    parts = []
    if len(increments) == 1:
        parts.append(w("each entry rounded up to {minutes} min", minutes=increments.pop()))
    if len(minimums) == 1:
        parts.append(w("at least {minutes} min per entry", minutes=minimums.pop()))
    return ", ".join(parts) if parts else w("each entry rounded up as the contract provides")


def _group_note(invoice: Invoice, lines: list[InvoiceLine], w: LocaleText) -> str | None:
    if invoice.kind == "credit":
        return None
    parts = []
    estimates = [line.estimate_hours for line in lines if line.estimate_hours is not None]
    if estimates:
        parts.append(w("estimate {hours} h", hours=w.hours(max(estimates))))
    logged = [h for h in (line_hours(line) for line in lines) if h is not None]
    billed = [h for h in (billed_hours(line) for line in lines) if h is not None]
    if logged:
        total_logged = sum(logged, Decimal(0))
        text = w("{hours} h logged", hours=w.hours(total_logged))
        total_billed = sum(billed, Decimal(0))
        if billed and total_billed.quantize(_HUNDREDTH) != total_logged.quantize(_HUNDREDTH):
            text += ", " + w("billed {hours} h", hours=w.hours(total_billed)) + ": " + _rounding(lines, w)
        parts.append(text)
    elif estimates:
        parts.append(w("{hours} h logged", hours="0"))
    return " \u00b7 ".join(parts) or None


def ticket_groups(invoice: Invoice, agent_label: str, w: LocaleText) -> tuple[TicketGroup, ...]:
    """The invoice's lines grouped per ticket, in the order they first appear (lines of no ticket: one group)."""
    grouped: dict[str | None, list[tuple[int, InvoiceLine]]] = {}
    for no, line in enumerate(invoice.lines, start=1):
        grouped.setdefault(line.ticket, []).append((no, line))
    out = []
    for ticket, numbered in grouped.items():
        lines = [line for _, line in numbered]
        amount = sum((line.amount for line in lines), Money.zero(invoice.currency))
        title = (
            w("Ticket {number}", number=ticket)
            if ticket
            else w("Services for {period}", period=w.month(invoice.period))
        )
        out.append(
            TicketGroup(
                ticket=ticket,
                title=title,
                note=_group_note(invoice, lines, w) if ticket else None,
                lines=tuple(_line_view(no, line, invoice, agent_label, w) for no, line in numbered),
                amount=w.money(amount),
            )
        )
    return tuple(out)


def held_view(held: Mapping[str, Any], invoice: Invoice, agent_label: str, w: LocaleText) -> HeldView:
    """One time entry held back from the invoice (``held`` as the ledger recorded it), as the customer sees it."""
    minutes = held.get("minutes")
    hours = w.hours(Decimal(minutes) / _SIXTY) if isinstance(minutes, int) else ""
    login = str(held.get("agent", "") or "")
    name, role = invoice.agents.get(login, ("", ""))
    day = held.get("work_date")
    try:
        shown = w.date(dt.date.fromisoformat(str(day))) if day else ""
    except ValueError:
        shown = str(day)
    return HeldView(
        ticket=str(held.get("ticket", "")),
        agent=(role if agent_label == "role" else name or role),
        date=shown,
        hours=hours,
        reason=w(HELD_LABEL),
    )
