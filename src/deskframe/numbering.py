"""Ticket numbers in OTRS/Znuny layouts (pure functions).

* ``DateChecksum`` (default): ``yyyymmdd`` + system id (2 digits) + daily counter
  padded to 5 + one check digit (digits weighted 1,2,1,2,... left to right,
  ``c = 10 - sum % 10``, 10 becomes 1). ``2011120910000047`` is valid.
* ``Date``: ``yyyymmdd`` + system id + daily counter padded to 5.
* ``AutoIncrement``: system id + global counter padded to 5.

The counter itself comes from the store, which makes it unique across processes.
"""

from __future__ import annotations

import datetime as dt
import re

COUNTER_WIDTH = 5


def check_digit(digits: str) -> int:
    """The DateChecksum check digit of a string of digits."""
    total = sum(int(d) * (1 if i % 2 == 0 else 2) for i, d in enumerate(digits))
    c = 10 - total % 10
    return 1 if c == 10 else c


def counter_key(layout: str, day: dt.date) -> str:
    """Which counter a new number draws from: one per day, or one in all."""
    return "global" if layout == "AutoIncrement" else day.strftime("%Y%m%d")


def format_number(layout: str, system_id: str, day: dt.date, counter: int) -> str:
    """Build a ticket number from its parts."""
    count = str(counter).zfill(COUNTER_WIDTH)
    if layout == "AutoIncrement":
        return f"{system_id}{count}"
    base = f"{day:%Y%m%d}{system_id}{count}"
    if layout == "Date":
        return base
    if layout == "DateChecksum":
        return f"{base}{check_digit(base)}"
    raise ValueError(f"unknown ticket number layout {layout!r}")


def is_valid(layout: str, system_id: str, number: str) -> bool:
    """True if ``number`` is a well-formed number of this layout and system id."""
    if not number.isdigit():
        return False
    if layout == "AutoIncrement":
        return number.startswith(system_id) and len(number) >= len(system_id) + COUNTER_WIDTH
    if len(number) < 8 + len(system_id) + COUNTER_WIDTH or number[8 : 8 + len(system_id)] != system_id:
        return False
    try:
        dt.date(int(number[:4]), int(number[4:6]), int(number[6:8]))
    except ValueError:
        return False
    if layout == "DateChecksum":
        return check_digit(number[:-1]) == int(number[-1])
    return True


def subject_pattern(hook: str) -> re.Pattern[str]:
    """Regex finding ``[<hook><number>]`` in a subject (e.g. ``[Ticket#2011...]``)."""
    return re.compile(r"\[" + re.escape(hook) + r"\s*(\d{5,})\]", re.IGNORECASE)


def numbers_in_subject(hook: str, subject: str) -> list[str]:
    """Every ticket number quoted in ``subject`` with the subject hook."""
    return subject_pattern(hook).findall(subject or "")


def tag_subject(hook: str, number: str, subject: str) -> str:
    """``subject`` with ``[<hook><number>]`` in front, once."""
    tag = f"[{hook}{number}]"
    clean = (subject or "").replace("\r", " ").replace("\n", " ")
    if tag in clean:
        return clean
    return f"{tag} {clean}".rstrip()
