"""A tiny pricing model for the invoicing tests, usable as a plugin module.

Registered in-process through ``make_desk(plugins=[invoicing_pricing])`` and, for the
``deskframe serve`` subprocess, through a throw-away entry point (see
``invoicing_helpers.serve``), so both processes read the same ``deskframe.toml``.

Model ``per-minute``: ``rate`` RUB per minute of billable time, one line per entry;
time on a ticket whose estimate is not approved is held back.
"""

from __future__ import annotations

from decimal import Decimal

import deskframe
from deskframe import Money, PricingModelType
from deskframe.billing import InvoiceLine, PricingResult


class PerMinute:
    currency = "RUB"

    def __init__(self, table):
        self.rate = Decimal(table.get("rate", "1"))

    def price(self, ctx):
        lines, held = [], []
        for e in ctx.entries:
            if not e.billable:
                continue
            est = ctx.estimates.get(e.ticket)
            if est is not None and not est.approved:
                held.append(e)
                continue
            lines.append(
                InvoiceLine(
                    description=e.ticket_subject,
                    quantity=Decimal(e.minutes),
                    unit="min",
                    unit_price=Money(self.rate, "RUB"),
                    amount=Money(self.rate * e.minutes, "RUB").rounded(),
                    ticket=e.ticket,
                    agent=e.agent,
                    work_date=e.work_date,
                    original_date=e.work_date if e.late else None,
                    entry_ids=(e.id,),
                    estimate_hours=est.hours if est else None,
                )
            )
        return PricingResult("RUB", tuple(lines), tuple(held))


@deskframe.hookimpl
def register_pricing_models(register):
    register(PricingModelType("per-minute", PerMinute))
