"""``deskframe.toml`` -> frozen attrs config; every error names file and key.

The core's settings tables (``[tickets]``, ``[billing]``, ``[time]``, ``[search]``, ``[canned]``) are read by
:mod:`deskframe.config_tables`; this module reads the file, ``[desk]``, channels, calendars, SLA policies,
pricing models and the plugins' own sections.

Default location ``./deskframe.toml``, overridden by ``--config`` or the
``DESKFRAME_CONFIG`` environment variable. ``DESKFRAME_DATABASE_URL`` overrides
``[desk] database`` (handy for running the same config against PostgreSQL).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import attrs

from .bounds import MAX_NAME_LENGTH
from .config_tables import (
    BillingSettings,
    TicketSettings,
    TimeSettings,
    WorkerSettings,
    check_table_name,
    parse_billing,
    parse_canned,
    parse_search,
    parse_tickets,
    parse_time,
    parse_worker,
)
from .errors import ConfigError
from .outbox_settings import OutboxSettings, parse_outbox
from .registry import Registry
from .tables import TableReader
from .textsearch import DEFAULT_LANGUAGES

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

CONFIG_ENV = "DESKFRAME_CONFIG"
DATABASE_ENV = "DESKFRAME_DATABASE_URL"
DEFAULT_CONFIG = "deskframe.toml"
#: A calendar every configuration has unless it defines its own of that name.
ALWAYS_CALENDAR = "always"
#: The core's own tables; ``[web]`` holds login sessions and their signing key (deskframe.accounts.settings),
#: ``[worker]`` how often ``deskframe worker`` runs its jobs.
CORE_TABLES = (
    *("desk", "tickets", "canned", "channels", "sla", "pricing", "calendars", "billing", "search", "time"),
    "web",
    "worker",
    "outbox",
)
#: attachment_max_bytes at most 2 GiB - 1 (attachments are read into memory).
MAX_ATTACHMENT_BYTES = 2**31 - 1


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
    #: ``[worker]``: the intervals of ``deskframe worker``'s core jobs.
    worker: WorkerSettings = attrs.field(factory=WorkerSettings)
    #: ``[outbox]``: attempts, back-off, lease, the ``file`` delivery's directory (docs/outbox.md).
    outbox: OutboxSettings = attrs.field(factory=OutboxSettings)

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

    tickets = parse_tickets(top.sub("tickets", {}))
    billing = parse_billing(top.sub("billing", {}))
    time = parse_time(top.sub("time", {}))
    canned = parse_canned(top.sub("canned", {}))
    search_languages = parse_search(top.sub("search", {}))
    from .accounts.settings import parse_web

    web = parse_web(top.sub("web", {}), base_dir)
    worker = parse_worker(top.sub("worker", {}))
    outbox = parse_outbox(top.sub("outbox", {}), base_dir)
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
            section = _registered(registry, "config_sections", name)
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
        worker=worker,
        outbox=outbox,
    )
    for name, value in own.items():
        section = _registered(registry, "config_sections", name)
        if section.check is not None:
            try:
                section.check(value, config)
            except ConfigError as exc:
                raise exc.within(prefix=name) from None
    return config


def _registered(registry: Registry, kind: str, name: str) -> Any:
    """The item registered as ``name`` of ``kind``; the caller has checked the name is in ``registry.names(kind)``."""
    item = registry.get(kind, name)
    if item is None:
        raise RuntimeError(f"{kind} {name!r} is listed by the registry but has no registered item")
    return item


def _absolute_sqlite(url: str, base_dir: Path, desk: TableReader) -> str:
    from .store.urls import mask_url, url_problem  # no SQLAlchemy: every command reads the config

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


def _timezone(table: TableReader, key: str, default: str) -> str:
    name = table.str(key, default)
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise table.error(key, f"unknown time zone {name!r} (an IANA name such as Europe/Moscow)") from None
    return name


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
        ctype = _registered(registry, "channel_types", kind)
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
        check_table_name(group, name, MAX_NAME_LENGTH)
        table = group.sub(name)
        chosen = table.str(type_key)
        if chosen not in known:
            raise table.error(type_key, f"unknown {what} {chosen!r} (known: {', '.join(known) or 'none installed'})")
        try:
            built[name] = _registered(registry, kind, chosen).build(table.data)
        except ConfigError as exc:
            raise exc.within(prefix=f"{section}.{name}") from None
        tables[name] = table.data
    return tables, built


def _calendars(t: TableReader) -> tuple[dict[str, dict[str, Any]], dict[str, Any]]:
    from .sla import Calendar, CalendarConfigError

    tables: dict[str, dict[str, Any]] = {}
    built: dict[str, Any] = {}
    for name in t.data:
        check_table_name(t, name, MAX_NAME_LENGTH)
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
