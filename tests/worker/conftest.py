"""Fixtures of the worker tests; the helpers are in worker_support.py."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from worker_support import DeskDir, postgres_url

from deskframe.store.schema_templates import SchemaTemplates
from deskframe.store.scratch import scratch_database


@pytest.fixture
def desk_dir(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    deskframe_schema_templates: SchemaTemplates,
) -> Iterator[Callable[..., DeskDir]]:
    """``desk_dir(backend="sqlite"|"postgres", config="")``: a migrated desk in a directory of its own
    (its schema a copy of the session's migrated one, as ``make_desk`` makes them).

    Such a desk does not follow ``DESKFRAME_TEST_DATABASE_URL``: the test is the same in both of
    scripts/test's passes, and must be marked for the one that runs it (``sqlite_pass`` or
    ``postgres_pass``, after its backend)."""
    made: list[tuple[DeskDir, Callable[[], None]]] = []

    def make(backend: str = "sqlite", config: str = "") -> DeskDir:
        wanted = f"{backend}_pass"
        if request.node.get_closest_marker(wanted) is None:
            pytest.fail(f"a test with a desk_dir({backend!r}) must be marked {wanted} (see desk_dir)")
        root = tmp_path_factory.mktemp("worker-desk")
        server = postgres_url() if backend == "postgres" else None
        url, drop = scratch_database(server, str(root / "deskframe.db"))
        (root / "deskframe.toml").write_text(
            f'[desk]\ndatabase = "{url}"\ndata_dir = "data"\n{config}', encoding="utf-8"
        )
        desk = DeskDir(root, url)
        made.append((desk, drop))
        deskframe_schema_templates.upgrade(desk.desk.store)
        return desk

    yield make
    for desk, drop in made:
        desk.close()
        drop()
