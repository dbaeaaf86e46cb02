"""Helpers for the deskframe_sla plugin tests: wall-clock constructors and calendars."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from deskframe.sla import Calendar

UTC = dt.timezone.utc
MSK = ZoneInfo("Europe/Moscow")
BERLIN = ZoneInfo("Europe/Berlin")


def msk(*args: int) -> dt.datetime:
    """A Moscow wall-clock time as an aware datetime."""
    return dt.datetime(*args, tzinfo=MSK)


def berlin(*args: int, fold: int = 0) -> dt.datetime:
    """A Berlin wall-clock time as an aware datetime."""
    return dt.datetime(*args, tzinfo=BERLIN, fold=fold)


def utc(*args: int) -> dt.datetime:
    """A UTC time as an aware datetime."""
    return dt.datetime(*args, tzinfo=UTC)


def make_calendars() -> dict[str, Calendar]:
    """Calendars without the public-holiday package, so dates are easy to reason about."""
    return {
        "moscow-8x5": Calendar(timezone="Europe/Moscow", hours={"mon-fri": "10:00-19:00"}, name="moscow-8x5"),
        "always": Calendar(hours="24x7", name="always"),
        "berlin-9x5": Calendar(timezone="Europe/Berlin", hours={"mon-fri": "09:00-17:00"}, name="berlin-9x5"),
        "berlin-24x7": Calendar(timezone="Europe/Berlin", hours="24x7", name="berlin-24x7"),
    }


#: The reference configuration of the plugin (policies, calendars, a night rotation).
EXAMPLE = """
[calendars.moscow-8x5]
timezone = "Europe/Moscow"
hours = { "mon-fri" = "10:00-19:00" }
holidays = { country = "RU" }

[calendars.always]
hours = "24x7"

[sla.standard]
type = "targets"
calendar = "moscow-8x5"
warn = "80%"
pause_states = ["pending"]
escalate_on_breach = 2
[sla.standard.targets]
P1 = { first_response = "1h", update = "2h", resolution = "8h" }
P2 = { first_response = "1h", resolution = "16h" }
P3 = { first_response = "4h" }
P4 = { first_response = "1d" }
[sla.standard.support_types.premium]
calendar = "always"
targets = { P1 = { first_response = "15m", resolution = "4h" } }
[sla.standard.support_types.24x7]
calendar = "always"

[sla.studio]
type = "cutoff"
calendar = "moscow-8x5"
cutoff = "12:00"
warn = "1h"

[oncall.night]
timezone = "Europe/Moscow"
shift = "19:00-10:00"
agents = ["carol", "dave"]
rotation = "1w"
start = "2026-01-05"
business_calendar = "moscow-8x5"
support_types = ["24x7", "premium"]
"""
