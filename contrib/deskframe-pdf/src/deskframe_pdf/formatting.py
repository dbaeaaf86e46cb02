"""Money, quantities, rates and dates as text, plain or for a Babel locale.

Without a locale (``locale=None``): ``1234.50 RUB``: the amount with the currency's
minor-unit digits, a dot, no grouping, then the ISO code. With a locale (``"ru"``,
``"en_US"``): Babel's pattern of that locale (``1 234,50 ₽``, ``$1,234.50``); when the
locale has no symbol of its own for the currency and would show the ISO code glued to
the digits (``RUB1,234.50`` in ``en``), the number is written in the locale's way and
the code follows after a space (``1,234.50 RUB``).
"""

from __future__ import annotations

import datetime as dt
import functools
from decimal import Decimal
from typing import Any

from deskframe.errors import DomainError
from deskframe.money import Money


@functools.lru_cache(maxsize=32)
def resolve_locale(name: str | None) -> Any:
    """A Babel ``Locale`` for ``name`` (``ru``, ``ru_RU``, ``ru-RU``), or None for plain formatting."""
    if not name:
        return None
    from babel import Locale, UnknownLocaleError

    try:
        return Locale.parse(name.strip().replace("-", "_"))
    except (UnknownLocaleError, ValueError, TypeError):
        raise DomainError(f'unknown locale {name!r} (billing.locale): use a code such as "en" or "ru"') from None


def _digits(value: Money, exact: bool) -> Decimal:
    """The amount rounded to the currency's minor unit; ``exact`` keeps further digits (rates)."""
    quantum = Decimal(1).scaleb(-value.minor_unit)
    rounded = value.rounded().amount
    if exact and value.amount != rounded:
        return value.amount.normalize()
    return rounded.quantize(quantum)


def plain_decimal(value: Decimal) -> str:
    """A decimal with a dot, never an exponent, never ``-0``."""
    if value == 0:
        value = abs(value)
    return format(value, "f")


def money(value: Money, locale: Any = None, *, exact: bool = False) -> str:
    """``value`` as text; ``exact`` keeps digits beyond the minor unit (unit prices)."""
    amount = _digits(value, exact)
    if locale is None:
        return f"{plain_decimal(amount)} {value.currency}"
    from babel.numbers import format_currency, format_decimal, get_currency_symbol

    symbol = get_currency_symbol(value.currency, locale=locale)
    if symbol == value.currency or symbol[:1].isalpha() or symbol[-1:].isalpha():
        exponent = amount.as_tuple().exponent
        places = max(-exponent, 0) if isinstance(exponent, int) else 0
        pattern = "#,##0" + ("." + "0" * places if places else "")
        return f"{format_decimal(amount, format=pattern, locale=locale, decimal_quantization=False)} {value.currency}"
    return format_currency(amount, value.currency, locale=locale, decimal_quantization=False)


def number(value: Decimal, locale: Any = None) -> str:
    """A quantity (hours, minutes, users) with no digit lost."""
    if locale is None:
        return plain_decimal(value.normalize())
    from babel.numbers import format_decimal

    return format_decimal(value, format="#,##0.######", locale=locale, decimal_quantization=False)


def percent(rate: Decimal, locale: Any = None) -> str:
    """A rate stored as a fraction (``0.2``) as a percentage (``20%``; ``20 %`` in ``ru``)."""
    if locale is None:
        return plain_decimal((rate * 100).normalize()) + "%"
    from babel.numbers import format_percent

    return format_percent(rate, locale=locale, decimal_quantization=False)


def day(value: dt.date | dt.datetime | str | None) -> str:
    """A date as ``YYYY-MM-DD`` (a datetime: its own date, as stored)."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)
