"""The ``[phone]`` table, validated into :class:`PhoneSettings`.

```toml
[phone]
default_region = "RU"                         # numbers without +country are read as this region's
channel = "phone"                             # channel name on call articles and tickets
work_request_state = "awaiting written request"   # a configured state of type pending
written_request_canned = "written-request"   # canned response sent by e-mail (preferred), or:
# written_request_template = "Dear {customer}, please send ticket {number} ({summary}) in writing."
written_request_subject = "Please send us your request in writing"
email_channel = "support-mail"                # the [[channels]] entry that mails outbound articles

[phone.csv]                                   # PBX call-log columns (header names)
date = "Date"
caller = "Caller"
duration = "Duration"                         # seconds, H:MM:SS, M:SS or 5m / 1h30m; may be empty
agent = "Agent"                               # agent login, e-mail or name
summary = "Summary"
date_format = "%Y-%m-%d %H:%M:%S"             # strptime format
timezone = "Europe/Moscow"                    # zone of dates without an offset (default [desk] timezone)
delimiter = ","
```

Every key is optional. Without a ``[phone]`` table the defaults apply, and
``--work-request`` needs ``"awaiting written request" = "pending"`` in ``[tickets.states]``.
"""

from __future__ import annotations

import datetime as dt
import re
import string
from typing import Any

import attrs

from deskframe.errors import ConfigError
from deskframe.tables import TableReader

TEMPLATE_FIELDS = ("customer", "contact", "number", "summary", "agent", "caller")
DEFAULT_TEMPLATE = (
    "Hello {customer},\n\n"
    "thank you for your call. The work you asked for ({summary}) is paid work, so we need "
    "your request in writing before we start: please reply to this e-mail confirming it.\n\n"
    "Ticket {number}\n{agent}"
)
DEFAULT_STATE = "awaiting written request"
DEFAULT_SUBJECT = "Please send us your request in writing"
_DURATION = re.compile(r"\s*(?:(\d+)\s*h\s*)?(?:(\d+)\s*m\s*)?(?:(\d+)\s*s\s*)?", re.IGNORECASE)
#: No call is longer than a day (its time is logged as one time entry).
MAX_CALL_SECONDS = 24 * 3600
_CLOCK = re.compile(r"\s*(?:(\d+):)?(\d{1,2}):(\d{2})\s*")


def parse_duration(text: str, *, bare_seconds: bool = True) -> dt.timedelta:
    """A call's length: ``"5m"``, ``"1h30m"``, ``"90s"``, ``"1:02:05"``, ``"5:05"``, ``"305"``.

    A bare number is seconds (as PBX logs write it) only with ``bare_seconds``;
    otherwise it is an error (on the command line ``5`` is more likely meant as minutes).
    """
    value = text.strip()
    if len(value) > 40:
        raise ValueError(f"bad duration {value[:40]!r}...: too long")
    if value.isascii() and value.isdigit():
        if not bare_seconds:
            raise ValueError(f"bad duration {text!r}: missing unit (e.g. 5m, 1h30m, 90s)")
        return _call_length(text, seconds=int(value))
    clock = _CLOCK.fullmatch(value)
    if clock:
        h, m, s = (int(g or 0) for g in clock.groups())
        if s < 60 and (clock.group(1) is None or m < 60):
            return _call_length(text, hours=h, minutes=m, seconds=s)
    parts = _DURATION.fullmatch(value)
    if parts is None or not any(parts.groups()):
        raise ValueError(f"bad duration {text!r} (e.g. 5m, 1h30m, 90s, 305, 0:05:05)")
    h, mi, s = (int(g or 0) for g in parts.groups())
    return _call_length(text, hours=h, minutes=mi, seconds=s)


def _call_length(text: str, **parts: int) -> dt.timedelta:
    """The timedelta of ``parts``, refused when longer than a day (no call lasts longer)."""
    if any(v > MAX_CALL_SECONDS for v in parts.values()):
        raise ValueError(f"bad duration {text!r}: a call lasts at most 24h")
    length = dt.timedelta(**parts)
    if length > dt.timedelta(seconds=MAX_CALL_SECONDS):
        raise ValueError(f"bad duration {text!r}: a call lasts at most 24h")
    return length


def format_duration(value: dt.timedelta) -> str:
    """``5m``, ``1h05m``, ``45s``, ``2m30s``."""
    total = int(value.total_seconds())
    h, rest = divmod(total, 3600)
    m, s = divmod(rest, 60)
    if h:
        return f"{h}h{m:02d}m" + (f"{s:02d}s" if s else "")
    if m:
        return f"{m}m" + (f"{s:02d}s" if s else "")
    return f"{s}s"


@attrs.frozen
class CsvMapping:
    """Which header holds what in a PBX call log, and how its dates are written."""

    date: str = "Date"
    caller: str = "Caller"
    duration: str = "Duration"
    agent: str = "Agent"
    summary: str = "Summary"
    date_format: str = "%Y-%m-%d %H:%M:%S"
    timezone: str | None = None
    delimiter: str = ","

    def columns(self) -> dict[str, str]:
        return {
            "date": self.date,
            "caller": self.caller,
            "duration": self.duration,
            "agent": self.agent,
            "summary": self.summary,
        }


@attrs.frozen
class PhoneSettings:
    """A validated ``[phone]`` table (or the defaults when there is none)."""

    default_region: str = "RU"
    channel: str = "phone"
    work_request_state: str = DEFAULT_STATE
    written_request_canned: str | None = None
    written_request_template: str | None = None
    written_request_subject: str = DEFAULT_SUBJECT
    email_channel: str | None = None
    csv: CsvMapping = CsvMapping()


def check_template(text: str) -> str | None:
    """A problem with a ``str.format`` template (unknown or positional placeholder), or None."""
    try:
        fields = [f for _, f, _, _ in string.Formatter().parse(text) if f is not None]
    except ValueError as exc:
        return f"bad template: {exc}"
    for name in fields:
        base = re.split(r"[.\[!:]", name, maxsplit=1)[0]
        if base not in TEMPLATE_FIELDS or base != name:
            return f"unknown placeholder {{{name}}} (known: {', '.join('{' + f + '}' for f in TEMPLATE_FIELDS)})"
    return None


def _zone(t: TableReader, key: str) -> str | None:
    name = t.str(key, None)
    if name is None:
        return None
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise t.error(key, f"unknown time zone {name!r} (an IANA name such as Europe/Moscow)") from None
    return name


def _csv(t: TableReader) -> CsvMapping:
    t.reject_unknown(["date", "caller", "duration", "agent", "summary", "date_format", "timezone", "delimiter"])
    default = CsvMapping()
    date_format = t.str("date_format", default.date_format)
    sample = dt.datetime(2026, 12, 31, 23, 59, 58)
    try:
        dt.datetime.strptime(sample.strftime(date_format), date_format)
    except ValueError as exc:
        raise t.error("date_format", f"not a usable strptime format: {exc}") from None
    delimiter = t.str("delimiter", default.delimiter)
    if len(delimiter) != 1 or delimiter in '"\r\n':
        raise t.error("delimiter", f"must be one character other than a quote or newline, got {delimiter!r}")
    columns = {key: t.name(key, getattr(default, key), max_length=200) for key in default.columns()}
    seen: dict[str, str] = {}
    for key, header in columns.items():
        if header in seen:
            raise t.error(key, f"column {header!r} is already mapped to {seen[header]}")
        seen[header] = key
    return CsvMapping(**columns, date_format=date_format, timezone=_zone(t, "timezone"), delimiter=delimiter)


def validate(value: Any) -> PhoneSettings:
    """``ConfigSection.validate``: the table on its own."""
    t = TableReader(value)
    t.reject_unknown(
        [
            "default_region",
            "channel",
            "work_request_state",
            "written_request_canned",
            "written_request_template",
            "written_request_subject",
            "email_channel",
            "csv",
        ]
    )
    region = t.str("default_region", "RU").upper()
    import phonenumbers  # here, not at module top: every command validates the config (start-up cost)

    if region not in phonenumbers.SUPPORTED_REGIONS:
        raise t.error("default_region", f"unknown region {region!r} (a two-letter country code such as RU)")
    canned = t.str("written_request_canned", None)
    template = t.str("written_request_template", None)
    if canned and template:
        raise t.error("written_request_template", "give written_request_canned or written_request_template, not both")
    if template:
        problem = check_template(template)
        if problem:
            raise t.error("written_request_template", problem)
    subject = t.str("written_request_subject", DEFAULT_SUBJECT, max_length=1000)
    if "\n" in subject or "\r" in subject:
        raise t.error("written_request_subject", "must be one line")
    return PhoneSettings(
        default_region=region,
        channel=t.name("channel", "phone"),
        work_request_state=t.name("work_request_state", DEFAULT_STATE),
        written_request_canned=canned,
        written_request_template=template,
        written_request_subject=subject,
        email_channel=t.name("email_channel", None),
        csv=_csv(t.sub("csv", {})),
    )


def state_problem(state: str, states: dict[str, str]) -> str | None:
    """Why ``state`` cannot be the work-request state, or None."""
    if state not in states:
        return (
            f'state {state!r} is not configured: add "{state}" = "pending" to [tickets.states] '
            f"(configured: {', '.join(states)})"
        )
    if states[state] != "pending":
        return f"state {state!r} is of type {states[state]!r}; it must be of type 'pending'"
    return None


def check(settings: PhoneSettings, config: Any) -> None:
    """``ConfigSection.check``: references into the rest of the file."""
    problem = state_problem(settings.work_request_state, config.tickets.states)
    if problem:
        raise ConfigError(problem, key="work_request_state")
    if settings.written_request_canned and settings.written_request_canned not in config.canned:
        raise ConfigError(
            f"unknown canned response {settings.written_request_canned!r} "
            f"(configured: {', '.join(sorted(config.canned)) or 'none'})",
            key="written_request_canned",
        )
    names = [table.get("name") for table in config.channels]
    if settings.email_channel and settings.email_channel not in names:
        raise ConfigError(
            f"unknown channel {settings.email_channel!r} (configured: {', '.join(names) or 'none'})",
            key="email_channel",
        )
    if settings.channel in names:
        raise ConfigError(
            f"{settings.channel!r} is the name of a [[channels]] entry; phone calls need a channel name of their own",
            key="channel",
        )


def settings_of(desk: Any) -> PhoneSettings:
    """The desk's phone settings (the defaults when the config has no ``[phone]`` table)."""
    found = desk.config.sections.get("phone")
    return found if isinstance(found, PhoneSettings) else PhoneSettings()
