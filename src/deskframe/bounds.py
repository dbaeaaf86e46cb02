"""Sane bounds for numbers and names that come from outside and end in the database.

One place for the limits the core, the CLI and plugins apply to config values,
command-line options and service arguments, so that a value too large for a
column, a ``timedelta`` or the decimal context is refused when it is read, with
a message naming it, rather than crashing later. Every checker raises
:class:`ValueError` with the problem only; the caller adds the key or option
(:class:`~deskframe.tables.TableReader` turns it into a ``ConfigError``).
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from decimal import Decimal

#: The largest value of a 32-bit SQL ``integer`` column (row ids, minutes, counts).
INT32_MAX = 2**31 - 1
#: The largest value of a 64-bit SQL ``bigint`` column.
BIGINT_MAX = 2**63 - 1
#: The most minutes one time entry may hold: a day.
MAX_ENTRY_MINUTES = 24 * 60
#: Amounts (prices, rates, fees) are below this: far above any real price, and
#: small enough that sums of many lines stay exact in a 28-digit decimal context.
MAX_AMOUNT = Decimal(10) ** 12
#: Amounts have at most this many digits after the point.
MAX_AMOUNT_PLACES = 6
#: Durations in configuration (SLA targets, gaps, intervals) are at most this long.
MAX_DURATION = dt.timedelta(days=3660)
#: A name the configuration hands to the database (queue, state, series ...) has at most this many characters.
MAX_NAME_LENGTH = 100
#: Free text from the configuration (descriptions, vendor details) has at most this many characters.
MAX_TEXT_LENGTH = 100_000

__all__ = [
    "BIGINT_MAX",
    "INT32_MAX",
    "MAX_AMOUNT",
    "MAX_AMOUNT_PLACES",
    "MAX_DURATION",
    "MAX_ENTRY_MINUTES",
    "MAX_NAME_LENGTH",
    "MAX_TEXT_LENGTH",
    "check_amount",
    "check_duration",
    "check_int",
    "check_name",
    "check_text",
    "parse_id",
]


def check_int(value: int, minimum: int | None = None, maximum: int | None = INT32_MAX) -> int:
    """``value`` if ``minimum <= value <= maximum``, else ``ValueError`` stating the range."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"must be an integer, got {value!r}")
    if minimum is not None and value < minimum:
        raise ValueError(f"must be at least {minimum}, got {value}")
    if maximum is not None and value > maximum:
        raise ValueError(f"must be at most {maximum}, got {_short(value)}")
    return value


def check_amount(
    value: Decimal, *, minimum: Decimal = Decimal(0), maximum: Decimal = MAX_AMOUNT, places: int = MAX_AMOUNT_PLACES
) -> Decimal:
    """A finite amount in ``[minimum, maximum)`` with at most ``places`` decimals, else ``ValueError``."""
    if not value.is_finite():
        raise ValueError(f"not a finite amount: {value}")
    if value < minimum:
        raise ValueError(f"must not be below {minimum}, got {_short(value)}")
    if value >= maximum:
        raise ValueError(f"must be below {maximum:f}, got {_short(value)}")
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -places:
        raise ValueError(f"at most {places} digits after the point, got {_short(value)}")
    return value


def check_duration(
    value: dt.timedelta, *, minimum: dt.timedelta = dt.timedelta(0), maximum: dt.timedelta = MAX_DURATION
) -> dt.timedelta:
    """``value`` if ``minimum <= value <= maximum``, else ``ValueError`` (in words a person reads)."""
    if value < minimum:
        raise ValueError(f"must be at least {_words(minimum)}" if minimum else "must not be negative")
    if value > maximum:
        raise ValueError(f"must be at most {_words(maximum)}")
    return value


def check_name(value: str, max_length: int = MAX_NAME_LENGTH) -> str:
    """A one-line name (queue, state, series, channel): printable, no surrounding space, not too long."""
    check_text(value, max_length)
    if value != value.strip():
        raise ValueError(f"must not begin or end with spaces: {value!r}")
    if any(not ch.isprintable() for ch in value):
        raise ValueError(f"must be one line of printable characters: {value[:60]!r}")
    return value


def check_text(value: str, max_length: int = MAX_TEXT_LENGTH) -> str:
    """Free text: at most ``max_length`` characters and no NUL or other control characters but tab and newline."""
    if len(value) > max_length:
        raise ValueError(f"must be at most {max_length} characters, got {len(value)}")
    bad = next((ch for ch in value if ch not in "\t\n" and unicodedata.category(ch) == "Cc"), None)
    if bad is not None:
        raise ValueError(f"must not contain control characters (found U+{ord(bad):04X})")
    return value


def parse_id(text: str, maximum: int = BIGINT_MAX) -> int | None:
    """A row id written as ASCII digits (``"42"``), or None if it is not one or exceeds ``maximum``."""
    if not (text.isascii() and text.isdigit()) or len(text) > 19:
        return None
    value = int(text)
    return value if 0 < value <= maximum else None


def _short(value: object) -> str:
    text = str(value)
    return text if len(text) <= 30 else text[:27] + "..."


def _words(value: dt.timedelta) -> str:
    from .sla.durations import format_duration

    return format_duration(value)
