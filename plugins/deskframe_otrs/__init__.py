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

import deskframe
from deskframe import ConfigSection, Importer

from . import options


@deskframe.hookimpl
def register_importers(register: Callable[[Importer], None]) -> None:
    """Register ``deskframe import otrs``."""
    from .command import otrs_command

    register(Importer("otrs", otrs_command, "OTRS / Znuny database (PostgreSQL or MySQL/MariaDB)"))


@deskframe.hookimpl
def register_config_sections(register: Callable[[ConfigSection], None]) -> None:
    """Claim ``[import]`` for ``[import.otrs]``: priority map, time units, billing, time zone."""
    register(
        ConfigSection(
            "import",
            options.validate,
            options.check,
            "Importer settings: [import.otrs] priority_map, unit_minutes, already_billed ...",
        )
    )
