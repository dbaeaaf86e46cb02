"""``deskframe.toml`` -> frozen attrs config; every error names file and key.

Default location ``./deskframe.toml``, overridden by ``--config`` or the
``DESKFRAME_CONFIG`` environment variable. ``DESKFRAME_DATABASE_URL`` overrides
``[desk] database`` (handy for running the same config against PostgreSQL).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import sys
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import attrs

from .bounds import MAX_NAME_LENGTH, check_name
from .errors import ConfigError
from .model import PRIORITY_LEVELS, STATE_TYPES
from .registry import Registry
from .tables import TableReader
from .textsearch import DEFAULT_LANGUAGES, check_languages

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

CONFIG_ENV = "DESKFRAME_CONFIG"
DATABASE_ENV = "DESKFRAME_DATABASE_URL"
DEFAULT_CONFIG = "deskframe.toml"
NUMBER_LAYOUTS = ("DateChecksum", "Date", "AutoIncrement")
DEFAULT_STATES = {
    "new": "new",
    "open": "open",
    "pending": "pending",
    "resolved": "resolved",
    "closed": "closed",
    "merged": "merged",
}
#: A calendar every configuration has unless it defines its own of that name.
ALWAYS_CALENDAR = "always"
CORE_TABLES = ("desk", "tickets", "canned", "channels", "sla", "pricing", "calendars", "billing", "search", "time")
CORE_TABLES += ("web",)  # [web]: login sessions and their signing key (deskframe.accounts.settings)
#: Lengths of names the configuration hands to the database (see store/rows.py).
QUEUE_NAME_LENGTH = 200
STATE_NAME_LENGTH = 100
#: An invoice number is SERIES-YYYY-NNNNN in 40 characters.
SERIES_LENGTH = 20
#: attachment_max_bytes at most 2 GiB - 1 (attachments are read into memory).
MAX_ATTACHMENT_BYTES = 2**31 - 1


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


@attrs.frozen
class Config:
    """A validated ``deskframe.toml``."""

    path: Path | None
    base_dir: Path
    database_url: str
    data_dir: Path
    attachment_max_bytes: int = 25 * 1024 * 1024
    timezone: str = "UTC"
    tickets: TicketSettings = attrs.field(factory=TicketSettings)
    billing: BillingSettings = attrs.field(factory=BillingSettings)
    canned: dict[str, str] = attrs.field(factory=dict)
    channels: tuple[dict[str, Any], ...] = ()
    sla: dict[str, dict[str, Any]] = attrs.field(factory=dict)
    pricing: dict[str, dict[str, Any]] = attrs.field(factory=dict)
    calendars: dict[str, dict[str, Any]] = attrs.field(factory=dict)
    sections: dict[str, Any] = attrs.field(factory=dict)
    time: TimeSettings = attrs.field(factory=TimeSettings)
    #: Built objects: SLA policies and pricing models by name, calendars by name.
    sla_policies: dict[str, Any] = attrs.field(factory=dict)
    pricing_models: dict[str, Any] = attrs.field(factory=dict)
    calendar_objects: dict[str, Any] = attrs.field(factory=dict)
    #: ``[search] languages``: the stemmers of the full-text index (codes of textsearch.LANGUAGES).
    search_languages: tuple[str, ...] = DEFAULT_LANGUAGES
    #: ``[web]``: session cookies and their signing key (:class:`deskframe.accounts.settings.WebSettings`).
    web: Any = None

    @property
    def label(self) -> str:
        return str(self.path.name if self.path else "<defaults>")

    def channel(self, name: str) -> dict[str, Any] | None:
        for table in self.channels:
            if table.get("name") == name:
                return table
        return None


def locate(explicit: str | os.PathLike[str] | None) -> Path:
    """The config file to read: ``--config``, else ``$DESKFRAME_CONFIG``, else ./deskframe.toml."""
    if explicit:
        return Path(explicit)
    env = os.environ.get(CONFIG_ENV)
    return Path(env) if env else Path(DEFAULT_CONFIG)


def read_toml(path: Path) -> dict[str, Any]:
    """Parse a TOML file; a syntax error names the file, line and column."""
    label = str(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError("file not found (run 'deskframe init' or pass --config)", file=label) from None
    except OSError as exc:
        raise ConfigError(f"cannot read: {exc.strerror}", file=label) from None
    try:
        return tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ConfigError(f"not UTF-8 text (byte {exc.start})", file=label) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"invalid TOML: {exc}", file=label) from None


def load_config(path: Path, registry: Registry) -> Config:
    """Read and validate ``path`` against the core schema and the plugins' tables."""
    data = read_toml(path)
    try:
        return parse_config(data, registry, path=path)
    except ConfigError as exc:
        raise exc.within(file=str(path)) from None


def parse_config(data: dict[str, Any], registry: Registry, *, path: Path | None = None) -> Config:
    """Validate an already parsed TOML document (keys in errors, no file name)."""
    top = TableReader(data)
    sections = registry.names("config_sections")
    top.reject_unknown([*CORE_TABLES, *sections])
    base_dir = (path.parent if path else Path.cwd()).resolve()

    desk = top.sub("desk", {})
    desk.reject_unknown(["database", "data_dir", "attachment_max_bytes", "timezone"])
    database = os.environ.get(DATABASE_ENV) or desk.str("database", "sqlite:///deskframe.db")
    database = _absolute_sqlite(database, base_dir, desk)
    data_dir = base_dir / desk.str("data_dir", "data", max_length=4096)
    max_bytes = desk.int("attachment_max_bytes", 25 * 1024 * 1024, minimum=1, maximum=MAX_ATTACHMENT_BYTES)
    timezone = _timezone(desk, "timezone", "UTC")

    tickets = _tickets(top.sub("tickets", {}))
    billing = _billing(top.sub("billing", {}))
    time = _time(top.sub("time", {}))
    canned = _canned(top.sub("canned", {}))
    search_languages = _search(top.sub("search", {}))
    from .accounts.settings import parse_web

    web = parse_web(top.sub("web", {}))
    channels = _channels(top, registry)
    calendars, calendar_objects = _calendars(top.sub("calendars", {}))
    sla, sla_policies = _named_tables(top, registry, "sla", "type", "sla_policies", "SLA policy type")
    pricing, pricing_models = _named_tables(top, registry, "pricing", "model", "pricing_models", "pricing model")
    _check_policy_calendars("sla", sla_policies, calendar_objects)
    _check_policy_calendars("pricing", pricing_models, calendar_objects)
    if tickets.default_sla and tickets.default_sla not in sla:
        raise ConfigError(
            f"unknown SLA policy {tickets.default_sla!r} (configured: {', '.join(sorted(sla)) or 'none'})",
            key="tickets.default_sla",
        )
    own = {}
    for name in sections:
        if name in data:
            section = registry.get("config_sections", name)
            try:
                own[name] = section.validate(data[name])
            except ConfigError as exc:
                raise exc.within(prefix=name) from None
    config = Config(
        path=path,
        base_dir=base_dir,
        database_url=database,
        data_dir=data_dir,
        attachment_max_bytes=max_bytes,
        timezone=timezone,
        tickets=tickets,
        billing=billing,
        canned=canned,
        channels=channels,
        sla=sla,
        pricing=pricing,
        calendars=calendars,
        sections=own,
        sla_policies=sla_policies,
        pricing_models=pricing_models,
        calendar_objects=calendar_objects,
        search_languages=search_languages,
        time=time,
        web=web,
    )
    for name, value in own.items():
        section = registry.get("config_sections", name)
        if section.check is not None:
            try:
                section.check(value, config)
            except ConfigError as exc:
                raise exc.within(prefix=name) from None
    return config


def _check_name(table: TableReader, name: str, max_length: int) -> None:
    """A table key used as a name in the database (a state, a canned response, a channel)."""
    try:
        check_name(name, max_length)
    except ValueError as exc:
        raise ConfigError(str(exc), key=table.key(name)) from None


def _absolute_sqlite(url: str, base_dir: Path, desk: TableReader) -> str:
    from .store.database import mask_url, url_problem

    if "://" not in url:
        raise desk.error("database", f"not a database URL: {mask_url(url)!r} (e.g. sqlite:///deskframe.db)")
    problem = url_problem(url)
    if problem:
        raise desk.error("database", problem)
    scheme, rest = url.split("://", 1)
    if scheme.startswith("sqlite") and rest.startswith("/") and not rest.startswith("//") and rest != "/:memory:":
        file = rest[1:]
        query = ""
        if "?" in file:
            file, query = file.split("?", 1)
            query = "?" + query
        if file and not Path(file).is_absolute():
            return f"{scheme}:///{(base_dir / file).as_posix()}{query}"
    return url


def _time(t: TableReader) -> TimeSettings:
    """``[time] max_per_day``: a duration from 1 minute to 24 hours (default 24h)."""
    t.reject_unknown(["max_per_day"])
    day = dt.timedelta(hours=24)
    return TimeSettings(max_per_day=t.duration("max_per_day", day, minimum=dt.timedelta(minutes=1), maximum=day))


def _timezone(table: TableReader, key: str, default: str) -> str:
    name = table.str(key, default)
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise table.error(key, f"unknown time zone {name!r} (an IANA name such as Europe/Moscow)") from None
    return name


def _tickets(t: TableReader) -> TicketSettings:
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
            _check_name(given, name, STATE_NAME_LENGTH)
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
        for level, label in given.data.items():
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
    level = settings.priority_level(wanted)
    if level is None:
        raise t.error("default_priority", f"unknown priority {wanted!r}")
    return attrs.evolve(settings, default_priority=level)


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


def _billing(t: TableReader) -> BillingSettings:
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
    url = t.name("public_url", "http://127.0.0.1:8000", max_length=2000).rstrip("/")
    if not url.startswith(("http://", "https://")):
        raise t.error("public_url", f"must start with http:// or https://, got {url!r}")
    vendor = t.sub("vendor", {})
    for key in vendor.data:
        vendor.str(key, max_length=2000)
    for key, (lengths, what) in VENDOR_DIGITS.items():
        value = vendor.data.get(key)
        if value is not None and not (value.isdigit() and len(value) in lengths):
            raise vendor.error(key, f"must be {what}, got {value!r}")
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
        locale=locale,
        vendor=dict(vendor.data),
        payment_terms_days=terms,
        agent_label=agent_label,
    )


def _search(t: TableReader) -> tuple[str, ...]:
    t.reject_unknown(["languages"])
    try:
        return check_languages(t.str_list("languages", list(DEFAULT_LANGUAGES)))
    except ValueError as exc:
        raise t.error("languages", str(exc)) from None


def _canned(t: TableReader) -> dict[str, str]:
    out = {}
    for name in t.data:
        _check_name(t, name, MAX_NAME_LENGTH)
        entry = t.sub(name)
        entry.reject_unknown(["body", "description"])
        body = entry.str("body")
        from .canned import check_template

        problem = check_template(body)
        if problem:
            raise entry.error("body", problem)
        out[name] = body
    return out


def _channels(top: TableReader, registry: Registry) -> tuple[dict[str, Any], ...]:
    items = top.list("channels", [])
    known = registry.names("channel_types")
    seen: set[str] = set()
    out = []
    for i, item in enumerate(items):
        table = TableReader(item, f"channels[{i}]")
        name = table.name("name")
        if name in seen:
            raise table.error("name", f"duplicate channel name {name!r}")
        seen.add(name)
        kind = table.str("type")
        if kind not in known:
            raise table.error("type", f"unknown channel type {kind!r} (known: {', '.join(known) or 'none installed'})")
        ctype = registry.get("channel_types", kind)
        if ctype.validate is not None:
            try:
                ctype.validate(item)
            except ConfigError as exc:
                raise exc.within(prefix=f"channels[{i}]") from None
        out.append(item)
    return tuple(out)


def _named_tables(
    top: TableReader, registry: Registry, section: str, type_key: str, kind: str, what: str
) -> tuple[dict[str, dict[str, Any]], dict[str, Any]]:
    group = top.sub(section, {})
    known = registry.names(kind)
    tables, built = {}, {}
    for name in group.data:
        _check_name(group, name, MAX_NAME_LENGTH)
        table = group.sub(name)
        chosen = table.str(type_key)
        if chosen not in known:
            raise table.error(type_key, f"unknown {what} {chosen!r} (known: {', '.join(known) or 'none installed'})")
        try:
            built[name] = registry.get(kind, chosen).build(table.data)
        except ConfigError as exc:
            raise exc.within(prefix=f"{section}.{name}") from None
        tables[name] = table.data
    return tables, built


def _calendars(t: TableReader) -> tuple[dict[str, dict[str, Any]], dict[str, Any]]:
    from .sla import Calendar, CalendarConfigError

    tables: dict[str, dict[str, Any]] = {}
    built: dict[str, Any] = {}
    for name in t.data:
        _check_name(t, name, MAX_NAME_LENGTH)
        table = t.sub(name)
        try:
            built[name] = Calendar.from_config(table.data, name)
        except CalendarConfigError as exc:
            raise ConfigError(
                exc.problem, key=f"calendars.{name}.{exc.key}" if exc.key else f"calendars.{name}"
            ) from None
        tables[name] = table.data
    if ALWAYS_CALENDAR not in built:  # round the clock, no holidays: always there for 24x7 terms
        tables[ALWAYS_CALENDAR] = {"hours": "24x7"}
        built[ALWAYS_CALENDAR] = Calendar.from_config(tables[ALWAYS_CALENDAR], ALWAYS_CALENDAR)
    return tables, built


def _check_policy_calendars(section: str, built: dict[str, Any], calendars: dict[str, Any]) -> None:
    """Every calendar an SLA policy or pricing model names (``calendar_names()``) must be configured."""
    for name, obj in built.items():
        for calendar in sorted(getattr(obj, "calendar_names", lambda: set())()):
            if calendar not in calendars:
                raise ConfigError(
                    f"unknown calendar {calendar!r} (configured: {', '.join(sorted(calendars)) or 'none'})",
                    key=f"{section}.{name}.calendar",
                )
