"""Business-time arithmetic for SLA clocks: calendars and durations (pure functions).

``Calendar`` turns a calendar's configuration (working hours in a time zone, public
holidays, extra holidays and working days) into fast answers: ``add`` a business
duration to an instant, ``between`` two instants, ``is_working``, ``next_working``,
and ``add_many`` for many clocks at once. ``parse_duration``/``format_duration``
read and write the ``"1h30m"`` form used in configuration.
"""

from .calendar import UTC, Calendar
from .config import CalendarConfigError
from .durations import format_duration, parse_duration
from .policy import STOP_ON, ClockSpec, SlaPolicy, TicketFacts

__all__ = [
    "STOP_ON",
    "UTC",
    "Calendar",
    "CalendarConfigError",
    "ClockSpec",
    "SlaPolicy",
    "TicketFacts",
    "format_duration",
    "parse_duration",
]
