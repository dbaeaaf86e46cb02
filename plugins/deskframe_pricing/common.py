"""What the four pricing models share: reading amounts, percentages and durations from
TOML, reading a contract's ``params``, rounding time per entry, and rounding money.

Configuration errors are :class:`~deskframe.errors.ConfigError` naming the key inside the
``[pricing.NAME]`` table (the core puts ``pricing.NAME.`` in front). Errors in a contract's
``params`` are found only when the contract is priced and are
:class:`~deskframe.errors.DomainError` whose message names the contract and
``params.KEY``.
"""

from __future__ import annotations

import datetime as dt
import decimal
import re
from collections.abc import Iterable, Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from deskframe import bounds
from deskframe.billing import BillingContext
from deskframe.errors import DomainError
from deskframe.model import Contract
from deskframe.money import Money
from deskframe.sla import parse_duration
from deskframe.tables import TableReader

#: Precision of intermediate arithmetic: far beyond any half-kopeck decision.
PRECISION = 60
_AMOUNT = re.compile(r"\d+(?:\.\d+)?")
_PERCENT = re.compile(r"(\d+(?:\.\d+)?)\s*%")
_HOURS = Decimal(60)
#: A percentage is below this (10,000 %: a multiplier of 100).
MAX_PERCENT = Decimal(10_000)
#: A multiplier is at most this.
MAX_FACTOR = Decimal(100)
#: A count in a contract's params (users, servers) is at most this.
MAX_COUNT = 1_000_000
_QUANTITY = Decimal("0.000001")

_FLOAT_HINT = 'write it as a string such as "1500.00" (TOML floats are binary and lose kopecks)'


def context() -> decimal.Context:
    """A decimal context for intermediate results: exact enough that only the final
    per-line rounding (half up, to the minor unit) ever loses anything."""
    return decimal.Context(prec=PRECISION, rounding=ROUND_HALF_UP)


def rounded(amount: Decimal, currency: str) -> Money:
    """``amount`` as Money, rounded half up to the currency's minor unit."""
    return Money(amount, currency).rounded()


def describe(value: Any) -> str:
    return {
        str: "a string",
        int: "an integer",
        bool: "a boolean",
        float: "a float",
        list: "an array",
        dict: "a table",
    }.get(type(value), type(value).__name__)


# --- values, shared by config and params -----------------------------------------


def parse_amount(value: Any) -> Decimal:
    """A non-negative amount from a decimal string (``"1500.00"``) or an integer.

    Raises ``ValueError`` with the problem (floats, booleans, signs, exponents, text).
    """
    if isinstance(value, bool):
        raise ValueError(f'must be an amount such as "1500.00", got {describe(value)}')
    if isinstance(value, float):
        raise ValueError(f"must not be a float ({value!r}): {_FLOAT_HINT}")
    if isinstance(value, int):
        if value < 0:
            raise ValueError(f"must not be negative, got {value}")
        return bounds.check_amount(Decimal(value))
    if isinstance(value, str):
        if _AMOUNT.fullmatch(value):
            return bounds.check_amount(Decimal(value))
        raise ValueError(f'must be an amount such as "1500.00" (digits and an optional decimal point), got {value!r}')
    raise ValueError(f'must be an amount such as "1500.00", got {describe(value)}')


def parse_factor(value: Any) -> Decimal:
    """A multiplier such as ``"1.5"`` or ``2``: like an amount, and more than zero."""
    factor = parse_amount(value)
    if factor <= 0:
        raise ValueError("must be more than zero")
    if factor > MAX_FACTOR:
        raise ValueError(f"must be at most {MAX_FACTOR}, got {factor}")
    return factor


def parse_percent(value: Any) -> Decimal | None:
    """``"10%"`` -> ``Decimal("0.10")``; ``None`` when ``value`` is not a percentage string."""
    if isinstance(value, str):
        m = _PERCENT.fullmatch(value.strip())
        if m:
            number = bounds.check_amount(Decimal(m.group(1)), maximum=MAX_PERCENT, places=4)
            with decimal.localcontext(context()):
                return number / 100
        if value.strip().endswith("%"):
            raise ValueError(f'must be a percentage such as "10%", got {value!r}')
    return None


def parse_minutes(value: Any) -> int:
    """A duration string (``"15m"``, ``"40h"``, ``"1h30m"``) as whole minutes."""
    if not isinstance(value, str):
        raise ValueError(f'must be a duration string such as "15m" or "40h", got {describe(value)}')
    td = bounds.check_duration(parse_duration(value))
    if td % dt.timedelta(minutes=1):
        raise ValueError(f"must be whole minutes, got {value!r}")
    return td // dt.timedelta(minutes=1)


# --- config (ConfigError naming the key) ---------------------------------------


def reject_unknown(t: TableReader, known: Iterable[str]) -> None:
    t.reject_unknown(["model", *known])


def currency(t: TableReader, default: Any = ...) -> str:
    value = t.str("currency") if default is ... else t.str("currency", default)
    try:
        Money(0, value)
    except ValueError:
        raise t.error("currency", f'must be an ISO 4217 code such as "RUB", got {value!r}') from None
    return value


def amount(t: TableReader, name: str, default: Any = ...) -> Decimal:
    if name not in t.data:
        if default is ...:
            raise t.error(name, "is required")
        return default
    try:
        return parse_amount(t.data[name])
    except ValueError as exc:
        raise t.error(name, str(exc)) from None


def amount_table(
    t: TableReader, name: str, default: Any = ..., *, required: Iterable[str] = ()
) -> dict[str, Decimal] | Any:
    """A table of name -> amount (``rates``, ``per_user``, ``addons`` ...)."""
    if name not in t.data:
        if default is ...:
            raise t.error(name, "is required")
        return default
    sub = t.sub(name)
    out = {key: amount(sub, key) for key in sub.data}
    for key in required:
        if key not in out:
            raise sub.error(key, "is required")
    return out


def minutes(t: TableReader, name: str, default: Any = ..., *, positive: bool = False) -> int | Any:
    if name not in t.data:
        if default is ...:
            raise t.error(name, "is required")
        return default
    try:
        value = parse_minutes(t.data[name])
    except (ValueError, TypeError) as exc:
        raise t.error(name, str(exc)) from None
    if positive and value <= 0:
        raise t.error(name, "must be more than zero")
    return value


# --- contract params (DomainError naming params.KEY) ----------------------------


#: Contract params other plugins read (the reports plugin's schedule and language): not pricing
#: inputs, so no pricing model refuses them (they are checked by their owner's
#: ``contract_param_problems``).
OTHER_PLUGINS_PARAMS = frozenset({"report_every", "report_to", "locale"})


class Params:
    """Typed access to ``contract.params``; every error names ``params.KEY``."""

    def __init__(self, contract: Contract, known: Iterable[str]):
        self.contract = contract
        self.data: Mapping[str, Any] = contract.params or {}
        if not isinstance(self.data, Mapping):
            raise DomainError(f"contract '{contract.key}': params: must be a table")
        allowed = sorted(known)
        for key in self.data:
            if key not in allowed and key not in OTHER_PLUGINS_PARAMS:
                raise self.error(
                    key, f"unknown parameter for this pricing model (known: {', '.join(allowed) or 'none'})"
                )

    def error(self, key: str, problem: str) -> DomainError:
        return DomainError(f"contract '{self.contract.key}': params.{key}: {problem}")

    def has(self, key: str) -> bool:
        return key in self.data

    def count(self, key: str) -> int:
        """A whole number >= 0, required."""
        if key not in self.data:
            raise self.error(key, "is required (a whole number)")
        value = self.data[key]
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.error(key, f"must be a whole number, got {describe(value)}")
        if value < 0:
            raise self.error(key, f"must not be negative, got {value}")
        try:
            return bounds.check_int(value, 0, MAX_COUNT)
        except ValueError as exc:
            raise self.error(key, str(exc)) from None

    def amount(self, key: str) -> Decimal:
        try:
            return parse_amount(self.data[key])
        except ValueError as exc:
            raise self.error(key, str(exc)) from None

    def amount_table(self, key: str) -> dict[str, Decimal]:
        value = self.data.get(key, {})
        if not isinstance(value, Mapping):
            raise self.error(key, f"must be a table, got {describe(value)}")
        out = {}
        for name, item in value.items():
            try:
                out[name] = parse_amount(item)
            except ValueError as exc:
                raise self.error(f"{key}.{name}", str(exc)) from None
        return out

    def string(self, key: str) -> str:
        value = self.data[key]
        if not isinstance(value, str) or not value.strip():
            raise self.error(key, f"must be a non-empty string, got {describe(value)}")
        return value

    def strings(self, key: str) -> list[str]:
        value = self.data.get(key, [])
        if not isinstance(value, (list, tuple)):
            raise self.error(key, f"must be an array of names, got {describe(value)}")
        seen: set[str] = set()
        for i, item in enumerate(value):
            if not isinstance(item, str):
                raise self.error(f"{key}[{i}]", f"must be a string, got {describe(item)}")
            if item in seen:
                raise self.error(f"{key}[{i}]", f"{item!r} is listed twice")
            seen.add(item)
        return list(value)


# --- time and proration ---------------------------------------------------------


def billed_minutes(logged: int, increment: int | None, minimum: int) -> int:
    """Minutes billed for one entry of ``logged`` minutes.

    An entry of zero minutes bills zero. Otherwise the minimum is applied first and the
    result rounded up to a whole number of increments, so a billed quantity is always a
    multiple of the increment and at least the minimum.
    """
    if logged <= 0:
        return 0
    billed = max(logged, minimum)
    if increment:
        billed = -(-billed // increment) * increment
    return billed


def hours(mins: int) -> Decimal:
    """Minutes as hours for an invoice's quantity: exact when the division terminates
    (whole minutes divisible by 3: 15m -> 0.25), otherwise half up to 6 decimals.
    Amounts are never computed from this figure, always from the minutes."""
    with decimal.localcontext(context()):
        value = Decimal(mins) / _HOURS
        return value if mins % 3 == 0 else value.quantize(_QUANTITY)


def time_amount(rate: Decimal, mins: int, factor: Decimal = Decimal(1)) -> Decimal:
    """``rate`` per hour x ``factor`` for ``mins`` minutes, unrounded."""
    with decimal.localcontext(context()):
        return rate * factor * Decimal(mins) / _HOURS


def proration(ctx: BillingContext, enabled: bool) -> tuple[int, int]:
    """``(active_days, days_in_period)`` of the contract, ``(n, n)`` without proration."""
    days = ctx.days_in_period
    if days <= 0:
        raise DomainError(
            f"contract '{ctx.contract.key}': period {ctx.period} has no days ({ctx.period_start} .. {ctx.period_end})"
        )
    if not enabled:
        return days, days
    return ctx.active_days(), days


def prorate(amount: Decimal, share: tuple[int, int]) -> Decimal:
    """``amount x active / days``, unrounded (one multiplication, one division)."""
    active, days = share
    if active == days:
        return amount
    with decimal.localcontext(context()):
        return amount * active / days


def share_details(share: tuple[int, int]) -> dict[str, Any]:
    active, days = share
    return {} if active == days else {"active_days": active, "days_in_period": days, "prorated": f"{active}/{days}"}


def share_text(share: tuple[int, int]) -> str:
    active, days = share
    return "" if active == days else f", {active} of {days} days"


def fmt_hours(value: Decimal) -> str:
    """``Decimal('40')`` -> ``'40'``, ``Decimal('1.50')`` -> ``'1.5'`` (no exponent)."""
    text = format(value.normalize(), "f")
    return text
