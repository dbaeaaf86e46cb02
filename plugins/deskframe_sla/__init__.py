"""Reference SLA plugin: ``targets`` and ``cutoff`` policy types, and on-call rotations.

Hooks implemented here:

* ``register_sla_policies`` - ``targets`` (per-priority first response, update and
  resolution targets, with overrides per support type) and ``cutoff`` (the web studio's
  "today if before noon, else by noon of the next working day" rule);
* ``register_config_sections`` - the top-level ``[oncall]`` table of rotations;
* ``register_commands`` - ``deskframe oncall who``;
* ``ticket_opened`` - a ticket of a contract whose support type a rotation covers,
  opened outside the rotation's business calendar, goes to the agent on duty.

The pure parts are importable: :func:`deskframe_sla.oncall.on_duty`,
:func:`deskframe_sla.cutoff.cutoff_due`, the policy classes and their ``build`` functions.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import deskframe

if TYPE_CHECKING:
    from deskframe.extensions import ConfigSection, SlaPolicyType

    from . import cutoff, oncall, targets
    from .oncall import Rotation, Shift, on_duty, shift_at
    from .routing import route_to_duty

__all__ = ["Rotation", "Shift", "cutoff", "on_duty", "oncall", "route_to_duty", "shift_at", "targets"]
_SUBMODULES = ("commands", "cutoff", "oncall", "options", "routing", "targets")
_NAMES = {
    "Rotation": "oncall",
    "Shift": "oncall",
    "on_duty": "oncall",
    "shift_at": "oncall",
    "route_to_duty": "routing",
}


@deskframe.hookimpl
def register_sla_policies(register: Callable[[SlaPolicyType], None]) -> None:
    """Register the ``targets`` and ``cutoff`` policy types."""
    from deskframe.extensions import SlaPolicyType

    from . import cutoff, targets

    register(
        SlaPolicyType(
            "targets", targets.build, "Per-priority first response / update / resolution targets on a business calendar"
        )
    )
    register(
        SlaPolicyType(
            "cutoff", cutoff.build, "Due the same working day before the cutoff time, else at the cutoff of the next"
        )
    )


@deskframe.hookimpl
def register_config_sections(register: Callable[[ConfigSection], None]) -> None:
    """Claim ``[oncall]``: named on-call rotations."""
    from deskframe.extensions import ConfigSection

    from . import oncall

    register(ConfigSection("oncall", oncall.validate, oncall.check, "On-call rotations: [oncall.NAME]"))


@deskframe.hookimpl
def register_commands(register: Callable[[Any], None]) -> None:
    """Register the ``deskframe oncall`` command group (imported when it runs)."""
    from deskframe.cli import lazy_command

    register(
        lazy_command(
            "oncall",
            "deskframe_sla.commands:oncall_group",
            "On-call rotations: who watches premium and 24/7 customers out of hours.",
        )
    )


@deskframe.hookimpl
def ticket_opened(event: deskframe.TicketOpened, desk: Any) -> None:
    """Give a new out-of-hours ticket of a covered support type to the agent on duty."""
    from .routing import route_to_duty

    route_to_duty(event.ticket, desk)


def __getattr__(name: str) -> Any:
    """The submodules and names of ``__all__``, imported on first use (importing the plugin stays cheap)."""
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    if name in _NAMES:
        return getattr(importlib.import_module(f"{__name__}.{_NAMES[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
