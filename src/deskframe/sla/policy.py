"""What an SLA policy plugin implements, and what it is given.

A policy type registered through ``register_sla_policies`` builds, from its
``[sla.NAME]`` table, an object with the :class:`SlaPolicy` methods. The core
asks it which clocks a ticket gets and runs them: pausing (with the paused
working time credited back), stopping, warning and breaching exactly once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Protocol, runtime_checkable

import attrs

from .calendar import Calendar

#: What stops a clock: the first agent reply visible to the customer, or resolution.
STOP_ON = ("reply", "resolve")


@attrs.frozen
class TicketFacts:
    """What a policy may base its clocks on."""

    number: str
    priority: str
    opened_at: dt.datetime
    support_type: str | None = None
    contract: str | None = None
    customer: str | None = None
    channel: str | None = None
    line: int = 1


@attrs.frozen
class ClockSpec:
    """One clock a policy wants running on a ticket.

    ``due`` and ``warn_at`` are instants before any pause credit; while a clock is
    paused (its ticket in a state type listed in ``pause_on``) its due time moves
    by the paused working time of ``calendar``. ``escalate_to`` names a support
    line the ticket is escalated to when the clock breaches.
    """

    kind: str
    calendar: str
    due: dt.datetime
    stop_on: str = "resolve"
    warn_at: dt.datetime | None = None
    pause_on: tuple[str, ...] = ("pending",)
    escalate_to: int | None = None

    def __attrs_post_init__(self) -> None:
        if self.stop_on not in STOP_ON:
            raise ValueError(f"stop_on must be one of {STOP_ON}, got {self.stop_on!r}")
        for value in (self.due, self.warn_at):
            if value is not None and value.tzinfo is None:
                raise ValueError("ClockSpec times must be timezone-aware")


@runtime_checkable
class SlaPolicy(Protocol):
    """A configured SLA policy."""

    def calendar_names(self) -> set[str]:
        """Every calendar the policy refers to (checked against ``[calendars]`` at start-up)."""

    def start(self, facts: TicketFacts, calendars: Mapping[str, Calendar]) -> list[ClockSpec]:
        """The clocks a new ticket gets (also asked again when its priority changes)."""

    def restart(
        self, kind: str, facts: TicketFacts, at: dt.datetime, calendars: Mapping[str, Calendar]
    ) -> ClockSpec | None:
        """A clock of ``kind`` to start at ``at`` (``update`` after a customer's follow-up), or None."""
