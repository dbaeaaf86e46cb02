"""Schema migrations with Alembic, run from code (``deskframe db upgrade``)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from .database import Database, _translate

MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config() -> AlembicConfig:
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def upgrade(db: Database, revision: str = "head", *, search_languages: Sequence[str] | None = None) -> None:
    """Bring the schema up to ``revision`` (idempotent); a migration that builds the search
    index uses ``search_languages`` (the desk's ``[search] languages``; default ru, en)."""
    _run(command.upgrade, db, revision, search_languages)


def downgrade(db: Database, revision: str) -> None:
    """Take the schema back to ``revision`` (each migration's ``downgrade``, newest first)."""
    _run(command.downgrade, db, revision)


def _run(
    step: Callable[[AlembicConfig, str], None],
    db: Database,
    revision: str,
    search_languages: Sequence[str] | None = None,
) -> None:
    cfg = alembic_config()
    with _translate(db.url), db.engine.begin() as connection:
        cfg.attributes["connection"] = connection
        if search_languages is not None:
            cfg.attributes["search_languages"] = tuple(search_languages)
        step(cfg, revision)


def current_revision(db: Database) -> str | None:
    with _translate(db.url), db.engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()
