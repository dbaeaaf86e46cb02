"""A desk on a scratch database (PostgreSQL with ``DESKFRAME_TEST_DATABASE_URL``, else SQLite in
``root``) that a real ``deskframe serve`` process can open: its ``deskframe.toml`` in ``root``."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from deskframe.config import load_config
from deskframe.desk import Desk
from deskframe.plugins import build_plugins
from deskframe.store.scratch import scratch_database
from deskframe.testing import DATABASE_ENV


def live_desk(root: Path) -> tuple[Desk, Path, Callable[[], None]]:
    """The upgraded desk, its config file, and what drops its scratch database."""
    url, drop = scratch_database(os.environ.get(DATABASE_ENV), str(root / "deskframe.db"))
    path = root / "deskframe.toml"
    path.write_text(f'[desk]\ndatabase = "{url}"\ndata_dir = "data"\n', encoding="utf-8")
    plugins = build_plugins()
    desk = Desk(load_config(path, plugins.registry), plugins)
    desk.upgrade()
    return desk, path, drop
