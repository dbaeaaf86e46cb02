"""Locale-aware formatting of money, numbers and rates, shared by the html and text formats.

Money is formatted with Babel's currency pattern of the locale. One correction is
made on top of Babel: when the locale has no symbol of its own for the currency
and shows the ISO code instead (``RUB`` in ``en``), the code is separated from the
digits by a space (``RUB 1,500.00``, not ``RUB1,500.00``), as CLDR's currency
spacing rule asks and Babel does not implement. Locales that put their own
separator (``1 500,00 ₽`` in ``ru``, with U+00A0) are left as Babel gives them.
"""

from __future__ import annotations

import functools
from decimal import Decimal
from typing import TYPE_CHECKING

from deskframe.errors import DomainError
from deskframe.money import Money

if TYPE_CHECKING:
    from babel import Locale

# Babel is imported where it is used, so that loading the plugin (which every desk
# does) never fails for it; only rendering an html or text invoice needs it.

#: Locale used when the caller passes none (the CLI today: see the plugin's docs).
DEFAULT_LOCALE = "en"
_NUMBER_CHARS = "#0@,."


@functools.lru_cache(maxsize=64)
def resolve_locale(name: str | None) -> Locale:
    """A Babel locale from ``"ru"``, ``"ru_RU"`` or ``"ru-RU"``; DomainError if unknown."""
    from babel import Locale, UnknownLocaleError

    text = (name or DEFAULT_LOCALE).strip()
    try:
        return Locale.parse(text.replace("-", "_"))
    except (UnknownLocaleError, ValueError, TypeError):
        raise DomainError(f'unknown locale {name!r} (billing.locale): use a code such as "en" or "ru"') from None


def _spaced(pattern: str, *, before: bool, after: bool) -> str:
    """``pattern`` with a space between ``¤`` and an adjoining digit placeholder.

    ``before``: the symbol's last character is a letter, so a ``¤`` written before
    the digits gets a space after it; ``after``: its first character is a letter,
    so a ``¤`` written after the digits gets a space before it (CLDR currency spacing).
    """
    out = []
    for i, ch in enumerate(pattern):
        if ch == "¤" and after and i > 0 and pattern[i - 1] in _NUMBER_CHARS:
            out.append(" ")
        out.append(ch)
        if ch == "¤" and before and i + 1 < len(pattern) and pattern[i + 1] in _NUMBER_CHARS:
            out.append(" ")
    return "".join(out)


@functools.lru_cache(maxsize=256)
def _currency_pattern(locale: Locale, currency: str) -> str | None:
    """The pattern to use for ``currency``, or None for Babel's standard one."""
    from babel.numbers import get_currency_symbol

    symbol = get_currency_symbol(currency, locale=locale)
    before, after = symbol[-1:].isalpha(), symbol[:1].isalpha()
    if not (before or after):
        return None
    pattern = locale.currency_formats["standard"].pattern
    spaced = ";".join(_spaced(part, before=before, after=after) for part in pattern.split(";"))
    return None if spaced == pattern else spaced


def money(value: Money, locale: Locale, *, exact: bool = False) -> str:
    """``value`` formatted for ``locale``; ``exact`` keeps digits beyond the minor unit (rates)."""
    from babel.numbers import format_currency

    pattern = _currency_pattern(locale, value.currency)
    return format_currency(value.amount, value.currency, format=pattern, locale=locale, decimal_quantization=not exact)


def number(value: Decimal, locale: Locale) -> str:
    """A quantity (hours, minutes, users) with the locale's separators, no digits lost."""
    from babel.numbers import format_decimal

    return format_decimal(value, format="#,##0.######", locale=locale, decimal_quantization=False)


def percent(rate: Decimal, locale: Locale) -> str:
    """A rate stored as a fraction (``0.2``) as the locale writes a percentage (``20%``, ``20 %``)."""
    from babel.numbers import format_percent

    return format_percent(rate, locale=locale, decimal_quantization=False)


def plain(value: Decimal) -> str:
    """A decimal as plain text with a dot, never an exponent, never ``-0``."""
    if value == 0:
        value = abs(value)
    return format(value, "f")
