"""The importer's options: the ``[import.otrs]`` config table, overridable by CLI flags.

::

    [import.otrs]
    priority_map = { "1 very low" = "P4", "2 low" = "P4", "3 normal" = "P3", "4 high" = "P2", "5 very high" = "P1" }
    state_map = { "closed unsuccessful" = "closed" }   # OTRS state name -> configured state (optional)
    unit_minutes = "1"          # one OTRS time unit is this many minutes (a decimal: "0.25", "60")
    already_billed = true       # imported time stays off every invoice
    source_timezone = "UTC"     # OTRS stores local times without a zone (OTRSTimeZone)
    system_id = "10"            # the OTRS SystemID (detected from the source's sysconfig when absent)
    namespace = "otrs"          # external-id namespace: give each source system its own
    article_dir = "/opt/otrs/var/article"   # ArticleStorageFS files, when mail is not in the DB
    batch = 100                 # tickets per transaction
    system_user_id = 1          # OTRS's admin/system user: owning a ticket means "no owner"
    reparse = "auto"            # re-parse raw mail only when OTRS's decoded body is missing or broken,
                                # or to take an HTML body; "always" re-parses every raw source

Every key is optional. ``priority_map`` replaces the default map entirely when given;
its values are ``P1``..``P4`` or configured priority display names.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

import attrs

from deskframe import bounds
from deskframe.errors import ConfigError

#: Znuny's five seeded priorities onto deskframe's four levels.
DEFAULT_PRIORITY_MAP = {"1 very low": "P4", "2 low": "P4", "3 normal": "P3", "4 high": "P2", "5 very high": "P1"}
KEYS = (
    "priority_map",
    "state_map",
    "unit_minutes",
    "already_billed",
    "source_timezone",
    "system_id",
    "namespace",
    "article_dir",
    "batch",
    "system_user_id",
    "reparse",
)
DEFAULT_BATCH = 100


@attrs.frozen
class Options:
    """Validated importer options (config values; the CLI may override some)."""

    priority_map: dict[str, str] = attrs.field(factory=lambda: dict(DEFAULT_PRIORITY_MAP))
    state_map: dict[str, str] = attrs.field(factory=dict)
    unit_minutes: Decimal = Decimal(1)
    already_billed: bool = True
    source_timezone: str = "UTC"
    system_id: str | None = None
    namespace: str = "otrs"
    article_dir: str | None = None
    batch: int = DEFAULT_BATCH
    system_user_id: int | None = 1
    reparse: str = "auto"


def parse_unit_minutes(value: Any, key: str = "unit_minutes") -> Decimal:
    """``"1"``, ``"0.25"``, ``60`` -> a positive Decimal; anything else is a ConfigError at ``key``."""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise ConfigError(f'must be a number of minutes per OTRS time unit, e.g. "1" or "0.25", got {value!r}', key=key)
    try:
        factor = Decimal(str(value).strip())
    except InvalidOperation:
        raise ConfigError(f'not a number: {value!r} (e.g. "1" or "0.25")', key=key) from None
    if not factor.is_finite() or factor <= 0:
        raise ConfigError(f"must be more than zero, got {value!r}", key=key)
    try:  # a time unit is at most a day (one entry's limit), with at most six decimals
        return bounds.check_amount(factor, maximum=Decimal(bounds.MAX_ENTRY_MINUTES + 1))
    except ValueError as exc:
        raise ConfigError(str(exc), key=key) from None


def check_timezone(name: Any, key: str = "source_timezone") -> str:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    if not isinstance(name, str) or not name.strip():
        raise ConfigError(f'must be an IANA time zone name such as "Europe/Moscow", got {name!r}', key=key)
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"unknown time zone {name!r} (an IANA name such as Europe/Moscow)", key=key) from None
    return name


def _str_map(value: Any, key: str) -> dict[str, str]:
    if not isinstance(value, dict):
        raise ConfigError("must be a table of name = value strings", key=key)
    out = {}
    for name, target in value.items():
        if not isinstance(target, str) or not target.strip():
            raise ConfigError(f"must be a non-empty string, got {target!r}", key=f"{key}.{name}")
        out[str(name).strip().lower()] = target.strip()
    return out


def parse_otrs(table: Any) -> Options:
    """Validate the ``[import.otrs]`` table alone (keys in errors relative to ``otrs``)."""
    if not isinstance(table, dict):
        raise ConfigError("must be a table", key="otrs")
    unknown = sorted(set(table) - set(KEYS))
    if unknown:
        raise ConfigError(f"unknown key(s) {', '.join(unknown)} (known: {', '.join(KEYS)})", key=f"otrs.{unknown[0]}")
    values: dict[str, Any] = {}
    if "priority_map" in table:
        values["priority_map"] = _str_map(table["priority_map"], "otrs.priority_map")
    if "state_map" in table:
        values["state_map"] = _str_map(table["state_map"], "otrs.state_map")
    if "unit_minutes" in table:
        values["unit_minutes"] = parse_unit_minutes(table["unit_minutes"], "otrs.unit_minutes")
    if "already_billed" in table:
        if not isinstance(table["already_billed"], bool):
            raise ConfigError(f"must be true or false, got {table['already_billed']!r}", key="otrs.already_billed")
        values["already_billed"] = table["already_billed"]
    if "source_timezone" in table:
        values["source_timezone"] = check_timezone(table["source_timezone"], "otrs.source_timezone")
    if "system_id" in table:
        sid = table["system_id"]
        if isinstance(sid, int) and not isinstance(sid, bool):
            sid = str(sid)
        if not isinstance(sid, str) or not (sid.isascii() and sid.isdigit()) or len(sid) > 10:
            raise ConfigError(f"must be the OTRS SystemID (digits), got {table['system_id']!r}", key="otrs.system_id")
        values["system_id"] = sid
    if "namespace" in table:
        ns = table["namespace"]
        if not isinstance(ns, str) or not ns.strip() or len(ns) > 100:
            raise ConfigError(f"must be a non-empty string of at most 100 characters, got {ns!r}", key="otrs.namespace")
        values["namespace"] = ns.strip()
    if "article_dir" in table:
        if not isinstance(table["article_dir"], str) or not table["article_dir"].strip():
            raise ConfigError("must be a directory path", key="otrs.article_dir")
        values["article_dir"] = table["article_dir"]
    if "batch" in table:
        batch = table["batch"]
        if isinstance(batch, bool) or not isinstance(batch, int) or not 1 <= batch <= 10_000:
            raise ConfigError(f"must be a whole number from 1 to 10000, got {batch!r}", key="otrs.batch")
        values["batch"] = batch
    if "system_user_id" in table:
        uid = table["system_user_id"]
        if isinstance(uid, bool) or not isinstance(uid, int) or not 0 <= uid <= bounds.INT32_MAX:
            raise ConfigError(f"must be an OTRS user id (0 for none), got {uid!r}", key="otrs.system_user_id")
        values["system_user_id"] = uid or None
    if "reparse" in table:
        if table["reparse"] not in ("auto", "always"):
            raise ConfigError(f'must be "auto" or "always", got {table["reparse"]!r}', key="otrs.reparse")
        values["reparse"] = table["reparse"]
    return Options(**values)


def validate(value: Any) -> dict[str, Options]:
    """The ``[import]`` table: only ``[import.otrs]`` belongs to this plugin."""
    if not isinstance(value, dict):
        raise ConfigError("must be a table of importer settings, e.g. [import.otrs]")
    unknown = sorted(set(value) - {"otrs"})
    if unknown:
        raise ConfigError(f"no installed importer reads [import.{unknown[0]}] (known: otrs)", key=unknown[0])
    return {"otrs": parse_otrs(value.get("otrs", {}))}


def check(validated: dict[str, Options], config: Any) -> None:
    """Priority and state map values must name configured priorities and states."""
    opts = validated["otrs"]
    settings = config.tickets
    for name, target in opts.priority_map.items():
        if settings.priority_level(target) is None:
            raise ConfigError(
                f"unknown priority {target!r} (P1..P4 or a configured priority name)", key=f"otrs.priority_map.{name}"
            )
    for name, target in opts.state_map.items():
        if target not in settings.states:
            raise ConfigError(
                f"unknown state {target!r} (configured: {', '.join(settings.states)})", key=f"otrs.state_map.{name}"
            )


def from_config(config: Any) -> Options:
    """The validated options of ``config`` (defaults when it has no ``[import.otrs]``)."""
    section = (getattr(config, "sections", None) or {}).get("import")
    return section["otrs"] if section else Options()
