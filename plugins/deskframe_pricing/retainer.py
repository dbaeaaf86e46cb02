"""The ``retainer`` pricing model: a fixed fee that includes hours, overage above them.

Configuration (``[pricing.NAME]``, ``model = "retainer"``)::

    currency = "RUB"              # required
    fee = "300000.00"             # required: the fee per period
    included = "40h"              # required: hours the fee includes per period ("0h" allowed)
    overage_rate = "9000.00"      # required: per hour above the included hours
    increment = "15m"             # optional: each entry rounded UP to a multiple (as hourly)
    minimum = "30m"               # optional: each entry bills at least this (as hourly)
    carry_over = false            # optional: carry unused included hours to the next period
    prorate = true                # optional, default true

Contract ``params``: ``carried_hours`` (only with ``carry_over = true``): unused hours
carried from earlier periods, a decimal string or an integer (``"12.5"``, ``3``),
taken as whole minutes (half up).

Used time: the billable entries' minutes, each rounded like ``hourly`` (zero stays
zero, else ``max(minutes, minimum)`` rounded up to the increment) and summed; late
entries (from an earlier period, not billed yet) count in the period that bills them.
Non-billable entries count nothing.

Proration (``prorate = true``): when the contract starts or ends inside the period,
the fee is multiplied by ``active_days / days_in_period`` before rounding, and the
included minutes likewise, rounded *up* to a whole minute (in the customer's favour).
A contract not active in the period at all gets no lines (a note says so).

Available = included (prorated) + ``params.carried_hours``. Overage minutes =
``max(0, used - available)``, billed at ``overage_rate x minutes / 60`` on one line
rounded half up. Unused = ``max(0, available - used)``: with ``carry_over = true`` the
model (being pure, it stores nothing) reports it in ``PricingResult.notes`` as
``carried_hours = "X"``, which the caller writes into the contract's
``params.carried_hours`` for the next period; without it, the note says the unused
hours lapse. The carried amount is in hours, exact when the minutes are divisible by
3, else half up to 6 decimals (which converts back to the same whole minutes).

Lines: a ``fee`` line (quantity 1 period) whose ``entry_ids`` are the entries covered
by the available hours plus every non-billable entry (covered, never billed later),
and, when there is overage, an ``overage`` line (quantity the overage hours) whose
``entry_ids`` are the rest. Entries are taken in the order work date, logged-at, id;
an entry that straddles the limit goes on the overage line.
"""

from __future__ import annotations

import decimal
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import attrs

from deskframe.billing import BillingContext, InvoiceLine, PricingResult, TimeGroup, TimeRules
from deskframe.errors import DomainError
from deskframe.money import Money
from deskframe.tables import TableReader

from . import common

NAME = "retainer"
KEYS = ("currency", "fee", "included", "overage_rate", "increment", "minimum", "carry_over", "prorate")
PARAMS = ("carried_hours",)
CARRIED_NOTE = "carried_hours"


@attrs.frozen
class RetainerModel:
    """A configured ``retainer`` model (see the module docstring)."""

    currency: str
    fee: Decimal
    included: int  # minutes
    overage_rate: Decimal
    increment: int | None = None
    minimum: int = 0
    carry_over: bool = False
    prorate: bool = True

    def carried_minutes(self, params: common.Params) -> int:
        """``params.carried_hours`` as whole minutes (half up)."""
        if not params.has("carried_hours"):
            return 0
        if not self.carry_over:
            raise params.error(
                "carried_hours", "this pricing model does not carry unused hours (carry_over is not set)"
            )
        with decimal.localcontext(common.context()):
            return int((params.amount("carried_hours") * 60).to_integral_value(ROUND_HALF_UP))

    def _available(self, context: BillingContext) -> tuple[tuple[int, int], int, int, int] | PricingResult:
        """``(share, included, carried, available)``, or the result of a contract not active in the period."""
        contract = context.contract
        params = common.Params(contract, PARAMS)
        carried = self.carried_minutes(params)
        share = common.proration(context, self.prorate)
        if share[0] <= 0:
            return PricingResult(
                self.currency,
                notes=(f"contract '{contract.key}' is not active in period {context.period}: nothing to bill",),
            )
        active, days = share
        included = -(-self.included * active // days)  # prorated, rounded up to a whole minute
        return share, included, carried, included + carried

    def price(self, context: BillingContext) -> PricingResult:
        found = self._available(context)
        if isinstance(found, PricingResult):
            return found
        available = found[3]
        covered: list[int] = []
        over: list[int] = []
        used = 0
        for entry in sorted(context.entries, key=_order):
            if not entry.billable:
                covered.append(entry.id)
                continue
            if entry.minutes < 0:
                raise DomainError(f"time entry {entry.id}: negative minutes ({entry.minutes})")
            used += common.billed_minutes(entry.minutes, self.increment, self.minimum)
            (covered if used <= available else over).append(entry.id)
        return self._result(found, used, {"entry_ids": tuple(sorted(covered))}, {"entry_ids": tuple(sorted(over))})

    # --- the summed path (TimeRules): the same invoice from sums computed in SQL ----
    def time_rules(self, context: BillingContext) -> TimeRules:
        """Entries rounded as ``price`` does, split where the running sum passes the available minutes."""
        found = self._available(context)
        budget = None if isinstance(found, PricingResult) else found[3]
        return TimeRules(increment=self.increment, minimum=self.minimum, budget=budget, group_by="contract")

    def price_groups(self, context: BillingContext, groups: tuple[TimeGroup, ...]) -> PricingResult:
        """As :meth:`price`, from groups summed per :meth:`time_rules`."""
        found = self._available(context)
        if isinstance(found, PricingResult):
            return found
        bad = [g.negative for g in groups if g.negative is not None]
        if bad:
            eid, logged = min(bad)
            raise DomainError(f"time entry {eid}: negative minutes ({logged})")
        used = sum(g.billed for g in groups if g.billable)
        covered = tuple(i for i, g in enumerate(groups) if not (g.billable and g.over_budget))
        over = tuple(i for i, g in enumerate(groups) if g.billable and g.over_budget)
        return self._result(found, used, {"entry_groups": covered}, {"entry_groups": over})

    def _result(
        self, found: tuple[tuple[int, int], int, int, int], used: int, covered: dict[str, Any], over: dict[str, Any]
    ) -> PricingResult:
        share, included, carried, available = found
        overage = max(0, used - available)
        unused = max(0, available - used)
        cur = self.currency
        fee_details: dict[str, Any] = {
            **common.share_details(share),
            "included_minutes": included,
            "carried_minutes": carried,
            "available_minutes": available,
            "used_minutes": used,
            "unused_minutes": unused,
        }
        lines = [
            InvoiceLine(
                description=f"Retainer fee, {_h(included)} h included" + common.share_text(share),
                quantity=Decimal(1),
                unit="period",
                unit_price=Money(self.fee, cur),
                amount=common.rounded(common.prorate(self.fee, share), cur),
                kind="fee",
                details=fee_details,
                **covered,
            )
        ]
        if overage:
            lines.append(
                InvoiceLine(
                    description=f"Hours above the {_h(available)} h available",
                    quantity=common.hours(overage),
                    unit="h",
                    unit_price=Money(self.overage_rate, cur),
                    amount=common.rounded(common.time_amount(self.overage_rate, overage), cur),
                    kind="overage",
                    details={"overage_minutes": overage},
                    **over,
                )
            )
        if self.carry_over:
            notes: tuple[str, ...] = (f'{CARRIED_NOTE} = "{_h(unused)}" (unused hours carried to the next period)',)
        else:
            notes = (f"unused hours: {_h(unused)} (not carried over)",) if unused else ()
        return PricingResult(cur, tuple(lines), (), notes)


def _order(entry: Any) -> tuple[Any, float, int]:
    logged = entry.logged_at.timestamp() if entry.logged_at is not None and entry.logged_at.tzinfo else 0.0
    return (entry.work_date, logged, entry.id)


def _h(minutes: int) -> str:
    return common.fmt_hours(common.hours(minutes))


def build(table: dict[str, Any]) -> RetainerModel:
    """Validate a ``[pricing.NAME]`` table of ``model = "retainer"``."""
    t = TableReader(table)
    common.reject_unknown(t, KEYS)
    return RetainerModel(
        currency=common.currency(t),
        fee=common.amount(t, "fee"),
        included=common.minutes(t, "included"),
        overage_rate=common.amount(t, "overage_rate"),
        increment=common.minutes(t, "increment", None, positive=True),
        minimum=common.minutes(t, "minimum", 0),
        carry_over=t.bool("carry_over", False),
        prorate=t.bool("prorate", True),
    )


__all__ = ["CARRIED_NOTE", "NAME", "RetainerModel", "build"]
