"""Reading one TOML table with errors that name the key at fault.

Plugins use :class:`TableReader` to validate their own tables; errors are
:class:`~deskframe.errors.ConfigError` with the key path relative to the table,
which the core prefixes with the table's place and the file name.
"""

from __future__ import annotations

import builtins
import contextlib
import datetime as dt
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar, overload

from . import bounds
from .errors import ConfigError

_MISSING: Any = object()  # "no default given" (a key without one is required)
_T = TypeVar("_T")
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
    """Typed access to a TOML table; every error names ``prefix.key``.

    Each reader method takes the key's ``name`` and an optional ``default``: without one
    the key is required; with one, a missing key gives the default back unchanged (so
    ``reader.str("title", None)`` is a ``str | None``).
    """

    def __init__(self, data: Any, prefix: builtins.str = "") -> None:
        if not isinstance(data, dict):
            raise ConfigError(f"must be a table, got {_type_name(data)}", key=prefix or None)
        self.data: dict[builtins.str, Any] = data
        self.prefix = prefix

    def key(self, name: builtins.str) -> builtins.str:
        """The key's path as shown in errors: ``prefix.name`` (an odd name is quoted)."""
        shown = name if name.isprintable() and name.strip() == name and name else repr(name)
        return f"{self.prefix}.{shown}" if self.prefix else shown

    def error(self, name: builtins.str, problem: builtins.str) -> ConfigError:
        """A :class:`ConfigError` about key ``name`` (raise it)."""
        return ConfigError(problem, key=self.key(name))

    def _get(self, name: builtins.str, default: Any, kind: type | tuple[type, ...], what: builtins.str) -> Any:
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

    @overload
    def str(self, name: builtins.str, *, max_length: builtins.int = ...) -> builtins.str: ...
    @overload
    def str(self, name: builtins.str, default: builtins.str, *, max_length: builtins.int = ...) -> builtins.str: ...
    @overload
    def str(self, name: builtins.str, default: _T, *, max_length: builtins.int = ...) -> builtins.str | _T: ...

    def str(
        self, name: builtins.str, default: Any = _MISSING, *, max_length: builtins.int = bounds.MAX_TEXT_LENGTH
    ) -> Any:
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

    @overload
    def name(self, name: builtins.str, *, max_length: builtins.int = ...) -> builtins.str: ...
    @overload
    def name(self, name: builtins.str, default: builtins.str, *, max_length: builtins.int = ...) -> builtins.str: ...
    @overload
    def name(self, name: builtins.str, default: _T, *, max_length: builtins.int = ...) -> builtins.str | _T: ...

    def name(
        self, name: builtins.str, default: Any = _MISSING, *, max_length: builtins.int = bounds.MAX_NAME_LENGTH
    ) -> Any:
        """A one-line name that ends up in the database (queue, state, series): printable,
        no surrounding spaces, at most ``max_length`` characters."""
        value = self.str(name, default, max_length=max_length)
        if value is not default:
            try:
                bounds.check_name(value, max_length)
            except ValueError as exc:
                raise self.error(name, str(exc)) from None
        return value

    @overload
    def int(
        self, name: builtins.str, *, minimum: builtins.int | None = ..., maximum: builtins.int | None = ...
    ) -> builtins.int: ...
    @overload
    def int(
        self,
        name: builtins.str,
        default: builtins.int,
        *,
        minimum: builtins.int | None = ...,
        maximum: builtins.int | None = ...,
    ) -> builtins.int: ...
    @overload
    def int(
        self, name: builtins.str, default: _T, *, minimum: builtins.int | None = ..., maximum: builtins.int | None = ...
    ) -> builtins.int | _T: ...

    def int(
        self,
        name: builtins.str,
        default: Any = _MISSING,
        *,
        minimum: builtins.int | None = None,
        maximum: builtins.int | None = bounds.INT32_MAX,
    ) -> Any:
        """An integer (not a boolean) within ``minimum``..``maximum`` (by default at most 2^31-1)."""
        value = self._get(name, default, int, "an integer")
        if isinstance(value, int) and value is not default:
            try:
                bounds.check_int(value, minimum, maximum)
            except ValueError as exc:
                raise self.error(name, str(exc)) from None
        return value

    @overload
    def bool(self, name: builtins.str) -> builtins.bool: ...
    @overload
    def bool(self, name: builtins.str, default: builtins.bool) -> builtins.bool: ...
    @overload
    def bool(self, name: builtins.str, default: _T) -> builtins.bool | _T: ...

    def bool(self, name: builtins.str, default: Any = _MISSING) -> Any:
        """``true`` or ``false``."""
        return self._get(name, default, bool, "true or false")

    @overload
    def choice(self, name: builtins.str, choices: Iterable[builtins.str]) -> builtins.str: ...
    @overload
    def choice(self, name: builtins.str, choices: Iterable[builtins.str], default: builtins.str) -> builtins.str: ...
    @overload
    def choice(self, name: builtins.str, choices: Iterable[builtins.str], default: _T) -> builtins.str | _T: ...

    def choice(self, name: builtins.str, choices: Iterable[builtins.str], default: Any = _MISSING) -> Any:
        """One of ``choices`` (a string)."""
        options = list(choices)
        value = self.str(name, default)
        if value is not default and value not in options:
            raise self.error(name, f"unknown value {value!r} (known: {', '.join(options)})")
        return value

    @overload
    def list(self, name: builtins.str) -> builtins.list[Any]: ...
    @overload
    def list(self, name: builtins.str, default: builtins.list[Any]) -> builtins.list[Any]: ...
    @overload
    def list(self, name: builtins.str, default: _T) -> builtins.list[Any] | _T: ...

    def list(self, name: builtins.str, default: Any = _MISSING) -> Any:
        """An array of any values."""
        return self._get(name, default, list, "an array")

    @overload
    def str_list(self, name: builtins.str) -> builtins.list[builtins.str]: ...
    @overload
    def str_list(self, name: builtins.str, default: builtins.list[builtins.str]) -> builtins.list[builtins.str]: ...
    @overload
    def str_list(self, name: builtins.str, default: _T) -> builtins.list[builtins.str] | _T: ...

    def str_list(self, name: builtins.str, default: Any = _MISSING) -> Any:
        """An array of strings."""
        value = self.list(name, default)
        if value is default:
            return value
        for i, item in enumerate(value):
            if not isinstance(item, str):
                raise ConfigError(f"must be a string, got {_type_name(item)}", key=f"{self.key(name)}[{i}]")
        return value

    @overload
    def table(self, name: builtins.str) -> dict[builtins.str, Any]: ...
    @overload
    def table(self, name: builtins.str, default: dict[builtins.str, Any]) -> dict[builtins.str, Any]: ...
    @overload
    def table(self, name: builtins.str, default: _T) -> dict[builtins.str, Any] | _T: ...

    def table(self, name: builtins.str, default: Any = _MISSING) -> Any:
        """A sub-table as a plain dict (see :meth:`sub` for a reader of it)."""
        return self._get(name, default, dict, "a table")

    def sub(self, name: builtins.str, default: Any = _MISSING) -> TableReader:
        """A reader of sub-table ``name``, whose errors name ``prefix.name.key``."""
        value = self.table(name, default)
        return TableReader(value if value is not _MISSING else {}, self.key(name))

    @overload
    def date(self, name: builtins.str) -> dt.date: ...
    @overload
    def date(self, name: builtins.str, default: dt.date) -> dt.date: ...
    @overload
    def date(self, name: builtins.str, default: _T) -> dt.date | _T: ...

    def date(self, name: builtins.str, default: Any = _MISSING) -> Any:
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
            with contextlib.suppress(ValueError):
                parsed = dt.date.fromisoformat(value)
        if parsed is None:
            raise self.error(name, f"must be a date (YYYY-MM-DD), got {value!r}")
        if not MIN_YEAR <= parsed.year <= MAX_YEAR:
            raise self.error(name, f"must be a date between the years {MIN_YEAR} and {MAX_YEAR}, got {parsed}")
        return parsed

    @overload
    def duration(
        self, name: builtins.str, *, minimum: dt.timedelta = ..., maximum: dt.timedelta = ...
    ) -> dt.timedelta: ...
    @overload
    def duration(
        self, name: builtins.str, default: builtins.str, *, minimum: dt.timedelta = ..., maximum: dt.timedelta = ...
    ) -> dt.timedelta: ...
    @overload
    def duration(
        self, name: builtins.str, default: _T, *, minimum: dt.timedelta = ..., maximum: dt.timedelta = ...
    ) -> dt.timedelta | _T: ...

    def duration(
        self,
        name: builtins.str,
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

    @overload
    def amount(self, name: builtins.str, *, minimum: Decimal = ..., maximum: Decimal = ...) -> Decimal: ...
    @overload
    def amount(
        self, name: builtins.str, default: Decimal, *, minimum: Decimal = ..., maximum: Decimal = ...
    ) -> Decimal: ...
    @overload
    def amount(
        self, name: builtins.str, default: _T, *, minimum: Decimal = ..., maximum: Decimal = ...
    ) -> Decimal | _T: ...

    def amount(
        self,
        name: builtins.str,
        default: Any = _MISSING,
        *,
        minimum: Decimal = Decimal(0),
        maximum: Decimal = bounds.MAX_AMOUNT,
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

    def _amount(self, name: builtins.str, default: Any) -> Any:
        value = self.data.get(name, _MISSING)
        if value is _MISSING:
            if default is _MISSING:
                raise self.error(name, "is required")
            return default
        if isinstance(value, (bool, float)):
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

    @overload
    def currency(self, name: builtins.str) -> builtins.str: ...
    @overload
    def currency(self, name: builtins.str, default: builtins.str) -> builtins.str: ...
    @overload
    def currency(self, name: builtins.str, default: _T) -> builtins.str | _T: ...

    def currency(self, name: builtins.str, default: Any = _MISSING) -> Any:
        """An ISO 4217 currency code such as ``RUB``."""
        value = self.str(name, default)
        if value is not default and not (len(value) == 3 and value.isalpha() and value.isupper()):
            raise self.error(name, f"not an ISO 4217 currency code: {value!r}")
        return value

    def reject_unknown(self, known: Iterable[builtins.str]) -> None:
        """Refuse any key of the table not in ``known``."""
        allowed = set(known)
        for name in self.data:
            if name not in allowed:
                raise self.error(name, f"unknown key (known: {', '.join(sorted(allowed))})")
