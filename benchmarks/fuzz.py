#!/usr/bin/env python3
"""Run deskframe's hypothesis properties for minutes instead of the test suite's few seconds.

Each target is a property module that the bounded test also runs; here it is run again
and again with a new seed per round until ``--minutes`` have passed, and the first
failure (with hypothesis' shrunk example) ends the run with exit code 1.

Targets (``TARGETS``; add one as ``name: (test file, function)``, where the function takes
``max_examples`` and ``seed``):

* ``config``: arbitrary TOML trees and mutated ``examples/*/deskframe.toml`` through
  ``deskframe --config FILE canned list``: success, or one ``Error:`` line and exit 2;
* ``chat``: arbitrary JSON trees and bodies against the chat payload parser (a message
  or one ``PayloadError`` line) and a signed webhook on a scratch desk (200 or a
  one-line 4xx, never a 500).

    .venv/bin/python benchmarks/fuzz.py --target config --minutes 5 [--examples 500] [--seed 1]
    .venv/bin/python benchmarks/fuzz.py --target all --minutes 10
"""

from __future__ import annotations

import argparse
import functools
import importlib.util
import os
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parents[1]


@functools.lru_cache(maxsize=None)
def _load(relative: str) -> Any:
    """Import a test module by path (its folder on sys.path, as pytest puts it)."""
    path = ROOT / relative
    sys.path.insert(0, str(path.parent))
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def config_target(max_examples: int, seed: int) -> None:
    """Config loader property (tests/core/test_config_fuzz.py)."""
    _load("tests/core/test_config_fuzz.py").run(max_examples, seed=seed)


_chat_client: Any = None


def chat_target(max_examples: int, seed: int) -> None:
    """Chat payload parser and webhook properties (tests/plugins/chat/test_chat_fuzz.py)."""
    global _chat_client
    module = _load("tests/plugins/chat/test_chat_fuzz.py")
    module.run_parse(max_examples, seed=seed)
    if _chat_client is None:
        _chat_client = _chat_desk_client(module)
    module.run_webhook(lambda: _chat_client, max_examples, seed=seed)


def _chat_desk_client(module: Any) -> Any:
    """A TestClient on a fresh SQLite desk with the ``site-chat`` channel of the chat tests."""
    from starlette.testclient import TestClient

    from deskframe.config import load_config
    from deskframe.desk import Desk
    from deskframe.plugins import build_plugins
    from deskframe.web import create_app

    os.environ[module.SECRET_ENV] = module.SECRET
    root = Path(tempfile.mkdtemp(prefix="deskframe-fuzz-"))
    path = root / "deskframe.toml"
    path.write_text(f'[desk]\ndatabase = "sqlite:///{root}/desk.db"\n' + module.chat_config(), encoding="utf-8")
    plugins = build_plugins()
    desk = Desk(load_config(path, plugins.registry), plugins)
    desk.upgrade()
    return TestClient(create_app(desk))


TARGETS: dict[str, Callable[[int, int], None]] = {
    "config": config_target,
    "chat": chat_target,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--target", default="all", help=f"one of {', '.join(TARGETS)}, or all")
    parser.add_argument("--minutes", type=float, default=1.0, help="how long to run each target")
    parser.add_argument("--examples", type=int, default=300, help="examples per round (one seed each)")
    parser.add_argument("--seed", type=int, default=None, help="first seed (default: random)")
    args = parser.parse_args(argv)
    names = list(TARGETS) if args.target == "all" else [args.target]
    unknown = [n for n in names if n not in TARGETS]
    if unknown:
        parser.error(f"unknown target {unknown[0]!r} (known: {', '.join(TARGETS)}, all)")
    seed = args.seed if args.seed is not None else random.randrange(2**32)
    for name in names:
        start, rounds = time.monotonic(), 0
        while time.monotonic() - start < args.minutes * 60:
            print(f"{name}: round {rounds + 1}, seed {seed}, {args.examples} examples", flush=True)
            try:
                TARGETS[name](args.examples, seed)
            except Exception as exc:  # hypothesis has printed the falsifying example
                print(f"{name}: FAILED with seed {seed}: {type(exc).__name__}: {str(exc)[:2000]}", flush=True)
                return 1
            rounds += 1
            seed += 1
        print(f"{name}: {rounds} rounds of {args.examples} examples passed in {time.monotonic() - start:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
