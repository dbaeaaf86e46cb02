"""When reports are due: a contract's ``report_every``/``report_to`` and its working days.

A period is due on the first working day after it ends, by the contract's business calendar
(for 24x7 and premium contracts the ``business_calendar`` of the ``[oncall]`` rotation that
watches them, else the calendar of the contract's SLA policy), else Monday to Friday in the
desk's zone. Only the latest ended period is mailed, so turning a schedule on does not mail a
contract's whole history, and a worker down for a whole period skips the one before.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any
from zoneinfo import ZoneInfo

import attrs

from deskframe.model import Contract
from deskframe.periods import Period

#: The values of ``params.report_every``.
EVERY = ("week", "month", "quarter")
#: The longest run of non-working days searched for the due day.
MAX_GAP_DAYS = 60
#: The plugin's name in records, actors and dedupe keys.
PLUGIN = "deskframe_reports"


@attrs.frozen
class Schedule:
    """A contract's report schedule."""

    every: str
    to: tuple[str, ...]


def param_problems(params: Mapping[str, Any]) -> list[tuple[str, str]]:
    """``(key, problem)`` for bad ``report_every`` / ``report_to`` values of a contract's params."""
    problems = []
    every = params.get("report_every")
    if every is not None and every not in EVERY:
        problems.append(("report_every", f"must be one of {', '.join(EVERY)}, got {str(every)[:40]!r}"))
    to = params.get("report_to")
    if to is not None:
        if not isinstance(to, list) or not to or not all(isinstance(a, str) for a in to):
            problems.append(("report_to", "must be a non-empty list of e-mail addresses"))
        else:
            bad = [a for a in to if not _address(a)]
            if bad:
                problems.append(("report_to", f"not an e-mail address: {bad[0][:60]!r}"))
    if (every is None) != (to is None) and not problems:
        missing = "report_to" if to is None else "report_every"
        problems.append((missing, "report_every and report_to go together"))
    return problems


def _address(text: str) -> bool:
    local, at, domain = text.strip().rpartition("@")
    return bool(at and local and "." in domain and not any(c.isspace() or c in "<>,;" for c in text.strip()))


def schedule_of(contract: Contract) -> Schedule | None:
    """The contract's schedule, or None when its params set none (or set it badly)."""
    if param_problems(contract.params) or "report_every" not in contract.params:
        return None
    return Schedule(str(contract.params["report_every"]), tuple(str(a).strip() for a in contract.params["report_to"]))


def weekdays(day: dt.date) -> bool:
    """Monday to Friday: the working days when a contract has no calendar."""
    return day.weekday() < 5


def working_days(desk: Any, contract: Contract) -> Callable[[dt.date], bool]:
    """Whether a day is a working day of the contract's SLA calendar (Mon-Fri without one)."""
    from .source import contract_calendar

    name = contract_calendar(desk, contract)
    calendar = desk.sla.calendars.get(name) if name else None
    if calendar is None:
        return weekdays
    return lambda day: bool(calendar.frames_on(day))


def due_date(period: Period, working: Callable[[dt.date], bool]) -> dt.date:
    """The first working day after ``period`` (its end day itself when that one works)."""
    day = period.end
    for _ in range(MAX_GAP_DAYS):
        if working(day):
            return day
        day += dt.timedelta(days=1)
    return period.end


def latest_period(contract: Contract, schedule: Schedule, today: dt.date) -> Period | None:
    """The latest period that ended by ``today`` while the contract ran, or None."""
    period = Period.containing(schedule.every, today).previous()
    if contract.end is not None:
        while period.first > contract.end:
            period = period.previous()
    if contract.start is not None and period.end <= contract.start:
        return None
    return period


def local_today(desk: Any, at: dt.datetime | None = None) -> dt.date:
    """The day ``at`` (default: the desk's clock) in the desk's zone."""
    now = at or desk.clock()
    return now.astimezone(ZoneInfo(desk.config.timezone)).date()


def dedupe_key(contract: str, period: str) -> str:
    """The outbox dedupe key and record key of one report: ``report:CONTRACT:PERIOD``."""
    return f"report:{contract}:{period}"
