#!/usr/bin/env python3
"""Latency of the REST API under ``deskframe serve`` (uvicorn) on a 100,000-ticket SQLite desk,
beside a bare Starlette route that returns the same JSON (the floor).

One run:

1. builds a desk with ``--tickets`` tickets (the data set of ``tickets.py``, loaded with its
   Core path: ``--articles-per-ticket`` articles each) and an admin agent with an API token;
2. starts ``deskframe serve`` on it (one uvicorn process) and, as the floor, a bare Starlette
   app under the same uvicorn that answers each path with the bytes the API answered for it;
3. drives each with an httpx client pool of ``--clients`` connections over loopback, for two
   requests: ``GET /api/v1/tickets?state=open&limit=50`` and ``GET /api/v1/tickets/{number}``
   (numbers drawn from the desk), ``--requests`` requests in all (bounded; a quarter per
   request and target);
4. prints p50/p95/p99 (ms) and requests per second of each, and the issue's targets (list p95
   under 30 ms, show p95 under 20 ms at 8 clients).

    .venv/bin/python benchmarks/api.py [--tickets 100000] [--articles-per-ticket 1]
        [--requests 20000] [--clients 8] [--dir PATH] [--keep]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "src"))

#: The issue's targets: p95 in ms at 8 concurrent clients.
TARGETS = {"list": 30.0, "show": 20.0}
LIST_PATH = "/api/v1/tickets?state=open&limit=50"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def floor_server(port: int, answers_file: str) -> None:
    """The floor: a bare Starlette app answering each recorded path with the API's bytes."""
    import uvicorn
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import Route

    answers = {k: v.encode() for k, v in json.loads(Path(answers_file).read_text(encoding="utf-8")).items()}

    async def answer(request: Request) -> Response:
        key = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return Response(answers[key], media_type="application/json")

    app = Starlette(routes=[Route("/{path:path}", answer, methods=["GET"])])
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


def build(root: Path, tickets: int, articles: int) -> tuple[Path, str, list[str]]:
    """The desk (config path), an admin's token, and a sample of ticket numbers."""
    from ticket_plan import Plan
    from tickets import core_load, make_desk

    from deskframe.accounts.service import Accounts
    from deskframe.actors import Actor
    from deskframe.model import Agent

    desk, config = make_desk(root, root / "desk.db")
    plan = Plan(tickets, articles, 7)
    started = time.perf_counter()
    core_load(desk.store.db, plan, 0, tickets, settings=desk.settings, day=desk.local_date())
    print(f"loaded {tickets:,} tickets in {time.perf_counter() - started:.1f} s", flush=True)
    desk.directory.add_agent(Agent(login="bench", name="Bench", access="admin"), actor=Actor.operator())
    token, _ = Accounts.of(desk).create_token("agent", "bench", actor=Actor.operator())
    rows, _ = desk.tickets.page(actor=Actor.agent("bench"), limit=500)
    numbers = [r["number"] for r in rows]
    desk.close()
    return config, token, numbers


def serve(args: list[str], env: dict[str, str], url: str) -> subprocess.Popen[bytes]:
    import httpx

    server = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            httpx.get(url, timeout=2)
            return server
        except httpx.HTTPError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit(f"{args[0]} did not come up at {url}")


async def drive(base: str, paths: list[str], count: int, clients: int, headers: dict[str, str]) -> dict[str, float]:
    """``count`` GETs over ``clients`` connections; latency percentiles (ms) and requests per second."""
    import httpx

    latencies: list[float] = []
    todo = iter(range(count))
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=base, headers=headers, limits=limits, timeout=30) as client:

        async def worker(seed: int) -> None:
            pick = random.Random(seed)
            for _ in todo:
                path = paths[pick.randrange(len(paths))]
                t0 = time.perf_counter()
                answer = await client.get(path)
                latencies.append((time.perf_counter() - t0) * 1000)
                if answer.status_code != 200:
                    raise SystemExit(f"{path}: {answer.status_code} {answer.text[:200]}")

        for warm in paths[:20]:
            await client.get(warm)
        started = time.perf_counter()
        await asyncio.gather(*(worker(i) for i in range(clients)))
        elapsed = time.perf_counter() - started
    q = statistics.quantiles(latencies, n=100)
    return {"p50": q[49], "p95": q[94], "p99": q[98], "rps": count / elapsed}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--articles-per-ticket", type=int, default=1)
    parser.add_argument("--requests", type=int, default=20_000, help="all requests of the run (at most 20,000)")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--dir", type=Path)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--floor-server", nargs=2, metavar=("PORT", "ANSWERS"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.floor_server:
        floor_server(int(args.floor_server[0]), args.floor_server[1])
        return 0
    import httpx

    requests = min(args.requests, 20_000)
    root = args.dir or Path(tempfile.mkdtemp(prefix="deskframe-api-bench-"))
    root.mkdir(parents=True, exist_ok=True)
    config, token, numbers = build(root, args.tickets, args.articles_per_ticket)
    headers = {"Authorization": f"Bearer {token}"}
    env = {**os.environ, "DESKFRAME_CONFIG": str(config)}
    api_port, floor_port = free_port(), free_port()
    api_url, floor_url = f"http://127.0.0.1:{api_port}", f"http://127.0.0.1:{floor_port}"
    cli = str(Path(sys.executable).parent / "deskframe")
    servers = [serve([cli, "serve", "--port", str(api_port)], env, api_url + "/healthz")]
    try:
        paths = {"list": [LIST_PATH], "show": [f"/api/v1/tickets/{n}" for n in numbers[:200]]}
        answers = {p: httpx.get(api_url + p, headers=headers).text for group in paths.values() for p in group}
        answers_file = root / "floor-answers.json"
        answers_file.write_text(json.dumps(answers), encoding="utf-8")
        floor_args = [sys.executable, __file__, "--floor-server", str(floor_port), str(answers_file)]
        servers.append(serve(floor_args, env, floor_url + LIST_PATH))
        results: dict[tuple[str, str], dict[str, float]] = {}
        for name, group in paths.items():
            for target, base in (("api", api_url), ("floor", floor_url)):
                results[(name, target)] = asyncio.run(drive(base, group, requests // 4, args.clients, headers))
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=30)
        if not args.keep and args.dir is None:
            shutil.rmtree(root, ignore_errors=True)
    print(f"\n{args.tickets:,} tickets, {args.clients} clients, {requests // 4:,} requests per row (loopback)")
    print(f"{'request':<44} {'target':<6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'req/s':>8}")
    for (name, target), r in results.items():
        label = LIST_PATH if name == "list" else "/api/v1/tickets/{number}"
        print(f"{label:<44} {target:<6} {r['p50']:8.2f} {r['p95']:8.2f} {r['p99']:8.2f} {r['rps']:8.0f}")
    for name, limit in TARGETS.items():
        p95 = results[(name, "api")]["p95"]
        print(f"{name}: p95 {p95:.1f} ms, target under {limit:.0f} ms: {'met' if p95 < limit else 'MISSED'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
