#!/usr/bin/env python3
"""Server CPU per request of the API's ticket list and show, in process (no HTTP, no uvicorn).

Uses the desk ``api.py`` built in ``--dir`` (its ``built.json``: token and ticket numbers) and
calls the app of ``deskframe.web.create_app`` as ASGI, one request at a time, exactly as
``api.py``'s in-process rows do, but in ``--batches`` batches of ``--batch`` requests per route,
the routes taking turns batch by batch, and prints the minimum and the median over the batches
of the CPU time (``time.process_time``) per request: the figure that depends least on what
else the machine runs. ``--profile PATH`` writes a cProfile of one more batch of each route
(``PATH.list`` and ``PATH.show``) for ``python -m pstats``.

    .venv/bin/python benchmarks/api_cpu.py --dir /work/benchdata-apicpu [--batch 500] [--batches 7]

It imports ``deskframe`` from wherever Python finds it (unlike ``api.py`` it does not put this
tree's ``src`` first), so ``PYTHONPATH=/tmp/base/src`` measures another version on the same desk.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
_PATH = list(sys.path)
sys.path.insert(0, str(HERE))
from api import LIST_PATH, asgi_get  # noqa: E402  (api.py puts this tree's src first: undone below)

sys.path[:] = _PATH


async def batch(app: object, paths: list[str], count: int, headers: dict[str, str], offset: int) -> float:
    """CPU ms per request over ``count`` requests of ``paths`` in turn."""
    cpu = time.process_time()
    for i in range(count):
        path = paths[(offset + i) % len(paths)]
        status, _ = await asgi_get(app, path, headers)
        if status != 200:
            raise SystemExit(f"{path}: {status}")
    return (time.process_time() - cpu) * 1000 / count


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dir", type=Path, required=True, help="a desk api.py built (built.json)")
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--batches", type=int, default=7)
    parser.add_argument("--profile", type=Path, help="write cProfile stats of one batch per route to PATH.<route>")
    args = parser.parse_args(argv)
    kept = json.loads((args.dir / "built.json").read_text(encoding="utf-8"))
    headers = {"Authorization": f"Bearer {kept['token']}"}
    paths = {"list": [LIST_PATH], "show": [f"/api/v1/tickets/{n}" for n in kept["numbers"][:200]]}

    import deskframe
    from deskframe.config import load_config
    from deskframe.desk import Desk
    from deskframe.plugins import build_plugins
    from deskframe.web import create_app

    plugins = build_plugins()
    desk = Desk(load_config(args.dir / "deskframe.toml", plugins.registry), plugins)
    try:
        app = create_app(desk)

        async def run() -> dict[str, list[float]]:
            for group in paths.values():
                await batch(app, group, 50, headers, 0)
            out: dict[str, list[float]] = {name: [] for name in paths}
            for n in range(args.batches):
                for name, group in paths.items():
                    out[name].append(await batch(app, group, args.batch, headers, n * args.batch))
            if args.profile:
                for name, group in paths.items():
                    profile = cProfile.Profile()
                    profile.enable()
                    await batch(app, group, args.batch, headers, 0)
                    profile.disable()
                    profile.dump_stats(f"{args.profile}.{name}")
            return out

        figures = asyncio.run(run())
    finally:
        desk.close()
    print(f"deskframe from {Path(deskframe.__file__).parent}")
    print(f"CPU ms per request, {args.batches} batches of {args.batch}: min, median, all")
    for name, values in figures.items():
        all_ = " ".join(f"{v:.3f}" for v in values)
        print(f"{name:<5} {min(values):6.3f} {statistics.median(values):6.3f}   {all_}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
