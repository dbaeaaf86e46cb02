"""The ``hourly`` pricing model: time and materials by a rate card.

Configuration (``[pricing.NAME]``, ``model = "hourly"``)::

    currency = "RUB"                                    # required, ISO 4217
    rates = { default = "1500.00", developer = "2000.00" }  # required, by agent role; default required
    increment = "15m"            # optional: each entry's minutes rounded UP to a multiple
    minimum = "30m"              # optional: each entry bills at least this (before the increment)
    multipliers = { out_of_hours = "1.5", weekend = "2" }  # optional
    calendar = "moscow-8x5"      # required with multipliers.out_of_hours: a [calendars.NAME]
    require_estimate = true      # true (default) | false | "always"
    lines = "ticket"             # "ticket" (default): a line per ticket and agent | "entry"

Contract ``params``: ``rates = { developer = "2100.00" }`` (optional) - the contract's
card is laid over the configured one key by key, then an entry's rate is the card's
rate for the agent's role, else the card's ``default``.

Per entry, in order: non-billable entries are left out (no line, not held); entries
held for their estimate are listed in ``PricingResult.held``; the others are billed.
Billed minutes: zero stays zero, else ``max(minutes, minimum)`` rounded up to the
increment - always per entry, whatever the lines. Multiplier: ``weekend`` when the
entry's ``work_date`` is a Saturday or Sunday; ``out_of_hours`` when its ``logged_at``
instant is outside the working time of ``calendar`` (an entry without ``logged_at`` is
never out of hours); when both apply the larger one is used (they do not compound).

Lines (``lines``): ``"ticket"`` (the default) gives one line per ticket, agent, rate and
multiplier - and, for late entries, per original date, so a late line is still marked
with its own date; ``"entry"`` gives one line per entry. A line's ``entry_ids`` are the
entries it bills (each linked to it by the ledger); its quantity is the summed billed
hours (see :func:`deskframe_pricing.common.hours`), its ``unit_price`` the rate times
the multiplier, its amount ``rate x multiplier x billed minutes / 60`` rounded half up
to the minor unit once per line; ``work_date`` is the last work date of its entries,
``details`` has the logged and billed minutes and, for several entries, their count and
first and last dates. Entry notes are appended to the description.

Estimates (``require_estimate``): ``true`` holds the entries of a ticket whose estimate
exists but is not approved, and bills tickets with no estimate at all (small requests
are often not estimated); ``"always"`` also holds the entries of tickets without an
estimate; ``false`` never holds. Held entries are billed in a later period once the
estimate is approved (the ledger offers them again because no line linked them).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import attrs

from deskframe.billing import BillableEntry, BillingContext, Estimate, InvoiceLine, PricingResult, TimeGroup, TimeRules
from deskframe.errors import DomainError
from deskframe.money import Money
from deskframe.tables import TableReader

from . import common

NAME = "hourly"
MULTIPLIERS = ("out_of_hours", "weekend")
KEYS = ("currency", "rates", "increment", "minimum", "multipliers", "calendar", "require_estimate", "lines")
LINES = ("ticket", "entry")
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
    lines: str = "ticket"

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
                raise DomainError(
                    f"time entry {entry.id}: logged_at {entry.logged_at.isoformat()} "
                    "has no time zone; out-of-hours pricing needs an aware instant"
                )
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
            calendar = context.calendars.get(self.calendar) if self.calendar is not None else None
            if calendar is None:
                raise DomainError(
                    f"contract '{contract.key}': pricing model '{contract.pricing}' needs "
                    f"calendar '{self.calendar}', which is not configured "
                    f"(configured: {', '.join(sorted(context.calendars)) or 'none'})"
                )
        groups: dict[tuple[Any, ...], _Group] = {}
        held: list[BillableEntry] = []
        held_minutes: dict[str, int] = {}
        holds: dict[str, bool] = {}
        rates: dict[str, tuple[Decimal, str]] = {}
        increment, minimum, per_entry = self.increment, self.minimum, self.lines == "entry"
        plain: tuple[Decimal, str | None] = (_ONE, None)
        for entry in context.entries:  # one pass, no per-entry objects: this runs for every billed entry
            if not entry.billable:
                continue
            logged = entry.minutes
            if logged < 0:
                raise DomainError(f"time entry {entry.id}: negative minutes ({logged})")
            ticket = entry.ticket
            hold = holds.get(ticket)
            if hold is None:
                hold = holds[ticket] = self.is_held(context.estimates.get(ticket))
            if hold:
                held.append(entry)
                held_minutes[ticket] = held_minutes.get(ticket, 0) + logged
                continue
            rate = rates.get(entry.role)
            if rate is None:
                rate = rates[entry.role] = self.rate(card, entry.role, contract.key)
            factor, reason = self.multiplier(entry, calendar) if self.multipliers else plain
            billed = 0 if logged <= 0 else max(logged, minimum)
            if increment and billed:
                billed = -(-billed // increment) * increment
            key = (
                ticket,
                entry.agent,
                rate[1],
                reason,
                entry.work_date if entry.late else None,
                entry.id if per_entry else None,
            )
            group = groups.get(key)
            if group is None:
                group = groups[key] = _Group(entry, rate, factor, reason)
            group.add(entry, logged, billed)
        lines = [
            self.line(g, context.estimates.get(g.first.ticket), contract.key)
            for g in sorted(groups.values(), key=_Group.order)
        ]
        return PricingResult(self.currency, tuple(lines), tuple(held), self._held_notes(held_minutes, context))

    @staticmethod
    def rate(card: Mapping[str, Decimal], role: str, contract: str) -> tuple[Decimal, str]:
        """The hourly rate of ``role`` and the card key it came from."""
        if role in card:
            return card[role], role
        if "default" in card:
            return card["default"], "default"
        # only when a contract's card replaced everything; rates.default is required
        raise DomainError(f"contract '{contract}': no rate for role '{role}' and no default")

    def line(self, group: _Group, estimate: Estimate | None, contract: str) -> InvoiceLine:
        """One invoice line for a group of entries (rounded once, from the summed billed minutes)."""
        first = group.first
        return self._line(
            ticket=first.ticket,
            subject=first.ticket_subject,
            agent=first.agent,
            role=first.role,
            rate=group.rate,
            factor=group.factor,
            reason=group.reason,
            minutes=group.minutes,
            billed=group.billed,
            count=len(group.ids),
            first_date=group.first_date,
            last_date=group.last_date,
            original_date=first.work_date if first.late else None,
            notes=group.notes,
            estimate=estimate,
            entry_ids=tuple(sorted(group.ids)),
        )

    def _line(
        self,
        *,
        ticket: str,
        subject: str | None,
        agent: str,
        role: str,
        rate: tuple[Decimal, str],
        factor: Decimal,
        reason: str | None,
        minutes: int,
        billed: int,
        count: int,
        first_date: Any,
        last_date: Any,
        original_date: Any,
        notes: Any,
        estimate: Estimate | None,
        entry_ids: tuple[int, ...] = (),
        entry_groups: tuple[int, ...] = (),
    ) -> InvoiceLine:
        hourly, rate_key = rate
        amount = common.rounded(common.time_amount(hourly, billed, factor), self.currency)
        unit_price = Money(hourly * factor, self.currency)  # exact: both are short decimals
        description = subject or ticket
        notes = list(dict.fromkeys(note for note in notes if note))
        if notes:
            description = f"{description} - {'; '.join(notes)}"
        if reason:
            description += f" ({reason.replace('_', ' ')} x{common.fmt_hours(factor)})"
        details: dict[str, Any] = {
            "minutes": minutes,
            "billed_minutes": billed,
            "rate": str(hourly),
            "rate_key": rate_key,
            "role": role,
        }
        if self.increment:  # lets an invoice explain why billed time exceeds logged time
            details["increment_minutes"] = self.increment
        if self.minimum:
            details["minimum_minutes"] = self.minimum
        if count > 1:
            details.update(entries=count, first_date=first_date.isoformat(), last_date=last_date.isoformat())
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
            ticket=ticket,
            agent=agent,
            work_date=last_date,
            original_date=original_date,
            entry_ids=entry_ids,
            estimate_hours=estimate.hours if estimate is not None else None,
            details=details,
            entry_groups=entry_groups,
        )

    # --- the summed path (TimeRules): the same invoice from sums computed in SQL ----
    def time_rules(self, context: BillingContext) -> TimeRules | None:
        """Per-entry rounding for the store to sum in SQL; None (price entries one by one)
        for a line per entry, or when the calendar is missing (``price`` reports it)."""
        if self.lines == "entry":
            return None
        if "out_of_hours" in self.multipliers and self.calendar not in context.calendars:
            return None
        return TimeRules(
            increment=self.increment,
            minimum=self.minimum,
            weekend=self.multipliers.get("weekend"),
            out_of_hours=self.multipliers.get("out_of_hours"),
            calendar=self.calendar if "out_of_hours" in self.multipliers else None,
            group_by="ticket",
            billable_only=True,
        )

    def price_groups(self, context: BillingContext, groups: tuple[TimeGroup, ...]) -> PricingResult:
        """As :meth:`price`, from groups summed per :meth:`time_rules`."""
        contract = context.contract
        params = common.Params(contract, PARAMS)
        card = self.rate_card(params)
        bad = [g for g in groups if g.negative is not None]
        if bad:  # as price: the first negative entry by ticket, then id
            eid, logged = min(g.negative for g in bad if g.negative is not None and g.key[1] == bad[0].key[1])
            raise DomainError(f"time entry {eid}: negative minutes ({logged})")
        holds: dict[str, bool] = {}
        held_groups: list[int] = []
        held_minutes: dict[str, int] = {}
        rates: dict[str, tuple[Decimal, str]] = {}
        lines = []
        for i, g in enumerate(groups):
            ticket = g.ticket or ""
            hold = holds.get(ticket)
            if hold is None:
                hold = holds[ticket] = self.is_held(context.estimates.get(ticket))
            if hold:
                held_groups.append(i)
                held_minutes[ticket] = held_minutes.get(ticket, 0) + g.minutes
                continue
            role = g.role or ""
            rate = rates.get(role)
            if rate is None:
                rate = rates[role] = self.rate(card, role, contract.key)
            factor = self.multipliers[g.multiplier] if g.multiplier else _ONE
            lines.append(
                (
                    (ticket, g.first_date, g.first_id),
                    self._line(
                        ticket=ticket,
                        subject=g.ticket_subject,
                        agent=g.agent or "",
                        role=role,
                        rate=rate,
                        factor=factor,
                        reason=g.multiplier,
                        minutes=g.minutes,
                        billed=g.billed,
                        count=g.entries,
                        first_date=g.first_date,
                        last_date=g.last_date,
                        original_date=g.original_date,
                        notes=g.notes,
                        estimate=context.estimates.get(ticket),
                        entry_groups=(i,),
                    ),
                )
            )
        lines.sort(key=lambda pair: pair[0])
        return PricingResult(
            self.currency,
            tuple(line for _, line in lines),
            (),
            self._held_notes(held_minutes, context),
            tuple(held_groups),
        )

    @staticmethod
    def _held_notes(held_minutes: Mapping[str, int], context: BillingContext) -> tuple[str, ...]:
        notes = []
        for ticket, mins in held_minutes.items():
            estimate = context.estimates.get(ticket)
            why = "it has no estimate" if estimate is None else "its estimate is not approved"
            notes.append(
                f"held: {common.fmt_hours(common.hours(mins))} h logged on ticket {ticket} "
                f"({why}); billed once the estimate is approved"
            )
        return tuple(notes)


_ONE = Decimal(1)


class _Group:
    """The entries of one invoice line while they are summed (mutable, private to ``price``)."""

    __slots__ = (
        "billed",
        "factor",
        "first",
        "first_date",
        "ids",
        "last_date",
        "minutes",
        "notes",
        "rate",
        "reason",
    )

    def __init__(self, first: BillableEntry, rate: tuple[Decimal, str], factor: Decimal, reason: str | None):
        self.first, self.rate, self.factor, self.reason = first, rate, factor, reason
        self.minutes = self.billed = 0
        self.ids: list[int] = []
        self.notes: list[str] = []
        self.first_date = self.last_date = first.work_date

    def add(self, entry: BillableEntry, logged: int, billed: int) -> None:
        self.minutes += logged
        self.billed += billed
        self.ids.append(entry.id)
        if entry.note:
            self.notes.append(entry.note)
        if entry.work_date < self.first_date:
            self.first_date = entry.work_date
        elif entry.work_date > self.last_date:
            self.last_date = entry.work_date

    def order(self) -> tuple[Any, ...]:
        """Lines by ticket, then date, then the first entry's id."""
        return (self.first.ticket, self.first_date, min(self.ids))


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
        raise t.error(
            "calendar",
            "is required with multipliers.out_of_hours (the business calendar whose working time is 'in hours')",
        )
    if calendar is not None and "out_of_hours" not in multipliers:
        raise t.error("calendar", "is only used by multipliers.out_of_hours, which is not set")
    require = t.data.get("require_estimate", True)
    if not (isinstance(require, bool) or require == "always"):
        raise t.error("require_estimate", f'must be true, false or "always", got {require!r}')
    lines = t.str("lines", "ticket")
    if lines not in LINES:
        raise t.error(
            "lines", f'must be "ticket" (a line per ticket and agent) or "entry" (a line per time entry), got {lines!r}'
        )
    return HourlyModel(
        currency=currency,
        rates=rates,
        increment=increment,
        minimum=minimum,
        multipliers=multipliers,
        calendar=calendar,
        require_estimate=require,
        lines=lines,
    )


__all__ = ["NAME", "HourlyModel", "build"]
