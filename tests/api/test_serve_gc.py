"""``deskframe serve`` moves its start-up objects out of the garbage collector's generations
(:func:`deskframe.web.workers.settle`, :func:`gc.freeze`) once the app is built, in each
uvicorn worker (``--workers N``) and in the one process of ``--workers 1``; the collector
itself stays enabled."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from live_desk import live_desk

from deskframe.cli import build_cli
from deskframe.plugins import build_plugins
from deskframe.web.workers import FACTORY

#: Run in a fresh interpreter (as uvicorn's spawned worker): the factory's app, then the
#: collector's state.
WORKER = """
import gc, importlib, sys
module, name = sys.argv[1].split(":")
app = getattr(importlib.import_module(module), name)()
print(type(app).__name__, gc.get_freeze_count(), gc.isenabled())
"""


@pytest.fixture(scope="module")
def config(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    desk, path, drop = live_desk(tmp_path_factory.mktemp("serve-gc"))
    desk.close()
    try:
        yield path
    finally:
        drop()


def test_each_worker_freezes_its_start_up_objects(config: Path) -> None:
    env = {**os.environ, "DESKFRAME_CONFIG": str(config)}
    env.pop("DESKFRAME_SERVE_NOW", None)
    out = subprocess.run(
        [sys.executable, "-c", WORKER, FACTORY], env=env, capture_output=True, text=True, check=True, timeout=120
    ).stdout.split()
    assert out[0] == "Starlette"
    assert int(out[1]) > 10_000  # the modules, plugins and mappers of a built desk
    assert out[2] == "True"  # frozen, not disabled


def test_one_worker_serve_freezes_before_serving(config: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import uvicorn

    seen: dict[str, Any] = {}

    def run(app: Any, **kwargs: Any) -> None:  # instead of serving: what uvicorn would be handed
        seen.update(app=type(app).__name__, frozen=gc.get_freeze_count(), enabled=gc.isenabled(), **kwargs)

    monkeypatch.setattr(uvicorn, "run", run)
    try:
        result = CliRunner().invoke(build_cli(build_plugins()), ["--config", str(config), "serve", "--port", "8765"])
    finally:
        gc.unfreeze()  # give this test process its generations back
    assert result.exit_code == 0, result.output
    assert seen["app"] == "Starlette" and seen["port"] == 8765
    assert seen["frozen"] > 10_000 and seen["enabled"]
