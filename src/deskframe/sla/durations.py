"""Durations as written in configuration: ``"15m"``, ``"1h30m"``, ``"2d"``, ``"90s"``.

Units, largest first, each at most once: ``w`` (7 days), ``d`` (24 hours), ``h``,
``m`` (minutes), ``s`` (seconds; the only unit that may have a fraction, up to six
decimals). Spaces between the parts are allowed (``"1h 30m"``), letters may be upper
case. A day is always 24 hours: these are plain lengths of time. Whether they are
counted in business time is up to the caller (``Calendar.add``).
"""

from __future__ import annotations

import re
from datetime import timedelta

__all__ = ["format_duration", "parse_duration"]

_DURATION = re.compile(
    r"""\s*
    (?:(?P<w>\d+)\s*w\s*)?
    (?:(?P<d>\d+)\s*d\s*)?
    (?:(?P<h>\d+)\s*h\s*)?
    (?:(?P<m>\d+)\s*m\s*)?
    (?:(?P<s>\d+(?:\.\d{1,6})?)\s*s\s*)?
    """,
    re.VERBOSE | re.IGNORECASE,
)

_HINT = "expected whole numbers with units, largest first, e.g. '15m', '1h30m', '2d', '90s' (units: w d h m s)"


def parse_duration(text: str) -> timedelta:
    """Parse a duration such as ``"15m"``, ``"1h30m"``, ``"2d"`` or ``"90s"``.

    Returns a non-negative :class:`~datetime.timedelta`. Raises :class:`ValueError`
    naming the text on anything else: a bare number (``"15"``), an unknown unit,
    units out of order or repeated (``"30m1h"``), a sign, a fraction other than on
    seconds, an empty string. A ``timedelta`` or a non-string raises ``TypeError``.
    """
    if not isinstance(text, str):
        raise TypeError(f"duration must be a string such as '1h30m', not {type(text).__name__}")
    m = _DURATION.fullmatch(text)
    if m is None or not any(m.groupdict().values()):
        if text.strip() and text.strip().lstrip("+-").isdigit():
            raise ValueError(f"bad duration {text!r}: missing unit; {_HINT}")
        raise ValueError(f"bad duration {text!r}: {_HINT}")
    g = m.groupdict()
    seconds = g["s"] or "0"
    whole, _, frac = seconds.partition(".")
    try:
        return timedelta(
            weeks=int(g["w"] or 0),
            days=int(g["d"] or 0),
            hours=int(g["h"] or 0),
            minutes=int(g["m"] or 0),
            seconds=int(whole),
            microseconds=int(frac.ljust(6, "0")) if frac else 0,
        )
    except OverflowError:
        raise ValueError(f"bad duration {text!r}: too large") from None


def format_duration(td: timedelta) -> str:
    """Format a non-negative ``timedelta`` in the shortest form ``parse_duration`` reads.

    ``timedelta(hours=1, minutes=30)`` -> ``"1h30m"``, ``timedelta(days=2)`` -> ``"2d"``,
    ``timedelta(seconds=90)`` -> ``"1m30s"``, zero -> ``"0s"``; microseconds are kept as a
    decimal fraction of seconds (``"1.5s"``). Weeks are written as days. Negative
    durations raise :class:`ValueError`. ``parse_duration(format_duration(td)) == td``.
    """
    if not isinstance(td, timedelta):
        raise TypeError(f"format_duration needs a timedelta, not {type(td).__name__}")
    if td < timedelta(0):
        raise ValueError(f"cannot format a negative duration ({td})")
    days, secs, micros = td.days, td.seconds, td.microseconds
    hours, secs = divmod(secs, 3600)
    minutes, secs = divmod(secs, 60)
    parts = []
    if days:
        parts.append(f"{days}d")
    if hours:
        parts.append(f"{hours}h")
    if minutes:
        parts.append(f"{minutes}m")
    if micros:
        parts.append(f"{secs}.{micros:06d}".rstrip("0") + "s")
    elif secs or not parts:
        parts.append(f"{secs}s")
    return "".join(parts)
