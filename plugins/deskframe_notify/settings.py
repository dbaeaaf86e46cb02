"""The ``[notify]`` table: rules, watchers, on-call, opt-outs, limits, languages (docs/notify.md).

Errors name their key relative to the table (``rules[2].to``); the core adds ``notify.`` and
the file name, and the CLI exits 2 with that one line.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import attrs

from deskframe import bounds
from deskframe.errors import ConfigError
from deskframe.sla import parse_duration
from deskframe.tables import TableReader

#: The event kinds a rule may name.
EVENTS = (
    "ticket_opened",
    "agent_reply",
    "customer_reply",
    "ticket_resolved",
    "ticket_assigned",
    "invoice_issued",
    "sla_warning",
    "sla_breached",
    "second_line_wait",
)
#: The recipient kinds of ``to`` (anything else must be an e-mail address).
TARGETS = ("customer", "owner", "queue-watchers", "oncall")
KEYS = (
    "enabled",
    "defaults",
    "rules",
    "channel",
    "language",
    "languages",
    "watchers",
    "oncall",
    "opt_out",
    "max_per_hour",
    "digest_after",
    "digest_window",
    "templates",
)
RULE_KEYS = ("event", "to", "template")
_LANGUAGE = re.compile(r"[a-z]{2,3}([_-][A-Za-z0-9]{2,8})*")
_TEMPLATE = re.compile(r"[A-Za-z0-9_.-]{1,80}")
_ADDRESS = re.compile(r"[^@\s<>\",]+@[^@\s<>\",]+\.[^@\s<>\",]+")


@attrs.frozen
class Rule:
    """One rule: on ``event``, send ``template`` to each of ``to``."""

    event: str
    to: tuple[str, ...]
    template: str


#: The built-in rule set (``defaults = true``): what issue 15 lists. The acknowledgement of a
#: ticket opened by e-mail and the delivery of an agent's e-mail reply stay the e-mail plugin's.
DEFAULT_RULES = (
    Rule("ticket_opened", ("customer",), "ticket_opened"),
    Rule("ticket_opened", ("queue-watchers",), "new_ticket"),
    Rule("agent_reply", ("customer",), "agent_reply"),
    Rule("customer_reply", ("owner",), "customer_reply"),
    Rule("ticket_resolved", ("customer",), "ticket_resolved"),
    Rule("ticket_assigned", ("owner",), "ticket_assigned"),
    Rule("invoice_issued", ("customer",), "invoice_issued"),
    Rule("second_line_wait", ("customer",), "second_line_wait"),
    Rule("sla_warning", ("owner", "queue-watchers", "oncall"), "sla_warning"),
    Rule("sla_breached", ("owner", "queue-watchers", "oncall"), "sla_breached"),
)


@attrs.frozen
class NotifySettings:
    """The validated ``[notify]`` table."""

    enabled: bool = True
    rules: tuple[Rule, ...] = DEFAULT_RULES
    channel: str | None = None
    language: str = "en"
    languages: dict[str, str] = attrs.field(factory=dict)
    watchers: dict[str, tuple[str, ...]] = attrs.field(factory=dict)
    oncall: tuple[str, ...] | None = None
    opt_out: dict[str, frozenset[str]] = attrs.field(factory=dict)
    max_per_hour: int = 20
    digest_after: int = 10
    digest_window: dt.timedelta = dt.timedelta(minutes=1)
    templates: str | None = None

    def rules_for(self, event: str) -> list[Rule]:
        """The rules of one event kind, in order."""
        return [r for r in self.rules if r.event == event]

    def opted_out(self, login: str | None, address: str, event: str) -> bool:
        """Whether agent ``login`` (or ``address``) opted out of ``event`` (or of ``all``)."""
        kinds = self.opt_out.get(login or "", frozenset()) | self.opt_out.get(address.lower(), frozenset())
        return event in kinds or "all" in kinds


def _language(t: TableReader, key: str, value: Any) -> str:
    if not isinstance(value, str) or not _LANGUAGE.fullmatch(value):
        raise t.error(key, f"not a language such as 'en' or 'ru': {value!r}")
    return value.replace("-", "_").split("_")[0]


def _target(value: Any, key: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ConfigError("must be a non-empty string", key=key)
    text = value.strip()
    if text in TARGETS or _ADDRESS.fullmatch(text):
        return text.lower() if "@" in text else text
    raise ConfigError(f"must be one of {', '.join(TARGETS)} or an e-mail address, got {value!r}", key=key)


def read_rule(t: TableReader) -> Rule:
    """One ``[[notify.rules]]`` entry (errors keyed ``rules[i].key``)."""
    t.reject_unknown(RULE_KEYS)
    event = t.choice("event", EVENTS)
    raw = t.data.get("to", None)
    if raw is None:
        raise t.error("to", "is required")
    if isinstance(raw, str):
        to: tuple[str, ...] = (_target(raw, t.key("to")),)
    elif isinstance(raw, list) and raw:
        to = tuple(_target(v, f"{t.key('to')}[{i}]") for i, v in enumerate(raw))
    else:
        raise t.error("to", "must be a recipient or a non-empty array of them")
    template = t.str("template", event).strip()
    if not _TEMPLATE.fullmatch(template):
        raise t.error("template", f"must be a template name (letters, digits, '_', '-', '.'), got {template!r}")
    return Rule(event, to, template)


def _names(t: TableReader, name: str) -> dict[str, tuple[str, ...]]:
    table = t.sub(name, {})
    return {key: tuple(v.strip() for v in table.str_list(key)) for key in table.data}


def _duration(t: TableReader, name: str, default: dt.timedelta) -> dt.timedelta:
    text = t.str(name, None)
    if text is None:
        return default
    try:
        value = bounds.check_duration(parse_duration(text), maximum=dt.timedelta(days=1))
    except (TypeError, ValueError) as exc:
        raise t.error(name, f"must be a duration such as '1m': {exc}") from None
    if value <= dt.timedelta(0):
        raise t.error(name, "must be longer than zero")
    return value


def validate(value: Any) -> NotifySettings:
    """The ``[notify]`` section's validator."""
    t = TableReader(value)
    t.reject_unknown(KEYS)
    rules = list(DEFAULT_RULES) if t.bool("defaults", True) else []
    entries = t.list("rules", [])
    for i, entry in enumerate(entries):
        rules.append(read_rule(TableReader(entry, f"rules[{i}]")))
    languages_t = t.sub("languages", {})
    languages = {k.lower(): _language(languages_t, k, v) for k, v in languages_t.data.items()}
    opt_t = t.sub("opt_out", {})
    opt_out = {}
    for login in opt_t.data:
        kinds = opt_t.str_list(login)
        for i, kind in enumerate(kinds):
            if kind not in (*EVENTS, "all"):
                raise ConfigError(
                    f"must be one of {', '.join(EVENTS)} or 'all', got {kind!r}", key=f"{opt_t.key(login)}[{i}]"
                )
        opt_out[login.lower() if "@" in login else login] = frozenset(kinds)
    oncall = t.str_list("oncall", None)
    channel = t.str("channel", None)
    templates = t.str("templates", None)
    return NotifySettings(
        enabled=t.bool("enabled", True),
        rules=tuple(rules),
        channel=channel.strip() if channel else None,
        language=_language(t, "language", t.str("language", "en")),
        languages=languages,
        watchers=_names(t, "watchers"),
        oncall=tuple(oncall) if oncall is not None else None,
        opt_out=opt_out,
        max_per_hour=t.int("max_per_hour", 20, minimum=1, maximum=100_000),
        digest_after=t.int("digest_after", 10, minimum=1, maximum=10_000),
        digest_window=_duration(t, "digest_window", dt.timedelta(minutes=1)),
        templates=templates,
    )


def check(settings: NotifySettings, config: Any) -> None:
    """Cross-check ``[notify]``: the channel is an e-mail channel, on-call rotations exist, the
    template directory exists."""
    if settings.channel is not None:
        table = config.channel(settings.channel)
        if table is None or table.get("type") != "email":
            raise ConfigError(f"no e-mail channel named {settings.channel!r}", key="channel")
    if settings.oncall:
        known = config.sections.get("oncall") or {}
        for i, name in enumerate(settings.oncall):
            if name not in known:
                shown = ", ".join(sorted(known)) or "none"
                raise ConfigError(f"unknown on-call rotation {name!r} (configured: {shown})", key=f"oncall[{i}]")
    if settings.templates is not None and not template_dir(settings, config).is_dir():
        raise ConfigError(f"not a directory: {template_dir(settings, config)}", key="templates")


def template_dir(settings: NotifySettings, config: Any) -> Path:
    """The configured template directory, relative to the config file."""
    path = Path(settings.templates or ".")
    base = getattr(config, "base_dir", None)
    return path if path.is_absolute() or base is None else Path(base) / path
