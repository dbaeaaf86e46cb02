"""The ``warranty`` pricing model: no charge; time is tracked, never invoiced.

Configuration (``[pricing.NAME]``, ``model = "warranty"``)::

    currency = "RUB"   # optional; default "XXX" (ISO 4217: no currency), it prices nothing

Contract ``params``: none (any key is an error naming it).

``price`` returns a result with no lines and nothing held, so the ledger creates no
invoice: warranty time stays on the time reports and never reaches an invoice. The
entries stay unlinked to any invoice line; a note gives the time tracked.
"""

from __future__ import annotations

from typing import Any

import attrs

from deskframe.billing import BillingContext, PricingResult, TimeGroup, TimeRules
from deskframe.tables import TableReader

from . import common

NAME = "warranty"
KEYS = ("currency",)
NO_CURRENCY = "XXX"


@attrs.frozen
class WarrantyModel:
    """A configured ``warranty`` model: prices everything at nothing, on no invoice."""

    currency: str = NO_CURRENCY

    def price(self, context: BillingContext) -> PricingResult:
        return self._tracked(context, len(context.entries), sum(e.minutes for e in context.entries))

    def time_rules(self, context: BillingContext) -> TimeRules:
        """Entries are only counted (summed path)."""
        return TimeRules(group_by="contract")

    def price_groups(self, context: BillingContext, groups: tuple[TimeGroup, ...]) -> PricingResult:
        return self._tracked(context, sum(g.entries for g in groups), sum(g.minutes for g in groups))

    def _tracked(self, context: BillingContext, count: int, minutes: int) -> PricingResult:
        common.Params(context.contract, ())
        notes: tuple[str, ...] = ()
        if count:
            notes = (
                f"warranty: {count} time entries, {common.fmt_hours(common.hours(minutes))} h tracked, not invoiced",
            )
        return PricingResult(self.currency, (), (), notes)


def build(table: dict[str, Any]) -> WarrantyModel:
    """Validate a ``[pricing.NAME]`` table of ``model = "warranty"``."""
    t = TableReader(table)
    common.reject_unknown(t, KEYS)
    return WarrantyModel(common.currency(t, NO_CURRENCY))


__all__ = ["NAME", "WarrantyModel", "build"]
