"""Routing new tickets of 24/7 and premium contracts to the engineer on night duty."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from deskframe.actors import Actor
from deskframe.errors import ConfigError, NotFound
from deskframe.model import Contract, Ticket
from deskframe.sla import Calendar, CalendarConfigError

from .oncall import Rotation, on_duty

#: The actor recorded in the ticket history for assignments made by the rotation.
ACTOR = Actor.plugin("oncall")


def rotations(desk: Any) -> Mapping[str, Rotation]:
    """The validated ``[oncall]`` rotations of ``desk`` (empty when not configured)."""
    return desk.config.sections.get("oncall") or {}


def calendar(desk: Any, name: str, *, key: str) -> Calendar:
    """The ``[calendars.NAME]`` calendar of ``desk``'s config; ``key`` names the referrer.

    Uses the calendars the core already built when it offers them, else builds one.
    """
    built = getattr(desk.config, "calendar_objects", None) or {}
    if isinstance(built.get(name), Calendar):
        return built[name]
    tables = desk.config.calendars
    if name not in tables:
        known = ", ".join(sorted(tables)) or "none"
        raise ConfigError(f"unknown calendar {name!r} (configured: {known})", key=key)
    try:
        return Calendar.from_config(tables[name], name)
    except CalendarConfigError as exc:
        raise ConfigError(exc.problem, key=f"calendars.{name}.{exc.key}" if exc.key else f"calendars.{name}") from None


def contract_of(desk: Any, ticket: Ticket) -> Contract | None:
    """The ticket's contract (None if it has none or it was removed)."""
    if not ticket.contract:
        return None
    try:
        return desk.directory.contract(ticket.contract)
    except NotFound:
        return None


def duty_agent(desk: Any, support_type: str | None, at: dt.datetime) -> tuple[Rotation, str] | None:
    """The first rotation (in config order) covering ``support_type`` that has an agent on duty
    at ``at`` while ``at`` is outside its business calendar, with that agent; else None."""
    for rotation in rotations(desk).values():
        if not rotation.covers(support_type):
            continue
        if rotation.business_calendar:
            cal = calendar(desk, rotation.business_calendar, key=f"oncall.{rotation.name}.business_calendar")
            if cal.is_working(at):
                continue
        agent = on_duty(rotation, at)
        if agent is not None:
            return rotation, agent
    return None


def route_to_duty(ticket: Ticket, desk: Any) -> Ticket | None:
    """Assign a new, unowned ticket to the agent on duty if its contract's support type is
    covered by a rotation and it was opened outside business hours. Returns the updated
    ticket, or None when nothing was done."""
    if ticket.owner:
        return None
    contract = contract_of(desk, ticket)
    if contract is None:
        return None
    found = duty_agent(desk, contract.support_type, ticket.created_at)
    if found is None:
        return None
    _rotation, agent = found
    return desk.tickets.assign(ticket.number, agent=agent, actor=ACTOR)
