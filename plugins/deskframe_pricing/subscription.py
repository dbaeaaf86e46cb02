"""The ``subscription`` pricing model: a periodic price by support type, users and servers.

Configuration (``[pricing.NAME]``, ``model = "subscription"``)::

    currency = "RUB"                                           # required
    per_user = { "8x5" = "40.00", "24x7" = "65.00" }           # by contract support_type
    per_server = { "8x5" = "5000.00", "24x7" = "8000.00" }     # (at least one of the two)
    failover = { none = "0", active-passive = "10%", active-active = "25%" }  # optional
    addons = { dedicated-engineer = "150000.00", audit = "60000.00" }         # optional
    prorate = true                                             # optional, default true

Contract ``params``: ``users`` and ``servers`` (whole numbers, each required when
``per_user`` / ``per_server`` is configured; zero is allowed), ``failover`` (an option
of the ``failover`` table; absent means no failover line), ``addons`` (an array of
names of the ``addons`` table). Any other key is an error naming it.

Lines, in order: users (``per_user[support_type] x users``), servers, failover, one
per add-on. A failover option is a fixed amount or a percentage; a percentage applies
to the users-plus-servers amount *as invoiced*, i.e. to the sum of the two rounded
lines above it, so a customer can check it on the invoice. A failover option or
add-on priced zero gives no line. A support type missing from ``per_user`` or
``per_server`` is a :class:`~deskframe.errors.DomainError` naming the table and the
support type.

Proration (``prorate = true``): when the contract starts or ends inside the period,
every line (users, servers, fixed failover, add-ons) is multiplied by
``active_days / days_in_period`` (``BillingContext.active_days()``; both ends of the
contract inclusive) before it is rounded. E.g. a contract starting on the 17th of a
31-day month is active 15 days: 1200 users x 40.00 = 48000.00 x 15/31 =
23225.806451... -> 23225.81. A contract not active in the period at all gets no
lines (a note says so). Without ``prorate`` a partial period pays the whole price.

Time entries are never billed by a subscription, and the number of incidents never
changes the price; but every time entry offered (billable or not) is put on the
first line's ``entry_ids`` so the ledger marks it as covered and never bills it later.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import attrs

from deskframe.billing import BillingContext, InvoiceLine, PricingResult, TimeGroup, TimeRules
from deskframe.errors import DomainError
from deskframe.money import Money
from deskframe.tables import TableReader

from . import common

NAME = "subscription"
KEYS = ("currency", "per_user", "per_server", "failover", "addons", "prorate")
PARAMS = ("users", "servers", "failover", "addons")


@attrs.frozen
class Failover:
    """A failover option: a fixed ``amount`` or a ``percent`` (0.10 for "10%")."""

    amount: Decimal | None = None
    percent: Decimal | None = None


@attrs.frozen
class SubscriptionModel:
    """A configured ``subscription`` model (see the module docstring)."""

    currency: str
    per_user: Mapping[str, Decimal] | None = None
    per_server: Mapping[str, Decimal] | None = None
    failover: Mapping[str, Failover] = attrs.field(factory=dict)
    addons: Mapping[str, Decimal] = attrs.field(factory=dict)
    prorate: bool = True

    def _unit_price(self, table: str, prices: Mapping[str, Decimal], contract: Any) -> Decimal:
        if contract.support_type not in prices:
            raise DomainError(
                f"contract '{contract.key}': {table} has no price for support type "
                f"'{contract.support_type}' (priced: {', '.join(sorted(prices)) or 'none'})"
            )
        return prices[contract.support_type]

    def price(self, context: BillingContext) -> PricingResult:
        contract = context.contract
        params = common.Params(contract, PARAMS)
        # validate everything first, so a bad contract fails the same way in any period
        users = params.count("users") if self.per_user is not None else None
        servers = params.count("servers") if self.per_server is not None else None
        if self.per_user is None and params.has("users"):
            raise params.error("users", "this pricing model has no per_user prices")
        if self.per_server is None and params.has("servers"):
            raise params.error("servers", "this pricing model has no per_server prices")
        user_price = self._unit_price("per_user", self.per_user, contract) if self.per_user is not None else None
        server_price = (
            self._unit_price("per_server", self.per_server, contract) if self.per_server is not None else None
        )
        failover_name = failover = None
        if params.has("failover"):
            failover_name = params.string("failover")
            if failover_name not in self.failover:
                raise params.error(
                    "failover",
                    f"unknown failover option {failover_name!r} (known: {', '.join(sorted(self.failover)) or 'none'})",
                )
            failover = self.failover[failover_name]
        addons = params.strings("addons")
        for i, name in enumerate(addons):
            if name not in self.addons:
                raise params.error(
                    f"addons[{i}]", f"unknown add-on {name!r} (known: {', '.join(sorted(self.addons)) or 'none'})"
                )

        share = common.proration(context, self.prorate)
        if share[0] <= 0:
            return PricingResult(
                self.currency,
                notes=(f"contract '{contract.key}' is not active in period {context.period}: nothing to bill",),
            )
        details = common.share_details(share)
        suffix = common.share_text(share)
        cur = self.currency
        lines: list[InvoiceLine] = []

        def add(
            description: str, quantity: Decimal, unit: str, unit_price: Decimal, full: Decimal, kind: str, **extra: Any
        ) -> Money:
            amount = common.rounded(common.prorate(full, share), cur)
            lines.append(
                InvoiceLine(
                    description=description + suffix,
                    quantity=quantity,
                    unit=unit,
                    unit_price=Money(unit_price, cur),
                    amount=amount,
                    kind=kind,
                    details={**details, **extra},
                )
            )
            return amount

        base = Money.zero(cur)
        if users is not None and user_price is not None:  # both set when per_user is
            base += add(
                f"Support {contract.support_type}: users",
                Decimal(users),
                "user",
                user_price,
                user_price * users,
                "subscription",
                support_type=contract.support_type,
            )
        if servers is not None and server_price is not None:  # both set when per_server is
            base += add(
                f"Support {contract.support_type}: servers",
                Decimal(servers),
                "server",
                server_price,
                server_price * servers,
                "subscription",
                support_type=contract.support_type,
            )
        if failover is not None:
            if failover.percent is not None:
                amount = common.rounded(base.amount * failover.percent, cur)
                if amount.amount:
                    percent = common.fmt_hours(failover.percent * 100)
                    lines.append(
                        InvoiceLine(
                            description=f"Failover {failover_name} ({percent}% of users and servers)",
                            quantity=Decimal(1),
                            unit="service",
                            unit_price=amount,
                            amount=amount,
                            kind="failover",
                            details={"option": failover_name, "percent": percent, "base": str(base.amount)},
                        )
                    )
            elif failover.amount:
                add(
                    f"Failover {failover_name}",
                    Decimal(1),
                    "service",
                    failover.amount,
                    failover.amount,
                    "failover",
                    option=failover_name,
                )
        for name in addons:
            if self.addons[name]:
                add(f"Add-on: {name}", Decimal(1), "service", self.addons[name], self.addons[name], "addon", addon=name)
        return self._cover(cur, lines, len(context.entries), entry_ids=tuple(sorted(e.id for e in context.entries)))

    @staticmethod
    def _cover(cur: str, lines: list[InvoiceLine], count: int, **covered: Any) -> PricingResult:
        """Put every entry offered (``count`` of them) on the first line."""
        if lines and count:
            first = lines[0]
            lines[0] = attrs.evolve(first, details={**first.details, "covered_entries": count}, **covered)
        notes: tuple[str, ...] = ()
        if count and not lines:
            notes = (f"{count} time entries not covered: the subscription has no line to cover them",)
        return PricingResult(cur, tuple(lines), (), notes)

    # --- the summed path (TimeRules): entries are only counted and covered ----------
    def time_rules(self, context: BillingContext) -> TimeRules:
        return TimeRules(group_by="contract")

    def price_groups(self, context: BillingContext, groups: tuple[TimeGroup, ...]) -> PricingResult:
        """As :meth:`price`: the first line covers every group."""
        result = self.price(context)  # context.entries is empty: the lines alone
        if result.notes:  # not active in the period
            return result
        return self._cover(
            result.currency, list(result.lines), sum(g.entries for g in groups), entry_groups=tuple(range(len(groups)))
        )


def _failover(t: TableReader, name: str) -> Failover:
    value = t.data[name]
    try:
        percent = common.parse_percent(value)
        if percent is not None:
            return Failover(percent=percent)
        return Failover(amount=common.parse_amount(value))
    except ValueError as exc:
        raise t.error(name, f'{exc} (an amount such as "25000.00" or a percentage such as "10%")') from None


def build(table: dict[str, Any]) -> SubscriptionModel:
    """Validate a ``[pricing.NAME]`` table of ``model = "subscription"``."""
    t = TableReader(table)
    common.reject_unknown(t, KEYS)
    currency = common.currency(t)
    per_user = common.amount_table(t, "per_user", None)
    per_server = common.amount_table(t, "per_server", None)
    if per_user is None and per_server is None:
        raise t.error("per_user", "is required (or per_server): a price per user by support type")
    for key, prices in (("per_user", per_user), ("per_server", per_server)):
        if prices is not None and not prices:
            raise t.error(key, "must price at least one support type")
    failover = {}
    if "failover" in t.data:
        f = t.sub("failover")
        failover = {name: _failover(f, name) for name in f.data}
    addons = common.amount_table(t, "addons", {})
    prorate = t.bool("prorate", True)
    return SubscriptionModel(
        currency=currency, per_user=per_user, per_server=per_server, failover=failover, addons=addons, prorate=prorate
    )


__all__ = ["NAME", "Failover", "SubscriptionModel", "build"]
