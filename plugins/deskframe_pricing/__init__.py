"""Reference pricing models: ``hourly``, ``subscription``, ``retainer``, ``warranty``.

Hook implemented here: ``register_pricing_models``. A ``[pricing.NAME]`` table names
its model with ``model = "..."``; a contract names the table with ``pricing = "NAME"``
and gives the model's inputs in its ``params``. Each model's keys, parameters and
decisions are documented in its module (:mod:`deskframe_pricing.hourly`,
:mod:`~deskframe_pricing.subscription`, :mod:`~deskframe_pricing.retainer`,
:mod:`~deskframe_pricing.warranty`).

Money and rounding, for every model:

* Amounts are :class:`~deskframe.money.Money` (``Decimal`` with a currency), never
  floats. In configuration an amount is a decimal string (``"1500.00"``) or an
  integer; a TOML float is an error naming its key. Percentages are strings such as
  ``"10%"``, durations strings such as ``"15m"`` or ``"40h"`` (whole minutes,
  :func:`deskframe.sla.parse_duration`).
* Quantities are exact: time is counted in whole minutes (after per-entry rounding
  up to the increment), users, servers and days are integers, rates and prices are
  the configured decimals. Intermediate arithmetic runs at 60 significant digits.
* Each line's amount is rounded once, half up, to the currency's minor unit
  (:meth:`Money.rounded`, kopecks for RUB): 1 minute at 1000.00/h = 16.666... ->
  16.67. Proration multiplies a line's full amount by ``active_days /
  days_in_period`` before that single rounding.
* An invoice total is the sum of its rounded lines (never a rounding of the exact
  total), so the lines always add up to the total to the kopeck.
* A line's ``quantity`` is for display (hours shown to at most 6 decimals); the
  amount is computed from the exact minutes, not from the shown quantity.

Configuration errors are :class:`~deskframe.errors.ConfigError` naming the key
(``rates.developer``, ``failover.active-passive``); errors in a contract's ``params``
appear when the contract is priced and are :class:`~deskframe.errors.DomainError`
naming ``params.KEY``. Every model's ``price`` is pure.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import deskframe

if TYPE_CHECKING:
    from deskframe.extensions import PricingModelType

    from . import common, hourly, retainer, subscription, warranty
    from .hourly import HourlyModel
    from .retainer import RetainerModel
    from .subscription import SubscriptionModel
    from .warranty import WarrantyModel

__all__ = [
    "HourlyModel",
    "RetainerModel",
    "SubscriptionModel",
    "WarrantyModel",
    "common",
    "hourly",
    "retainer",
    "subscription",
    "warranty",
]
_SUBMODULES = ("common", "hourly", "retainer", "subscription", "warranty")
_MODELS = {
    "HourlyModel": "hourly",
    "RetainerModel": "retainer",
    "SubscriptionModel": "subscription",
    "WarrantyModel": "warranty",
}


@deskframe.hookimpl
def register_pricing_models(register: Callable[[PricingModelType], None]) -> None:
    """Register the four reference pricing models."""
    from deskframe.extensions import PricingModelType

    from . import hourly, retainer, subscription, warranty

    register(
        PricingModelType(
            hourly.NAME, hourly.build, "Time by a rate card per agent role, rounded per entry; estimates gate billing"
        )
    )
    register(
        PricingModelType(
            subscription.NAME,
            subscription.build,
            "Per user and per server by support type, failover, add-ons; prorated by days",
        )
    )
    register(
        PricingModelType(
            retainer.NAME,
            retainer.build,
            "A fixed fee including hours per period, overage at a rate, optional carry-over",
        )
    )
    register(PricingModelType(warranty.NAME, warranty.build, "No charge: time is tracked for reports, never invoiced"))


def __getattr__(name: str) -> Any:
    """The submodules and model classes of ``__all__``, imported on first use (importing the plugin stays cheap)."""
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    if name in _MODELS:
        return getattr(importlib.import_module(f"{__name__}.{_MODELS[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
