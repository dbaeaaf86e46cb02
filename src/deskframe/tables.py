"""Reading one TOML table with errors that name the key at fault.

Plugins use :class:`TableReader` to validate their own tables; errors are
:class:`~deskframe.errors.ConfigError` with the key path relative to the table,
which the core prefixes with the table's place and the file name.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from . import bounds
from .errors import ConfigError

_MISSING = object()
#: Dates in configuration and directory files lie between these years (date arithmetic stays in range).
MIN_YEAR, MAX_YEAR = 1900, 2999


def _type_name(value: Any) -> str:
    return {
        str: "a string",
        int: "an integer",
        bool: "a boolean",
        float: "a number",
        list: "an array",
        dict: "a table",
    }.get(type(value), type(value).__name__)


class TableReader:
    """Typed access to a TOML table; every error names ``prefix.key``."""

    def __init__(self, data: Any, prefix: str = ""):
        if not isinstance(data, dict):
            raise ConfigError(f"must be a table, got {_type_name(data)}", key=prefix or None)
        self.data = data
        self.prefix = prefix

    def key(self, name: str) -> str:
        shown = name if name.isprintable() and name.strip() == name and name else repr(name)
        return f"{self.prefix}.{shown}" if self.prefix else shown

    def error(self, name: str, problem: str) -> ConfigError:
        return ConfigError(problem, key=self.key(name))

    def _get(self, name: str, default: Any, kind: type | tuple[type, ...], what: str) -> Any:
        value = self.data.get(name, _MISSING)
        if value is _MISSING:
            if default is _MISSING:
                raise self.error(name, "is required")
            return default
        if isinstance(value, bool) and kind is not bool and bool not in (kind if isinstance(kind, tuple) else (kind,)):
            raise self.error(name, f"must be {what}, got {_type_name(value)}")
        if not isinstance(value, kind):
            raise self.error(name, f"must be {what}, got {_type_name(value)}")
        return value

    def str(self, name: str, default: Any = _MISSING, *, max_length: int = bounds.MAX_TEXT_LENGTH) -> Any:
        """A non-empty string of at most ``max_length`` characters, without control characters
        other than tab and line breaks."""
        value = self._get(name, default, str, "a string")
        if value is not default and isinstance(value, str):
            if not value.strip():
                raise self.error(name, "must not be empty")
            try:
                bounds.check_text(value.replace("\r\n", "\n"), max_length)
            except ValueError as exc:
                raise self.error(name, str(exc)) from None
        return value

    def name(self, name: str, default: Any = _MISSING, *, max_length: int = bounds.MAX_NAME_LENGTH) -> Any:
        """A one-line name that ends up in the database (queue, state, series): printable,
        no surrounding spaces, at most ``max_length`` characters."""
        value = self.str(name, default, max_length=max_length)
        if value is not default:
            try:
                bounds.check_name(value, max_length)
            except ValueError as exc:
                raise self.error(name, str(exc)) from None
        return value

    def int(
        self, name: str, default: Any = _MISSING, *, minimum: int | None = None, maximum: int | None = bounds.INT32_MAX
    ) -> Any:
        """An integer (not a boolean) within ``minimum``..``maximum`` (by default at most 2^31-1)."""
        value = self._get(name, default, int, "an integer")
        if isinstance(value, int) and value is not default:
            try:
                bounds.check_int(value, minimum, maximum)
            except ValueError as exc:
                raise self.error(name, str(exc)) from None
        return value

    def bool(self, name: str, default: Any = _MISSING) -> Any:
        return self._get(name, default, bool, "true or false")

    def choice(self, name: str, choices: Iterable[str], default: Any = _MISSING) -> Any:
        options = list(choices)
        value = self.str(name, default)
        if value is not default and value not in options:
            raise self.error(name, f"unknown value {value!r} (known: {', '.join(options)})")
        return value

    def list(self, name: str, default: Any = _MISSING) -> Any:
        return self._get(name, default, list, "an array")

    def str_list(self, name: str, default: Any = _MISSING) -> Any:
        value = self.list(name, default)
        if value is default:
            return value
        for i, item in enumerate(value):
            if not isinstance(item, str):
                raise ConfigError(f"must be a string, got {_type_name(item)}", key=f"{self.key(name)}[{i}]")
        return value

    def table(self, name: str, default: Any = _MISSING) -> Any:
        return self._get(name, default, dict, "a table")

    def sub(self, name: str, default: Any = _MISSING) -> TableReader:
        value = self.table(name, default)
        return TableReader(value if value is not _MISSING else {}, self.key(name))

    def date(self, name: str, default: Any = _MISSING) -> Any:
        """A date (TOML date or ``"YYYY-MM-DD"``) between the years 1900 and 2999."""
        value = self.data.get(name, _MISSING)
        if value is _MISSING:
            if default is _MISSING:
                raise self.error(name, "is required")
            return default
        if isinstance(value, dt.datetime):
            raise self.error(name, "must be a date (YYYY-MM-DD), not a date-time")
        parsed = None
        if isinstance(value, dt.date):
            parsed = value
        elif isinstance(value, str):
            try:
                parsed = dt.date.fromisoformat(value)
            except ValueError:
                pass
        if parsed is None:
            raise self.error(name, f"must be a date (YYYY-MM-DD), got {value!r}")
        if not MIN_YEAR <= parsed.year <= MAX_YEAR:
            raise self.error(name, f"must be a date between the years {MIN_YEAR} and {MAX_YEAR}, got {parsed}")
        return parsed

    def duration(
        self,
        name: str,
        default: Any = _MISSING,
        *,
        minimum: dt.timedelta = dt.timedelta(0),
        maximum: dt.timedelta = bounds.MAX_DURATION,
    ) -> Any:
        """A duration such as ``"15m"``, ``"1h30m"``, ``"2d"`` as a timedelta, within ``minimum``..``maximum``."""
        value = self.str(name, default)
        if value is default and not isinstance(value, str):
            return value
        from .sla.durations import parse_duration

        try:
            return bounds.check_duration(parse_duration(value), minimum=minimum, maximum=maximum)
        except ValueError as exc:
            raise self.error(name, str(exc)) from None

    def amount(
        self, name: str, default: Any = _MISSING, *, minimum: Decimal = Decimal(0), maximum: Decimal = bounds.MAX_AMOUNT
    ) -> Any:
        """A money amount written as a string (``"1500.00"``) or an integer, within ``minimum``..``maximum``
        and with at most six decimals; floats are refused."""
        value = self._amount(name, default)
        if value is default:
            return value
        try:
            return bounds.check_amount(value, minimum=minimum, maximum=maximum)
        except ValueError as exc:
            raise self.error(name, str(exc)) from None

    def _amount(self, name: str, default: Any) -> Any:
        value = self.data.get(name, _MISSING)
        if value is _MISSING:
            if default is _MISSING:
                raise self.error(name, "is required")
            return default
        if isinstance(value, bool) or isinstance(value, float):
            raise self.error(name, f'must be a string such as "1500.00" or an integer, got {_type_name(value)}')
        if isinstance(value, int):
            return Decimal(value)
        if isinstance(value, str):
            try:
                amount = Decimal(value.strip())
            except InvalidOperation:
                raise self.error(name, f"not an amount: {value!r}") from None
            if not amount.is_finite():
                raise self.error(name, f"not an amount: {value!r}")
            return amount
        raise self.error(name, f"must be an amount, got {_type_name(value)}")

    def currency(self, name: str, default: Any = _MISSING) -> Any:
        """An ISO 4217 currency code such as ``RUB``."""
        value = self.str(name, default)
        if value is not default and not (len(value) == 3 and value.isalpha() and value.isupper()):
            raise self.error(name, f"not an ISO 4217 currency code: {value!r}")
        return value

    def reject_unknown(self, known: Iterable[str]) -> None:
        allowed = set(known)
        for name in self.data:
            if name not in allowed:
                raise self.error(name, f"unknown key (known: {', '.join(sorted(allowed))})")
