#!/usr/bin/env python3
"""Server CPU per request of the API's ticket list and show, in process (no HTTP, no uvicorn).

Uses the desk ``api.py`` built in ``--dir`` (its ``built.json``: token and ticket numbers) and
calls the app of ``deskframe.web.create_app`` as ASGI, one request at a time, exactly as
``api.py``'s in-process rows do, but in ``--batches`` batches of ``--batch`` requests per route,
the routes taking turns batch by batch, and prints the minimum and the median over the batches
of the CPU time (``time.process_time``) per request: the figure that depends least on what
else the machine runs. ``--profile PATH`` writes a cProfile of one more batch of each route
(``PATH.list`` and ``PATH.show``) for ``python -m pstats``.

    .venv/bin/python benchmarks/api_cpu.py --dir /work/benchdata-apicpu [--batch 500] [--batches 7] [--contact]

``--contact`` adds the same two requests by a customer's contact (a token of the desk's first
contact, which sees only the tickets it opened; made once and kept in ``built.json``): the
list is the contact's open tickets, the show one of its tickets.

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
from typing import Any

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


def contact_of(desk: Any) -> dict[str, Any]:
    """A token of the desk's first contact (by id) and up to 200 of its ticket numbers."""
    from sqlalchemy import select

    from deskframe.accounts.service import Accounts
    from deskframe.actors import Actor
    from deskframe.store.rows import ContactRow, TicketRow

    with desk.store.read() as repo:
        contact_id, email = repo.session.execute(
            select(ContactRow.id, ContactRow.email).order_by(ContactRow.id).limit(1)
        ).one()
        numbers = list(
            repo.session.scalars(
                select(TicketRow.number).where(TicketRow.contact_id == contact_id).order_by(TicketRow.id).limit(200)
            )
        )
    token, _ = Accounts.of(desk).create_token("contact", email, actor=Actor.operator())
    return {"email": email, "token": token, "numbers": numbers}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dir", type=Path, required=True, help="a desk api.py built (built.json)")
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--batches", type=int, default=7)
    parser.add_argument("--profile", type=Path, help="write cProfile stats of one batch per route to PATH.<route>")
    parser.add_argument("--contact", action="store_true", help="also the two requests by a contact")
    args = parser.parse_args(argv)
    built = args.dir / "built.json"
    kept = json.loads(built.read_text(encoding="utf-8"))
    admin = {"Authorization": f"Bearer {kept['token']}"}
    paths = {"list": [LIST_PATH], "show": [f"/api/v1/tickets/{n}" for n in kept["numbers"][:200]]}
    headers = {"list": admin, "show": admin}

    import deskframe
    from deskframe.config import load_config
    from deskframe.desk import Desk
    from deskframe.plugins import build_plugins
    from deskframe.web import create_app

    plugins = build_plugins()
    desk = Desk(load_config(args.dir / "deskframe.toml", plugins.registry), plugins)
    try:
        if args.contact:
            if "contact" not in kept:
                kept["contact"] = contact_of(desk)
                built.write_text(json.dumps(kept), encoding="utf-8")
            mine = {"Authorization": f"Bearer {kept['contact']['token']}"}
            paths["contact list"] = [LIST_PATH]
            paths["contact show"] = [f"/api/v1/tickets/{n}" for n in kept["contact"]["numbers"]]
            headers.update({"contact list": mine, "contact show": mine})
        app = create_app(desk)

        async def run() -> dict[str, list[float]]:
            for name, group in paths.items():
                await batch(app, group, 50, headers[name], 0)
            out: dict[str, list[float]] = {name: [] for name in paths}
            for n in range(args.batches):
                for name, group in paths.items():
                    out[name].append(await batch(app, group, args.batch, headers[name], n * args.batch))
            if args.profile:
                for name, group in paths.items():
                    profile = cProfile.Profile()
                    profile.enable()
                    await batch(app, group, args.batch, headers[name], 0)
                    profile.disable()
                    profile.dump_stats(f"{args.profile}.{name.replace(' ', '-')}")
            return out

        figures = asyncio.run(run())
    finally:
        desk.close()
    print(f"deskframe from {Path(deskframe.__file__).parent}")
    print(f"CPU ms per request, {args.batches} batches of {args.batch}: min, median, all")
    for name, values in figures.items():
        all_ = " ".join(f"{v:.3f}" for v in values)
        print(f"{name:<12} {min(values):6.3f} {statistics.median(values):6.3f}   {all_}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
