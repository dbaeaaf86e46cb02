"""Reference importer of OTRS/Znuny databases: `deskframe import otrs --source URL`.

Hooks implemented here:

* ``register_importers`` - ``deskframe import otrs`` (:mod:`.command`);
* ``register_config_sections`` - the ``[import]`` table, of which this plugin reads
  ``[import.otrs]`` (:mod:`.options`).

The source is read with plain SQL through :class:`deskframe.foreign.ForeignDatabase`
(PostgreSQL via psycopg, MySQL/MariaDB via PyMySQL); the layout (Znuny / OTRS 6+ or
OTRS 5) is detected from the schema (:mod:`.source`). Mapping rules are pure functions
(:mod:`.mapping`); the run itself - directory, batches, resume, report - is
:class:`.importer.OtrsImport`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import deskframe

if TYPE_CHECKING:
    from deskframe import ConfigSection, Importer


@deskframe.hookimpl
def register_importers(register: Callable[[Importer], None]) -> None:
    """Register ``deskframe import otrs`` (its module is imported when the command runs)."""
    from deskframe import Importer
    from deskframe.cli import lazy_command

    command = lazy_command(
        "otrs",
        "deskframe_otrs.command:otrs_command",
        "Import an OTRS / Znuny database: directory, tickets, articles, history, time.",
    )
    register(Importer("otrs", command, "OTRS / Znuny database (PostgreSQL or MySQL/MariaDB)"))


@deskframe.hookimpl
def register_config_sections(register: Callable[[ConfigSection], None]) -> None:
    """Claim ``[import]`` for ``[import.otrs]``: priority map, time units, billing, time zone."""
    from deskframe import ConfigSection

    from . import options

    register(
        ConfigSection(
            "import",
            options.validate,
            options.check,
            "Importer settings: [import.otrs] priority_map, unit_minutes, already_billed ...",
        )
    )
