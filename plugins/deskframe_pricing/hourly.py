"""The ``hourly`` pricing model: time and materials by a rate card.

Configuration (``[pricing.NAME]``, ``model = "hourly"``)::

    currency = "RUB"                                    # required, ISO 4217
    rates = { default = "1500.00", developer = "2000.00" }  # required, by agent role; default required
    increment = "15m"            # optional: each entry's minutes rounded UP to a multiple
    minimum = "30m"              # optional: each entry bills at least this (before the increment)
    multipliers = { out_of_hours = "1.5", weekend = "2" }  # optional
    calendar = "moscow-8x5"      # required with multipliers.out_of_hours: a [calendars.NAME]
    require_estimate = true      # true (default) | false | "always"

Contract ``params``: ``rates = { developer = "2100.00" }`` (optional) - the contract's
card is laid over the configured one key by key, then an entry's rate is the card's
rate for the agent's role, else the card's ``default``.

Per entry, in order: non-billable entries are left out (no line, not held); entries
held for their estimate are listed in ``PricingResult.held``; the others get one line.
Billed minutes: zero stays zero, else ``max(minutes, minimum)`` rounded up to the
increment. Multiplier: ``weekend`` when the entry's ``work_date`` is a Saturday or
Sunday; ``out_of_hours`` when its ``logged_at`` instant is outside the working time of
``calendar`` (an entry without ``logged_at`` is never out of hours); when both apply
the larger one is used (they do not compound). The line's ``unit_price`` is the rate
times the multiplier, its amount ``rate x multiplier x billed minutes / 60`` rounded
half up to the minor unit; its quantity is the billed hours (see
:func:`deskframe_pricing.common.hours`).

Estimates (``require_estimate``): ``true`` holds the entries of a ticket whose estimate
exists but is not approved, and bills tickets with no estimate at all (small requests
are often not estimated); ``"always"`` also holds the entries of tickets without an
estimate; ``false`` never holds. Held entries are billed in a later period once the
estimate is approved (the ledger offers them again because no line linked them).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Mapping

import attrs

from deskframe.billing import BillableEntry, BillingContext, Estimate, InvoiceLine, PricingResult
from deskframe.errors import DomainError
from deskframe.money import Money
from deskframe.tables import TableReader

from . import common

NAME = "hourly"
MULTIPLIERS = ("out_of_hours", "weekend")
KEYS = ("currency", "rates", "increment", "minimum", "multipliers", "calendar", "require_estimate")
PARAMS = ("rates",)


@attrs.frozen
class HourlyModel:
    """A configured ``hourly`` model (see the module docstring)."""

    currency: str
    rates: Mapping[str, Decimal]
    increment: int | None = None
    minimum: int = 0
    multipliers: Mapping[str, Decimal] = attrs.field(factory=dict)
    calendar: str | None = None
    require_estimate: bool | str = True

    def calendar_names(self) -> set[str]:
        """Calendars this model needs from ``BillingContext.calendars``."""
        return {self.calendar} if self.calendar else set()

    def rate_card(self, params: common.Params) -> dict[str, Decimal]:
        return {**self.rates, **params.amount_table("rates")} if params.has("rates") else dict(self.rates)

    def is_held(self, estimate: Estimate | None) -> bool:
        if self.require_estimate is False:
            return False
        if estimate is None:
            return self.require_estimate == "always"
        return not estimate.approved

    def multiplier(self, entry: BillableEntry, calendar: Any) -> tuple[Decimal, str | None]:
        """The multiplier of ``entry`` and why (``None``: the plain rate)."""
        found: list[tuple[Decimal, str]] = []
        if "weekend" in self.multipliers and entry.work_date.weekday() >= 5:
            found.append((self.multipliers["weekend"], "weekend"))
        if calendar is not None and entry.logged_at is not None:
            if entry.logged_at.tzinfo is None or entry.logged_at.utcoffset() is None:
                raise DomainError(f"time entry {entry.id}: logged_at {entry.logged_at.isoformat()} "
                                  "has no time zone; out-of-hours pricing needs an aware instant")
            if not calendar.is_working(entry.logged_at):
                found.append((self.multipliers["out_of_hours"], "out_of_hours"))
        if not found:
            return Decimal(1), None
        return max(found, key=lambda f: f[0])

    def price(self, context: BillingContext) -> PricingResult:
        contract = context.contract
        params = common.Params(contract, PARAMS)
        card = self.rate_card(params)
        calendar = None
        if "out_of_hours" in self.multipliers:
            calendar = context.calendars.get(self.calendar)
            if calendar is None:
                raise DomainError(f"contract '{contract.key}': pricing model '{contract.pricing}' needs "
                                  f"calendar '{self.calendar}', which is not configured "
                                  f"(configured: {', '.join(sorted(context.calendars)) or 'none'})")
        lines: list[InvoiceLine] = []
        held: list[BillableEntry] = []
        held_minutes: dict[str, int] = {}
        for entry in sorted(context.entries, key=lambda e: (e.ticket, e.work_date, e.id)):
            if not entry.billable:
                continue
            if entry.minutes < 0:
                raise DomainError(f"time entry {entry.id}: negative minutes ({entry.minutes})")
            estimate = context.estimates.get(entry.ticket)
            if self.is_held(estimate):
                held.append(entry)
                held_minutes[entry.ticket] = held_minutes.get(entry.ticket, 0) + entry.minutes
                continue
            lines.append(self.line(entry, card, estimate, calendar, contract.key))
        notes = []
        for ticket, mins in held_minutes.items():
            estimate = context.estimates.get(ticket)
            why = "it has no estimate" if estimate is None else "its estimate is not approved"
            notes.append(f"held: {common.fmt_hours(common.hours(mins))} h logged on ticket {ticket} "
                         f"({why}); billed once the estimate is approved")
        return PricingResult(self.currency, tuple(lines), tuple(held), tuple(notes))

    def line(self, entry: BillableEntry, card: Mapping[str, Decimal], estimate: Estimate | None,
             calendar: Any, contract: str) -> InvoiceLine:
        if entry.role in card:
            rate, rate_key = card[entry.role], entry.role
        elif "default" in card:
            rate, rate_key = card["default"], "default"
        else:  # only when a contract's card replaced everything; rates.default is required
            raise DomainError(f"contract '{contract}': no rate for role '{entry.role}' and no default")
        factor, reason = self.multiplier(entry, calendar)
        billed = common.billed_minutes(entry.minutes, self.increment, self.minimum)
        amount = common.rounded(common.time_amount(rate, billed, factor), self.currency)
        unit_price = Money(rate * factor, self.currency)  # exact: both are short decimals
        description = entry.ticket_subject or entry.ticket
        if entry.note:
            description = f"{description} - {entry.note}"
        if reason:
            description += f" ({reason.replace('_', ' ')} x{common.fmt_hours(factor)})"
        details: dict[str, Any] = {"minutes": entry.minutes, "billed_minutes": billed,
                                   "rate": str(rate), "rate_key": rate_key, "role": entry.role}
        if reason:
            details.update(multiplier=str(factor), multiplier_reason=reason)
        if estimate is not None:
            details["estimate_approved"] = estimate.approved
        return InvoiceLine(
            description=description,
            quantity=common.hours(billed),
            unit="h",
            unit_price=unit_price,
            amount=amount,
            kind="time",
            ticket=entry.ticket,
            agent=entry.agent,
            work_date=entry.work_date,
            original_date=entry.work_date if entry.late else None,
            entry_ids=(entry.id,),
            estimate_hours=estimate.hours if estimate is not None else None,
            details=details,
        )


def build(table: dict[str, Any]) -> HourlyModel:
    """Validate a ``[pricing.NAME]`` table of ``model = "hourly"``."""
    t = TableReader(table)
    common.reject_unknown(t, KEYS)
    currency = common.currency(t)
    rates = common.amount_table(t, "rates", required=("default",))
    increment = common.minutes(t, "increment", None, positive=True)
    minimum = common.minutes(t, "minimum", 0)
    multipliers: dict[str, Decimal] = {}
    if "multipliers" in t.data:
        m = t.sub("multipliers")
        m.reject_unknown(MULTIPLIERS)
        for key in m.data:
            try:
                multipliers[key] = common.parse_factor(m.data[key])
            except ValueError as exc:
                raise m.error(key, str(exc)) from None
    calendar = t.str("calendar", None)
    if "out_of_hours" in multipliers and calendar is None:
        raise t.error("calendar", "is required with multipliers.out_of_hours (the business calendar "
                                  "whose working time is 'in hours')")
    if calendar is not None and "out_of_hours" not in multipliers:
        raise t.error("calendar", "is only used by multipliers.out_of_hours, which is not set")
    require = t.data.get("require_estimate", True)
    if not (isinstance(require, bool) or require == "always"):
        raise t.error("require_estimate", f"must be true, false or \"always\", got {require!r}")
    return HourlyModel(currency=currency, rates=rates, increment=increment, minimum=minimum,
                       multipliers=multipliers, calendar=calendar, require_estimate=require)


__all__ = ["HourlyModel", "build", "NAME"]
