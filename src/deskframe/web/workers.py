"""``deskframe serve --workers N``: the app of one uvicorn worker process.

uvicorn starts each worker as a fresh Python process and builds its app by calling
:func:`worker_app` (an import string with ``factory=True``). The worker reads the same config
as the ``serve`` command that started it, which passes it down in the environment: the config
file's absolute path in ``DESKFRAME_CONFIG`` and, when ``serve`` ran with ``--now``, that
instant in :data:`NOW_ENV`. Each worker has its own desk (plugins, database pool); what the
workers share lives in the database (and the signing key in ``DATA_DIR``, made race-free by
:func:`deskframe.accounts.settings.signing_key`).
"""

from __future__ import annotations

import datetime as dt
import gc
import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from starlette.applications import Starlette

#: The fixed instant (ISO 8601, with its offset) of ``deskframe --now ... serve --workers N``.
NOW_ENV = "DESKFRAME_SERVE_NOW"
#: The import string uvicorn calls in each worker.
FACTORY = "deskframe.web.workers:serving_app"


def worker_app() -> Starlette:
    """The app of one worker: the desk of ``$DESKFRAME_CONFIG`` with the plugins installed."""
    from ..config import load_config, locate
    from ..desk import Desk
    from ..plugins import build_plugins
    from . import create_app

    plugins = build_plugins()
    config = load_config(locate(None), plugins.registry)
    now_text = os.environ.get(NOW_ENV)
    if now_text:
        fixed = dt.datetime.fromisoformat(now_text)
        desk = Desk(config, plugins, clock=lambda: fixed)
    else:
        desk = Desk(config, plugins)
    return create_app(desk)


def serving_app() -> Starlette:
    """What uvicorn calls in each worker: :func:`worker_app`, then :func:`settle`."""
    app = worker_app()
    settle()
    return app


def settle() -> None:
    """Once a serving process has built its app: collect the start-up's garbage, then move
    every object left (modules, plugins, mappers, compiled statements: about 90,000 in a
    worker) out of the garbage collector's generations (:func:`gc.freeze`). A full collection
    then walks only what requests made, not the start-up's objects again: it took about 30 ms
    in a worker before (every request in flight waited for it), under 1 ms after. The
    collector stays on; only the objects that live as long as the process are left out."""
    gc.collect()
    gc.freeze()
