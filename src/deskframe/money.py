"""Money: a ``Decimal`` amount with an ISO 4217 currency, never a float."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

import attrs

#: Minor-unit exponents that differ from the usual two decimals.
_MINOR_UNITS = {"JPY": 0, "KRW": 0, "BHD": 3, "KWD": 3, "OMR": 3, "TND": 3}


def _to_decimal(value: object) -> Decimal:
    if isinstance(value, float):
        raise TypeError("money amounts must not be floats; pass a str or Decimal")
    if isinstance(value, Decimal):
        return value
    try:
        return Decimal(str(value))
    except InvalidOperation as exc:
        raise ValueError(f"not an amount: {value!r}") from exc


def _check_currency(_inst: object, _attr: object, value: str) -> None:
    if not (isinstance(value, str) and len(value) == 3 and value.isalpha() and value.isupper()):
        raise ValueError(f"not an ISO 4217 currency code: {value!r}")


@attrs.frozen(order=False)
class Money:
    """An amount of one currency. Arithmetic across currencies is an error.

    Rounding is explicit: :meth:`rounded` rounds half up to the currency's
    minor unit (kopecks, cents); nothing rounds implicitly.
    """

    amount: Decimal = attrs.field(converter=_to_decimal)
    currency: str = attrs.field(validator=_check_currency)

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(Decimal(0), currency)

    @property
    def minor_unit(self) -> int:
        return _MINOR_UNITS.get(self.currency, 2)

    def rounded(self) -> Money:
        quantum = Decimal(1).scaleb(-self.minor_unit)
        return Money(self.amount.quantize(quantum, rounding=ROUND_HALF_UP), self.currency)

    def _same(self, other: Money) -> None:
        if not isinstance(other, Money):
            raise TypeError(f"cannot combine Money with {type(other).__name__}")
        if other.currency != self.currency:
            raise ValueError(f"currency mismatch: {self.currency} and {other.currency}")

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount - other.amount, self.currency)

    def __mul__(self, factor: object) -> Money:
        return Money(self.amount * _to_decimal(factor), self.currency)

    __rmul__ = __mul__

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)

    def __lt__(self, other: Money) -> bool:
        self._same(other)
        return self.amount < other.amount

    def __str__(self) -> str:
        return f"{self.rounded().amount} {self.currency}"
