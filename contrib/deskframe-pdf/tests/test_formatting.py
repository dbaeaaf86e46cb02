"""Money, quantities and rates as the PDF prints them."""

from __future__ import annotations

from decimal import Decimal

import pytest

from deskframe import DomainError, Money
from deskframe_pdf import formatting

NBSP = "\u00a0"


@pytest.mark.parametrize(
    ("locale", "amount", "currency", "exact", "expected"),
    [
        (None, "1260", "RUB", False, "1260.00 RUB"),
        (None, "1.125", "RUB", True, "1.125 RUB"),
        (None, "1.5", "RUB", True, "1.50 RUB"),
        (None, "-54", "EUR", False, "-54.00 EUR"),
        (None, "1000", "JPY", False, "1000 JPY"),
        ("en", "1260", "USD", False, "$1,260.00"),
        ("en", "1260", "RUB", False, "1,260.00 RUB"),  # the code, after the number, not glued to it
        ("ru", "1260", "RUB", False, f"1{NBSP}260,00{NBSP}₽"),
        ("ru-RU", "1.125", "RUB", True, f"1,125{NBSP}₽"),
    ],
)
def test_money(locale, amount, currency, exact, expected):
    assert formatting.money(Money(amount, currency), formatting.resolve_locale(locale), exact=exact) == expected


def test_numbers_and_percentages():
    ru = formatting.resolve_locale("ru")
    assert formatting.number(Decimal("10.00")) == "10" and formatting.number(Decimal("1.50")) == "1.5"
    assert formatting.number(Decimal("1.50"), ru) == "1,5"
    assert formatting.percent(Decimal("0.2")) == "20%" and formatting.percent(Decimal("0.2"), ru) == f"20{NBSP}%"
    assert formatting.percent(Decimal("0.125")) == "12.5%"


def test_an_unknown_locale_is_a_domain_error():
    with pytest.raises(DomainError, match="unknown locale 'xx'"):
        formatting.resolve_locale("xx")
