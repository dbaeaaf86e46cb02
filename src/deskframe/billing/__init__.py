"""Billing: the invoice ledger (core) and the interface pricing-model plugins implement.

Pricing itself lives in plugins (``register_pricing_models``); the core collects
what is billable, asks the contract's pricing model for invoice lines, and keeps
the ledger: drafts, gapless numbers per series on issue, credit notes, and the
link from each time entry to the line that billed it so nothing is billed twice.
"""

from .model import (
    BillableEntry,
    BillingContext,
    Estimate,
    Invoice,
    InvoiceLine,
    Payment,
    PricingModel,
    PricingResult,
    SummedPricingModel,
    TimeGroup,
    TimeRules,
)

__all__ = [
    "BillableEntry",
    "BillingContext",
    "Estimate",
    "Invoice",
    "InvoiceLine",
    "Payment",
    "PricingModel",
    "PricingResult",
    "SummedPricingModel",
    "TimeGroup",
    "TimeRules",
]
