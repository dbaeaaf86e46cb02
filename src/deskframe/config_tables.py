"""The core's settings tables of ``deskframe.toml``: ``[tickets]``, ``[billing]``, ``[time]``, ``[search]``,
``[worker]`` and ``[canned]``, their frozen values and how each is read and checked.

:func:`deskframe.config.parse_config` reads the whole file with these; every error names its key.
"""

from __future__ import annotations

import datetime as dt
import re
import urllib.parse
from decimal import Decimal, InvalidOperation

import attrs

from .bounds import MAX_NAME_LENGTH, check_name
from .errors import ConfigError
from .model import PRIORITY_LEVELS, STATE_TYPES
from .tables import TableReader
from .textsearch import DEFAULT_LANGUAGES, check_languages

NUMBER_LAYOUTS = ("DateChecksum", "Date", "AutoIncrement")
DEFAULT_STATES = {
    "new": "new",
    "open": "open",
    "pending": "pending",
    "resolved": "resolved",
    "closed": "closed",
    "merged": "merged",
}
#: Lengths of names the configuration hands to the database (see store/rows.py).
QUEUE_NAME_LENGTH = 200
STATE_NAME_LENGTH = 100
#: An invoice number is SERIES-YYYY-NNNNN in 40 characters.
SERIES_LENGTH = 20


@attrs.frozen
class TicketSettings:
    """How tickets are numbered, which states and priorities exist, where they go."""

    system_id: str = "10"
    number_layout: str = "DateChecksum"
    subject_hook: str = "Ticket#"
    states: dict[str, str] = attrs.field(factory=lambda: dict(DEFAULT_STATES))
    priority_names: dict[str, str] = attrs.field(factory=lambda: {p: p for p in PRIORITY_LEVELS})
    default_priority: str = "P3"
    default_queue: str = "support"
    unknown_queue: str = "unknown"
    allow_foreign_replies: bool = False
    default_sla: str | None = None

    def state_type(self, state: str) -> str:
        return self.states[state]

    def first_state(self, state_type: str) -> str:
        for name, kind in self.states.items():
            if kind == state_type:
                return name
        raise ConfigError(f"no state of type '{state_type}' is configured", key="tickets.states")

    def priority_level(self, text: str) -> str | None:
        """``P2`` or a configured display name (case-insensitive) -> ``P2``."""
        wanted = text.strip().lower()
        for level, name in self.priority_names.items():
            if wanted in (level.lower(), name.lower()):
                return level
        return None


@attrs.frozen
class BillingSettings:
    """The vendor's invoicing settings: tax, number series, public link base, vendor details."""

    tax_rate: Decimal = Decimal("0")
    series: str = "INV"
    credit_series: str = "CN"
    public_url: str = "http://127.0.0.1:8000"
    #: Whether the file gave ``public_url``: links the desk puts in what it sends on its own
    #: (the ticket links of customer reports) are made only then, never to the default.
    public_url_given: bool = False
    locale: str = "en"
    vendor: dict[str, str] = attrs.field(factory=dict)
    #: Days from the issue date to the due date printed on an invoice.
    payment_terms_days: int = 10
    #: What an invoice shows for the agent of a line: the agent's display ``name`` or ``role``.
    agent_label: str = "name"


@attrs.frozen
class TimeSettings:
    """Sanity limits on logged time (``[time]``)."""

    #: The most time one agent may log for one work date, over all tickets (``max_per_day = "16h"``).
    max_per_day: dt.timedelta = dt.timedelta(hours=24)


def check_table_name(table: TableReader, name: str, max_length: int) -> None:
    """Check a table key used as a name in the database (a state, a canned response, a policy, a calendar).

    Raises :class:`ConfigError` naming the key's path when it is not a usable name.
    """
    try:
        check_name(name, max_length)
    except ValueError as exc:
        raise ConfigError(str(exc), key=table.key(name)) from None


def parse_tickets(t: TableReader) -> TicketSettings:
    """``[tickets]``: numbering, states and their types, priority names, default queue, priority and SLA."""
    t.reject_unknown(
        [
            "system_id",
            "number_layout",
            "subject_hook",
            "states",
            "priorities",
            "default_priority",
            "default_queue",
            "unknown_queue",
            "allow_foreign_replies",
            "default_sla",
        ]
    )
    system_id = t.str("system_id", "10")
    if not (system_id.isdigit() and 1 <= len(system_id) <= 2):
        raise t.error("system_id", f"must be 1 or 2 digits, got {system_id!r}")
    layout = t.choice("number_layout", NUMBER_LAYOUTS, "DateChecksum")
    hook = t.name("subject_hook", "Ticket#", max_length=40)
    states = dict(DEFAULT_STATES)
    if "states" in t.data:
        given = t.sub("states")
        states = {}
        for name, kind in given.data.items():
            check_table_name(given, name, STATE_NAME_LENGTH)
            if kind not in STATE_TYPES:
                raise given.error(name, f"unknown state type {kind!r} (known: {', '.join(STATE_TYPES)})")
            states[name] = kind
        for kind in ("new", "open", "closed"):
            if kind not in states.values():
                raise t.error("states", f"needs a state of type '{kind}'")
        states.setdefault("merged", "merged")
    names = {p: p for p in PRIORITY_LEVELS}
    if "priorities" in t.data:
        given = t.sub("priorities")
        for level, _label in given.data.items():
            if level not in PRIORITY_LEVELS:
                raise given.error(level, f"unknown priority level (known: {', '.join(PRIORITY_LEVELS)})")
            names[level] = given.name(level)
    settings = TicketSettings(
        system_id=system_id.zfill(2) if layout != "AutoIncrement" else system_id,
        number_layout=layout,
        subject_hook=hook,
        states=states,
        priority_names=names,
        default_priority="P3",
        default_queue=t.name("default_queue", "support", max_length=QUEUE_NAME_LENGTH),
        unknown_queue=t.name("unknown_queue", "unknown", max_length=QUEUE_NAME_LENGTH),
        allow_foreign_replies=t.bool("allow_foreign_replies", False),
        default_sla=t.name("default_sla", None),
    )
    wanted = t.name("default_priority", "P3")
    default_level = settings.priority_level(wanted)
    if default_level is None:
        raise t.error("default_priority", f"unknown priority {wanted!r}")
    return attrs.evolve(settings, default_priority=default_level)


def parse_rate(text: str) -> Decimal:
    """``"20%"`` -> Decimal("0.20"); ``"0.2"`` -> Decimal("0.2")."""
    value = text.strip()
    if len(value) > 40:
        raise ValueError(f'not a rate: {value[:40]!r}... (e.g. "20%")')
    try:
        rate = Decimal(value[:-1]) / 100 if value.endswith("%") else Decimal(value)
    except InvalidOperation:
        raise ValueError(f'not a rate: {text!r} (e.g. "20%")') from None
    if not rate.is_finite() or not (0 <= rate < 1):
        raise ValueError(f"rate out of range: {text!r}")
    if rate.as_tuple().exponent < -6:  # type: ignore[operator]
        raise ValueError(f"at most 4 decimals in a percentage (6 in a fraction): {text!r}")
    return rate


#: ``[billing.vendor]`` keys that are digits only: (allowed lengths, how to say it).
VENDOR_DIGITS = {
    "inn": ((10, 12), "10 or 12 digits (ИНН)"),
    "kpp": ((9,), "9 digits (КПП)"),
    "bik": ((9,), "9 digits (БИК)"),
    "account": ((20,), "20 digits (расчётный счёт)"),
    "corr_account": ((20,), "20 digits (корр. счёт)"),
}


def parse_billing(t: TableReader) -> BillingSettings:
    """``[billing]``: tax rate, number series, public link base, locale, payment terms and vendor details."""
    t.reject_unknown(
        ["tax_rate", "series", "credit_series", "public_url", "locale", "vendor", "payment_terms_days", "agent_label"]
    )
    try:
        tax = parse_rate(t.str("tax_rate", "0"))
    except ValueError as exc:
        raise t.error("tax_rate", str(exc)) from None
    series = t.name("series", "INV", max_length=SERIES_LENGTH)
    credit = t.name("credit_series", "CN", max_length=SERIES_LENGTH)
    for key, value in (("series", series), ("credit_series", credit)):
        if not value.replace("-", "").replace("_", "").isalnum():
            raise t.error(key, f"letters, digits, - and _ only, got {value!r}")
    if series == credit:
        raise t.error("credit_series", "must differ from series")
    url = check_public_url(t, "public_url", t.name("public_url", "http://127.0.0.1:8000", max_length=2000))
    vendor = t.sub("vendor", {})
    for key in vendor.data:
        vendor.str(key, max_length=2000)
    for key, (lengths, what) in VENDOR_DIGITS.items():
        digits = vendor.data.get(key)
        if digits is not None and not (digits.isdigit() and len(digits) in lengths):
            raise vendor.error(key, f"must be {what}, got {digits!r}")
    terms = t.int("payment_terms_days", 10, minimum=0, maximum=365)
    agent_label = t.choice("agent_label", ("name", "role"), "name")
    locale = t.name("locale", "en", max_length=35)
    if not re.fullmatch(r"[a-z]{2,3}([_-][A-Za-z0-9]{2,8})*", locale):
        raise t.error("locale", f"not a locale name such as 'ru' or 'en_US': {locale!r}")
    return BillingSettings(
        tax_rate=tax,
        series=series,
        credit_series=credit,
        public_url=url,
        public_url_given="public_url" in t.data,
        locale=locale,
        vendor=dict(vendor.data),
        payment_terms_days=terms,
        agent_label=agent_label,
    )


def check_public_url(t: TableReader, key: str, text: str) -> str:
    """An absolute http(s) address with a host, no query, fragment or blanks, without its trailing ``/``."""
    if not text.startswith(("http://", "https://")):
        raise t.error(key, f"must start with http:// or https://, got {text!r}")
    url = text.rstrip("/")
    try:
        parts = urllib.parse.urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        raise t.error(key, f"not a URL: {text!r}") from None
    if not parts.hostname or any(c.isspace() or ord(c) < 32 for c in url):
        raise t.error(key, f"needs a host name and no blanks, got {text!r}")
    if "?" in url or "#" in url:
        raise t.error(key, f"a base address has no query or fragment, got {text!r}")
    return url


def parse_search(t: TableReader) -> tuple[str, ...]:
    """``[search] languages``: the stemmers of the full-text index (default: :data:`DEFAULT_LANGUAGES`)."""
    t.reject_unknown(["languages"])
    try:
        return check_languages(t.str_list("languages", list(DEFAULT_LANGUAGES)))
    except ValueError as exc:
        raise t.error("languages", str(exc)) from None


def parse_time(t: TableReader) -> TimeSettings:
    """``[time] max_per_day``: a duration from 1 minute to 24 hours (default 24h)."""
    t.reject_unknown(["max_per_day"])
    day = dt.timedelta(hours=24)
    return TimeSettings(max_per_day=t.duration("max_per_day", day, minimum=dt.timedelta(minutes=1), maximum=day))


@attrs.frozen
class WorkerSettings:
    """``[worker]``: how often ``deskframe worker`` runs its core jobs."""

    #: ``sla check`` every this long.
    sla_every: dt.timedelta = dt.timedelta(seconds=30)
    #: A channel without a ``poll_interval`` of its own is polled every this long.
    intake_every: dt.timedelta = dt.timedelta(minutes=1)
    #: The outbox is looked at every this long (and at once again while it has due messages).
    outbox_every: dt.timedelta = dt.timedelta(seconds=5)
    #: Messages one outbox delivery claims at a time.
    outbox_batch: int = 50


def parse_worker(t: TableReader) -> WorkerSettings:
    """``[worker]``: ``sla_every``, ``intake_every``, ``outbox_every`` (durations from 1s to 1d), ``outbox_batch``."""
    t.reject_unknown(["sla_every", "intake_every", "outbox_every", "outbox_batch"])
    low, high = dt.timedelta(seconds=1), dt.timedelta(days=1)
    base = WorkerSettings()
    return WorkerSettings(
        sla_every=t.duration("sla_every", base.sla_every, minimum=low, maximum=high),
        intake_every=t.duration("intake_every", base.intake_every, minimum=low, maximum=high),
        outbox_every=t.duration("outbox_every", base.outbox_every, minimum=low, maximum=high),
        outbox_batch=t.int("outbox_batch", base.outbox_batch, minimum=1, maximum=10_000),
    )


def parse_canned(t: TableReader) -> dict[str, str]:
    """``[canned.NAME]``: canned responses, name -> body (a template checked here)."""
    out = {}
    for name in t.data:
        check_table_name(t, name, MAX_NAME_LENGTH)
        entry = t.sub(name)
        entry.reject_unknown(["body", "description"])
        body = entry.str("body")
        from .canned import check_template

        problem = check_template(body)
        if problem:
            raise entry.error("body", problem)
        out[name] = body
    return out
