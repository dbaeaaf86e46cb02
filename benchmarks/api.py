#!/usr/bin/env python3
"""Latency of the REST API under ``deskframe serve`` (uvicorn) on a 100,000-ticket SQLite desk,
beside a bare Starlette route that returns the same JSON (the floor).

One run:

1. builds a desk with ``--tickets`` tickets (the data set of ``tickets.py``, loaded with its
   Core path: ``--articles-per-ticket`` articles each) and an admin agent with an API token;
2. for each count of ``--workers`` (default 1 and 2): starts ``deskframe serve --workers N``
   on it and, as the floor, a bare Starlette app under the same uvicorn with as many workers
   that answers each path with the bytes the API answered for it;
3. drives each with ``--clients`` concurrent httpx clients (one keep-alive connection each;
   ``--shared-pool``: one client with a pool of that many, see :func:`drive`) over loopback, for two
   requests: ``GET /api/v1/tickets?state=open&limit=50`` and ``GET /api/v1/tickets/{number}``
   (numbers drawn from the desk), ``--requests`` requests in all (bounded: at most 20,000,
   shared evenly by the rows);
4. prints p50/p95/p99 (ms) and requests per second of each, and the issue's targets (list p95
   under 30 ms, show p95 under 20 ms at 8 clients) for each worker count;
5. then, in this process, the server-side time of the same two requests: the app of
   ``deskframe.web.create_app`` called as ASGI one request at a time (no HTTP, no queueing
   behind other clients), ``--in-process`` requests each, p50/p95 (ms) and CPU ms per request,
   beside the floor's app (what Starlette alone costs); these depend least on other load.

    .venv/bin/python benchmarks/api.py [--tickets 100000] [--articles-per-ticket 1]
        [--requests 20000] [--clients 8] [--workers 1 2] [--in-process 1000] [--dir PATH] [--keep]
        [--shared-pool]

``--dir``: a desk an earlier run built there (same ``--tickets`` and ``--articles-per-ticket``)
is used again rather than loaded anew.

``--workers`` with no count runs no HTTP rows (only the in-process ones): that also runs
against an older deskframe without ``serve --workers``, for a before/after comparison.
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
from typing import Any

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


#: The floor's recorded answers (a JSON file: path -> body), for its worker processes.
ANSWERS_ENV = "DESKFRAME_BENCH_FLOOR_ANSWERS"


def floor_app(answers_file: str | None = None) -> Any:
    """The floor: a bare Starlette app answering each recorded path with the API's bytes."""
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import Route

    source = Path(answers_file or os.environ[ANSWERS_ENV])
    answers = {k: v.encode() for k, v in json.loads(source.read_text(encoding="utf-8")).items()}

    async def answer(request: Request) -> Response:
        key = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return Response(answers[key], media_type="application/json")

    return Starlette(routes=[Route("/{path:path}", answer, methods=["GET"])])


def floor_server(port: int, answers_file: str, workers: int) -> None:
    """Serve :func:`floor_app` under uvicorn with ``workers`` processes and the settings of
    ``deskframe serve`` (log level ``info``, so one access log line per request as there;
    ``http`` and ``loop`` "auto": httptools and uvloop)."""
    import uvicorn

    os.environ[ANSWERS_ENV] = str(Path(answers_file).resolve())
    uvicorn.run(
        "api:floor_app", factory=True, app_dir=str(HERE), workers=workers, host="127.0.0.1", port=port, log_level="info"
    )


#: What :func:`build` made in ``--dir`` (the token and ticket numbers), so that a later run reuses the desk.
BUILT = "built.json"


def build(root: Path, tickets: int, articles: int) -> tuple[Path, str, list[str]]:
    """The desk (config path), an admin's token, and a sample of ticket numbers. A desk that an
    earlier run with the same ``--tickets`` and ``--articles-per-ticket`` left in ``root``
    (``--dir``) is used again as it is."""
    built = root / BUILT
    if built.exists():
        kept = json.loads(built.read_text(encoding="utf-8"))
        if (kept["tickets"], kept["articles"]) == (tickets, articles):
            print(f"using the {tickets:,}-ticket desk in {root}", flush=True)
            return root / "deskframe.toml", kept["token"], kept["numbers"]
        raise SystemExit(f"{root} holds a desk of {kept['tickets']:,} tickets: use another --dir")
    if (root / "desk.db").exists():
        raise SystemExit(f"{root} holds a desk.db of an unfinished run: remove it or use another --dir")
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
    kept = {"tickets": tickets, "articles": articles, "token": token, "numbers": numbers}
    built.write_text(json.dumps(kept), encoding="utf-8")
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


async def drive(
    base: str, paths: list[str], count: int, clients: int, headers: dict[str, str], shared_pool: bool = False
) -> dict[str, float]:
    """``count`` GETs by ``clients`` concurrent clients; latency percentiles (ms) and requests
    per second.

    Each client is its own ``httpx.AsyncClient`` with one keep-alive connection, as
    ``clients`` separate callers would be. One client whose pool holds ``clients``
    connections for all of them (``shared_pool``, how this benchmark drove the server before)
    stalls in the client: with httpcore 1.0.9, a request the pool assigns an idle connection
    to often finds it taken by another request first, gets ``ConnectionNotAvailable`` and tries
    again, hundreds of times and for up to a second, before it writes a byte. The server then
    sees nothing of it (its own time per request stays near 1 ms), but the latency of those
    requests set the p99, and at times the p95, and the retries burned the CPU the server
    needed."""
    import httpx

    latencies: list[float] = []
    todo = iter(range(count))
    ready = asyncio.Barrier(clients + 1)  # every client warmed up, and start()

    async def run(client: httpx.AsyncClient, seed: int) -> None:
        pick = random.Random(seed)
        for warm in paths[seed % len(paths) :][:3]:  # open the connection and warm both ends
            await client.get(warm)
        await ready.wait()
        for _ in todo:
            path = paths[pick.randrange(len(paths))]
            t0 = time.perf_counter()
            answer = await client.get(path)
            latencies.append((time.perf_counter() - t0) * 1000)
            if answer.status_code != 200:
                raise SystemExit(f"{path}: {answer.status_code} {answer.text[:200]}")

    async def own_client(seed: int) -> None:
        limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
        async with httpx.AsyncClient(base_url=base, headers=headers, limits=limits, timeout=30) as client:
            await run(client, seed)

    async def start() -> float:
        await ready.wait()
        return time.perf_counter()

    if shared_pool:
        limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
        async with httpx.AsyncClient(base_url=base, headers=headers, limits=limits, timeout=30) as client:
            started, *_ = await asyncio.gather(start(), *(run(client, i) for i in range(clients)))
    else:
        started, *_ = await asyncio.gather(start(), *(own_client(i) for i in range(clients)))
    elapsed = time.perf_counter() - started
    q = statistics.quantiles(latencies, n=100)
    return {"p50": q[49], "p95": q[94], "p99": q[98], "rps": count / elapsed}


def asgi_get(app: Any, path: str, headers: dict[str, str]) -> Any:
    """One GET through the ASGI ``app`` in this process (no HTTP): a coroutine of ``(status, body)``."""
    raw_path, _, query = path.partition("?")
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": raw_path,
        "raw_path": raw_path.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": [(b"host", b"127.0.0.1")] + [(k.lower().encode(), v.encode()) for k, v in headers.items()],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
        "state": {},
    }
    status: list[int] = []
    body: list[bytes] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            status.append(message["status"])
        elif message["type"] == "http.response.body":
            body.append(message.get("body", b""))

    async def run() -> tuple[int, bytes]:
        await app(scope, receive, send)
        return status[0], b"".join(body)

    return run()


async def server_side(app: Any, paths: list[str], count: int, headers: dict[str, str]) -> dict[str, float]:
    """``count`` requests one after the other through ``app`` in process: ms percentiles and CPU ms each."""
    for warm in paths[:20]:
        await asgi_get(app, warm, headers)
    latencies: list[float] = []
    cpu = time.process_time()
    for i in range(count):
        t0 = time.perf_counter()
        status, _ = await asgi_get(app, paths[i % len(paths)], headers)
        latencies.append((time.perf_counter() - t0) * 1000)
        if status != 200:
            raise SystemExit(f"{paths[i % len(paths)]}: {status} in process")
    cpu_ms = (time.process_time() - cpu) * 1000 / count
    q = statistics.quantiles(latencies, n=100)
    return {"p50": q[49], "p95": q[94], "cpu": cpu_ms}


def in_process(config: Path, paths: dict[str, list[str]], answers_file: Path, count: int, headers: dict[str, str]):
    """Server-side times of the API's app and the floor's app, in this process."""
    from deskframe.config import load_config
    from deskframe.desk import Desk
    from deskframe.plugins import build_plugins
    from deskframe.web import create_app

    plugins = build_plugins()
    desk = Desk(load_config(config, plugins.registry), plugins)
    try:
        api = create_app(desk)
        if not answers_file.exists():  # no HTTP rows ran: record the floor's answers here
            answers = {p: asyncio.run(asgi_get(api, p, headers))[1].decode() for g in paths.values() for p in g}
            answers_file.write_text(json.dumps(answers), encoding="utf-8")
        apps = {"api": api, "floor": floor_app(str(answers_file))}
        return {
            (name, target): asyncio.run(server_side(app, group, count, headers))
            for name, group in paths.items()
            for target, app in apps.items()
        }
    finally:
        desk.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--articles-per-ticket", type=int, default=1)
    parser.add_argument("--requests", type=int, default=20_000, help="all HTTP requests of the run (at most 20,000)")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument(
        "--workers", type=int, nargs="*", default=[1, 2], help="uvicorn worker counts to run (none: no HTTP rows)"
    )
    parser.add_argument("--in-process", type=int, default=1000, help="server-side requests per row (0: none)")
    parser.add_argument("--dir", type=Path)
    parser.add_argument(
        "--shared-pool",
        action="store_true",
        help="drive with one httpx client whose pool holds --clients connections (see drive())",
    )
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--floor-server", nargs=3, metavar=("PORT", "ANSWERS", "WORKERS"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.floor_server:
        floor_server(int(args.floor_server[0]), args.floor_server[1], int(args.floor_server[2]))
        return 0
    import httpx

    try:
        import sniffio  # noqa: F401  (httpcore imports it at every request)
    except ImportError:
        print("sniffio is not installed: httpcore's import of it fails and searches sys.path at every request,")
        print("which costs the client about 0.4 ms of CPU per request (pip install sniffio; in the dev extras)")
    requests = min(args.requests, 20_000)
    per_row = requests // (4 * max(1, len(args.workers)))
    root = args.dir or Path(tempfile.mkdtemp(prefix="deskframe-api-bench-"))
    root.mkdir(parents=True, exist_ok=True)
    config, token, numbers = build(root, args.tickets, args.articles_per_ticket)
    headers = {"Authorization": f"Bearer {token}"}
    env = {**os.environ, "DESKFRAME_CONFIG": str(config)}
    cli = str(Path(sys.executable).parent / "deskframe")
    paths = {"list": [LIST_PATH], "show": [f"/api/v1/tickets/{n}" for n in numbers[:200]]}
    answers_file = root / "floor-answers.json"
    results: dict[tuple[int, str, str], dict[str, float]] = {}
    server_side_times: dict[tuple[str, str], dict[str, float]] = {}
    load = os.getloadavg()
    try:
        for workers in args.workers:
            api_port, floor_port = free_port(), free_port()
            api_url, floor_url = f"http://127.0.0.1:{api_port}", f"http://127.0.0.1:{floor_port}"
            serve_args = [cli, "serve", "--port", str(api_port), "--workers", str(workers)]
            servers = [serve(serve_args, env, api_url + "/healthz")]
            try:
                if not answers_file.exists():
                    answers = {p: httpx.get(api_url + p, headers=headers).text for g in paths.values() for p in g}
                    answers_file.write_text(json.dumps(answers), encoding="utf-8")
                floor_args = [
                    sys.executable,
                    __file__,
                    "--floor-server",
                    str(floor_port),
                    str(answers_file),
                    str(workers),
                ]
                servers.append(serve(floor_args, env, floor_url + LIST_PATH))
                for name, group in paths.items():
                    for target, base in (("api", api_url), ("floor", floor_url)):
                        results[(workers, name, target)] = asyncio.run(
                            drive(base, group, per_row, args.clients, headers, args.shared_pool)
                        )
            finally:
                for server in servers:
                    server.terminate()
                    server.wait(timeout=60)
        if args.in_process:
            server_side_times = in_process(config, paths, answers_file, args.in_process, headers)
        load = tuple(max(a, b) for a, b in zip(load, os.getloadavg()))
    finally:
        if not args.keep and args.dir is None:
            shutil.rmtree(root, ignore_errors=True)
    pool = "one shared httpx pool" if args.shared_pool else "an httpx client each"
    print(f"\n{args.tickets:,} tickets, {args.clients} clients ({pool}), {per_row:,} requests per row (loopback)")
    print(f"load average (the higher of before and after): {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    print(f"{'request':<44} {'workers':>7} {'target':<6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'req/s':>8}")
    for (workers, name, target), r in results.items():
        label = LIST_PATH if name == "list" else "/api/v1/tickets/{number}"
        print(f"{label:<44} {workers:>7} {target:<6} {r['p50']:8.2f} {r['p95']:8.2f} {r['p99']:8.2f} {r['rps']:8.0f}")
    for workers in args.workers:
        for name, limit in TARGETS.items():
            p95 = results[(workers, name, "api")]["p95"]
            verdict = "met" if p95 < limit else "MISSED"
            print(f"{name}, {workers} worker(s): p95 {p95:.1f} ms, target under {limit:.0f} ms: {verdict}")
    if server_side_times:
        print(f"\nserver side, in process, one request at a time ({args.in_process} each):")
        print(f"{'request':<44} {'target':<6} {'p50 ms':>8} {'p95 ms':>8} {'CPU ms':>8}")
        for (name, target), r in server_side_times.items():
            label = LIST_PATH if name == "list" else "/api/v1/tickets/{number}"
            print(f"{label:<44} {target:<6} {r['p50']:8.2f} {r['p95']:8.2f} {r['cpu']:8.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
