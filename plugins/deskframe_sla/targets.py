"""The ``targets`` SLA policy type: per-priority reaction, update and resolution targets.

::

    [sla.standard]
    type = "targets"
    calendar = "moscow-8x5"
    warn = "80%"                    # or a lead time: "15m" before due
    pause_states = ["pending"]
    escalate_on_breach = 2          # optional
    [sla.standard.targets]
    P1 = { first_response = "1h", update = "2h", resolution = "8h" }
    P4 = { first_response = "1d" }
    [sla.standard.support_types.premium]
    calendar = "always"
    targets = { P1 = { first_response = "15m" } }

A new ticket gets a ``first_response`` clock (stopped by the first agent reply visible
to the customer) and a ``resolution`` clock (stopped by resolving), each where its
priority has a target. The ``update`` clock (stopped by a reply) is not started with
the ticket: the core asks for it through ``restart("update", ...)`` after a customer's
follow-up. A support-type override replaces ``calendar``, ``warn``, ``pause_states`` and
``escalate_on_breach`` when given, and merges ``targets`` into the base per priority and
clock kind.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import attrs

from deskframe.model import PRIORITY_LEVELS
from deskframe.sla import Calendar, ClockSpec, TicketFacts
from deskframe.tables import TableReader

from . import options
from .options import Warn

#: Clock kinds of this policy, in the order their clocks are listed, and what stops each.
STOP_ON = {"first_response": "reply", "update": "reply", "resolution": "resolve"}
#: The kinds a new ticket starts with (``update`` only comes from ``restart``).
START_KINDS = ("first_response", "resolution")

Targets = Mapping[str, Mapping[str, dt.timedelta]]


@attrs.frozen
class Terms:
    """The terms in force for one support type (or the policy's base terms)."""

    calendar: str
    targets: Targets
    warn: Warn | None = None
    pause_on: tuple[str, ...] = ("pending",)
    escalate_to: int | None = None

    def target(self, priority: str, kind: str) -> dt.timedelta | None:
        """The target of clock ``kind`` for ``priority``, or None if there is none."""
        return self.targets.get(priority, {}).get(kind)

    def clock(self, kind: str, start: dt.datetime, target: dt.timedelta, calendar: Calendar) -> ClockSpec:
        """A clock of ``kind`` counting ``target`` of working time from ``start``."""
        due = calendar.add(start, target)
        warn_at = self.warn.at(calendar, start, target) if self.warn else None
        return ClockSpec(
            kind=kind,
            calendar=self.calendar,
            due=due,
            stop_on=STOP_ON[kind],
            warn_at=warn_at,
            pause_on=self.pause_on,
            escalate_to=self.escalate_to,
        )


@attrs.frozen(eq=False)
class TargetsPolicy:
    """A configured ``targets`` policy: base terms plus overrides per support type.

    Implements :class:`deskframe.sla.policy.SlaPolicy`.
    """

    base: Terms
    support_types: Mapping[str, Terms] = attrs.field(factory=dict)

    def terms(self, support_type: str | None) -> Terms:
        """The terms for a contract of ``support_type`` (matched without regard to case)."""
        if support_type:
            found = self.support_types.get(support_type.strip().lower())
            if found is not None:
                return found
        return self.base

    def calendar_names(self) -> set[str]:
        """Every calendar the policy refers to, overrides included."""
        return {self.base.calendar} | {t.calendar for t in self.support_types.values()}

    def start(self, facts: TicketFacts, calendars: Mapping[str, Calendar]) -> list[ClockSpec]:
        """``first_response`` and ``resolution`` clocks from ``facts.opened_at``."""
        terms = self.terms(facts.support_type)
        out = []
        for kind in START_KINDS:
            target = terms.target(facts.priority, kind)
            if target is not None:
                out.append(terms.clock(kind, facts.opened_at, target, options.get_calendar(calendars, terms.calendar)))
        return out

    def restart(
        self, kind: str, facts: TicketFacts, at: dt.datetime, calendars: Mapping[str, Calendar]
    ) -> ClockSpec | None:
        """A clock of ``kind`` (normally ``update``) counted from ``at``, or None without a target."""
        if kind not in STOP_ON:
            return None
        terms = self.terms(facts.support_type)
        target = terms.target(facts.priority, kind)
        if target is None:
            return None
        return terms.clock(kind, at, target, options.get_calendar(calendars, terms.calendar))


BASE_KEYS = (
    "type",
    "description",
    "calendar",
    "warn",
    "pause_states",
    "escalate_on_breach",
    "targets",
    "support_types",
)
OVERRIDE_KEYS = ("calendar", "warn", "pause_states", "escalate_on_breach", "targets")


def _targets(t: TableReader, base: Targets | None = None) -> Targets:
    merged: dict[str, dict[str, dt.timedelta]] = {p: dict(k) for p, k in (base or {}).items()}
    for priority in t.data:
        if priority not in PRIORITY_LEVELS:
            raise t.error(priority, f"unknown priority (known: {', '.join(PRIORITY_LEVELS)})")
        entry = t.sub(priority)
        entry.reject_unknown(STOP_ON)
        level = merged.setdefault(priority, {})
        for kind in STOP_ON:
            if kind in entry.data:
                level[kind] = options.duration(entry, kind)
    return {p: merged[p] for p in PRIORITY_LEVELS if merged.get(p)}


def build(table: dict[str, Any]) -> TargetsPolicy:
    """Validate a ``[sla.NAME]`` table of type ``targets`` and build the policy.

    Raises :class:`deskframe.errors.ConfigError` with the key relative to the table,
    e.g. ``targets.P1.first_response`` or ``support_types.premium.calendar``.
    """
    t = TableReader(table)
    t.reject_unknown(BASE_KEYS)
    base = Terms(
        calendar=options.calendar_name(t),
        targets=_targets(t.sub("targets")),
        warn=options.warn(t),
        pause_on=options.pause_states(t),
        escalate_to=options.escalate(t),
    )
    overrides: dict[str, Terms] = {}
    kinds = t.sub("support_types", {})
    for name in kinds.data:
        o = kinds.sub(name)
        o.reject_unknown(OVERRIDE_KEYS)
        key = name.strip().lower()
        if not key:
            raise kinds.error(name, "support type name must not be empty")
        if key in overrides:
            raise kinds.error(name, "support type given more than once (names are not case-sensitive)")
        overrides[key] = Terms(
            calendar=options.calendar_name(o) if "calendar" in o.data else base.calendar,
            targets=_targets(o.sub("targets"), base.targets) if "targets" in o.data else base.targets,
            warn=options.warn(o, default=base.warn),
            pause_on=options.pause_states(o, default=base.pause_on),
            escalate_to=options.escalate(o, default=base.escalate_to),
        )
    return TargetsPolicy(base=base, support_types=overrides)
