#!/usr/bin/env python3
"""Fuzz deskframe's input handlers for minutes, on demand (the suite runs the same properties bounded).

    .venv/bin/python benchmarks/fuzz.py --target email [--minutes 10] [--batch 200] [--parse-only]
                                        [--database URL] [--out DIR]
    .venv/bin/python benchmarks/fuzz.py --target config --target chat --minutes 5 [--seed 1]

Targets (``TARGETS``; each is a function ``(args, until) -> counts``):

* ``email``: the properties of ``tests/plugins/email/test_email_fuzz_intake.py``.
  Arbitrary bytes and mutated real mails (the shared ``extmail`` corpus when it is
  there, else the generated corpus) must parse to a well-formed message or an
  ``UnparseableMessage`` with a reason, and (unless ``--parse-only``) must end as an
  article, a duplicate or a quarantine entry with the raw bytes kept, when
  delivered into a Maildir and taken in by the real ``email`` channel into a desk
  (a fresh SQLite file, or a fresh schema on ``--database``).

* ``config``: the property of ``tests/core/test_config_fuzz.py``: arbitrary TOML trees
  and mutated ``examples/*/deskframe.toml`` through ``deskframe --config FILE canned
  list``: success, or one ``Error:`` line and exit 2;
* ``chat``: the properties of ``tests/plugins/chat/test_chat_fuzz.py``: arbitrary JSON
  trees and bodies against the chat payload parser (a message or one ``PayloadError``
  line) and a signed webhook on a scratch desk (200 or a one-line 4xx, never a 500).

Hypothesis generates the inputs in batches of ``--batch`` examples until the time
is up; a failure is shrunk, printed, and its smallest input written to ``--out``
(default ``./fuzz-failures``); the exit code is then 1. Prints examples per
property and per second at the end.
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import importlib.util
import os
import random
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


class Counter:
    """Examples run per property."""

    def __init__(self) -> None:
        self.counts: dict[str, int] = {}

    def hit(self, name: str) -> None:
        """Count one example of the property ``name``."""
        self.counts[name] = self.counts.get(name, 0) + 1


def _keep_failure(out: Path, name: str, data: bytes) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{name}-{hashlib.sha256(data).hexdigest()[:16]}.bin"
    path.write_bytes(data)
    return path


def run_for(properties: dict[str, Callable[[], None]], until: float) -> None:
    """Call each hypothesis property (one batch each) in turn until the monotonic time ``until``."""
    while time.monotonic() < until:
        for run in properties.values():
            run()
            if time.monotonic() >= until:
                return


# --- email ------------------------------------------------------------------------------------


def fuzz_email(args: argparse.Namespace, until: float) -> dict[str, int]:
    """The ``email`` target (see the module docstring)."""
    sys.path.insert(0, str(ROOT / "tests" / "plugins" / "email"))
    import fuzzing
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    counter = Counter()
    seeds = fuzzing.seed_mails()
    harness, drop = (None, lambda: None) if args.parse_only else fuzzing.scratch_harness(args.workdir, args.database)
    batch = settings(max_examples=args.batch, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    mutated = st.builds(
        fuzzing.mutate,
        st.sampled_from(seeds),
        st.sampled_from(fuzzing.MUTATIONS),
        st.integers(min_value=0, max_value=1 << 24),
        st.sampled_from(fuzzing.NOISE) | st.binary(min_size=1, max_size=64),
    )

    def check(name: str, raw: bytes) -> None:
        counter.hit(name)
        try:
            reason = fuzzing.parse_or_reason(raw)
            if harness is not None:
                outcome = harness.take(raw)
                assert (outcome == "quarantined") == (reason is not None) or outcome == "duplicates", outcome
        except BaseException:
            print(f"failing input ({len(raw)} bytes) kept in {_keep_failure(args.out, name, raw)}", file=sys.stderr)
            raise

    @batch
    @given(st.binary(max_size=4000))
    def arbitrary_bytes(raw: bytes) -> None:
        check("arbitrary_bytes", raw)

    @batch
    @given(mutated)
    def mutated_real_mails(raw: bytes) -> None:
        check("mutated_real_mails", raw)

    @batch
    @given(st.builds(lambda a, b: a + b, mutated, mutated))
    def spliced_real_mails(raw: bytes) -> None:
        check("spliced_real_mails", raw)

    print(f"email: {len(seeds)} seed mails, {'parse only' if harness is None else 'parse + intake'}", flush=True)
    try:
        run_for({"arbitrary": arbitrary_bytes, "mutated": mutated_real_mails, "spliced": spliced_real_mails}, until)
    finally:
        drop()  # closes the desk too
    return counter.counts


# --- config and chat ---------------------------------------------------------------------------


@functools.cache
def _load(relative: str) -> Any:
    """Import a test module by path (its folder on sys.path, as pytest puts it)."""
    path = ROOT / relative
    sys.path.insert(0, str(path.parent))
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _rounds(name: str, args: argparse.Namespace, until: float, run: Callable[[int, int], None]) -> dict[str, int]:
    """Run ``run(max_examples, seed)`` with a new seed per round until ``until``."""
    seed = args.seed if args.seed is not None else random.randrange(2**32)
    done = 0
    while time.monotonic() < until:
        print(f"{name}: seed {seed}, {args.batch} examples", flush=True)
        run(args.batch, seed)
        done += args.batch
        seed += 1
    return {name: done}


def fuzz_config(args: argparse.Namespace, until: float) -> dict[str, int]:
    """The ``config`` target (see the module docstring)."""
    module = _load("tests/core/test_config_fuzz.py")
    return _rounds("config", args, until, lambda n, seed: module.run(n, seed=seed))


def fuzz_chat(args: argparse.Namespace, until: float) -> dict[str, int]:
    """The ``chat`` target: the payload parser, then the signed webhook of a scratch desk."""
    from starlette.testclient import TestClient

    from deskframe.config import load_config
    from deskframe.desk import Desk
    from deskframe.plugins import build_plugins
    from deskframe.web import create_app

    module = _load("tests/plugins/chat/test_chat_fuzz.py")
    os.environ[module.SECRET_ENV] = module.SECRET
    path = args.workdir / "deskframe.toml"
    path.write_text(f'[desk]\ndatabase = "sqlite:///{args.workdir}/desk.db"\n' + module.chat_config(), encoding="utf-8")
    plugins = build_plugins()
    desk = Desk(load_config(path, plugins.registry), plugins)
    desk.upgrade()
    client = TestClient(create_app(desk))

    def run(n: int, seed: int) -> None:
        module.run_parse(n, seed=seed)
        module.run_webhook(lambda: client, n, seed=seed)

    try:
        return _rounds("chat", args, until, run)
    finally:
        desk.close()


#: Fuzz targets by name; each takes the parsed arguments and a monotonic deadline, returns counts.
TARGETS: dict[str, Callable[[argparse.Namespace, float], dict[str, Any]]] = {
    "email": fuzz_email,
    "config": fuzz_config,
    "chat": fuzz_chat,
}


def main() -> None:
    """Parse the arguments and run each ``--target`` for ``--minutes``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--target",
        choices=sorted(TARGETS),
        action="append",
        required=True,
        help="what to fuzz (repeat for several; they run one after another)",
    )
    parser.add_argument("--minutes", type=float, default=1.0, help="time per target (default 1)")
    parser.add_argument("--batch", type=int, default=200, help="hypothesis examples per batch")
    parser.add_argument("--parse-only", action="store_true", help="email: parse only, no desk")
    parser.add_argument("--database", help="database URL for the desk (default: a fresh SQLite file)")
    parser.add_argument("--out", type=Path, default=Path("fuzz-failures"), help="where failing inputs go")
    parser.add_argument("--seed", type=int, default=None, help="config, chat: first seed (default: random)")
    args = parser.parse_args()
    if args.minutes <= 0 or args.batch <= 0:
        parser.error("--minutes and --batch must be positive")
    failed = False
    for name in args.target:
        args.workdir = Path(tempfile.mkdtemp(prefix=f"fuzz-{name}-"))
        start = time.monotonic()
        try:
            counts = TARGETS[name](args, start + 60 * args.minutes)
        except Exception as exc:  # hypothesis has printed the shrunk example
            print(f"{name}: FAILED: {type(exc).__name__}: {exc}", file=sys.stderr)
            failed = True
            continue
        finally:
            shutil.rmtree(args.workdir, ignore_errors=True)
        seconds = time.monotonic() - start
        total = sum(counts.values())
        detail = ", ".join(f"{key} {value}" for key, value in counts.items())
        print(f"{name}: {total} examples in {seconds:.0f} s ({total / seconds:.1f}/s): {detail}; no failure")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
